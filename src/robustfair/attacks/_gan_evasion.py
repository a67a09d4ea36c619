"""GAN-based evasion attack on deep clustering (thesis 2.3.4; Chhabra et al. 2022).

A generator ``G`` maps an image to a perturbation ``delta = G(x)``, bounded by ``eps`` in
the L-inf (``eps * tanh``) or L2 (radial projection) norm; a discriminator ``D`` keeps
``x + delta`` close to the image distribution. The saddle-point problem is

    max_D min_G  { L_GAN - alpha_a L_attack - alpha_c L_constraint },
    L_attack     = E_i || M_i - C(x_i + G(x_i)) ||,
    L_constraint = E_i min{eps - ||G(x_i)||, 0},

where ``M_i`` are the victim's soft memberships of the clean image and ``||.||`` the
Euclidean norm: per image this is thesis eq. 2.6, ``max_delta ||M_i - C(x_i + delta)||``
s.t. ``||delta|| <= eps``, the default objective (``loss="distance"``, ``targeted=False``).
Footnote 5's targeted variant replaces ``M_i`` with the one-hot vector of
``target_cluster`` and pulls towards it; ``loss="log"`` swaps the distance for a
cross-entropy. ``loss="log", targeted=True`` is the *targeted cross-entropy* objective
(``-log C_t(x + delta)`` minimised), which the experiments used before eq. 2.6 became the
default (``objective="targeted-ce"`` of the ``deep-evasion`` experiment).

In black-box mode the victim is reached only through :class:`MembershipOracle`, which
returns numpy arrays (autograd cannot pass through it), and the generator's gradient of
``L_attack`` comes from a zeroth-order estimate (NES with Gaussian or SPSA with Rademacher
antithetic directions) or from a surrogate distilled from the victim's answers. Every image
sent to the victim is one query.
"""

from __future__ import annotations

import time
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np

from .._validation import (
    Interval,
    StrOptions,
    check_n_clusters,
    check_random_state,
    seed_from,
)
from ._base import AttackResult, EvasionAttack

__all__ = ["GANEvasionAttack", "MembershipOracle", "WhiteBoxVictim", "clustering_metrics"]

_GRADIENTS = ("nes", "spsa", "surrogate")
_NORMS = ("linf", "l2")


def clustering_metrics(y: Any, labels: np.ndarray) -> dict[str, float]:
    """NMI, ARI and ACC of ``labels`` against ``y`` (empty when ``y`` is None)."""
    if y is None:
        return {}
    from ..metrics import adjusted_rand, clustering_accuracy, normalized_mutual_info

    return {
        "nmi": float(normalized_mutual_info(y, labels)),
        "ari": float(adjusted_rand(y, labels)),
        "acc": float(clustering_accuracy(y, labels)),
    }


def _predict_proba_function(target: Any) -> Any:
    if hasattr(target, "predict_proba"):
        return target.predict_proba
    if callable(target):
        return target
    raise ValueError(
        "target must have predict_proba(X) returning soft cluster memberships (n, k), or be a callable "
        f"doing so; got {type(target).__name__}."
    )


class MembershipOracle:
    """Black-box access to a victim: images in, soft memberships out, as numpy; queries counted.

    The input tensor is detached and converted to numpy before the victim sees it and the
    answer is a fresh tensor built from numpy, so no autograd graph can connect the
    attacker's parameters to the victim's.
    """

    def __init__(self, target: Any, *, batch_size: int = 2048) -> None:
        self.target = target
        self._proba = _predict_proba_function(target)
        self.batch_size = int(batch_size)
        self.n_queries = 0

    def query(self, images: np.ndarray) -> np.ndarray:
        """Memberships for ``(n, 1, H, W)`` or ``(n, H*W)`` images in [0, 1] as a numpy array."""
        images = np.asarray(images, dtype=np.float32)
        flat = images.reshape(images.shape[0], -1)
        out = []
        for start in range(0, flat.shape[0], self.batch_size):
            chunk = flat[start : start + self.batch_size]
            self.n_queries += chunk.shape[0]  # one query per image
            m = np.asarray(self._proba(chunk), dtype=np.float64)
            if m.ndim != 2 or m.shape[0] != chunk.shape[0]:
                raise ValueError(f"target returned memberships of shape {m.shape} for {chunk.shape[0]} images.")
            out.append(m)
        return np.concatenate(out)

    def __call__(self, x: Any) -> Any:
        """Torch in, torch out, with the graph cut: the result never requires grad."""
        import torch

        m = self.query(x.detach().cpu().numpy())
        return torch.from_numpy(m.astype(np.float32)).to(x.device)


class WhiteBoxVictim:
    """White-box access: gradients flow through the victim's membership network."""

    def __init__(self, target: Any, image_shape: tuple[int, int]) -> None:
        self.image_shape = tuple(image_shape)
        if not hasattr(target, "membership_module"):
            raise ValueError("white_box=True needs a target with membership_module() (e.g. robustfair.deep models).")
        self.module = target.membership_module()
        self.module.eval()
        for p in self.module.parameters():
            p.requires_grad_(False)
        self.n_queries = 0

    def __call__(self, x: Any) -> Any:
        self.n_queries += int(x.shape[0])
        return self.module(x)

    def query(self, images: np.ndarray) -> np.ndarray:
        import torch

        device = next(self.module.parameters()).device
        with torch.no_grad():
            x = torch.as_tensor(np.asarray(images, dtype=np.float32), device=device)
            x = x.reshape(x.shape[0], 1, *self.image_shape)
            return torch.cat([self(xb) for xb in x.split(1024)]).cpu().numpy().astype(np.float64)


class GANEvasionAttack(EvasionAttack):
    """GAN-based black-box evasion attack on a deep clustering model (thesis 2.3.4).

    ``attack(X, *, y=None)`` trains the generator on ``X`` and returns ``X + G(X)`` as
    ``X_adv``; ``y`` only scores the victim. ``sensitive_features`` is not used.

    Parameters
    ----------
    target : object with ``predict_proba(X)`` or a callable returning memberships ``(n, k)``
        The victim. ``X`` is sent as flattened images ``(n, H*W)`` in [0, 1].
    eps : float
        Perturbation budget, ``||delta|| <= eps`` in the ``norm`` (images live in [0, 1]).
    alpha_a, alpha_c : float, default=10.0, 10.0
        Weights of ``L_attack`` and ``L_constraint``.
    alpha_gan : float, default=0.1
        Weight of the generator's GAN term (0 drops the discriminator). At 1 the
        non-saturating GAN loss dominated on 16x16 digits and the generator collapsed to a
        constant +-eps image; 0.1 keeps the discriminator as a regulariser.
    norm : {"linf", "l2"}, default="linf"
    gradient : {"nes", "spsa", "surrogate"}, default="nes"
        How the generator gets the gradient of ``L_attack`` in black-box mode.
    white_box : bool, default=False
        Backpropagate through the victim (needs ``membership_module()``); for comparison.
    targeted : bool, default=False
        Footnote 5: pull memberships towards the one-hot vector of ``target_cluster``.
    target_cluster : int, optional
    epochs : int, default=10
        Generator/discriminator passes over ``X``.
    batch_size : int, default=128
    n_directions : int, default=10
        Antithetic pairs per image per step (each pair costs 2 queries per image).
    sigma : float, default=0.01
        Finite-difference radius of NES/SPSA.
    lr : float, default=1e-3
    loss : {"distance", "log"}, default="distance"
        ``L_attack`` per image: ``"distance"`` is eq. 2.6's membership distance
        ``||M_i - C(x_i + delta)||_2`` (the default; with ``targeted=False`` this is eq. 2.6
        exactly); ``"log"`` the cross-entropy ``-log <M_i, C(x_i + delta)>`` to the clean
        memberships. ``loss="log", targeted=True`` is the targeted cross-entropy
        ``-log C_t(x_i + delta)`` (see ``_attack_objective``).
    tile : int, default=4
        NES/SPSA directions are drawn on a grid of ``tile`` x ``tile`` pixel blocks.
    distill_epochs : int, default=5
        Warm-up epochs of the surrogate (``gradient="surrogate"``) before the generator trains.
    weight_decay : float, default=0.01
        Decoupled weight decay of the generator's optimiser (AdamW).
    image_shape : (H, W), optional
    device : "auto", "cpu", "cuda", ...
    random_state : int, Generator or None
    """

    uses_y = "optional"
    uses_sensitive_features = "unused"
    _legacy_positional = ("y",)

    _parameter_constraints: ClassVar[dict] = {
        "target": "no_validation",  # a clusterer answering memberships (MembershipOracle)
        "eps": [Interval(Real, 0, None, closed="neither")],  # <= 1 for linf: checked with norm
        "alpha_a": [Interval(Real, 0, None, closed="left")],
        "alpha_c": [Interval(Real, 0, None, closed="left")],
        "alpha_gan": [Interval(Real, 0, None, closed="left")],
        "norm": [StrOptions(set(_NORMS))],
        "gradient": [StrOptions(set(_GRADIENTS))],
        "white_box": ["boolean"],
        "targeted": ["boolean"],
        "target_cluster": [Interval(Integral, 0, None, closed="left"), None],  # < k: checked against k
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "n_directions": [Interval(Integral, 1, None, closed="left")],
        "sigma": [Interval(Real, 0, None, closed="neither")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "loss": [StrOptions({"distance", "log"})],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "tile": [Interval(Integral, 1, None, closed="left")],
        "distill_epochs": [Interval(Integral, 0, None, closed="left")],
        "image_shape": "no_validation",  # checked with X by as_image_tensor
        "device": "no_validation",  # resolve_device
        "random_state": "no_validation",  # check_random_state: also a numpy Generator
    }

    def __init__(
        self,
        target: Any,
        *,
        eps: float,
        alpha_a: float = 10.0,
        alpha_c: float = 10.0,
        alpha_gan: float = 0.1,
        norm: str = "linf",
        gradient: str = "nes",
        white_box: bool = False,
        targeted: bool = False,
        target_cluster: int | None = None,
        epochs: int = 10,
        batch_size: int = 128,
        n_directions: int = 10,
        sigma: float = 0.01,
        lr: float = 1e-3,
        loss: str = "distance",
        weight_decay: float = 0.01,
        tile: int = 4,
        distill_epochs: int = 5,
        image_shape: Any = None,
        device: Any = "auto",
        random_state: Any = None,
    ) -> None:
        self.target = target
        self.loss = loss
        self.weight_decay = weight_decay
        self.tile = tile
        self.distill_epochs = distill_epochs
        self.eps = eps
        self.alpha_a = alpha_a
        self.alpha_c = alpha_c
        self.alpha_gan = alpha_gan
        self.norm = norm
        self.gradient = gradient
        self.white_box = white_box
        self.targeted = targeted
        self.target_cluster = target_cluster
        self.epochs = epochs
        self.batch_size = batch_size
        self.n_directions = n_directions
        self.sigma = sigma
        self.lr = lr
        self.image_shape = image_shape
        self.device = device
        self.random_state = random_state

    # -- the perturbation ---------------------------------------------------------------
    def _bound(self, raw: Any) -> Any:
        import torch

        if self.norm == "linf":
            return self.eps * torch.tanh(raw)
        flat = raw.flatten(1)
        norms = flat.norm(dim=1, keepdim=True).clamp_min(1e-12)
        # Radial squash to the L2 ball: ||delta|| = eps * tanh(||raw||) < eps.
        return (flat * (self.eps * torch.tanh(norms) / norms)).view_as(raw)

    def _delta_norm(self, delta: Any) -> Any:
        flat = delta.flatten(1)
        return flat.abs().amax(1) if self.norm == "linf" else flat.norm(dim=1)

    def perturb(self, X: Any) -> np.ndarray:
        """``x + G(x)`` clipped to [0, 1] with the trained generator (no victim queries)."""
        import torch

        from ..deep._training import as_image_tensor

        if not hasattr(self, "generator_"):
            raise ValueError("This GANEvasionAttack has no trained generator; call attack(X) first.")
        x, _ = as_image_tensor(X, self.device_, image_shape=self.image_shape_)
        self.generator_.eval()
        with torch.no_grad():
            out = torch.cat([(xb + self._bound(self.generator_(xb))).clamp(0, 1) for xb in x.split(1024)])
        return out.cpu().numpy().reshape(x.shape[0], -1).astype(np.float64)

    # -- objective pieces ----------------------------------------------------------------
    def _attack_objective(self, m_adv: Any, reference: Any) -> Any:
        """Per-image value to maximise.

        ``loss="distance"`` (thesis): ``||M_i - C(x + delta)||``, or minus the distance to the
        one-hot target when targeted. ``loss="log"``: ``-log <M_i, C(x + delta)>``, the
        cross-entropy to the clean memberships, which does not flatten out when softmax
        outputs saturate (``+log C_t`` when targeted).
        """
        import torch

        if self.loss == "log":
            # Clamp only at float32 underflow: a larger floor zeroes the gradient of confidently
            # clustered images, which are exactly the ones the attack must move.
            overlap = (reference * m_adv).sum(1).clamp_min(1e-30)
            return torch.log(overlap) if self.targeted else -torch.log(overlap)
        dist = (reference - m_adv).norm(dim=1)
        return -dist if self.targeted else dist

    def _zeroth_order_grad(self, oracle: MembershipOracle, x_adv: Any, reference: Any, gen: Any) -> Any:
        """NES/SPSA estimate of d objective / d x_adv with antithetic pairs (2q queries per image)."""
        import torch

        b, q = x_adv.shape[0], int(self.n_directions)
        shape = x_adv.shape[1:]
        # Directions on a coarse grid (tile x tile pixel blocks), upsampled: the estimate lives in
        # a (H/tile)(W/tile)-dim subspace, far less noisy than in all H*W pixels (AutoZOOM, bandits-TD).
        tile = max(1, int(self.tile))
        coarse = (shape[0], -(-shape[1] // tile), -(-shape[2] // tile))
        if self.gradient == "spsa":
            u = torch.randint(0, 2, (b * q, *coarse), generator=gen).float().mul_(2).sub_(1)
        else:
            u = torch.randn((b * q, *coarse), generator=gen)
        if tile > 1:
            u = torch.nn.functional.interpolate(u, scale_factor=tile, mode="nearest")[..., : shape[1], : shape[2]]
        u = u.reshape(b, q, *shape)
        u = u.to(x_adv.device)
        base = x_adv.detach().unsqueeze(1)
        probes = torch.cat([base + self.sigma * u, base - self.sigma * u], dim=1).clamp(0, 1)
        m = oracle(probes.reshape(b * 2 * q, *shape)).view(b, 2 * q, -1)
        ref = reference.unsqueeze(1).expand(-1, 2 * q, -1).reshape(b * 2 * q, -1)
        f = self._attack_objective(m.reshape(b * 2 * q, -1), ref).view(b, 2 * q)
        diff = (f[:, :q] - f[:, q:]) / (2 * self.sigma)  # (b, q)
        return (diff.view(b, q, *([1] * len(shape))) * u).mean(1)

    def _attack(self, X: np.ndarray, *, y: np.ndarray | None, sensitive_features: np.ndarray | None) -> AttackResult:
        """Train G and D on ``X`` and return the adversarial images ``x + G(x)``.

        Called by ``attack(X, *, y=None)`` (:class:`BaseAttack`). ``y`` (optional ground
        truth) is used only to report NMI/ARI/ACC before and after; ``sensitive_features``
        is not used. ``attack(X, y)`` with ``y`` positional still works for one release,
        with a ``DeprecationWarning``.
        """
        import torch

        from ..deep._backbones import ConvDiscriminator, ConvGenerator
        from ..deep._device import resolve_device, seed_torch
        from ..deep._training import as_image_tensor, iterate_batches

        # Each parameter was checked by attack() (_parameter_constraints); this rule ties two.
        eps = float(self.eps)
        if self.norm == "linf" and eps > 1:
            raise ValueError(f"eps={eps} is larger than the [0, 1] pixel range; an L-inf budget must be <= 1.")
        epochs, batch_size = int(self.epochs), int(self.batch_size)
        rng = check_random_state(self.random_state)
        start = time.perf_counter()
        self.device_ = resolve_device(self.device)
        x, shape = as_image_tensor(X, self.device_, image_shape=self.image_shape)
        self.image_shape_ = shape
        gen = seed_torch(seed_from(rng))
        victim = WhiteBoxVictim(self.target, shape) if self.white_box else MembershipOracle(self.target)

        # One query per image for the clean memberships M_i (the attack's reference).
        m_clean = torch.as_tensor(victim.query(x.cpu().numpy()), dtype=torch.float32, device=self.device_)
        k = m_clean.shape[1]
        labels_before = m_clean.argmax(1).cpu().numpy()
        if self.targeted:
            if self.target_cluster is None:
                raise ValueError("targeted=True needs target_cluster, a cluster id in [0, k).")
            tc = check_n_clusters(int(self.target_cluster) + 1, k, "target_cluster + 1") - 1
            reference_all = torch.zeros_like(m_clean)
            reference_all[:, tc] = 1.0
        else:
            reference_all = m_clean

        G = ConvGenerator(image_shape=shape).to(self.device_)
        D = ConvDiscriminator(shape).to(self.device_)
        # Zeroth-order gradients are noisy: heavier momentum averages them over steps, and weight
        # decay stops the random walk from inflating G's weights until tanh saturates and the
        # perturbation freezes into a fixed sign pattern.
        zeroth_order = not self.white_box and self.gradient != "surrogate"
        opt_g = torch.optim.AdamW(
            G.parameters(),
            lr=self.lr,
            betas=(0.9, 0.999) if zeroth_order else (0.5, 0.999),
            weight_decay=self.weight_decay,
        )
        opt_d = torch.optim.Adam(D.parameters(), lr=self.lr, betas=(0.5, 0.999))
        bce = torch.nn.functional.binary_cross_entropy_with_logits
        surrogate = opt_s = None
        if not self.white_box and self.gradient == "surrogate":
            surrogate = _surrogate_net(shape, k).to(self.device_)
            opt_s = torch.optim.Adam(surrogate.parameters(), lr=1e-3)
            # Warm-up distillation on the clean images (memberships already paid for) and on one
            # copy with random +-eps sign noise (n more queries), so the surrogate knows the
            # victim around the eps-ball before the generator leans on its gradients.
            noisy = (x + eps * torch.sign(torch.randn(x.shape, generator=gen).to(self.device_))).clamp(0, 1)
            m_noisy = victim(noisy)
            s_x, s_m = torch.cat([x, noisy]), torch.cat([m_clean, m_noisy])
            for _ in range(int(self.distill_epochs)):
                surrogate.train()
                for idx in iterate_batches(s_x.shape[0], 128, rng):
                    s_loss = torch.nn.functional.kl_div(
                        torch.log_softmax(surrogate(s_x[idx]), 1), s_m[idx], reduction="batchmean"
                    )
                    opt_s.zero_grad()
                    s_loss.backward()
                    opt_s.step()
        history = []
        for _ in range(epochs):
            G.train()
            D.train()
            epoch_attack = []
            for idx in iterate_batches(x.shape[0], batch_size, rng):
                xb, ref = x[idx], reference_all[idx]
                delta = self._bound(G(xb))
                # Clip to the pixel range with a straight-through gradient: a plain clamp gives
                # dark background pixels pushed below 0 zero gradient forever (a dead zone).
                x_adv = xb + delta
                x_adv = x_adv + (x_adv.clamp(0, 1) - x_adv).detach()
                # Discriminator step: real images vs perturbed ones.
                if self.alpha_gan > 0:
                    ones = torch.ones(len(idx), device=self.device_)
                    d_loss = bce(D(xb), ones) + bce(D(x_adv.detach()), torch.zeros_like(ones))
                    opt_d.zero_grad()
                    d_loss.backward()
                    opt_d.step()
                    gan_term = bce(D(x_adv), ones)  # non-saturating generator loss
                else:
                    gan_term = torch.zeros((), device=self.device_)
                # L_constraint = E min{eps - ||G(x)||, 0}: zero inside the ball, kept as in the thesis.
                constraint = torch.clamp(eps - self._delta_norm(delta), max=0.0).mean()
                if self.white_box:
                    objective = self._attack_objective(victim(x_adv), ref)
                    attack_term = objective.mean()
                    loss_g = self.alpha_gan * gan_term - self.alpha_a * attack_term - self.alpha_c * constraint
                elif surrogate is not None:
                    # Distil: match the victim's memberships on clean and perturbed images (b queries).
                    m_adv = victim(x_adv)
                    s_in = torch.cat([xb, x_adv.detach()])
                    s_target = torch.cat([m_clean[idx], m_adv])
                    s_loss = torch.nn.functional.kl_div(
                        torch.log_softmax(surrogate(s_in), 1), s_target, reduction="batchmean"
                    )
                    assert opt_s is not None  # made with the surrogate
                    opt_s.zero_grad()
                    s_loss.backward()
                    opt_s.step()
                    objective = self._attack_objective(torch.softmax(surrogate(x_adv), 1), ref)
                    attack_term = self._attack_objective(m_adv, ref).mean()
                    loss_g = self.alpha_gan * gan_term - self.alpha_a * objective.mean() - self.alpha_c * constraint
                else:
                    assert isinstance(victim, MembershipOracle)  # white-box victims take the branch above
                    grad = self._zeroth_order_grad(victim, x_adv, ref, gen)
                    with torch.no_grad():
                        attack_term = self._attack_objective(victim(x_adv), ref).mean()
                    # Linear stand-in whose gradient w.r.t. x_adv is the zeroth-order estimate.
                    surrogate_term = (x_adv * grad).flatten(1).sum(1).mean()
                    loss_g = self.alpha_gan * gan_term - self.alpha_a * surrogate_term - self.alpha_c * constraint
                opt_g.zero_grad()
                loss_g.backward()
                opt_g.step()
                epoch_attack.append(float(attack_term.detach()))
            history.append(float(np.mean(epoch_attack)))
        training_queries = int(victim.n_queries)
        self.generator_, self.discriminator_ = G, D
        X_adv = self.perturb(x.cpu().numpy())
        labels_after = victim.query(X_adv).argmax(1)
        with torch.no_grad():
            delta_norm = self._delta_norm(torch.as_tensor(X_adv.reshape(x.shape).astype(np.float32)) - x.cpu()).numpy()
        before = clustering_metrics(y, labels_before)
        after = clustering_metrics(y, labels_after)
        before["label_change"] = 0.0
        after["label_change"] = float(np.mean(labels_after != labels_before))
        mode = "white-box" if self.white_box else f"black-box ({self.gradient})"
        return AttackResult(
            X_adv=X_adv,
            changed=np.flatnonzero(labels_after != labels_before),
            metrics_before=before,
            metrics_after=after,
            n_queries=int(victim.n_queries),
            seconds=time.perf_counter() - start,
            history=np.asarray(history),
            info={
                "mode": mode,
                "objective": _objective_name(str(self.loss), bool(self.targeted)),
                "queries_per_image": int(victim.n_queries) / x.shape[0],
                "white_box": bool(self.white_box),
                "gradient": self.gradient,
                "training_queries": training_queries,
                "norm": self.norm,
                "eps": eps,
                "max_perturbation": float(delta_norm.max()),
                "labels_before": labels_before,
                "labels_after": labels_after,
                "targeted": bool(self.targeted),
                "target_cluster": self.target_cluster,
            },
        )


def _objective_name(loss: str, targeted: bool) -> str:
    """``"eq2.6"`` for the thesis' objective, ``"targeted-ce"`` for the targeted cross-entropy."""
    if loss == "distance":
        return "targeted-distance" if targeted else "eq2.6"
    return "targeted-ce" if targeted else "ce"


def _surrogate_net(image_shape: tuple[int, int], k: int) -> Any:
    """A small conv net distilled from the victim's memberships (logits out)."""
    import torch

    from ..deep._backbones import conv_backbone

    return torch.nn.Sequential(conv_backbone(image_shape, width=16, out_dim=128), torch.nn.Linear(128, k))
