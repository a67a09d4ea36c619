"""PyTorch part of Consensus Fair Clustering (thesis 4.1.4, stage 2).

Imported only by :meth:`ConsensusFairClustering.fit` and ``predict``, so ``import
robustfair.cluster`` never imports torch.

The three losses, per mini-batch :math:`B`:

* eq. 4.2, neighbour contrast over the R-hop co-association graph
  :math:`\\gamma = S^R`; the batch block :math:`\\gamma_{BB}` is computed from the sparse
  partition-indicator factor :math:`H` (:math:`S = H H^\\top`) as
  :math:`H_B (H^\\top H)^{R-1} H_B^\\top`; up to 5,000 samples the whole n x n graph is
  computed once that way and batches gather their blocks from it (the same float32 sums);
* eq. 4.3, Student-t soft assignments against the per-group target distribution, whose
  group-wise cluster frequencies :math:`\\sum_{x' \\in H_g} p_{x'k}` come from the whole
  dataset (recomputed every epoch) when the batch is smaller than the data, so the target
  stays the full-data one of eq. 4.3;
* eq. 4.4, structural preservation :math:`\\sum_g \\|P_g P_g^\\top - J_g J_g^\\top\\|^2`, evaluated
  with K x K products: :math:`\\|A A^\\top - B B^\\top\\|_F^2 = \\|A^\\top A\\|_F^2 - 2\\|A^\\top B\\|_F^2
  + \\|B^\\top B\\|_F^2`.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from ..deep._device import resolve_device


def _build_model(n_features: int, hidden: int, n_clusters: int, dropout: float):
    import torch
    from torch import nn

    class Embedding(nn.Module):
        """Graph-MLP style encoder: Linear, GELU, LayerNorm, dropout, Linear (thesis 4.1.5)."""

        def __init__(self) -> None:
            super().__init__()
            self.fc1 = nn.Linear(n_features, hidden)
            self.fc2 = nn.Linear(hidden, hidden)
            self.norm = nn.LayerNorm(hidden, eps=1e-6)
            self.dropout = nn.Dropout(dropout)
            self.centers = nn.Parameter(torch.zeros(n_clusters, hidden))
            for layer in (self.fc1, self.fc2):
                nn.init.xavier_uniform_(layer.weight)
                nn.init.normal_(layer.bias, std=1e-6)
            nn.init.xavier_uniform_(self.centers)

        def forward(self, x):
            return self.fc2(self.dropout(self.norm(nn.functional.gelu(self.fc1(x)))))

        def soft_assign(self, z):
            # eq. 4.3: Student-t kernel (one degree of freedom) between embeddings and centroids
            d2 = torch.cdist(z, self.centers).pow(2)
            num = 1.0 / (1.0 + d2)
            return num / num.sum(dim=1, keepdim=True)

    return Embedding()


#: Largest n x (r k) float32 product H (H^T H)^(R-1) kept in memory (about 200 MB).
_MAX_CACHED_LEFT = 50_000_000
#: Largest n x n float32 graph gamma = S^R kept in memory for mini-batch training (about 100 MB,
#: n up to 5,000): a batch then gathers its block instead of recomputing it every step.
_MAX_CACHED_GAMMA = 25_000_000


def _gamma_block(H_rows, M_power, r: int, hops: int, n: int, left=None):
    """gamma_BB = (S^R)_BB up to a constant factor, from the sparse indicator rows H_B.

    ``left`` optionally holds the rows ``H_B (H^T H)^(R-1)`` precomputed for the batch.
    """
    if M_power is None:
        block = (H_rows @ H_rows.T).toarray()
    else:
        if left is None:
            left = np.asarray(H_rows @ M_power)  # (b, r k), dense
        block = np.asarray(H_rows @ left.T).T  # (b, b): sparse @ dense, no n x n object
    # C order: the transposed product is F-ordered, and torch's element-wise kernels are several
    # times slower on such strided operands
    return np.ascontiguousarray((block / (float(r) ** hops * float(n) ** (hops - 1))).astype(np.float32))


def _struct_loss(P, J_onehot):
    # eq. 4.4 for one group with K x K products instead of b x b ones
    PtP, PtJ, JtJ = P.T @ P, P.T @ J_onehot, J_onehot.T @ J_onehot
    return (PtP * PtP).sum() - 2.0 * (PtJ * PtJ).sum() + (JtJ * JtJ).sum()


def train_cfc(
    X: np.ndarray,
    groups: np.ndarray,
    H: Any,
    reference: np.ndarray,
    *,
    n_clusters: int,
    hidden: int,
    dropout: float,
    tau: float,
    alpha: float,
    beta: float,
    hops: int,
    epochs: int,
    batch_size: int,
    lr: float,
    weight_decay: float,
    device: str,
    seed: int,
    normalize: bool = True,
) -> dict[str, Any]:
    """Train the CFC embedding and clustering layer; return the model and per-epoch losses.

    Runs inside ``torch.random.fork_rng`` so the caller's global torch generator is untouched.
    """
    import torch

    dev = resolve_device(device)
    with torch.random.fork_rng(devices=[dev] if dev.type == "cuda" else []):
        torch.manual_seed(seed)
        return _train(
            X,
            groups,
            H,
            reference,
            dev=dev,
            n_clusters=n_clusters,
            hidden=hidden,
            dropout=dropout,
            tau=tau,
            alpha=alpha,
            beta=beta,
            hops=hops,
            epochs=epochs,
            batch_size=batch_size,
            lr=lr,
            weight_decay=weight_decay,
            seed=seed,
            normalize=normalize,
        )


#: Largest batch: the contrastive loss holds a few (batch x batch) float32 arrays.
MAX_BATCH = 8192


def _train(
    X,
    groups,
    H,
    reference,
    *,
    dev,
    n_clusters,
    hidden,
    dropout,
    tau,
    alpha,
    beta,
    hops,
    epochs,
    batch_size,
    lr,
    weight_decay,
    seed,
    normalize,
):
    import torch

    rng = np.random.default_rng(seed)
    n = X.shape[0]
    n_groups = int(groups.max()) + 1
    r = int(H.sum(axis=1).max())  # partitions per sample
    H = H.tocsr().astype(np.float32)
    # (H^T H)^(R-1), r k x r k: the only "graph" object kept beyond H itself
    M_power = None
    if hops > 1:
        M = (H.T @ H).toarray().astype(np.float64)
        M_power = np.linalg.matrix_power(M, hops - 1).astype(np.float32)

    Xt = torch.as_tensor(X, dtype=torch.float32, device=dev)
    g_t = torch.as_tensor(groups, dtype=torch.long, device=dev)
    J = torch.nn.functional.one_hot(torch.as_tensor(reference, dtype=torch.long, device=dev)).float()

    model = _build_model(X.shape[1], hidden, n_clusters, dropout).to(dev)
    _init_centers(model, Xt, reference, n_clusters, seed)
    # Weight decay on the network only: decaying the centroids pulls them together and
    # flattens the Student-t assignments towards uniform.
    net = [p for name, p in model.named_parameters() if name != "centers"]
    optimizer = torch.optim.Adam(
        [{"params": net, "weight_decay": weight_decay}, {"params": [model.centers], "weight_decay": 0.0}], lr=lr
    )

    b = min(batch_size, n, MAX_BATCH)
    full_batch = b >= n
    cached_gamma = None
    left_all = None
    if M_power is not None and not full_batch and n * M_power.shape[0] <= _MAX_CACHED_LEFT:
        left_all = np.asarray(H @ M_power, dtype=np.float32)
    gamma_all = None
    if full_batch:
        cached_gamma = torch.as_tensor(_gamma_block(H, M_power, r, hops, n), device=dev)
    elif n * n <= _MAX_CACHED_GAMMA:
        # every batch block of gamma is a sub-block of this one, entry for entry the same
        # float32 sums (each entry is one row of H against one row of H (H^T H)^(R-1))
        gamma_all = _gamma_block(H, M_power, r, hops, n, left_all)
        left_all = None
        if dev.type != "cpu":
            gamma_all = torch.as_tensor(gamma_all, device=dev)
    history = np.zeros((epochs, 3))
    start = time.perf_counter()
    for epoch in range(epochs):
        if full_batch:
            batches = [np.arange(n)]
            freq = None
        else:
            perm = rng.permutation(n)
            # full batches only (a short last batch would give a noisy contrastive term); the
            # permutation changes every epoch, so every sample is used
            batches = [perm[i : i + b] for i in range(0, n - b + 1, b)] or [perm]
            freq = _group_frequencies(model, Xt, g_t, n_groups)
        for idx in batches:
            model.train()
            idx_t = torch.as_tensor(idx, dtype=torch.long, device=dev)
            z = model(Xt[idx_t])
            P = model.soft_assign(z)
            g = g_t[idx_t]
            if cached_gamma is not None:
                gamma = cached_gamma
            elif gamma_all is not None:  # numpy's take: a C-ordered block, faster than torch's gather on a CPU
                gamma = (
                    torch.from_numpy(np.take(gamma_all[idx], idx, axis=1))
                    if isinstance(gamma_all, np.ndarray)
                    else gamma_all.index_select(0, idx_t).index_select(1, idx_t)
                )
            else:
                gamma = torch.as_tensor(
                    _gamma_block(H[idx], M_power, r, hops, n, None if left_all is None else left_all[idx]), device=dev
                )
            loss_c = _contrast_loss(z, gamma, tau)
            f = freq if freq is not None else _batch_frequencies(P.detach(), g, n_groups)
            loss_f, loss_p = 0.0, 0.0
            for grp in range(n_groups):  # a loop over protected groups (few): eq. 4.3 and 4.4 sum over g
                mask = g == grp
                if not bool(mask.any()):
                    continue
                Pg = P[mask]
                weight = Pg.detach() ** 2 / f[grp].clamp_min(1e-12)
                Q = weight / weight.sum(dim=1, keepdim=True)
                m = float(Pg.shape[0])
                kl = (Q * (Q.clamp_min(1e-12).log() - Pg.clamp_min(1e-12).log())).sum()
                loss_f = loss_f + kl / (m if normalize else 1.0) / n_groups
                loss_p = loss_p + _struct_loss(Pg, J[idx_t][mask]) / (m * m if normalize else 1.0) / n_groups
            loss = loss_c + alpha * loss_f + beta * loss_p
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        history[epoch] = [_num(loss_c), _num(loss_f), _num(loss_p)]
    seconds = time.perf_counter() - start
    return {"model": model, "device": dev, "history": history, "seconds": seconds}


def _init_centers(model, Xt, reference: np.ndarray, n_clusters: int, seed: int) -> None:
    import torch

    with torch.no_grad():
        model.eval()
        Z = _embed(model, Xt).cpu().numpy()
        codes = np.unique(reference)
        if codes.shape[0] == n_clusters:
            # centroids of the fair reference clustering J in the initial embedding
            counts = np.bincount(reference, minlength=n_clusters).astype(float)
            centers = np.zeros((n_clusters, Z.shape[1]))
            np.add.at(centers, reference, Z)
            centers /= counts[:, None]
        else:
            from sklearn.cluster import KMeans

            centers = KMeans(n_clusters, n_init=3, random_state=seed).fit(Z).cluster_centers_
        model.centers.copy_(torch.as_tensor(centers, dtype=torch.float32))


def _embed(model, Xt, chunk: int = 8192):
    import torch

    with torch.no_grad():
        return torch.cat([model(Xt[i : i + chunk]) for i in range(0, Xt.shape[0], chunk)])


def soft_assignments(model, X: np.ndarray, device: Any, chunk: int = 8192) -> np.ndarray:
    import torch

    model.eval()
    Xt = torch.as_tensor(np.asarray(X, dtype=np.float32), device=device)
    with torch.no_grad():
        out = [model.soft_assign(model(Xt[i : i + chunk])) for i in range(0, Xt.shape[0], chunk)]
    return torch.cat(out).cpu().numpy()


def _group_frequencies(model, Xt, g_t, n_groups: int):
    """Sum of p_xk over each protected group on the whole data (eq. 4.3's denominator)."""
    import torch

    model.eval()
    with torch.no_grad():
        P = torch.cat([model.soft_assign(model(Xt[i : i + 8192])) for i in range(0, Xt.shape[0], 8192)])
        freq = torch.zeros(n_groups, P.shape[1], device=P.device)
        freq.index_add_(0, g_t, P)
    # Q normalizes over clusters, so the scale of these sums (whole data vs. batch) cancels
    return freq


def _batch_frequencies(P, g, n_groups: int):
    import torch

    freq = torch.zeros(n_groups, P.shape[1], device=P.device)
    freq.index_add_(0, g, P)
    return freq


def _contrast_loss(z, gamma, tau: float):
    """eq. 4.2: -mean_i log( sum_{a != i} gamma_ia e^{sim_ia / tau} / sum_{b != i} e^{sim_ib / tau} ).

    ``sim`` is the cosine similarity of the embeddings. The (batch x batch) part runs in one
    autograd node with a hand-written gradient (:class:`_ContrastFn`), about a third of the
    passes over b x b arrays that autograd's chain of element-wise nodes makes; the value is
    the same float32 sums, the gradient equal up to float rounding.
    """
    import torch

    zn = torch.nn.functional.normalize(z, dim=1)
    return _contrast_fn().apply(zn, gamma, float(tau))


_CONTRAST_FN: Any = None


def _contrast_fn():
    """The autograd Function of eq. 4.2 on normalized embeddings (built once, torch imported lazily)."""
    global _CONTRAST_FN
    if _CONTRAST_FN is not None:
        return _CONTRAST_FN
    import torch

    class _ContrastFn(torch.autograd.Function):
        # loss = -(1/m) sum_{i in keep} log(pos_i / den_i), pos_i = sum_j gamma_ij E_ij,
        # den_i = sum_j E_ij, E_ij = exp(zn_i . zn_j / tau) off the diagonal (0 on it), keep
        # the rows with pos_i > 0. d loss / d sim_ij = E_ij (c_i - gamma_ij / (m pos_i)) / tau
        # with c_i = 1 / (m den_i) and a_i = -1 / (m pos_i) on kept rows (0 elsewhere);
        # d sim / d zn gives (G + G^T) zn.
        @staticmethod
        def forward(ctx, zn, gamma, tau):
            E = zn @ zn.T
            E.div_(tau).exp_()
            E.fill_diagonal_(0.0)
            pos = (E * gamma).sum(dim=1)
            den = E.sum(dim=1)
            keep = pos > 0  # a sample without a co-associated neighbour in the batch has no positive term
            m = int(keep.sum())
            ctx.m, ctx.tau = m, tau
            if m == 0:
                ctx.save_for_backward(zn)
                return zn.new_zeros(())
            ctx.save_for_backward(zn, gamma, E, pos, den, keep)
            return -torch.log(pos[keep] / den[keep]).mean()

        @staticmethod
        def backward(ctx, grad):
            if ctx.m == 0:
                return torch.zeros_like(ctx.saved_tensors[0]), None, None
            zn, gamma, E, pos, den, keep = ctx.saved_tensors
            scale = grad / (ctx.m * ctx.tau)
            a = torch.where(keep, -scale / pos, 0.0)
            c = torch.where(keep, scale / den, 0.0)
            G = gamma * a[:, None]
            G.add_(c[:, None]).mul_(E)
            return torch.addmm(G @ zn, G.T, zn), None, None

    _CONTRAST_FN = _ContrastFn
    return _CONTRAST_FN


def _num(value: Any) -> float:
    return float(value.detach()) if hasattr(value, "detach") else float(value)
