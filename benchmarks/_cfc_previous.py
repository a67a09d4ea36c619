"""PREVIOUS CFC training shortcuts (robustfair main before issue 25 item 4), kept verbatim for the
side-by-side timing in bench_cfc.py; not part of the library.

Before: every mini-batch recomputed its block of the R-hop graph gamma = S^R from the sparse
factor H (a sparse x dense product of b x r k by r k x b), returned it transposed (F order,
which makes torch's element-wise kernels several times slower), and the contrastive loss
of eq. 4.2 ran as a chain of autograd element-wise nodes over b x b arrays. ``patch()``
puts these back into ``robustfair.cluster._consensus_net`` (and turns the n x n cache off),
so the training loop itself is the library's.
"""

from __future__ import annotations

import contextlib

import numpy as np


def _gamma_block(H_rows, M_power, r: int, hops: int, n: int, left=None):
    if M_power is None:
        block = (H_rows @ H_rows.T).toarray()
    else:
        if left is None:
            left = np.asarray(H_rows @ M_power)  # (b, r k), dense
        block = np.asarray(H_rows @ left.T).T  # (b, b): sparse @ dense, no n x n object
    return (block / (float(r) ** hops * float(n) ** (hops - 1))).astype(np.float32)


def _contrast_loss(z, gamma, tau: float):
    import torch

    zn = torch.nn.functional.normalize(z, dim=1)
    sim = zn @ zn.T
    E = torch.exp(sim / tau)
    off = 1.0 - torch.eye(z.shape[0], device=z.device)
    E = E * off
    pos = (E * gamma * off).sum(dim=1)
    den = E.sum(dim=1)
    keep = pos > 0
    if not bool(keep.any()):
        return (sim * 0.0).sum()
    return -torch.log(pos[keep] / den[keep]).mean()


@contextlib.contextmanager
def patch():
    """Train with the previous shortcuts inside the block."""
    import robustfair.cluster._consensus_net as net

    saved = (net._gamma_block, net._contrast_loss, net._MAX_CACHED_GAMMA)
    net._gamma_block, net._contrast_loss, net._MAX_CACHED_GAMMA = _gamma_block, _contrast_loss, 0
    try:
        yield
    finally:
        net._gamma_block, net._contrast_loss, net._MAX_CACHED_GAMMA = saved
