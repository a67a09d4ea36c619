"""The self-contained HTML report of a results store (``robustfair report``)."""

from ._html import render_report, write_report

__all__ = ["render_report", "write_report"]
