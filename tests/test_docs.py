"""Every ```python block of every docs/ page runs (blocks of one page share a namespace)."""

import os
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
PAGES = sorted(p for p in DOCS.glob("*.md") if p.name != "index.md")  # index.md only links
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def test_there_are_docs_pages():
    assert PAGES, "docs/ has no pages"


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_docs_examples_run(page, tmp_path, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    blocks = BLOCK.findall(page.read_text())
    assert blocks, f"{page.name} has no runnable ```python example"
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ROBUSTFAIR_DATA", raising=False)
    namespace: dict = {"__name__": f"docs_{page.stem}"}
    for i, code in enumerate(blocks):
        exec(compile(code, f"{page.name}[block {i}]", "exec"), namespace)
