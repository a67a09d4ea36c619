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


def _nav_pages() -> list[str]:
    """Every page named in mkdocs.yml's nav, however deep."""
    import yaml

    # mkdocs.yml may name python tags (!!python/name:...) in extensions; only nav is read here
    config = yaml.load((DOCS.parent / "mkdocs.yml").read_text(), Loader=yaml.BaseLoader)
    found: list[str] = []

    def walk(node) -> None:
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)

    walk(config["nav"])
    return found


def test_every_docs_page_is_in_the_site_nav():
    nav = set(_nav_pages())
    pages = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")}
    assert sorted(pages - nav) == [], "pages missing from mkdocs.yml nav (the site would not link them)"
    assert sorted(nav - pages) == [], "nav names pages that do not exist"


def test_every_public_subpackage_has_an_api_page():
    import pkgutil

    import robustfair

    public = {
        f"robustfair.{m.name}"
        for m in pkgutil.iter_modules(robustfair.__path__)
        if m.ispkg and not m.name.startswith("_")
    }
    public.add("robustfair.report.figures")
    nav = set(_nav_pages())
    for module in sorted(public):
        page = f"api/{module.removeprefix('robustfair.')}.md"
        assert page in nav, f"{module} has no API page {page} in the nav"
        assert f"::: {module}\n" in (DOCS / page).read_text(), f"{page} does not render {module}"
