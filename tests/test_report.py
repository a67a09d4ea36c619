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


def test_published_numbers_sit_beside_ours(tmp_path):
    db = tmp_path / "p.db"
    run_experiment("fair-clustering", {"methods": "sfd", "n_samples": "300"}, seeds=1, db=db)
    page = render_report(db)
    # thesis Table 4.4: SFD on DIGITS, balance 0.021 and NMI 0.281
    assert '<td class="pub">0.021 <small>(thesis Table 4.4)</small></td>' in page
    assert '<td class="pub">0.281 <small>(thesis Table 4.4)</small></td>' in page
    assert page.count("<th>published</th>") == 4  # balance, entropy, acc, nmi; not cost or seconds
    # each row says which stored cells (config hash, seeds, code version) our numbers come from
    from robustfair import __version__
    from robustfair.experiments import ResultsStore

    with ResultsStore(db, read_only=True) as store:
        chash = store.cells("fair-clustering")[0]["config_hash"]
    assert f"config {chash[:8]} · seeds 0 · v{__version__}" in page
