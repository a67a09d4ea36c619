"""The one place records become tables: grouping by row, and the text summary table.

A row is (dataset, method, extra keys); a column is a metric; a cell holds the values over
seeds. The command line and the demo print :func:`summary_table`; the HTML report draws its
tables from :func:`aggregate`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

__all__ = ["BASE_KEYS", "aggregate", "row_key", "summary_table"]

#: Keys every record has; all other keys make the row label.
BASE_KEYS = ("dataset", "method", "seed", "metric", "value", "experiment", "config_hash")


def row_key(rec: Mapping[str, Any]) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    """(dataset, method, sorted extra keys as strings): the table row a record belongs to."""
    extra = tuple(sorted((k, str(v)) for k, v in rec.items() if k not in BASE_KEYS))
    return rec["dataset"], rec["method"], extra


def aggregate(records: Iterable[Mapping[str, Any]]) -> tuple[list[str], dict[tuple, dict[str, np.ndarray]]]:
    """Metrics in first-seen order, and per row the values of each metric over seeds.

    Records with ``role="figure"`` (figure data, not headline numbers) are left out; a
    missing value (``None``) becomes NaN.
    """
    metrics: list[str] = []
    table: dict[tuple, dict[str, list[float]]] = {}
    for rec in records:
        if rec.get("role") == "figure":
            continue
        if rec["metric"] not in metrics:
            metrics.append(rec["metric"])
        value = np.nan if rec["value"] is None else float(rec["value"])
        table.setdefault(row_key(rec), {}).setdefault(rec["metric"], []).append(value)
    return metrics, {k: {m: np.asarray(v) for m, v in d.items()} for k, d in table.items()}


def summary_table(records: Iterable[Mapping[str, Any]]) -> str:
    """Mean +- sd over seeds: one row per (dataset, method, extra keys), one column per metric."""
    records = list(records)
    if not records:
        return "(no records)"
    metrics, rows = aggregate(records)
    if not rows:
        return "(no records)"
    header = ["dataset", "method"] + metrics
    lines_rows = []
    for (dataset, method, extra), vals in rows.items():
        label = method + "".join(f" {k}={v}" for k, v in extra)
        cells = [dataset, label]
        for m in metrics:
            v = vals.get(m, np.empty(0))
            if v.size == 0:
                cells.append("")
            elif v.size == 1:
                cells.append(f"{v[0]:.3f}")
            else:
                cells.append(f"{np.nanmean(v):.3f}±{np.nanstd(v):.3f}")
        lines_rows.append(cells)
    widths = [max(len(str(r[i])) for r in [header] + lines_rows) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for r in lines_rows:
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())
    return "\n".join(lines)
