"""`robustfair audit` end to end on a CSV the test writes, and the discoverable-settings CLI."""

import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from robustfair.experiments import list_experiments
from robustfair.experiments._registry import describe_settings


def run_cli(*args, cwd=None, timeout=300):
    env = dict(os.environ)
    env.pop("ROBUSTFAIR_DATA", None)
    return subprocess.run([sys.executable, "-m", "robustfair", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=timeout)


def write_people(path, n=240, seed=0, missing=True):
    """People whose features follow their sex: vanilla k-means splits the groups apart."""
    rng = np.random.default_rng(seed)
    sex = rng.choice(["F", "M"], n, p=[0.4, 0.6])
    race = rng.choice(["A", "B"], n)
    shift = np.where(sex == "F", -1.5, 1.5)
    df = pd.DataFrame({
        "age": (40 + 8 * shift + rng.normal(0, 4, n)).round(),
        "hours": (40 + 4 * shift + rng.normal(0, 3, n)).round(1),
        "job": rng.choice(["clerk", "sales", "manager"], n),
        "sex": sex, "race": race,
        "income": np.where(rng.random(n) < 0.5, ">50K", "<=50K"),
    })
    if missing:
        df.loc[[4, 9], "job"] = None
    df.to_csv(path, index=False)
    return df


@pytest.fixture(scope="module")
def people_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("audit") / "people.csv"
    write_people(path)
    return path


def test_audit_json_is_one_object_with_run_shaped_records(people_csv, tmp_path):
    out = run_cli("audit", str(people_csv), "--sensitive", "sex", "--target", "income", "--dropna",
                  "--methods", "kmeans,sfd", "--attack", "--fractions", "0.1,0.3",
                  "--n-boot", "30", "--json", "-o", str(tmp_path / "audit.html"))
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)  # fails if anything else is on stdout
    assert out.stderr == ""  # --json: no progress bar
    assert payload["experiment"] == "audit" and payload["config"]["dataset"] == "people"
    records = payload["records"]
    for r in records:
        assert {"dataset", "method", "seed", "metric", "value"} <= set(r)
    value = {(r["method"], r["metric"]): r["value"] for r in records if "attack" not in r}
    assert value[("sfd", "balance")] > 0.5 > value[("kmeans", "balance")]  # the fair method is fairer here
    attacked = {(r["attack"], r["fraction"]): r["value"] for r in records
                if r.get("attack") and r["metric"] == "balance" and r["method"] == "sfd"}
    assert set(attacked) == {(a, f) for a in ("none", "ours", "random") for f in (0.1, 0.3)}
    for f in (0.1, 0.3):  # the default budget (20 queries): the attack hurts, more than random flips do
        assert attacked[("ours", f)] < attacked[("none", f)] - 0.1
        assert attacked[("ours", f)] < attacked[("random", f)] - 0.05
    assert {r["metric"] for r in records if r.get("attack")} >= {"balance", "nmi", "n_flipped"}
    assert set(payload["grouped"]) == {"kmeans", "sfd"}
    rows = {(g["row"], g["metric"]) for g in payload["grouped"]["sfd"]}
    assert ("F", "balance") in rows and ("summary", "social_fairness_cost") in rows
    page = (tmp_path / "audit.html").read_text()
    assert "group by group" in page and page.count("<img") >= 3 and "Fairness under attack" in page


def test_audit_text_output_with_intersections(people_csv):
    out = run_cli("audit", str(people_csv), "--sensitive", "sex,race", "--dropna", "--methods", "kmeans,kfc,sfd",
                  "--n-boot", "0")
    assert out.returncode == 0, out.stderr
    assert "sex=F|race=A" in out.stdout and "kfc" in out.stdout
    assert "skipped sfd" in out.stderr and "exactly 2 protected groups" in out.stderr  # 4 groups here
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize(
    "args, needle",
    [
        (("--sensitive", "gender"), "column 'gender' does not exist"),
        (("--sensitive", "sex"), "column 'job' has 2 missing value"),
        (("--sensitive", "sex", "--dropna", "--target", "salary"), "target: column 'salary'"),
        (("--sensitive", "sex", "--dropna", "--methods", "kmeans,nosuch"), "nosuch"),
        (("--sensitive", "sex", "--dropna", "--fractions", "0.1,x"), "--fractions"),
        (("--sensitive", "sex", "--dropna", "--fractions", "1.5"), "fractions"),
        (("--sensitive", "sex", "--dropna", "--k", "1"), "k"),
        (("--sensitive", "sex", "--dropna", "--k", "100000"), "larger than the number of samples"),
    ],
)
def test_audit_bad_input_is_one_line_and_exit_2(people_csv, args, needle):
    out = run_cli("audit", str(people_csv), *args, "--n-boot", "0")
    assert out.returncode == 2, out.stdout + out.stderr
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and needle in lines[0], out.stderr
    assert "Traceback" not in out.stderr


def test_audit_bad_files_exit_2(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    const = tmp_path / "const.csv"
    pd.DataFrame({"a": [1.0, 2.0, 3.0], "sex": ["F", "F", "F"]}).to_csv(const, index=False)
    for path, needle in ((empty, "empty file"), (tmp_path / "nope.csv", "does not exist"),
                         (const, "single value")):
        out = run_cli("audit", str(path), "--sensitive", "sex")
        assert out.returncode == 2 and needle in out.stderr and "Traceback" not in out.stderr, out.stderr


def test_version_flag():
    from robustfair import __version__

    out = run_cli("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"robustfair {__version__}"


def test_run_name_help_lists_every_setting():
    out = run_cli("run", "fairness-attack", "--help")
    assert out.returncode == 0, out.stderr
    from robustfair.experiments import get_experiment

    for name in get_experiment("fairness-attack").config_cls.model_fields:
        assert f"  {name} " in out.stdout
    assert "default sfd,fsc,kfc,cfc" in out.stdout
    generic = run_cli("run", "--help")
    assert generic.returncode == 0 and "--set" in generic.stdout
    bad = run_cli("run", "no-such-experiment", "--help")
    assert bad.returncode == 2 and "Unknown experiment" in bad.stderr


@pytest.mark.parametrize(
    "experiment", [e.name for e in list_experiments() if e.func.__module__.startswith("robustfair.")])
def test_every_setting_has_a_type_default_and_meaning(experiment):
    from robustfair.experiments import get_experiment

    rows = describe_settings(get_experiment(experiment).config_cls)
    undocumented = [r["name"] for r in rows if not r["help"].strip()]
    assert not undocumented, f"{experiment}: settings without a description: {undocumented}"
    assert all(r["type"] and r["default"] for r in rows)


def test_datasets_shows_expected_path_without_a_data_root():
    out = run_cli("datasets")
    assert out.returncode == 0
    line = next(line for line in out.stdout.splitlines() if line.startswith("adult "))
    assert "<data root>/adult/adult.data" in line and "built-in" not in line


def test_datasets_into_a_closed_pipe_has_no_traceback():
    cmd = f"{sys.executable} -m robustfair datasets | head -n 1"
    out = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip()
    assert "Traceback" not in out.stderr and "BrokenPipe" not in out.stderr
