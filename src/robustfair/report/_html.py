"""One self-contained HTML page from the results store.

A section per experiment in the store: what it measures and which paper table it cites,
a table of our numbers (mean +- sd over seeds) with the published numbers beside them
where the experiment registered them, the experiment's own figures (found by its name in
:mod:`robustfair.report.figures`) and a figure per metric. Figures are PNGs embedded
as data URIs, so the page needs no network and no side files.
"""

from __future__ import annotations

import base64
import html
import io
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["write_report", "render_report"]

from ..experiments._tables import aggregate as _aggregate
from ..experiments._tables import row_key as _row_key

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1100px;
color:#1d2330;line-height:1.45;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{border-bottom:2px solid #dde3ee;padding-bottom:.2rem;margin-top:2.4rem}
.meta{color:#5a6478;font-size:.9rem}table{border-collapse:collapse;margin:.8rem 0;font-size:.88rem}
th,td{border:1px solid #dde3ee;padding:.25rem .55rem;text-align:right}th{background:#f2f5fa}
td.l,th.l{text-align:left}td.pub{background:#fff8e6}figure{display:inline-block;margin:.4rem}
figcaption{font-size:.8rem;color:#5a6478;text-align:center}nav a{margin-right:.8rem}
"""


def _figure_to_data_uri(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _published_lookup(
    published: tuple[Mapping[str, Any], ...], dataset: str, method: str, extra: tuple, metric: str
) -> Mapping[str, Any] | None:
    extra_d = dict(extra)
    for pub in published:
        if pub.get("metric") != metric:
            continue
        if pub.get("dataset", dataset) != dataset or pub.get("method", method) != method:
            continue
        keys = {k: v for k, v in pub.items() if k not in ("dataset", "method", "metric", "value", "source")}
        if all(str(extra_d.get(k)) == str(v) for k, v in keys.items()):
            return pub
    return None


def _fmt(values: np.ndarray) -> str:
    values = values[np.isfinite(values)]
    if values.size == 0:
        return "–"
    if values.size == 1:
        return f"{values[0]:.3f}"
    return f"{values.mean():.3f} ± {values.std():.3f}"


def _metric_figure(metric: str, rows: dict[tuple, dict[str, np.ndarray]]) -> str | None:
    import matplotlib.pyplot as plt

    labels, means, sds = [], [], []
    for (dataset, method, extra), vals in rows.items():
        if metric not in vals:
            continue
        v = vals[metric][np.isfinite(vals[metric])]
        if v.size == 0:
            continue
        labels.append(f"{method}\n{dataset}" + "".join(f"\n{k}={val}" for k, val in extra if k != "k"))
        means.append(v.mean())
        sds.append(v.std())
    if not labels or len(labels) > 40:
        return None
    fig, ax = plt.subplots(figsize=(max(3.2, 0.7 * len(labels) + 1.2), 2.8))
    ax.bar(range(len(labels)), means, yerr=sds, color="#4c72b0", capsize=3)
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, fontsize=7)
    ax.set_title(metric, fontsize=10)
    if min(means) >= 0 and max(means) <= 1 and metric != "seconds":
        ax.set_ylim(0, 1.05)  # scores in [0, 1]: keep the scale honest
    ax.grid(axis="y", alpha=0.3)
    return _figure_to_data_uri(fig)


def _row_sources(records: list[dict[str, Any]], cells: list[dict[str, Any]]) -> dict[tuple, str]:
    """Which stored cells each table row comes from: config hashes, seeds and code versions."""
    version = {(c["config_hash"], c["seed"]): c.get("version", "?") for c in cells}
    found: dict[tuple, dict[str, set]] = {}
    for rec in records:
        entry = found.setdefault(_row_key(rec), {"config": set(), "seeds": set(), "version": set()})
        entry["config"].add(str(rec.get("config_hash", "?"))[:8])
        entry["seeds"].add(rec["seed"])
        entry["version"].add(version.get((rec.get("config_hash"), rec["seed"]), "?"))
    return {
        key: f"config {','.join(sorted(e['config']))} · seeds {','.join(map(str, sorted(e['seeds'])))} · "
        f"v{','.join(sorted(e['version']))}"
        for key, e in found.items()
    }


def _section(
    name: str, records: list[dict[str, Any]], experiment: Any, n_cells: int, cells: list[dict[str, Any]] | None = None
) -> str:
    esc = html.escape
    table_records = [r for r in records if r.get("role") != "figure"]
    metrics, rows = _aggregate(table_records)
    sources = _row_sources(table_records, cells or [])
    published = tuple(getattr(experiment, "published", ()) or ())
    out = [f'<section id="{esc(name)}"><h2>{esc(name)}</h2>']
    if experiment is not None:
        out.append(f"<p>{esc(experiment.description)}</p>")
        if experiment.cites:
            out.append(f'<p class="meta">Reproduces: {esc(experiment.cites)}</p>')
    seeds = sorted({r["seed"] for r in records})
    out.append(
        f'<p class="meta">{n_cells} cell(s), seeds {esc(str(seeds))}; mean ± sd over seeds'
        + ('; <span style="background:#fff8e6">published</span> beside ours' if published else "")
        + ".</p>"
    )
    # A "published" column only beside metrics the experiment has published numbers for.
    pub_metrics = {p.get("metric") for p in published}
    head = "".join(f"<th>{esc(m)}</th>" + ("<th>published</th>" if m in pub_metrics else "") for m in metrics)
    out.append(
        f'<table><tr><th class="l">dataset</th><th class="l">method</th>{head}<th class="l">our numbers from</th></tr>'
    )
    for (dataset, method, extra), vals in rows.items():
        label = esc(method) + "".join(f" <small>{esc(k)}={esc(v)}</small>" for k, v in extra)
        tds = []
        for m in metrics:
            tds.append(f"<td>{_fmt(vals.get(m, np.empty(0)))}</td>")
            if m in pub_metrics:
                pub = _published_lookup(published, dataset, method, extra, m)
                if pub is None:
                    tds.append('<td class="pub"></td>')
                else:
                    where = f" <small>({esc(str(pub['source']))})</small>" if pub.get("source") else ""
                    tds.append(f'<td class="pub">{esc(str(pub["value"]))}{where}</td>')
        source = esc(sources.get((dataset, method, extra), ""))
        out.append(
            f'<tr><td class="l">{esc(dataset)}</td><td class="l">{label}</td>{"".join(tds)}'
            f'<td class="l"><small>{source}</small></td></tr>'
        )
    out.append("</table>")
    from .figures import draw_figures

    for title, fig in draw_figures(name, records):
        uri = _figure_to_data_uri(fig)
        out.append(
            f'<figure><img alt="{esc(name)}: {esc(title)}" src="{uri}"><figcaption>{esc(title)}</figcaption></figure>'
        )
    for m in metrics:
        metric_uri = _metric_figure(m, rows)
        if metric_uri:
            out.append(
                f'<figure><img alt="{esc(name)}: {esc(m)}" src="{metric_uri}"><figcaption>{esc(m)}</figcaption>'
                "</figure>"
            )
    out.append("</section>")
    return "\n".join(out)


def render_report(db: str | Path) -> str:
    """The report for results database ``db`` as an HTML string."""
    from ..experiments import ResultsStore, get_experiment

    with ResultsStore(db, read_only=True) as store:
        names = store.experiments()
        sections, nav = [], []
        for name in names:
            try:
                experiment = get_experiment(name)
            except ValueError:  # stored by an experiment this version no longer has
                experiment = None
            records = store.records(name)
            cells = store.cells(name)
            sections.append(_section(name, records, experiment, len(cells), cells))
            nav.append(f'<a href="#{html.escape(name)}">{html.escape(name)}</a>')
    from .. import __version__

    body = "\n".join(sections) if sections else "<p>The results store is empty.</p>"
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>robustfair report</title>"
        f"<style>{_CSS}</style></head><body>"
        "<h1>robustfair report</h1>"
        f'<p class="meta">{html.escape(str(db))} · robustfair {html.escape(__version__)} · '
        f"{time.strftime('%Y-%m-%d %H:%M')}</p>"
        f"<nav>{''.join(nav)}</nav>{body}</body></html>"
    )


def write_report(db: str | Path, output: str | Path = "robustfair-report.html") -> Path:
    """Write the report of ``db`` to ``output`` and return its path."""
    db = Path(db)
    if not db.exists():
        raise ValueError(f"db: {db} does not exist; run an experiment first.")
    output = Path(output)
    if not output.parent.exists():
        raise ValueError(f"output: folder {output.parent} does not exist.")
    output.write_text(render_report(db), encoding="utf-8")
    return output.resolve()
