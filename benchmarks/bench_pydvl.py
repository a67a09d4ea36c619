"""Our closed-form influence against pyDVL's ``DirectInfluence`` on the same model and data.

Influence of every training point on the summed validation log-loss of an L2-regularized
logistic regression, fitted once by ours (Newton) and copied into a float64 ``torch.nn.Linear``
for pyDVL. Data (80/20 split, standardized with training statistics): random German-sized data
(1000 x 60) always, and UCI German Credit (one-hot) when a data root holds it
(``ROBUSTFAIR_DATA`` or ``--data-dir``).

Conventions. pyDVL's ``influences(x_val, y_val, x, y)`` (mode ``up``) is the
up-weighting score ``<H^-1 grad l(val), grad l(train_j)>`` per (validation, training) pair,
with ``H`` the mean-loss Hessian plus ``regularization`` on the whole diagonal. Ours is
the removal effect ``f(theta without j) - f(theta) ~ (1/n) grad f^T H^-1 grad l_j`` with
``f`` the summed validation loss, so summing pyDVL's matrix over validation points and
dividing by ``n`` should give ours exactly (the fitted sign/scale is reported, not assumed).

Two variants:

* ``intercept_regularized``: the bias is a regularized parameter in both (ours with
  ``fit_intercept=False`` on ``[X, 1]``), so the two solve the same system: rho = 1 and
  the relative difference is rounding.
* ``default``: our default, unregularized intercept. pyDVL adds ``regularization`` to the
  whole diagonal of a block (the bias too), so the systems differ by lambda in one entry.

Timing: ours is ``model.influence(...)`` (Hessian, factorisation, solve, product); pyDVL's
is ``fit`` (autograd Hessian) plus ``influences`` (the n_val x n matrix, then summed over
validation points), fastest of ``--repeat`` alternated rounds, both with ``--threads``
BLAS / torch threads (default 1). Runs in a separate
environment with pyDVL and torch (not robustfair's own)::

    python3 -m venv /tmp/pydvlenv
    /tmp/pydvlenv/bin/pip install pydvl torch -e .
    /tmp/pydvlenv/bin/python benchmarks/bench_pydvl.py [--repeat 5] [--data-dir PATH]

Writes ``benchmarks/results/bench_pydvl.json``.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from _common import write


def load_data(data_dir: str | None, seed: int) -> list[tuple]:
    """``[(name, X_train, y_train, X_val, y_val), ...]``: random German-sized data, and German
    itself when a data root holds it."""
    from robustfair.datasets import load_dataset
    from robustfair.datasets._registry import data_root
    from robustfair.experiments.influence import make_benchmark_data

    X, y, Xv, yv, _ = make_benchmark_data(800, 60, 200, seed)
    sets = [("random-1000x60", np.vstack([X, Xv]), np.concatenate([y, yv]))]
    root = data_root(data_dir)
    if root is not None and (root / "german/german.data").is_file():
        data = load_dataset("german", data_dir=root)
        sets.append(("german", data.X.astype(np.float64), data.y))
    out = []
    for name, X, y in sets:
        perm = np.random.default_rng(seed).permutation(X.shape[0])
        cut = int(0.8 * X.shape[0])
        tr, va = perm[:cut], perm[cut:]
        keep = X[tr].std(axis=0) > 0  # constant (one-hot) training columns carry no signal
        X = X[:, keep]
        X = (X - X[tr].mean(axis=0)) / X[tr].std(axis=0)
        out.append((name, X[tr], y[tr], X[va], y[va]))
    return out


def pydvl_influence(coef: np.ndarray, intercept: float | None, l2: float, X, y01, Xv, yv01):
    """pyDVL DirectInfluence of every training point on the summed validation loss, and seconds."""
    import torch
    from pydvl.influence.torch import DirectInfluence
    from torch.utils.data import DataLoader, TensorDataset

    torch.set_default_dtype(torch.float64)
    d = X.shape[1]
    model = torch.nn.Linear(d, 1, bias=intercept is not None).double()
    with torch.no_grad():
        model.weight.copy_(torch.as_tensor(coef).reshape(1, d))
        if intercept is not None:
            model.bias.fill_(intercept)
    for p in model.parameters():
        p.requires_grad_(True)
    loss = torch.nn.functional.binary_cross_entropy_with_logits  # mean over the batch
    x_t, y_t = torch.as_tensor(X), torch.as_tensor(y01).reshape(-1, 1)
    xv_t, yv_t = torch.as_tensor(Xv), torch.as_tensor(yv01).reshape(-1, 1)
    # One batch: pyDVL's averaged Hessian is then exactly the mean-loss Hessian.
    loader = DataLoader(TensorDataset(x_t, y_t), batch_size=X.shape[0])
    start = time.perf_counter()
    infl = DirectInfluence(model, loss, regularization=l2).fit(loader)
    matrix = infl.influences(xv_t, yv_t, x_t, y_t)  # (n_val, n_train), up-weighting
    scores = matrix.sum(dim=0).detach().numpy()
    return scores, time.perf_counter() - start


def compare(X, y, Xv, yv, l2: float, regularize_intercept: bool, repeat: int) -> dict[str, float]:
    from scipy.stats import spearmanr

    from robustfair.influence import InfluenceLogisticRegression

    y01, yv01 = y.astype(np.float64), yv.astype(np.float64)
    if regularize_intercept:
        Xa, Xva = np.column_stack([X, np.ones(len(X))]), np.column_stack([Xv, np.ones(len(Xv))])
        model = InfluenceLogisticRegression(l2=l2, fit_intercept=False).fit(Xa, y)
        coef, intercept = model.coef_[:-1], float(model.coef_[-1])
    else:
        Xa, Xva = X, Xv
        model = InfluenceLogisticRegression(l2=l2).fit(X, y)
        coef, intercept = model.coef_, model.intercept_
    ours_times, theirs_times = [], []
    for _ in range(repeat):  # alternate so both see the same background load
        t0 = time.perf_counter()
        ours = model.influence(Xa, y, Xva, yv, objectives="utility")["utility"]
        ours_times.append(time.perf_counter() - t0)
        theirs, sec = pydvl_influence(coef, intercept, l2, X, y01, Xv, yv01)
        theirs_times.append(sec)
    # Fitted convention (expected: ours = +theirs / n, see the module docstring).
    scale = float(ours @ theirs / (theirs @ theirs))
    matched = theirs * scale
    return {
        "n_train": int(X.shape[0]), "n_val": int(Xv.shape[0]), "d": int(X.shape[1]), "l2": l2,
        "spearman": float(spearmanr(ours, theirs)[0]),
        "scale_ours_per_pydvl": scale, "expected_scale": 1.0 / X.shape[0],
        "max_relative_difference": float(np.abs(ours - theirs / X.shape[0]).max() / np.abs(ours).max()),
        "max_relative_difference_fitted_scale": float(np.abs(ours - matched).max() / np.abs(ours).max()),
        "seconds_ours": min(ours_times), "seconds_pydvl": min(theirs_times),
        "time_ratio_pydvl_over_ours": min(theirs_times) / min(ours_times),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--l2", type=float, default=0.01, help="lambda of the mean-loss objective")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS and torch threads for both (1: neither depends on free cores of a shared machine)")
    args = parser.parse_args()

    import pydvl
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(args.threads)
    threadpool_limits(args.threads)

    result = {
        "python": platform.python_version(),
        "pydvl": pydvl.__version__, "torch": torch.__version__, "torch_threads": torch.get_num_threads(),
        "l2": args.l2, "load_average": os.getloadavg()[0], "datasets": {},
    }
    for name, X, y, Xv, yv in load_data(args.data_dir, args.seed):
        for variant, reg_intercept in (("intercept_regularized", True), ("default", False)):
            res = compare(X, y, Xv, yv, args.l2, reg_intercept, args.repeat)
            result["datasets"].setdefault(name, {})[variant] = res
            print(f"{name} ({variant}): n={res['n_train']} d={res['d']} rho={res['spearman']:.6f} "
                  f"scale={res['scale_ours_per_pydvl']:.3e} (1/n={res['expected_scale']:.3e}) "
                  f"max rel diff={res['max_relative_difference']:.1e}; ours {res['seconds_ours']:.5f} s, "
                  f"pyDVL {res['seconds_pydvl']:.4f} s -> {res['time_ratio_pydvl_over_ours']:.0f}x")
    result["load_average_end"] = os.getloadavg()[0]
    print(f"load average {result['load_average']:.2f} -> {result['load_average_end']:.2f}")
    write("bench_pydvl", result)


if __name__ == "__main__":
    main()
