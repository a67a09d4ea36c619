"""The dataset registry: names, options, data root and missing-file errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from robustfair.datasets import (
    Dataset,
    DatasetInfo,
    DatasetNotFoundError,
    data_root,
    list_datasets,
    load_dataset,
    register_dataset,
)
from robustfair.datasets import _registry

BUILT_INS = {"digits", "digits-pair", "inverted-digits", "toy-spillover", "toy-fairness"}
FILE_DATASETS = {
    "adult", "bank", "creditcard", "german", "compas", "drug", "mnist-usps", "yale", "seeds", "hand-postures",
}


@pytest.fixture(autouse=True)
def no_env_root(monkeypatch):
    monkeypatch.delenv("ROBUSTFAIR_DATA", raising=False)


def test_every_expected_name_is_registered():
    names = {info.name for info in list_datasets()}
    assert BUILT_INS | FILE_DATASETS <= names


def test_list_datasets_reports_kind_path_and_presence(tmp_path):
    infos = {info.name: info for info in list_datasets(tmp_path)}
    assert all(isinstance(info, DatasetInfo) for info in infos.values())
    for name in BUILT_INS:
        assert infos[name].kind == "built-in" and infos[name].path is None and infos[name].present
    adult = infos["adult"]
    assert adult.kind == "file"
    assert adult.path == tmp_path / "adult" / "adult.data"
    assert not adult.present
    assert {"sensitive", "preprocessing", "n_samples", "random_state"} <= set(adult.options)
    (tmp_path / "adult").mkdir()
    (tmp_path / "adult" / "adult.data").write_text("x\n")
    assert {i.name: i for i in list_datasets(tmp_path)}["adult"].present


def test_list_datasets_without_root_has_no_path():
    info = {i.name: i for i in list_datasets()}["bank"]
    assert info.path is None and not info.present and info.files == ("bank/bank-full.csv",)


def test_data_root_prefers_argument_then_environment(monkeypatch, tmp_path):
    assert data_root() is None
    monkeypatch.setenv("ROBUSTFAIR_DATA", str(tmp_path / "env"))
    assert data_root() == tmp_path / "env"
    assert data_root(tmp_path / "arg") == tmp_path / "arg"
    assert data_root(str(tmp_path)) == tmp_path


def test_unknown_name_lists_known_names():
    with pytest.raises(ValueError, match="Unknown dataset 'nope'.*inverted-digits"):
        load_dataset("nope")


def test_unknown_option_is_named_with_accepted_ones():
    with pytest.raises(ValueError, match="Unknown option 'colour'.*accepted options: n_samples, random_state"):
        load_dataset("toy-spillover", colour="red")
    with pytest.raises(ValueError, match="accepted options: none"):
        load_dataset("digits", random_state=1)


def test_bad_option_value_raises_value_error(tmp_path):
    with pytest.raises(ValueError, match="sensitive"):
        load_dataset("adult", data_dir=tmp_path, sensitive="age")
    with pytest.raises(ValueError, match="preprocessing"):
        load_dataset("bank", data_dir=tmp_path, preprocessing="pca")


@pytest.mark.parametrize("name", sorted(FILE_DATASETS))
def test_missing_file_names_exact_path_on_one_line(name, tmp_path):
    info = {i.name: i for i in list_datasets(tmp_path)}[name]
    with pytest.raises(DatasetNotFoundError) as excinfo:
        load_dataset(name, data_dir=tmp_path)
    message = str(excinfo.value)
    assert "\n" not in message
    assert str(info.path) in message
    assert "data_dir=" in message and "ROBUSTFAIR_DATA" in message
    assert "--data-dir" not in message  # a library error names the argument, not a CLI flag
    assert isinstance(excinfo.value, ValueError) and isinstance(excinfo.value, FileNotFoundError)


def test_missing_root_says_how_to_set_it():
    with pytest.raises(DatasetNotFoundError, match="no data root is set.*ROBUSTFAIR_DATA"):
        load_dataset("adult")


def test_environment_root_is_used(monkeypatch, tmp_path):
    monkeypatch.setenv("ROBUSTFAIR_DATA", str(tmp_path))
    with pytest.raises(DatasetNotFoundError, match=str(tmp_path / "seeds" / "seeds_dataset.txt")):
        load_dataset("seeds")


def test_register_dataset_adds_a_name_with_options(monkeypatch):
    monkeypatch.setattr(_registry, "_REGISTRY", dict(_registry._REGISTRY))

    @register_dataset("tiny-test", description="three points", options={"scale": 1.0})
    def _tiny(root, *, scale=1.0):
        return Dataset(X=np.arange(6.0).reshape(3, 2) * scale, y=None, sensitive=None, name="tiny-test")

    assert load_dataset("tiny-test", scale=2.0).X[2, 1] == 10.0
    info = {i.name: i for i in list_datasets()}["tiny-test"]
    assert info.kind == "built-in" and info.options == {"scale": 1.0}
    with pytest.raises(ValueError, match="already registered"):
        register_dataset("tiny-test")(lambda root: None)


def test_missing_file_error_subclasses_both(tmp_path):
    assert issubclass(DatasetNotFoundError, ValueError)
    assert issubclass(DatasetNotFoundError, FileNotFoundError)
    assert not Path(tmp_path / "x").exists()


def test_a_data_root_given_as_an_argument_reaches_the_cell_without_the_environment(monkeypatch, tmp_path):
    import os

    from robustfair.datasets import use_data_root
    from robustfair.experiments._backends import run_cell

    monkeypatch.delenv("ROBUSTFAIR_DATA", raising=False)
    seen = []

    class _Record:
        def flat(self, seed):
            return {"seed": seed}

    def cell(config, seed):
        seen.append(data_root())
        return [_Record()]

    run_cell(cell, None, 0, str(tmp_path))
    assert seen == [tmp_path] and "ROBUSTFAIR_DATA" not in os.environ  # the old run_cell set it
    with use_data_root(tmp_path / "ctx"):
        assert data_root() == tmp_path / "ctx"
        assert data_root(tmp_path / "arg") == tmp_path / "arg"  # an explicit argument still wins
    assert data_root() is None
