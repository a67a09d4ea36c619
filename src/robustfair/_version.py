"""The code version stored with every result: the package version plus the git commit.

A results store keys a cell by (experiment, config, seed); :func:`code_version` adds what
code produced it, so ``robustfair run`` can recompute a cell that an older (or locally
edited) version stored, instead of silently reusing its numbers.
"""

from __future__ import annotations

import functools
import hashlib
import subprocess
from pathlib import Path

__all__ = ["code_version"]


def _git(args: list[str], cwd: Path) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=5, check=True)
    except (OSError, subprocess.SubprocessError):  # no git, not a checkout, or too slow: no commit
        return None
    return out.stdout.decode("utf-8", "replace").strip()


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """``"0.1.0"`` for an installed release; ``"0.1.0+g1a2b3c4d5e6f"`` from a git checkout, with
    ``".d<hash>"`` of the uncommitted changes to tracked files when there are any."""
    from . import __version__

    here = Path(__file__).resolve().parent
    commit = _git(["rev-parse", "--short=12", "HEAD"], here)
    if not commit:
        return __version__
    version = f"{__version__}+g{commit}"
    diff = _git(["diff", "HEAD", "--", "."], here)  # this package's tracked sources only
    if diff:
        version += ".d" + hashlib.sha256(diff.encode()).hexdigest()[:8]
    return version
