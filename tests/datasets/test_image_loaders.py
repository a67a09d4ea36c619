"""Image and plain-clustering loaders, each on a tiny fake file in the real format."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from robustfair.datasets import DatasetNotFoundError, load_dataset


def _folder(root: Path, name: str) -> Path:
    (root / name).mkdir(parents=True, exist_ok=True)
    return root / name


def test_mnist_usps_jpda_reads_x_y_s(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.random((5, 256)).astype(np.float32)
    np.savez_compressed(_folder(tmp_path, "mnist-usps") / "mnist_usps_jpda.npz",
                        X=X, y=np.array([0, 1, 2, 3, 4]), s=np.array([0, 0, 0, 1, 1]))
    data = load_dataset("mnist-usps", data_dir=tmp_path)
    assert data.X.shape == (5, 256) and data.X.dtype == np.float64
    np.testing.assert_allclose(data.X, X)
    assert data.group_names == ("MNIST", "USPS") and data.sensitive.tolist() == [0, 0, 0, 1, 1]


def test_mnist_usps_dfc_resizes_usps_to_28x28(tmp_path):
    folder = _folder(tmp_path, "mnist-usps")
    mnist = np.full((3, 28, 28), 255, dtype=np.uint8)
    usps = np.zeros((2, 16, 16), dtype=np.uint8)
    usps[:, 4:12, 4:12] = 255
    np.savez_compressed(folder / "mnist_usps_dfc.npz", mnist_X=mnist, mnist_y=np.array([7, 1, 0]),
                        usps_X=usps, usps_y=np.array([3, 9]))
    data = load_dataset("mnist-usps", data_dir=tmp_path, variant="dfc")
    assert data.X.shape == (5, 784)
    assert data.X.min() >= 0 and data.X.max() <= 1
    np.testing.assert_array_equal(data.X[:3], 1.0)
    assert data.y.tolist() == [7, 1, 0, 3, 9] and data.sensitive.tolist() == [0, 0, 0, 1, 1]
    usps_image = data.X[3].reshape(28, 28)
    assert usps_image[14, 14] == pytest.approx(1.0) and usps_image[0, 0] == 0.0
    # The jpda file is not needed for the dfc variant and vice versa.
    with pytest.raises(DatasetNotFoundError, match="mnist_usps_jpda.npz"):
        load_dataset("mnist-usps", data_dir=tmp_path)
    with pytest.raises(ValueError, match="variant"):
        load_dataset("mnist-usps", data_dir=tmp_path, variant="svhn")


def test_yale_groups_by_illumination_angle(tmp_path):
    X = np.arange(4 * 24 * 24, dtype=np.uint8).reshape(4, 24, 24)
    np.savez_compressed(
        _folder(tmp_path, "yale") / "yale_cropped_24x24.npz", X=X, subject=np.array([1, 1, 2, 39]),
        azimuth=np.array([0, -50, 20, 130]), elevation=np.array([0, 10, 45, -20]),
        filename=np.array(["yaleB01_P00A+000E+00.pgm"] * 4),
    )
    data = load_dataset("yale", data_dir=tmp_path)
    assert data.X.shape == (4, 576) and data.X.max() <= 1
    assert data.y.tolist() == [1, 1, 2, 39]
    assert data.sensitive.tolist() == [0, 1, 1, 1]
    assert data.group_names == ("near-frontal-light", "oblique-light")
    assert load_dataset("yale", data_dir=tmp_path, threshold=60).sensitive.tolist() == [0, 0, 0, 1]


SEEDS = (
    "15.26\t14.84\t0.871\t5.763\t3.312\t2.221\t5.22\t1\n"
    "14.88\t14.57\t0.8811\t5.554\t3.333\t1.018\t4.956\t1\n"
    "17.63\t15.98\t0.8673\t6.191\t3.561\t4.076\t6.06\t2\n"
    "11.23\t12.63\t0.884\t4.902\t2.879\t2.269\t4.703\t3"
)


def test_seeds_seven_features_and_class_selection(tmp_path):
    (_folder(tmp_path, "seeds") / "seeds_dataset.txt").write_text(SEEDS)  # no trailing newline
    data = load_dataset("seeds", data_dir=tmp_path)
    assert data.X.shape == (4, 7) and data.y.tolist() == [1, 1, 2, 3] and data.sensitive is None
    assert data.X[2, 0] == 17.63 and data.feature_names[0] == "area"
    assert load_dataset("seeds", data_dir=tmp_path, classes="1,2").y.tolist() == [1, 1, 2]
    with pytest.raises(ValueError, match="classes"):
        load_dataset("seeds", data_dir=tmp_path, classes=(4,))


def _postures_text() -> str:
    header = "Class,User," + ",".join(f"X{m},Y{m},Z{m}" for m in range(12))
    rows = []
    for i, (cls, user) in enumerate([(1, 0), (1, 1), (2, 2), (3, 0), (3, 1)]):
        coords = [f"{i + 0.5 * j:.4f}" for j in range(15)] + ["?"] * 21
        rows.append(",".join([str(cls), str(user), *coords]))
    rows.append("2,1," + ",".join(["?"] * 36))  # a row missing marker 0
    return header + "\n" + "\n".join(rows) + "\n"


def test_hand_postures_markers_missing_rows_and_user_groups(tmp_path):
    with gzip.open(_folder(tmp_path, "hand-postures") / "Postures.csv.gz", "wt") as handle:
        handle.write(_postures_text())
    data = load_dataset("hand-postures", data_dir=tmp_path)
    assert data.X.shape == (5, 9) and data.feature_names[:3] == ("X0", "Y0", "Z0")
    assert data.y.tolist() == [1, 1, 2, 3, 3] and data.sensitive is None
    np.testing.assert_allclose(data.X[1, :2], [1.0, 1.5])
    five = load_dataset("hand-postures", data_dir=tmp_path, n_markers=5)
    assert five.X.shape == (5, 15)
    with pytest.raises(ValueError, match="at least 1 sample"):  # marker 5 is never recorded here
        load_dataset("hand-postures", data_dir=tmp_path, n_markers=6)
    by_user = load_dataset("hand-postures", data_dir=tmp_path, sensitive="user", classes="1,3")
    assert by_user.group_names == ("user 0", "user 1") and by_user.sensitive.tolist() == [0, 1, 0, 1]
    with pytest.raises(ValueError, match="n_markers"):
        load_dataset("hand-postures", data_dir=tmp_path, n_markers=13)


@pytest.mark.parametrize("name", ["mnist-usps", "yale", "hand-postures"])
def test_subsampling_options_are_deterministic(tmp_path, name):
    if name == "mnist-usps":
        np.savez_compressed(_folder(tmp_path, "mnist-usps") / "mnist_usps_jpda.npz",
                            X=np.random.default_rng(1).random((6, 256)), y=np.arange(6), s=np.arange(6) % 2)
    elif name == "yale":
        np.savez_compressed(_folder(tmp_path, "yale") / "yale_cropped_24x24.npz",
                            X=np.zeros((6, 24, 24), np.uint8), subject=np.arange(6),
                            azimuth=np.arange(6) * 20, elevation=np.zeros(6, int))
    else:
        with gzip.open(_folder(tmp_path, "hand-postures") / "Postures.csv.gz", "wt") as handle:
            handle.write(_postures_text())
    a = load_dataset(name, data_dir=tmp_path, n_samples=3, random_state=4)
    b = load_dataset(name, data_dir=tmp_path, n_samples=3, random_state=4)
    assert a.n_samples == 3
    np.testing.assert_array_equal(a.y, b.y)
