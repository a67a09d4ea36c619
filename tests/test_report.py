"""The HTML report: one self-contained page with a section per stored experiment."""

import re

import pytest

from robustfair.experiments import run_experiment
from robustfair.report import render_report, write_report


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("rep") / "r.db"
    run_experiment("fairness-audit", {"methods": "kmeans", "n_samples": "400"}, seeds=2, db=path)
    return path


def test_report_has_a_section_table_and_figures(db, tmp_path):
    out = write_report(db, tmp_path / "report.html")
    page = out.read_text()
    assert '<section id="fairness-audit">' in page
    assert "balance" in page and "kmeans" in page
    assert len(re.findall(r'<img [^>]*src="data:image/png;base64,', page)) >= 5


def test_report_is_self_contained(db):
    page = render_report(db)
    assert "http://" not in page and "https://" not in page
    assert not re.search(r'src="(?!data:)', page)


def test_missing_db_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        write_report(tmp_path / "none.db", tmp_path / "r.html")
