"""MkDocs hooks for the docs build (``hooks:`` in mkdocs.yml).

Figures that benchmarks write live beside their JSON in ``benchmarks/results/`` (committed),
and the pages link them as ``../benchmarks/results/NAME.png`` so the links also work when the
Markdown is read in the repository. The site cannot serve files outside ``docs/``, so this hook
adds each linked figure to the build under ``benchmarks/results/`` and rewrites the links:
the figure has one source, the committed file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

_RESULTS = Path(__file__).resolve().parent.parent / "benchmarks" / "results"
_LINK = re.compile(r"\]\(\.\./benchmarks/results/([^)\s]+)\)")


def on_files(files: Files, config: Any) -> Files:
    for path in sorted(_RESULTS.glob("*.png")):
        files.append(
            File.generated(config, f"benchmarks/results/{path.name}", abs_src_path=str(path))
        )
    return files


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    depth = page.file.src_uri.count("/")
    prefix = "../" * depth
    return _LINK.sub(lambda m: f"]({prefix}benchmarks/results/{m.group(1)})", markdown)
