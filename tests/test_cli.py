"""The command line: output contract and exit codes."""

import json
import os
import subprocess
import sys

import pytest


def run_cli(*args, env=None, cwd=None):
    full_env = dict(os.environ)
    full_env.pop("ROBUSTFAIR_DATA", None)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "robustfair", *args], capture_output=True, text=True,
                          env=full_env, cwd=cwd, timeout=300)


def test_run_json_prints_exactly_one_object(tmp_path):
    db = tmp_path / "r.db"
    out = run_cli("run", "fairness-audit", "--set", "methods=kmeans", "--set", "dataset=inverted-digits",
                  "--seeds", "2", "--db", str(db), "--json")
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)  # fails if anything else is printed on stdout
    assert payload["experiment"] == "fairness-audit"
    assert payload["config"]["methods"] == ["kmeans"]
    records = payload["records"]
    assert {r["seed"] for r in records} == {0, 1}
    for r in records:
        assert {"dataset", "method", "seed", "metric", "value"} <= set(r)
    assert out.stderr == ""  # --json is silent on stderr too (no progress bar)


def test_list_names_fairness_audit():
    out = run_cli("list")
    assert out.returncode == 0
    assert "fairness-audit" in out.stdout


def test_datasets_lists_builtins_and_missing_files(tmp_path):
    out = run_cli("datasets", "--data-dir", str(tmp_path))
    assert out.returncode == 0, out.stderr
    lines = {line.split()[0]: line for line in out.stdout.splitlines() if line.strip()}
    assert "built-in" in lines["inverted-digits"]
    assert "MISSING" in lines["adult"] and str(tmp_path) in lines["adult"]


@pytest.mark.parametrize(
    "args, needle",
    [
        (("run", "no-such-experiment"), "Unknown experiment"),
        (("run", "fairness-audit", "--set", "bogus=1"), "bogus"),
        (("run", "fairness-audit", "--set", "k=abc"), "'k'"),
        (("run", "fairness-audit", "--set", "methods=kmeans,nosuch"), "nosuch"),
        (("run", "fairness-audit", "--set", "noequals"), "key=value"),
        (("run", "fairness-audit", "--set", "dataset=nosuchdata", "--set", "methods=kmeans"), "nosuchdata"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, needle):
    out = run_cli(*args, "--db", str(tmp_path / "r.db"))
    assert out.returncode == 2
    assert needle in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert "Traceback" not in out.stderr


def test_missing_data_file_names_the_path(tmp_path):
    out = run_cli("run", "fairness-audit", "--set", "dataset=adult", "--set", "methods=kmeans",
                  "--db", str(tmp_path / "r.db"), "--data-dir", str(tmp_path))
    assert out.returncode == 2
    assert str(tmp_path) in out.stderr and "adult" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_demo_runs_stores_reports_and_prints_tables(tmp_path):
    # Steps 1 and 4 (audit, spill-over) keep the test short; the full demo is timed by hand.
    out = run_cli("demo", "--seeds", "1", "--steps", "1,4", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "balance" in out.stdout and "kmeans" in out.stdout and "n_spillover" in out.stdout
    assert (tmp_path / "robustfair-results.db").exists()
    report = tmp_path / "robustfair-report.html"
    assert str(report) in out.stdout
    page = report.read_text()
    assert '<section id="fairness-audit">' in page and '<section id="spillover">' in page


def test_demo_rejects_unknown_steps(tmp_path):
    out = run_cli("demo", "--steps", "9", cwd=tmp_path)
    assert out.returncode == 2 and "--steps" in out.stderr
