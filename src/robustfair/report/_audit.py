"""The HTML page of an audit (``robustfair audit ... -o report.html``): one self-contained file."""

from __future__ import annotations

import html
import time
from pathlib import Path
from typing import Any

import numpy as np

from ._html import _CSS, _figure_to_data_uri

__all__ = ["render_audit", "write_audit_report"]


def _num(v: Any) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "–"
    v = float(v)
    if abs(v) >= 10:
        return f"{v:.0f}"
    return f"{v:.3f}"


def _headline_table(result: Any) -> str:
    esc = html.escape
    rows = [r for r in result.records if "attack" not in r and r["metric"] != "fit_seconds"]
    metrics = list(dict.fromkeys(r["metric"] for r in rows))
    out = ['<table><tr><th class="l">method</th>' + "".join(f"<th>{esc(m)}</th>" for m in metrics) + "</tr>"]
    for method in dict.fromkeys(r["method"] for r in rows):
        vals = {r["metric"]: r["value"] for r in rows if r["method"] == method}
        out.append(
            f'<tr><td class="l">{esc(method)}</td>'
            + "".join(f"<td>{_num(vals.get(m))}</td>" for m in metrics)
            + "</tr>"
        )
    out.append("</table>")
    return "\n".join(out)


def _grouped_table(grouped: Any) -> str:
    esc = html.escape
    frame = grouped.to_frame()
    summary = frame[frame["row"] == "summary"]
    frame = frame[frame["row"] != "summary"]
    metrics = list(dict.fromkeys(frame["metric"]))
    out = ['<table><tr><th class="l"></th>' + "".join(f"<th>{esc(m)}</th>" for m in metrics) + "</tr>"]
    for row in dict.fromkeys(frame["row"]):
        part = frame[frame["row"] == row].set_index("metric")
        cells = []
        for m in metrics:
            if m not in part.index:
                cells.append("<td></td>")
                continue
            v, lo, hi = part.loc[m, "value"], part.loc[m, "ci_low"], part.loc[m, "ci_high"]
            ci = f" <small>[{_num(lo)}, {_num(hi)}]</small>" if np.isfinite(lo) and np.isfinite(hi) else ""
            cells.append(f"<td>{_num(v)}{ci}</td>")
        out.append(f'<tr><td class="l">{esc(str(row))}</td>{"".join(cells)}</tr>')
    out.append("</table>")
    items = []
    for _, r in summary.iterrows():
        ci = f" [{_num(r['ci_low'])}, {_num(r['ci_high'])}]" if np.isfinite(r["ci_low"]) else ""
        items.append(f"<b>{esc(r['metric'])}</b> {_num(r['value'])}{ci}")
    if items:
        out.append(f"<p>Whole population: {' · '.join(items)}</p>")
    return "\n".join(out)


def _attack_table(result: Any) -> str:
    esc = html.escape
    rows = [r for r in result.records if "attack" in r and r["metric"] == "balance"]
    if not rows:
        return ""
    fractions = sorted({r["fraction"] for r in rows})
    out = [
        '<table><tr><th class="l">method</th><th class="l">attack</th>'
        + "".join(f"<th>{f:g}</th>" for f in fractions)
        + "</tr>"
    ]
    for method in dict.fromkeys(r["method"] for r in rows):
        for attack in ("none", "ours", "random"):
            vals = {r["fraction"]: r["value"] for r in rows if r["method"] == method and r["attack"] == attack}
            out.append(
                f'<tr><td class="l">{esc(method)}</td><td class="l">{esc(attack)}</td>'
                + "".join(f"<td>{_num(vals.get(f))}</td>" for f in fractions)
                + "</tr>"
            )
    out.append("</table>")
    return "\n".join(out)


def render_audit(result: Any) -> str:
    """The audit's page as an HTML string: headline table, grouped tables and figures per method,
    the attack curve with its random control."""
    from .. import __version__
    from .figures import plot_attack_survival, plot_grouped_metrics

    esc = html.escape
    data = result.dataset
    parts = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        f"<title>robustfair audit: {esc(data.name)}</title><style>{_CSS}img{{max-width:100%}}"
        "td small{color:#5a6478;display:block}</style></head><body>",
        f"<h1>Fairness audit: {esc(data.name)}</h1>",
        f'<p class="meta">{esc(data.description)} · {data.n_samples} rows, {data.n_features} encoded features, '
        f"{len(data.group_names) or data.n_groups} groups · robustfair {esc(__version__)} · "
        f"{time.strftime('%Y-%m-%d %H:%M')}</p>",
        "<h2>Every method</h2>",
        "<p>Balance (1 = every cluster has the dataset's group proportions, 0 = a group is missing from "
        "some cluster), fairness entropy (higher is fairer) and social fairness cost (the worst group's mean "
        "squared distance to its center; lower is better)"
        + (", with accuracy and NMI against the target" if data.y is not None else "")
        + ".</p>",
        _headline_table(result),
    ]
    if result.skipped:
        parts.append(
            '<p class="meta">Not run: '
            + "; ".join(f"<b>{esc(m)}</b>: {esc(why)}" for m, why in result.skipped.items())
            + "</p>"
        )
    for method, grouped in result.grouped.items():
        parts.append(f'<h2 id="{esc(method)}">{esc(method)}, group by group</h2>')
        if grouped.n_boot:
            parts.append(
                f'<p class="meta">{grouped.ci:.0%} bootstrap intervals over {grouped.n_boot} resamples '
                "of the rows (the clustering kept).</p>"
            )
        parts.append(_grouped_table(grouped))
        fig = plot_grouped_metrics(grouped, title=f"{data.name}: {method}")
        parts.append(
            f'<figure><img alt="{esc(method)} by group" src="{_figure_to_data_uri(fig)}">'
            f"<figcaption>{esc(method)}: metrics per group</figcaption></figure>"
        )
        if grouped.breakdown is not None:
            parts.append(
                f"<details><summary>clusters by group</summary><pre>{esc(str(grouped.breakdown))}</pre></details>"
            )
    table = _attack_table(result)
    if table:
        parts.append("<h2>Fairness under attack</h2>")
        parts.append(
            "<p>Balance on the defender set after the attacker sets the group labels of a fraction of "
            "the samples (thesis 4.1.2), beside random labels on the same samples.</p>"
        )
        parts.append(table)
        fig = plot_attack_survival(result.records)
        if fig is not None:
            parts.append(
                f'<figure><img alt="fairness under attack" src="{_figure_to_data_uri(fig)}">'
                "<figcaption>balance on the defender set against the attacked fraction</figcaption></figure>"
            )
    parts.append("</body></html>")
    return "\n".join(parts)


def write_audit_report(result: Any, output: str | Path) -> Path:
    """Write :func:`render_audit` to ``output`` and return its resolved path."""
    output = Path(output)
    if not output.parent.exists():
        raise ValueError(f"output: folder {output.parent} does not exist.")
    text = render_audit(result)
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"output: cannot write {output}: {exc.strerror or exc}.") from None
    return output.resolve()
