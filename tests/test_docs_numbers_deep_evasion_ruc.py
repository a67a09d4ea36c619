"""docs/deep-evasion.md's RUC table comes from benchmarks/results/deep_evasion_ruc.json.

The JSON is written by ``benchmarks/bench_deep_evasion_ruc.py`` (``deep-evasion`` with
``ruc=true``). Every numeric cell of the table ``model | eps | NMI before`` is compared
with the JSON within its rounding, the table has one row per (model, budget), and
``render_table`` printed the table the page shows.
"""

from __future__ import annotations

import pytest

from tests.test_docs_numbers import DOCS, load, numbers, table, within_rounding

PAGE = "deep-evasion.md"
HEADER = "model | eps | NMI before"
SOURCE = "deep_evasion_ruc"
NAMES = {"cc": "CC", "dec": "DEC", "scan": "SCAN"}


def expected_rows(result: dict) -> list[tuple[str, float, list[float]]]:
    victim = NAMES[result["victim"]]
    out = []
    for model, name in (("victim", victim), ("ruc", f"RUC on {victim}")):
        for r in result["rows"]:
            out.append((name, r["eps"], [r[f"{model}_{m}_{p}"] for m in ("nmi", "acc") for p in ("pre", "post")]))
    return out


def render_table(result: dict) -> str:
    lines = ["| model | eps | NMI before | NMI after | ACC before | ACC after |", "|---|---|---|---|---|---|"]
    for name, eps, values in expected_rows(result):
        lines.append(f"| {name} | {eps:g} | " + " | ".join(f"{v:.3f}" for v in values) + " |")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def result():
    return load(SOURCE)


def test_ruc_table_is_the_committed_benchmark(result):
    shown = table(PAGE, HEADER)
    expected = expected_rows(result)
    assert [(r[0], r[1]) for r in shown] == [(name, format(eps, "g")) for name, eps, _ in expected]
    for cells, (_, _, values) in zip(shown, expected, strict=True):
        found = [n for cell in cells[2:] for n in numbers(cell)]
        assert len(found) == len(values) == 4
        for shown_number, value in zip(found, values, strict=True):
            assert within_rounding(shown_number, value), (cells, shown_number, value)


def test_ruc_table_is_the_rendered_result(result):
    assert render_table(result) in (DOCS / PAGE).read_text()


def test_ruc_sentence_renders_its_numbers(result):
    text = " ".join((DOCS / PAGE).read_text().split())
    clean = [r["value"] for r in result["records"] if r["metric"] == "ruc_clean_fraction"]
    assert len(clean) == 1
    assert f"RUC kept {100 * clean[0]:.0f}% of the images as clean" in text
    assert f"`{result['settings']['dataset']}`" in text
