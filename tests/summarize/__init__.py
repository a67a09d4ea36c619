"""Tests of robustfair.summarize and the video-fairness experiment (synthetic data only)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def write_fake_tvsum_mat(path: Path, videos: list[dict]) -> Path:
    """Write a MATLAB v7.3-style ``tvsum50`` struct (HDF5 object references) with h5py.

    Each video dict has ``name``, ``category``, ``title``, ``ratings`` (n_frames, n_users)
    and ``duration`` (seconds).
    """
    import h5py

    def text(s: str) -> np.ndarray:
        return np.array([[ord(c)] for c in s], dtype=np.uint16)

    with h5py.File(path, "w") as f:
        refs = f.create_group("#refs#")
        s = f.create_group("tvsum50")
        fields = ["video", "category", "title", "length", "nframes", "user_anno", "gt_score"]
        cols = {k: [] for k in fields}
        for i, v in enumerate(videos):
            r = np.asarray(v["ratings"], dtype=np.float64)
            data = {
                "video": text(v["name"]), "category": text(v["category"]), "title": text(v["title"]),
                "length": np.array([[v["duration"]]]), "nframes": np.array([[float(r.shape[0])]]),
                "user_anno": r.T, "gt_score": r.mean(axis=1)[None, :],
            }
            for k in fields:
                ds = refs.create_dataset(f"{k}_{i}", data=data[k])
                cols[k].append(ds.ref)
        for k in fields:
            s.create_dataset(k, data=np.array(cols[k], dtype=h5py.ref_dtype).reshape(-1, 1))
    return path
