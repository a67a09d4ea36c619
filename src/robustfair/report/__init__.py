"""The self-contained HTML report of a results store (``robustfair report``)."""

from ._audit import render_audit, write_audit_report
from ._html import render_report, write_report

__all__ = ["render_audit", "render_report", "write_audit_report", "write_report"]
