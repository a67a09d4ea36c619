"""Grouped fairness reports: per group, overall, difference, ratio, min/max, bootstrap intervals.

:func:`classification_by_group` is built on Fairlearn's ``MetricFrame`` (an optional
dependency: ``pip install robustfair[fairlearn]``), so a classifier's numbers are
Fairlearn's own. :func:`clustering_by_group` is ours: Fairlearn has no notion of a
clustering's fairness. Both return a :class:`GroupedMetrics`; draw one with
:func:`robustfair.report.figures.plot_grouped_metrics`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from .._validation import (
    check_array,
    check_consistent_length,
    check_fraction,
    check_group_labels,
    check_labels,
    check_positive,
    check_random_state,
    encode_labels,
)
from ._clustering import clustering_accuracy, normalized_mutual_info
from ._fairness import _balance_table, _contingency, _nearest_center

__all__ = ["GroupedMetrics", "classification_by_group", "clustering_by_group"]

_DIFF_METHODS = ("between_groups", "to_overall")
# Bootstrap replicates drawn at a time: bounds the (replicates x samples) index block.
_BOOT_BLOCK = 1 << 23


@dataclass(frozen=True)
class GroupedMetrics:
    """Metrics per protected group with overall values and bootstrap intervals.

    Shaped after Fairlearn's ``MetricFrame``: ``by_group`` and ``overall`` are pandas
    objects, ``difference``/``ratio``/``group_min``/``group_max`` aggregate over groups.

    Attributes
    ----------
    kind : {"clustering", "classification"}
    by_group : pandas.DataFrame
        One row per group (the intersection name with several protected columns), one
        column per metric.
    overall : pandas.Series
        Each metric on all samples.
    summary : pandas.Series
        Whole-population fairness numbers: for a clustering ``balance``,
        ``fairness_entropy`` and (with ``X``) ``social_fairness_cost``; for a classifier
        ``demographic_parity_difference`` and ``equal_opportunity_difference``.
    ci : float or None
        Coverage of the intervals (``0.95``); ``None`` without bootstrap.
    n_boot : int
        Bootstrap replicates (0: no intervals).
    intervals : dict
        ``name -> (low, high)`` pandas objects for ``"by_group"``, ``"overall"``,
        ``"summary"``, ``"difference:<method>"``, ``"ratio:<method>"``, ``"group_min"``
        and ``"group_max"``. Empty without bootstrap.
    breakdown : GroupBreakdown or None
        Per-cluster, per-group counts of a clustering.
    """

    kind: str
    by_group: Any
    overall: Any
    summary: Any
    ci: float | None = None
    n_boot: int = 0
    intervals: Mapping[str, tuple[Any, Any]] = field(default_factory=dict, repr=False)
    breakdown: Any = field(default=None, repr=False)

    # -- aggregates ------------------------------------------------------------------
    def group_min(self) -> Any:
        """Smallest value of each metric over the groups."""
        return self.by_group.min(axis=0)

    def group_max(self) -> Any:
        """Largest value of each metric over the groups."""
        return self.by_group.max(axis=0)

    def difference(self, method: Literal["between_groups", "to_overall"] = "between_groups") -> Any:
        """``max - min`` over groups, or the largest ``|group - overall|`` (``"to_overall"``)."""
        from .._validation import check_choice

        check_choice(method, _DIFF_METHODS, "method")
        if method == "between_groups":
            return self.group_max() - self.group_min()
        return (self.by_group - self.overall).abs().max(axis=0)

    def ratio(self, method: Literal["between_groups", "to_overall"] = "between_groups") -> Any:
        """``min / max`` over groups, or the smallest ``min(g/overall, overall/g)`` (``"to_overall"``)."""
        from .._validation import check_choice

        check_choice(method, _DIFF_METHODS, "method")
        with np.errstate(divide="ignore", invalid="ignore"):
            if method == "between_groups":
                return self.group_min() / self.group_max()
            r = self.by_group / self.overall
            return np.minimum(r, 1.0 / r).min(axis=0)

    # -- output ----------------------------------------------------------------------
    def to_frame(self) -> Any:
        """One tidy table: columns ``row, metric, value, ci_low, ci_high``.

        ``row`` is a group name, ``"overall"``, ``"difference"``, ``"ratio"``, ``"min"``,
        ``"max"`` (between groups) or ``"summary"``.
        """
        import pandas as pd

        parts: list[dict[str, Any]] = []

        def add(row: str, values: Any, key: str | None) -> None:
            low, high = self.intervals.get(key, (None, None)) if key else (None, None)
            for metric, value in values.items():
                parts.append(
                    {
                        "row": row,
                        "metric": str(metric),
                        "value": float(value),
                        "ci_low": np.nan if low is None else float(low[metric]),
                        "ci_high": np.nan if high is None else float(high[metric]),
                    }
                )

        low, high = self.intervals.get("by_group", (None, None))
        for group, values in self.by_group.iterrows():
            for metric, value in values.items():
                parts.append(
                    {
                        "row": str(group),
                        "metric": str(metric),
                        "value": float(value),
                        "ci_low": np.nan if low is None else float(low.loc[group, metric]),
                        "ci_high": np.nan if high is None else float(high.loc[group, metric]),
                    }
                )
        add("overall", self.overall, "overall")
        add("difference", self.difference(), "difference:between_groups")
        add("ratio", self.ratio(), "ratio:between_groups")
        add("min", self.group_min(), "group_min")
        add("max", self.group_max(), "group_max")
        add("summary", self.summary, "summary")
        return pd.DataFrame(parts, columns=["row", "metric", "value", "ci_low", "ci_high"])

    def to_dict(self) -> list[dict[str, Any]]:
        """``to_frame()`` as a list of plain dicts (NaN as ``None``), ready for ``json.dumps``."""
        out = []
        for rec in self.to_frame().to_dict(orient="records"):
            out.append({k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in rec.items()})
        return out

    def __str__(self) -> str:
        lines = [
            f"{self.kind} metrics by group"
            + (f" ({self.ci:.0%} bootstrap intervals, {self.n_boot} replicates)" if self.n_boot else "")
        ]
        table = self.by_group.copy()
        table.loc["overall"] = self.overall
        table.loc["difference"] = self.difference()
        table.loc["ratio"] = self.ratio()
        lines.append(table.to_string(float_format=lambda v: f"{v:.4f}"))
        lines.append(self.summary.to_string(float_format=lambda v: f"{v:.4f}"))
        return "\n".join(lines)


def _check_boot(n_boot: Any, ci: Any) -> tuple[int, float]:
    n_boot = int(check_positive(n_boot, "n_boot", strict=False, integer=True))
    if n_boot == 1:
        raise ValueError("n_boot must be 0 (no intervals) or at least 2 bootstrap replicates; got 1.")
    ci = check_fraction(ci, "ci", low=0.0, high=1.0, inclusive_low=False)
    return n_boot, ci


def _quantiles(replicates: np.ndarray, ci: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval over axis 0, ignoring replicates where a value is undefined."""
    q = (1.0 - ci) / 2.0
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices: no interval
        return np.nanquantile(replicates, q, axis=0), np.nanquantile(replicates, 1.0 - q, axis=0)


# ------------------------------------------------------------------------- clustering
def _table_nmi(tables: np.ndarray) -> np.ndarray:
    """NMI (arithmetic normalization, as scikit-learn's default) of ``(..., C, K)`` count tables."""
    total = tables.sum(axis=(-2, -1), keepdims=True).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = tables / total
        pc = p.sum(axis=-1, keepdims=True)
        pk = p.sum(axis=-2, keepdims=True)
        mi = np.where(p > 0, p * np.log(p / (pc * pk)), 0.0).sum(axis=(-2, -1))
        hc = -np.where(pc > 0, pc * np.log(pc), 0.0).sum(axis=(-2, -1))
        hk = -np.where(pk > 0, pk * np.log(pk), 0.0).sum(axis=(-2, -1))
        denom = (hc + hk) / 2.0
        nmi = np.where(denom > 0, mi / denom, 1.0)
    return np.where(total.reshape(nmi.shape) > 0, np.clip(nmi, 0.0, 1.0), np.nan)


def _hungarian_map(table: np.ndarray) -> np.ndarray:
    """Class assigned to each cluster by the maximum-weight matching of a ``(C, K)`` table."""
    from scipy.optimize import linear_sum_assignment

    rows, cols = linear_sum_assignment(table, maximize=True)
    mapping = np.full(table.shape[1], -1, dtype=np.int64)
    mapping[cols] = rows
    return mapping


def _clustering_values(counts: np.ndarray, cost_sum: np.ndarray | None, yk: np.ndarray | None) -> dict:
    """Per-group and whole-population numbers from count tables, vectorized over replicates.

    ``counts`` is ``(B, K, G)``, ``cost_sum`` ``(B, G)`` summed squared distances, ``yk``
    ``(B, G, C, K)`` class-by-cluster tables per group. Returns arrays of shape ``(B, G)``
    (per group) and ``(B,)`` (overall and summary).
    """
    counts = counts.astype(float)
    n_g = counts.sum(axis=1)  # (B, G)
    n_k = counts.sum(axis=2, keepdims=True)  # (B, K, 1)
    n = n_g.sum(axis=1)  # (B,)
    out: dict[str, np.ndarray] = {"size": n_g, "share": n_g / n[:, None]}
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a group absent from a replicate: NaN
        num = counts * n[:, None, None]
        den = n_k * n_g[:, None, :]
        # min(r_gk / r_g, r_g / r_gk) per (cluster, group), where both are defined
        cell = np.where(den > 0, np.minimum(num, den) / np.maximum(num, den), np.nan)
        out["balance"] = np.nanmin(cell, axis=1)
        p = counts / n_k
        ent = np.where(p > 0, -p * np.log(p), 0.0)
    out["entropy"] = np.where(n_g > 0, ent.sum(axis=1), np.nan)  # thesis 4.1.3.4: Entropy(g) per group
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        overall = {
            "size": n,
            "share": np.ones_like(n),
            "balance": np.nanmin(out["balance"], axis=1),
            "entropy": out["entropy"].mean(axis=1),
        }
    summary = {"balance": overall["balance"], "fairness_entropy": overall["entropy"]}
    if cost_sum is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            out["cost"] = cost_sum / n_g
        overall["cost"] = cost_sum.sum(axis=1) / n
        summary["social_fairness_cost"] = np.nanmax(out["cost"], axis=1)
    if yk is not None:
        per_class_cluster = yk.sum(axis=1)  # (B, C, K) over all groups
        maps = np.stack([_hungarian_map(t) for t in per_class_cluster])  # (B, K): loop over replicates
        # hits[b, g] = sum_k yk[b, g, map[b, k], k]
        B, G, C, K = yk.shape
        b_idx = np.arange(B)[:, None, None]
        g_idx = np.arange(G)[None, :, None]
        k_idx = np.arange(K)[None, None, :]
        mapped = np.where(maps[:, None, :] >= 0, maps[:, None, :], 0)
        hits = np.where(maps[:, None, :] >= 0, yk[b_idx, g_idx, mapped, k_idx], 0).sum(axis=2)
        with np.errstate(divide="ignore", invalid="ignore"):
            out["accuracy"] = hits / n_g
        overall["accuracy"] = hits.sum(axis=1) / n
        out["nmi"] = _table_nmi(yk)
        overall["nmi"] = _table_nmi(per_class_cluster)
    return {"by_group": out, "overall": overall, "summary": summary}


def clustering_by_group(
    labels: Any,
    *,
    sensitive_features: Any,
    X: Any = None,
    centers: Any = None,
    y_true: Any = None,
    n_boot: int = 0,
    ci: float = 0.95,
    random_state: Any = None,
) -> GroupedMetrics:
    r"""Fairness of a clustering, group by group, with bootstrap intervals.

    Per group :math:`g` (columns of ``by_group``):

    * ``size``, ``share``: :math:`|G_g|` and :math:`|G_g| / n`;
    * ``balance``: :math:`\min_k \min(r_{gk}/r_g, r_g/r_{gk})`, the group's part of
      :func:`robustfair.metrics.balance` (which is the minimum over groups);
    * ``entropy``: :math:`-\sum_k \frac{N_{k,g}}{n_k}\log\frac{N_{k,g}}{n_k}`, the thesis'
      Entropy(g) (section 4.1.3.4; :func:`~robustfair.metrics.fairness_entropy` is its
      mean over groups);
    * with ``X``: ``cost``, the group's mean squared distance to its nearest center
      (:func:`~robustfair.metrics.social_fairness_cost` is the maximum over groups);
    * with ``y_true``: ``accuracy`` (clusters mapped to classes once, by the Hungarian
      matching on all samples, as :func:`~robustfair.metrics.clustering_accuracy`) and
      ``nmi`` within the group.

    Parameters
    ----------
    labels : array-like of shape (n_samples,)
        Cluster of every sample; any label values.
    sensitive_features : array-like, Series or DataFrame
        Protected attribute; several columns give their intersection.
    X : array-like of shape (n_samples, n_features), optional
        The clustered data, for ``cost`` and ``social_fairness_cost``.
    centers : array-like of shape (n_clusters, n_features), optional
        Centers for the cost; default the mean of each cluster's points.
    y_true : array-like of shape (n_samples,), optional
        Class labels, for ``accuracy`` and ``nmi``.
    n_boot : int, default=0
        Bootstrap replicates (rows resampled with replacement, the clustering kept);
        0 gives no intervals.
    ci : float, default=0.95
        Coverage of the percentile intervals.
    random_state : int, Generator or None

    Returns
    -------
    GroupedMetrics
    """
    import pandas as pd

    from ._fairness import group_breakdown

    lab = check_labels(labels, "labels")
    grp = check_group_labels(sensitive_features, "sensitive_features")
    check_consistent_length(lab, grp, names=["labels", "sensitive_features"])
    n_boot, ci = _check_boot(n_boot, ci)
    counts, cluster_ids, group_ids = _contingency(lab, grp)
    k_codes, _ = encode_labels(lab, "labels")
    g_codes, _ = encode_labels(grp, "sensitive_features")
    n, K, G = lab.shape[0], cluster_ids.shape[0], group_ids.shape[0]

    dist = None
    if X is not None:
        Xa = check_array(X, "X")
        check_consistent_length(Xa, lab, names=["X", "labels"])
        if centers is None:
            sums = np.zeros((K, Xa.shape[1]))
            np.add.at(sums, k_codes, Xa)  # unbuffered sum per cluster (K rows, not a loop over samples)
            centers_arr = sums / np.bincount(k_codes, minlength=K)[:, None]
        else:
            centers_arr = check_array(centers, "centers")
            if centers_arr.shape[1] != Xa.shape[1]:
                raise ValueError(f"centers has {centers_arr.shape[1]} feature(s) but X has {Xa.shape[1]}.")
        _, dist = _nearest_center(Xa, centers_arr)
    y_codes = None
    C = 0
    if y_true is not None:
        y = check_labels(y_true, "y_true")
        check_consistent_length(y, lab, names=["y_true", "labels"])
        y_codes, classes = encode_labels(y, "y_true")
        C = classes.shape[0]

    def tables(idx: np.ndarray | None) -> dict:
        """Count tables of the rows ``idx`` (``(B, n)``), or of all rows once (``None``)."""
        if idx is None:
            idx = np.arange(n)[None, :]
        B = idx.shape[0]
        rep = np.arange(B)[:, None]
        kg = (rep * K + k_codes[idx]) * G + g_codes[idx]
        cnt = np.bincount(kg.ravel(), minlength=B * K * G).reshape(B, K, G)
        cost = None
        if dist is not None:
            cost = np.bincount((rep * G + g_codes[idx]).ravel(), weights=dist[idx].ravel(), minlength=B * G).reshape(
                B, G
            )
        yk = None
        if y_codes is not None:
            code = ((rep * G + g_codes[idx]) * C + y_codes[idx]) * K + k_codes[idx]
            yk = np.bincount(code.ravel(), minlength=B * G * C * K).reshape(B, G, C, K)
        return _clustering_values(cnt, cost, yk)

    point = tables(None)
    # Point estimates of the headline numbers come from the library's own metrics.
    metric_names = list(point["by_group"])
    group_index = pd.Index([str(g) for g in group_ids.tolist()], name="group")
    by_group = pd.DataFrame({m: point["by_group"][m][0] for m in metric_names}, index=group_index)
    overall = pd.Series({m: float(point["overall"][m][0]) for m in metric_names})
    if y_true is not None:
        overall["accuracy"] = clustering_accuracy(y_true, lab)
        overall["nmi"] = normalized_mutual_info(y_true, lab)
        by_group["nmi"] = [normalized_mutual_info(np.asarray(y)[g_codes == j], lab[g_codes == j]) for j in range(G)]
    summary = pd.Series({m: float(v[0]) for m, v in point["summary"].items()})
    assert np.isclose(summary["balance"], float(_balance_table(counts).min()))

    intervals: dict[str, tuple[Any, Any]] = {}
    if n_boot:
        rng = check_random_state(random_state)
        block = max(1, _BOOT_BLOCK // max(n, 1))
        reps: dict[str, list[np.ndarray]] = {"by_group": [], "overall": [], "summary": []}
        for start in range(0, n_boot, block):  # blocks of replicates, each vectorized over rows
            b = min(block, n_boot - start)
            vals = tables(rng.integers(0, n, size=(b, n)))
            reps["by_group"].append(np.stack([vals["by_group"][m] for m in metric_names], axis=-1))
            reps["overall"].append(np.stack([vals["overall"][m] for m in metric_names], axis=-1))
            reps["summary"].append(np.stack([vals["summary"][m] for m in summary.index], axis=-1))
        bg = np.concatenate(reps["by_group"])  # (B, G, M)
        ov = np.concatenate(reps["overall"])
        sm = np.concatenate(reps["summary"])
        lo, hi = _quantiles(bg, ci)
        intervals["by_group"] = (
            pd.DataFrame(lo, index=group_index, columns=metric_names),
            pd.DataFrame(hi, index=group_index, columns=metric_names),
        )
        for key, arr, index in (("overall", ov, metric_names), ("summary", sm, list(summary.index))):
            lo, hi = _quantiles(arr, ci)
            intervals[key] = (pd.Series(lo, index=index), pd.Series(hi, index=index))
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            gmin, gmax = np.nanmin(bg, axis=1), np.nanmax(bg, axis=1)
            aggregates = {
                "group_min": gmin,
                "group_max": gmax,
                "difference:between_groups": gmax - gmin,
                "ratio:between_groups": gmin / gmax,
                "difference:to_overall": np.nanmax(np.abs(bg - ov[:, None, :]), axis=1),
                "ratio:to_overall": np.nanmin(np.minimum(bg / ov[:, None, :], ov[:, None, :] / bg), axis=1),
            }
        for key, arr in aggregates.items():
            lo, hi = _quantiles(arr, ci)
            intervals[key] = (pd.Series(lo, index=metric_names), pd.Series(hi, index=metric_names))
    return GroupedMetrics(
        kind="clustering",
        by_group=by_group,
        overall=overall,
        summary=summary,
        ci=ci if n_boot else None,
        n_boot=n_boot,
        intervals=intervals,
        breakdown=group_breakdown(lab, sensitive_features=grp),
    )


# ---------------------------------------------------------------------- classification
def _default_classification_metrics() -> dict[str, Callable[..., float]]:
    from fairlearn.metrics import count, false_positive_rate, selection_rate, true_positive_rate
    from sklearn.metrics import accuracy_score

    return {
        "count": count,
        "accuracy": accuracy_score,
        "selection_rate": selection_rate,
        "true_positive_rate": true_positive_rate,
        "false_positive_rate": false_positive_rate,
    }


def classification_by_group(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    metrics: Mapping[str, Callable[..., float]] | None = None,
    n_boot: int = 0,
    ci: float = 0.95,
    random_state: Any = None,
) -> GroupedMetrics:
    """A classifier's metrics by group, computed by Fairlearn's ``MetricFrame``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        Binary labels (0/1) for the default metrics; any labels for your own.
    sensitive_features : array-like, Series or DataFrame
        Protected attribute; several columns give their intersection, named as in
        :func:`clustering_by_group` (``"sex=F|race=B"``).
    metrics : mapping of name to ``metric(y_true, y_pred)``, optional
        Default: ``count``, ``accuracy``, ``selection_rate``, ``true_positive_rate``,
        ``false_positive_rate``.
    n_boot, ci, random_state
        Bootstrap replicates, interval coverage and seed, passed to ``MetricFrame``
        (``n_boot``, ``ci_quantiles``, ``random_state``).

    Returns
    -------
    GroupedMetrics
        ``summary`` holds ``demographic_parity_difference`` (between-group difference of
        the selection rate) and ``equal_opportunity_difference`` (of the true positive
        rate) when those metrics are computed.

    Raises
    ------
    ImportError
        When fairlearn is not installed (``pip install robustfair[fairlearn]``).
    """
    try:
        from fairlearn.metrics import MetricFrame
    except ImportError:
        raise ImportError(
            "classification_by_group builds on Fairlearn's MetricFrame; install the extra: "
            "pip install 'robustfair[fairlearn]'"
        ) from None
    import pandas as pd

    yt = check_labels(y_true, "y_true")
    yp = check_labels(y_pred, "y_pred")
    grp = check_group_labels(sensitive_features, "sensitive_features")
    check_consistent_length(yt, yp, grp, names=["y_true", "y_pred", "sensitive_features"])
    _, values = encode_labels(grp, "sensitive_features")
    if values.shape[0] < 2:
        raise ValueError(
            "sensitive_features holds 1 distinct group(s); at least 2 are needed for group fairness to be defined."
        )
    n_boot, ci = _check_boot(n_boot, ci)
    chosen = dict(metrics) if metrics is not None else _default_classification_metrics()
    if not chosen or not all(callable(f) for f in chosen.values()):
        raise ValueError("metrics must map names to callables metric(y_true, y_pred).")
    boot: dict[str, Any] = {}
    if n_boot:
        q = (1.0 - ci) / 2.0
        # An int seed goes to Fairlearn as it is, so MetricFrame(..., random_state=seed) gives the
        # same intervals; a Generator (or None) is turned into one int seed.
        if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
            check_random_state(random_state)  # rejects negative seeds with our message
            seed = int(random_state)
        else:
            seed = int(check_random_state(random_state).integers(0, 2**31 - 1))
        boot = {"n_boot": n_boot, "ci_quantiles": [q, 1.0 - q], "random_state": seed}
    frame = MetricFrame(
        metrics=chosen, y_true=yt, y_pred=yp, sensitive_features=pd.Series(grp.astype(str), name="group"), **boot
    )
    by_group = frame.by_group.astype(float)
    by_group.index = pd.Index([str(g) for g in by_group.index], name="group")
    overall = frame.overall.astype(float)
    summary_items = {}
    if "selection_rate" in chosen:
        summary_items["demographic_parity_difference"] = float(frame.difference()["selection_rate"])
    if "true_positive_rate" in chosen:
        summary_items["equal_opportunity_difference"] = float(frame.difference()["true_positive_rate"])
    summary = pd.Series(summary_items, dtype=float)
    intervals: dict[str, tuple[Any, Any]] = {}
    if n_boot:
        lo, hi = frame.by_group_ci
        lo, hi = lo.astype(float), hi.astype(float)
        lo.index = hi.index = by_group.index
        intervals["by_group"] = (lo, hi)
        intervals["overall"] = tuple(s.astype(float) for s in frame.overall_ci)
        intervals["group_min"] = tuple(s.astype(float) for s in frame.group_min_ci())
        intervals["group_max"] = tuple(s.astype(float) for s in frame.group_max_ci())
        for method in _DIFF_METHODS:
            intervals[f"difference:{method}"] = tuple(s.astype(float) for s in frame.difference_ci(method=method))
            intervals[f"ratio:{method}"] = tuple(s.astype(float) for s in frame.ratio_ci(method=method))
        d_lo, d_hi = intervals["difference:between_groups"]
        names = {
            "demographic_parity_difference": "selection_rate",
            "equal_opportunity_difference": "true_positive_rate",
        }
        intervals["summary"] = (
            pd.Series({k: float(d_lo[names[k]]) for k in summary.index}, dtype=float),
            pd.Series({k: float(d_hi[names[k]]) for k in summary.index}, dtype=float),
        )
    return GroupedMetrics(
        kind="classification",
        by_group=by_group,
        overall=overall,
        summary=summary,
        ci=ci if n_boot else None,
        n_boot=n_boot,
        intervals=intervals,
    )
