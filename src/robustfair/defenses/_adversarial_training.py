"""Adversarial retraining of a deep clustering victim (in-processing defense; thesis 2.3.5.1, fn. 7).

Footnote 7 of thesis 2.3.5: "jointly minimize the deep clustering loss on adversarial inputs
by using our trained adversarial noise generators". Each round trains the GAN attack's
generator against the current model (white-box: the defender owns the model), then
fine-tunes the model on its own clustering loss plus a consistency term
``KL(M(x) || M(x + G(x)))`` that asks adversarial images to keep their clean memberships.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_positive, check_random_state, seed_from

__all__ = ["AdversarialTraining"]


class AdversarialTraining:
    """Retrain ``victim`` (a ``robustfair.deep`` model) against the GAN evasion attack.

    Parameters
    ----------
    eps : float
        The attack budget defended against (L-inf on [0, 1] pixels).
    rounds : int, default=1
        Generator-training / fine-tuning rounds.
    epochs : int, default=3
        Fine-tuning epochs per round.
    weight : float, default=1.0
        Weight of the consistency term.
    attack_epochs : int, default=2
    lr : float, default=1e-3
    batch_size : int, default=128
    random_state : int, Generator or None

    Attributes
    ----------
    history_ : list of dict
        Per round: the attack's label-change rate before fine-tuning and the mean loss.
    """

    def __init__(
        self,
        *,
        eps: float,
        rounds: int = 1,
        epochs: int = 3,
        weight: float = 1.0,
        attack_epochs: int = 2,
        lr: float = 1e-3,
        batch_size: int = 128,
        random_state: Any = None,
    ) -> None:
        self.eps = eps
        self.rounds = rounds
        self.epochs = epochs
        self.weight = weight
        self.attack_epochs = attack_epochs
        self.lr = lr
        self.batch_size = batch_size
        self.random_state = random_state

    def fit(self, victim: Any, X: Any) -> Any:
        """Fine-tune ``victim`` in place on ``X`` and its adversarial images; returns the victim."""
        import torch

        from ..attacks._gan_evasion import GANEvasionAttack
        from ..deep._training import as_image_tensor, iterate_batches

        if not (hasattr(victim, "membership_module") and hasattr(victim, "training_loss")):
            raise ValueError("victim must be a fitted robustfair.deep model (ContrastiveClustering or DEC).")
        check_positive(self.eps, "eps")
        rounds = check_positive(self.rounds, "rounds", integer=True)
        epochs = check_positive(self.epochs, "epochs", integer=True)
        check_positive(self.weight, "weight", strict=False)
        rng = check_random_state(self.random_state)
        x, _ = as_image_tensor(X, victim.device_, image_shape=victim.image_shape_)
        net = victim.membership_module()
        self.history_ = []
        for _ in range(rounds):
            attack = GANEvasionAttack(
                victim,
                eps=self.eps,
                white_box=True,
                epochs=self.attack_epochs,
                batch_size=64,
                lr=3e-3,
                random_state=seed_from(rng),
                device=victim.device_,
            )
            result = attack.attack(x.cpu().numpy())
            x_adv = torch.as_tensor(result.X_adv.astype(np.float32), device=victim.device_).view_as(x)
            for p in net.parameters():
                p.requires_grad_(True)
            optimizer = torch.optim.Adam(net.parameters(), lr=self.lr)
            losses = []
            for _ in range(epochs):
                net.train()
                for idx in iterate_batches(x.shape[0], int(self.batch_size), rng, drop_last=True):
                    if len(idx) < 2:
                        continue
                    with torch.no_grad():
                        net.eval()
                        clean = net.proba(x[idx])
                        net.train()
                    adv = net.proba(x_adv[idx])
                    consistency = torch.nn.functional.kl_div(torch.log(adv + 1e-8), clean, reduction="batchmean")
                    loss = victim.training_loss(x[idx]) + self.weight * consistency
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                    losses.append(loss.item())
            net.eval()
            self.history_.append(
                {
                    "label_change": float(result.metrics_after["label_change"]),
                    "loss": float(np.mean(losses)) if losses else float("nan"),
                }
            )
        victim.labels_ = victim.predict(x.cpu().numpy())
        return victim
