"""Numbers in the docs and the README come from committed result files (issue 20, item 3).

* ``TABLES``: a Markdown table, found by its header, whose numeric cells are compared with a
  ``benchmarks/results/*.json`` file within the rounding they are printed with (a number
  shown with d decimals must lie within half a unit of its last digit).
* ``CLAIMS``: sentences whose numbers are rendered from a result file; the rendered text
  must appear in the page.
* The mutation-testing table of docs/testing.md is rendered from
  ``benchmarks/results/mutation.json`` (``render_mutation_table``).
* ``UNSOURCED``: every other table of numbers in the docs, with the reason it has no
  committed source yet. The inventory is exact: a new table of numbers must be added to one
  of the lists, and a listed one that disappears must be removed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
RESULTS = ROOT / "benchmarks" / "results"
NUMBER = re.compile(r"(?<![\d.A-Za-wyz_])-?\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?")


def load(name: str) -> dict:
    return json.loads((RESULTS / f"{name}.json").read_text())


def tables(text: str) -> list[tuple[list[str], list[list[str]]]]:
    """Every Markdown table of ``text`` as (header cells, body rows of cells)."""
    out, block = [], []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            block.append([c.strip() for c in line.strip().strip("|").split("|")])
        elif block:
            if len(block) >= 2 and set("".join(block[1])) <= set("-: "):
                out.append((block[0], block[2:]))
            block = []
    return out


def table(page: str, header_start: str) -> list[list[str]]:
    found = [rows for header, rows in tables((DOCS / page).read_text()) if " | ".join(header).startswith(header_start)]
    assert len(found) == 1, f"{page}: {len(found)} tables start with {header_start!r}"
    return found[0]


def numbers(cell: str) -> list[str]:
    return NUMBER.findall(cell.replace("−", "-"))


def within_rounding(shown: str, value: float) -> bool:
    """``shown`` (as printed) is ``value`` rounded to the digits it shows."""
    text = shown.replace(",", "")
    mantissa = text.split("e")[0]
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    exponent = int(text.split("e")[1]) if "e" in text else 0
    return abs(float(text) - value) <= 0.5 * 10.0 ** (exponent - decimals) + 1e-12 * abs(value)


# ------------------------------------------------------------------ the scaling table
def test_scaling_table_is_the_committed_benchmark():
    """docs/cluster-fairlets.md: s (x k-means), MiB per method and n, from bench_scaling.json."""
    result = load("bench_scaling")
    rows = table("cluster-fairlets.md", "method | n = 1,000")
    assert [r[0].split("`")[1] for r in rows] == list(result["methods"])
    for row in rows:
        method = row[0].split("`")[1]
        assert row[0] == f"`{method}` {result['methods'][method]}"
        for cell, record in zip(row[1:], result["results"][method], strict=True):
            if record["status"] != "ok":
                assert cell == record["status"]
                continue
            keys = ["seconds", "peak_mib"] if method == "kmeans" else ["seconds", "ratio_to_kmeans", "peak_mib"]
            shown = numbers(cell)
            assert len(shown) == len(keys), cell
            for text, key in zip(shown, keys):
                assert within_rounding(text, record[key]), (method, record["n"], key, text, record[key])
    m = result["machine"]
    line = f"machine: {m['cpu_count']} cores, {m['date_utc']} {result['command']}"
    assert line in (DOCS / "cluster-fairlets.md").read_text()


# ------------------------------------------------------------------ antidote timing
def test_antidote_timing_table_is_the_committed_benchmark():
    """docs/antidote.md: seconds and speedups of one/threads/processes, from bench_antidote.json."""
    result = load("bench_antidote")
    rows = table("antidote.md", "cell | one job | two threads")
    assert len(rows) == len(result["cells"])
    for row, cell in zip(rows, result["cells"], strict=True):
        assert row[0] == f"{cell['dataset']} #{cell['combination']} ({cell['n']:,} x {cell['d']}, {cell['clusterer']})"
        assert cell["same_result"], row[0]
        expected = [cell["seconds"]["one_job"], cell["seconds"]["threads"], cell["speedup"]["threads"],
                    cell["seconds"]["processes"], cell["speedup"]["processes"]]
        shown = [x for c in row[1:] for x in numbers(c)]
        assert len(shown) == len(expected), row
        for text, value in zip(shown, expected):
            assert within_rounding(text, value), (row[0], text, value)
    m = result["machine"]
    assert f"machine: {m['cpu_count']} cores, {m['date_utc']} `{result['command']}`" in (DOCS / "antidote.md").read_text()


# ------------------------------------------------------------------ fairness attack vs random flips
def test_fairness_attack_ks_table_is_the_committed_benchmark():
    """docs/attacks-fairness.md: KS p-value, metric, before/ours/random means per pair (fairness_attack_ks.json)."""
    result = load("fairness_attack_ks")
    names = {"inverted-digits": "inverted digits", "mnist-usps": "MNIST-USPS", "office-caltech": "Office-Caltech",
             "yale": "Yale"}
    rows = table("attacks-fairness.md", "dataset | SFD | KFC | FSC")
    assert [r[0] for r in rows] == [names[d] for d in result["datasets"]]
    significant = 0
    for row, pairs in zip(rows, (d["pairs"] for d in result["datasets"].values()), strict=True):
        for cell, method in zip(row[1:], ("sfd", "kfc", "fsc"), strict=True):
            pair = pairs[method]
            assert ("balance" if pair["metric"] == "balance" else "entropy") in cell, (row[0], method)
            shown = numbers(cell)
            expected = [pair["p_value"], pair["before_mean"], pair["ours_mean"], pair["random_mean"]]
            assert len(shown) == 4, cell
            for text, value in zip(shown, expected):
                assert within_rounding(text, value), (row[0], method, text, value)
            assert cell.startswith("**") == (pair["p_value"] < 0.01), cell
            significant += pair["p_value"] < 0.01
    text = " ".join((DOCS / "attacks-fairness.md").read_text().split())
    assert f"p < 0.01 on {significant} of 12 pairs" in text
    s = result["settings"]
    assert f"over {s['seeds']} seeds" in text and f"fractions={s['fraction']}" in text and f"budget={s['budget']}" in text


# ------------------------------------------------------------------ label-only transfer
def test_label_only_transfer_table_is_the_committed_benchmark():
    """docs/deep-evasion.md: service NMI before / transferred attack / sign noise (label_only_transfer.json)."""
    result = load("label_only_transfer")
    names = {"mnist-usps": "MNIST-USPS", "yale": "Yale"}
    rows = table("deep-evasion.md", "data set, service | eps | NMI before")
    expected = [(f"{names[c['dataset']]}, `{c['service']}`", e, v) for c in result["cells"].values()
                for e, v in c["eps"].items()]
    assert len(rows) == len(expected)
    below = []
    for row, (label, eps, v) in zip(rows, expected, strict=True):
        assert row[0] == label and row[1] == eps, row
        for cell, key in zip(row[2:5], ("pre_mean", "post_mean", "random-noise_mean"), strict=True):
            (shown,) = numbers(cell)
            assert within_rounding(shown, v[key]), (row, key, v[key])
        beats = v["post_mean"] < v["random-noise_mean"]
        assert row[5] == ("yes" if beats else "no") and row[3].startswith("**") == beats, row
        if beats:
            below.append(f"{label.split(',')[0]} {label.split(', ')[1]} at eps {eps}")
    text = " ".join((DOCS / "deep-evasion.md").read_text().split())
    assert f"below sign noise of the same budget in {len(below)} of {len(rows)} cells: " + " and ".join(below) in text
    m = result["machine"]
    assert f"machine: {m['cpu_count']} cores, {m['date_utc']} `{result['command']}`" in text


# ------------------------------------------------------------------ the fair summarizer
def test_summarizer_table_and_readme_claim_are_the_committed_benchmark():
    result = load("bench_fair_summarizer")
    assert result["tau"] == 0.95 and result["budget"] == 0.15
    rows = table("summarize.md", "group type | agreement | mean rating")
    assert [r[0] for r in rows] == list(result["summary"])
    for group_type, agreement, rating in rows:
        s = result["summary"][group_type]
        assert s["all_optimal"] and s["min_sumbal"] >= 0.95
        for cell, keys in ((agreement, ["fair_over_human", "fair_over_human_per_video_mean"]),
                           (rating, ["fair_over_human_mean_rating", "fair_over_human_mean_rating_per_video_mean"])):
            shown = numbers(cell)
            assert len(shown) == 2, cell
            for text, key in zip(shown, keys):
                assert within_rounding(text, s[key]), (group_type, key, text, s[key])
    page = (DOCS / "summarize.md").read_text()
    individual = result["summary"]["individual"]
    assert f"so {individual['ceiling_over_human']:.3f} is the ceiling on the individual level" in page
    worst = min(result["summary"][g]["fair_over_human"] for g in ("sex", "ethnicity"))
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert f"{worst:.2f} of Human's F1 at SumBal >= {result['tau']} by sex or ethnicity" in readme


# ------------------------------------------------------------------ sentences
def _pct(x: float, digits: int = 1) -> str:
    return f"{100 * x:.{digits}f}%"


def _sfd(r: dict) -> list[str]:
    mem = r["memory"]
    return [
        f"SFD takes {r['ratio_sfd_to_kmeans']:.1f}x the time",
        f"({r['sfd_seconds']:.2f} s vs {r['kmeans_seconds']:.2f} s on two shared",
        f"constant {mem[0]['bytes_per_point']:.0f} bytes per point",
        f"from {mem[0]['n'] // 1000}k to {mem[-1]['n'] // 1_000_000}M points",
        f"k-median objective {_pct(1 - r['kmedian_objective_ratio_new_to_previous'])} lower",
    ]


def _fairlet(r: dict) -> list[str]:
    d, big = r["digits"], r["large"]
    return [
        f"fits in {d['fit_seconds']:.2f} s, against {d['previous_dense_flow_seconds']:.1f} s for the previous",
        f"{d['reference_seconds']:.2f} s",
        f"{big['n']:,} points\ntake about {big['seconds']:.0f} s and {big['peak_rss_mib']:.0f} MiB peak RSS",
        f"{_pct(d['sparse10_cost_over_optimum'] - 1)} above it on inverted DIGITS",
        f"about {_pct(d['blobs4000_sparse10_cost_over_optimum'] - 1, 0)} on",
    ]


def _fsc(r: dict) -> list[str]:
    amg = [r["unnormalized_amg"]["seconds"], r["normalized_amg"]["seconds"]]
    lu = [r["unnormalized_shift-invert"]["seconds"], r["normalized_shift-invert"]["seconds"]]
    gap = max(
        abs(r[f"{v}_amg"]["objective"] / r[f"{v}_shift-invert"]["objective"] - 1) for v in ("unnormalized", "normalized")
    )
    assert gap < 0.0005  # "objective within 0.05%"
    return [
        f"{r['n']:,} points ({r['d']}-d, k = {r['k']}) take {min(amg):.0f}-{max(amg):.0f} s",
        f"against {min(lu):.0f}-{max(lu):.0f} s with the LU, objective within 0.05%",
    ]


def _bera(r: dict) -> list[str]:
    fits = [r["race"]["fit_seconds"], r["sex"]["fit_seconds"]]
    ratios = [r["race"]["ratio_fit_to_baseline"], r["sex"]["ratio_fit_to_baseline"]]
    assert r["race"]["same_lp_optimum"] and r["sex"]["same_lp_optimum"]
    return [
        f"{r['race']['lp_size_sparse']['nonzeros']:,} nonzeros instead of {r['race']['lp_size_textbook']['nonzeros']:,}",
        f"({r['race']['n']:,} points, k =\n{r['race']['k']}) fits in {min(fits):.1f}-{max(fits):.1f} s, "
        f"{min(ratios):.1f}-{max(ratios):.1f}x the time",
        f"it was {r['previous_fit_seconds_in_issue']:.0f} s",
    ]


CLAIMS = [
    ("cluster-fairlets.md", "bench_sfd_kmeans", _sfd),
    ("cluster-fairlets.md", "bench_fairlet_flow", _fairlet),
    ("cluster-fair-assignment.md", "bench_fsc_50k", _fsc),
    ("cluster-fair-assignment.md", "bench_bera_adult", _bera),
]


@pytest.mark.parametrize("page, source, render", CLAIMS, ids=[c[1] for c in CLAIMS])
def test_sentences_render_their_numbers_from_the_results(page, source, render):
    text = (DOCS / page).read_text()
    for expected in render(load(source)):
        assert expected in text, f"{page} should say {expected!r} (from benchmarks/results/{source}.json)"


# ------------------------------------------------------------------ mutation testing
MUTATION_COLUMNS = ("mutants", "killed", "survived", "no_tests", "timeout")


def render_mutation_table(result: dict) -> str:
    """The docs/testing.md table: per target, the counts before and after the new tests."""
    before, after = result["stages"]["before"], result["stages"]["after"]
    head = ("| target | mutants | killed before | survived before | killed after | survived after | no tests | timeout "
            "| not checked |")
    lines = [head, "|---|---|---|---|---|---|---|---|---|"]
    rows = [(t, before["targets"][t], after["targets"][t]) for t in after["targets"]]
    rows.append(("total", before["total"], after["total"]))
    for name, b, a in rows:
        cells = [a["mutants"], b["killed"], b["survived"], a["killed"], a["survived"], a["no_tests"], a["timeout"],
                 a.get("not_checked", sum(r["not_checked"] for r in after["targets"].values()))]
        lines.append(f"| {'`' + name + '`' if name != 'total' else '**total**'} | " + " | ".join(map(str, cells)) + " |")
    return "\n".join(lines)


def render_mutation_runs(result: dict) -> str:
    """The sentence under the table: tool, date, command and wall time of each run."""
    parts = []
    for stage in ("before", "after"):
        s = result["stages"][stage]
        parts.append(f"{stage}: {s['date_utc'][:16].replace('T', ' ')} UTC, `{s['mutmut_command']}`, "
                     f"{s['wall_seconds'] / 60:.0f} min")
    return f"{result['tool']}; " + "; ".join(parts) + f"; {result['machine']['cpu_count']} cores."


def render_survivor_kinds(result: dict) -> str:
    """The survivors of the last run by kind of change (benchmarks/mutation.py KINDS), per target."""
    targets = result["stages"]["after"]["targets"]
    kinds = list(next(iter(targets.values()))["survivor_kinds"])
    lines = ["| kind of surviving change | " + " | ".join(f"`{t}`" for t in targets) + " |",
             "|---|" + "---|" * len(targets)]
    for kind in kinds:
        lines.append(f"| {kind} | " + " | ".join(str(row["survivor_kinds"][kind]) for row in targets.values()) + " |")
    return "\n".join(lines)


def render_mutation_section(result: dict) -> str:
    return "\n\n".join([render_mutation_table(result), render_mutation_runs(result), render_survivor_kinds(result)])


def test_testing_page_shows_the_committed_mutation_counts():
    result = load("mutation")
    text = (DOCS / "testing.md").read_text()
    assert render_mutation_section(result) in text
    for row in result["stages"]["after"]["targets"].values():
        assert sum(row["survivor_kinds"].values()) == row["survived"] == len(row["survivors"])
    for stage in result["stages"].values():
        for row in stage["targets"].values():
            assert row["mutants"] == sum(row[k] for k in ("killed", "survived", "no_tests", "timeout", "suspicious",
                                                           "segfault", "not_checked"))


# ------------------------------------------------------------------ the inventory
SOURCED = {
    ("cluster-fairlets.md", "method | n = 1,000: s (x k-means), MiB"),
    ("testing.md", "target | mutants"),
    ("antidote.md", "cell | one job"),
    ("attacks-fairness.md", "dataset | SFD"),
    ("deep-evasion.md", "data set, service | eps"),
    ("summarize.md", "group type | agreement"),
    ("testing.md", "kind of surviving change"),
    # checked against benchmarks/results/influence_trimming.json and influence_baselines.json by
    # tests/influence/test_trimming_results.py and tests/influence/test_baselines_results.py
    ("influence.md", "experiment | data | quantity | published | paper protocol"),
    ("influence.md", "experiment | data | quantity | published | ours"),
    # checked against benchmarks/results/deep_evasion_table.json by tests/test_docs_numbers_deep_evasion.py
    ("deep-evasion.md", "victim | eps"),
    # checked against benchmarks/results/deep_evasion_ruc.json by tests/test_docs_numbers_deep_evasion_ruc.py
    ("deep-evasion.md", "model | eps | NMI before"),
    # checked against benchmarks/results/influence_shapley.json by tests/influence/test_shapley_results.py
    ("influence.md", "quantity | published | paper protocol | ours"),
    # rendered from benchmarks/results/antidote_tables.json by tests/test_docs_numbers_antidote.py
    ("antidote.md", "dataset | #1 k-means + balance"),
    ("antidote.md", "cell |  | V"),
    ("antidote.md", "seed | #1 vanilla → ours (Bera)"),
    # rendered from benchmarks/results/cfc_protocols.json by tests/test_docs_numbers_cfc.py
    ("attacks-fairness.md", "dataset (seeds) | plain CFC"),
    ("attacks-fairness.md", "dataset (seeds) | balance before"),
    ("attacks-fairness.md", "data set (seeds) | CFC | epochs"),
    # rendered from benchmarks/results/dfdc_tables.json by tests/test_docs_numbers_dfdc.py
    ("dfdc.md", "dataset (ours) | optimal bal."),
    ("dfdc.md", "dataset | train"),
    ("dfdc.md", "dataset | k-means (ours / paper)"),
    ("dfdc.md", "eps | paper MNIST-USPS"),
    ("dfdc.md", "beta | 0"),
}
# Tables of measured numbers whose source is not committed: real-data experiments (the data
# cannot be committed and the runs take minutes to hours) that were run before results were
# recorded as files. Each needs a `robustfair run ... --json` export or a benchmark JSON.
UNSOURCED = {
}
# Tables whose numbers are definitions, shapes or settings rather than measurements.
NOT_MEASURED = {
    ("README.md", "extra | brings | for"),
    ("attacks-spillover.md", "`depth=` | function"),
    ("cluster-fair-assignment.md", "class | registry name"),
    ("cluster-fairlets.md", "class | registry name"),
    ("datasets.md", "name | shape"),
    ("datasets.md", "name | file"),
    ("dfdc.md", "step | what"),
    ("dfdc-assignment.md", " | "),
    ("dfdc-assignment.md", "attribute | meaning"),
    ("influence.md", "name | objective f on the validation set (paper eq.)"),
    ("influence.md", "name | reproduces"),
    ("metrics.md", "function | definition"),
    ("metrics.md", "function | what it measures"),
    ("optim.md", "method | spaces"),
}


def _has_numbers(rows: list[list[str]]) -> bool:
    return any(numbers(cell) for row in rows for cell in row[1:])


def test_every_table_of_numbers_is_sourced_or_listed():
    pages = [*sorted(DOCS.glob("*.md")), ROOT / "README.md"]
    found = set()
    for page in pages:
        for header, rows in tables(page.read_text()):
            if not _has_numbers(rows):
                continue
            joined = " | ".join(header)
            listed = [key for key in (*SOURCED, *UNSOURCED, *NOT_MEASURED)
                      if key[0] == page.name and joined.startswith(key[1])]
            assert listed, f"{page.name}: table {joined[:60]!r} has numbers but no source; add it to SOURCED or UNSOURCED"
            found.add(max(listed, key=lambda k: len(k[1])))
    stale = (SOURCED | set(UNSOURCED) | NOT_MEASURED) - found
    assert not stale, f"listed tables no longer in the docs: {sorted(stale)}"


UNSOURCED_MARK = "*Unsourced:"


def _tables_with_next_line(text: str) -> list[tuple[str, str]]:
    """(joined header, first non-blank line after the table) for every table of ``text``."""
    lines = text.splitlines()
    out, i = [], 0
    while i < len(lines):
        if lines[i].startswith("|"):
            j = i
            while j < len(lines) and lines[j].startswith("|"):
                j += 1
            header = " | ".join(c.strip() for c in lines[i].strip().strip("|").split("|"))
            k = j
            while k < len(lines) and not lines[k].strip():
                k += 1
            out.append((header, lines[k] if k < len(lines) else ""))
            i = j
        else:
            i += 1
    return out


def test_unsourced_tables_say_so_to_the_reader_and_sourced_ones_do_not():
    """A reader sees which tables are not yet backed by a committed result: each table in
    UNSOURCED is followed by the *Unsourced:* note, and no other table is."""
    for page in sorted(DOCS.glob("*.md")):
        for header, after in _tables_with_next_line(page.read_text()):
            unsourced = any(p == page.name and header.startswith(prefix) for p, prefix in UNSOURCED)
            marked = after.startswith(UNSOURCED_MARK)
            assert marked == unsourced, (
                f"{page.name}: table {header[:50]!r} "
                + ("is unsourced but not marked" if unsourced else "is marked unsourced but is not listed")
            )
