"""docs/deep-evasion.md's measured table and sentences come from benchmarks/results/deep_evasion_table.json.

The JSON is written by ``benchmarks/bench_deep_evasion_table.py`` (the ``deep-evasion``
experiment at CPU size on MNIST-USPS). Every numeric cell of the table ``victim | eps | ...``
is compared with the JSON within the rounding it is printed with, the table has one row per
JSON row (no row left out, none added), and the sentences around it are rendered from the
JSON. ``render_table`` printed the table the page shows.
"""

from __future__ import annotations

import pytest

from tests.test_docs_numbers import DOCS, load, numbers, table, within_rounding

PAGE = "deep-evasion.md"
HEADER = "victim | eps | objective"
SOURCE = "deep_evasion_table"
NAMES = {"cc": "CC", "dec": "DEC", "scan": "SCAN"}
ORDER = {"cc": 0, "dec": 1, "scan": 2}


def _drop(pre: float, post: float) -> float:
    return 100.0 * (pre - post) / pre


def _n_images(result: dict) -> int:
    """Images attacked per cell: the clean-membership query counts one per image."""
    return {"mnist-usps": 3800, "digits": 1797}[result["dataset"]]


def rows(result: dict) -> list[dict]:
    return sorted(result["rows"], key=lambda r: (ORDER[r["victim"]], r["eps"], r["objective"] != "eq2.6"))


def expected_cells(row: dict, n_images: int) -> list[tuple[str, list[float]]]:
    """(text without numbers, numbers in order) of each cell of one table row."""
    pre = row["nmi_pre"]
    transfer = "; ".join(
        f"{NAMES[t]} {{}} → {{}}" for t, v in sorted(row["transfer"].items(), key=lambda kv: ORDER[kv[0]])
    )
    transfer_values = [x for _, v in sorted(row["transfer"].items(), key=lambda kv: ORDER[kv[0]])
                       for x in (v["pre"], v["post"])]
    return [
        (NAMES[row["victim"]], []),
        ("{}", [row["eps"]]),
        (f"`{row['objective']}`", []),
        ("{}", [pre]),
        ("{} ({}%)", [row["nmi_black_box"], _drop(pre, row["nmi_black_box"])]),
        ("{} ({}%)", [row["nmi_white_box"], _drop(pre, row["nmi_white_box"])]),
        ("{} ({}%)", [row["nmi_sign_noise"], _drop(pre, row["nmi_sign_noise"])]),
        ("{}", [row["queries_black_box"] / n_images]),
        ("{} → {}", [row["nmi_adv_trained_pre"], row["nmi_adv_trained_post"]]),
        (transfer, transfer_values),
        ("{}", [row["detection_rate"]]),
        ("{} / {}", [row["ssd_detection_rate"], row["ssd_noise_detection_rate"]]),
    ]


def render_table(result: dict) -> str:
    """The Markdown table of docs/deep-evasion.md (NMI 3 decimals, drops and rates 2 digits)."""
    digits = [None, "g", None, ".3f", (".3f", ".0f"), (".3f", ".0f"), (".3f", ".0f"), ".0f", ".3f", ".3f", ".2f",
              ".2f"]
    head = ("| victim | eps | objective | NMI before | black-box (drop) | white-box (drop) | sign noise (drop) "
            "| queries per image | adv-trained copy, black-box | transfer: NMI on the other victims "
            "| Mahalanobis detection | SSD: adversarial / sign noise |")
    lines = [head, "|" + "---|" * 12]
    for row in rows(result):
        cells = []
        for (text, values), fmt in zip(expected_cells(row, _n_images(result)), digits, strict=True):
            fmts = fmt if isinstance(fmt, tuple) else (fmt,) * len(values)
            fmts = fmts if len(fmts) == len(values) else (fmts[0],) * len(values)
            cells.append(text.format(*(format(v, f) for v, f in zip(values, fmts, strict=True))))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def result():
    return load(SOURCE)


def test_table_has_one_row_per_measured_cell(result):
    shown = table(PAGE, HEADER)
    keys = [(r[0], r[1], r[2]) for r in shown]
    want = [(NAMES[r["victim"]], format(r["eps"], "g"), f"`{r['objective']}`") for r in rows(result)]
    assert keys == want


def test_every_numeric_cell_is_the_committed_result(result):
    shown = table(PAGE, HEADER)
    checked = 0
    for cells, row in zip(shown, rows(result), strict=True):
        expected = expected_cells(row, _n_images(result))
        assert len(cells) == len(expected)
        for cell, (_, values) in zip(cells, expected, strict=True):
            found = numbers(cell)
            assert len(found) == len(values), (cell, values)
            for shown_number, value in zip(found, values, strict=True):
                assert value is not None, f"{cell!r}: no value in {SOURCE}.json"
                assert within_rounding(shown_number, value), f"{cell!r}: {shown_number} vs {value}"
                checked += 1
    assert checked >= 10 * len(shown)


def test_the_table_is_the_rendered_result(result):
    assert render_table(result) in (DOCS / PAGE).read_text()


def claims(result: dict) -> list[str]:
    """Sentences of the page whose numbers come from the JSON."""
    by = {(r["victim"], r["objective"], r["eps"]): r for r in result["rows"]}
    top = max(r["eps"] for r in result["rows"])

    def ratio(r: dict) -> float:
        return (r["nmi_pre"] - r["nmi_black_box"]) / (r["nmi_pre"] - r["nmi_sign_noise"])

    victims = [v for v in NAMES if (v, "eq2.6", top) in by]
    script = result["command"].split()[1].rsplit("/", 1)[-1]
    rates = {round(r["ssd_false_positive_rate"], 3) for r in result["rows"]}
    assert len(rates) == 1  # one SSD per run, fitted on the same clean images with the same seed
    return [
        f"python benchmarks/{script}",
        "`benchmarks/results/deep_evasion_table.json`",
        "sign-noise drop at eps 0.3 is "
        + ", ".join(f"{NAMES[v]}: {ratio(by[(v, 'eq2.6', top)]):.1f}x" for v in victims)
        + ".",
        f"(DEC at eps 0.1: {ratio(by[('dec', 'eq2.6', 0.1)]):.1f}x)",
        "pre-attack NMI " + ", ".join(f"{NAMES[v]} {by[(v, 'eq2.6', top)]['nmi_pre']:.3f}" for v in victims),
        f"false positive rate on benign images is {rates.pop():.3f}",
    ]


def test_sentences_render_their_numbers_from_the_results(result):
    text = " ".join((DOCS / PAGE).read_text().split())  # sentences wrap across lines
    for sentence in claims(result):
        assert sentence in text, f"{PAGE} should say {sentence!r} (from benchmarks/results/{SOURCE}.json)"
