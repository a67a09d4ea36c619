"""Reading and writing video-summarization data.

- eccv16-style ``.h5`` files (one group per video: ``features``, ``gtscore``,
  ``user_summary``, ``change_points``, ``n_frame_per_seg``, ``n_frames``, ``picks``), the
  format VASNet, PGL-SUM, CA-SUM and FairVidSum's ``fvs.h5`` share;
- FairVidSum group labels (``fair-npy-data/{sex,eth,ind}/video_k.npy``, names from
  ``fair_labels_info.log``), its splits JSON and the shipped model summaries;
- TVSum's raw annotations ``ydata-tvsum50.mat`` (MATLAB v7.3, read with h5py), turned into
  user summaries over uniform 2-second shots (TVSum ships no change points).

Loaders take paths; nothing is downloaded.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._validation import check_choice
from ._protocol import uniform_change_points, user_summaries_from_ratings

__all__ = [
    "Video",
    "read_h5",
    "write_h5",
    "GROUP_TYPES",
    "load_group_labels",
    "load_group_names",
    "load_splits",
    "load_model_summaries",
    "TVSumVideo",
    "load_tvsum",
    "tvsum_user_summaries",
]

GROUP_TYPES = {"sex": "sex", "ethnicity": "eth", "individual": "ind"}


@dataclass(frozen=True)
class Video:
    """One video of an eccv16-style ``.h5`` file.

    Attributes
    ----------
    name : str
    features : ndarray (n_steps, n_features)
        Features of the sub-sampled frames (GoogLeNet pool5 in the public files).
    gtscore : ndarray (n_steps,)
        Mean annotated importance of the sub-sampled frames.
    picks : ndarray of int (n_steps,)
        Frame index of each sub-sampled frame.
    n_frames : int
    change_points : ndarray of int (n_shots, 2)
        Inclusive ``[start, end]`` frames of each shot.
    n_frame_per_seg : ndarray of int (n_shots,)
    user_summary : ndarray of uint8 (n_users, n_frames) or None
    """

    name: str
    features: np.ndarray
    gtscore: np.ndarray
    picks: np.ndarray
    n_frames: int
    change_points: np.ndarray
    n_frame_per_seg: np.ndarray
    user_summary: np.ndarray | None = None


def _h5py() -> Any:
    from .._optional import require

    return require("h5py", "reading and writing .h5 video files")


def read_h5(path: str | os.PathLike) -> dict[str, Video]:
    """Read every video of an eccv16-style ``.h5`` file, keyed by its group name."""
    h5py = _h5py()

    path = Path(path)
    if not path.is_file():
        raise ValueError(f"path: no .h5 file at {path}.")
    out: dict[str, Video] = {}
    with h5py.File(path, "r") as f:
        for name in f.keys():
            grp = f[name]
            missing = [k for k in ("features", "gtscore", "picks", "n_frames", "change_points") if k not in grp]
            if missing:
                raise ValueError(f"path: video {name!r} in {path} lacks {', '.join(missing)}.")
            cp = np.asarray(grp["change_points"][()], dtype=np.int64)
            nfps = (
                np.asarray(grp["n_frame_per_seg"][()], dtype=np.int64)
                if "n_frame_per_seg" in grp
                else cp[:, 1] - cp[:, 0] + 1
            )
            users = np.asarray(grp["user_summary"][()], dtype=np.uint8) if "user_summary" in grp else None
            out[name] = Video(
                name=name,
                features=np.asarray(grp["features"][()], dtype=np.float32),
                gtscore=np.asarray(grp["gtscore"][()], dtype=np.float64),
                picks=np.asarray(grp["picks"][()], dtype=np.int64),
                n_frames=int(np.asarray(grp["n_frames"][()]).ravel()[0]),
                change_points=cp,
                n_frame_per_seg=nfps,
                user_summary=users,
            )
    return out


def write_h5(path: str | os.PathLike, videos: Mapping[str, Video] | Iterable[Video]) -> Path:
    """Write videos to an eccv16-style ``.h5`` file (overwriting it); returns the path."""
    h5py = _h5py()

    items = list(videos.values()) if isinstance(videos, Mapping) else list(videos)
    path = Path(path)
    with h5py.File(path, "w") as f:
        for v in items:
            if not isinstance(v, Video):
                raise ValueError(f"videos must hold Video records; got {type(v).__name__}.")
            grp = f.create_group(v.name)
            grp["features"] = np.asarray(v.features, dtype=np.float32)
            grp["gtscore"] = np.asarray(v.gtscore, dtype=np.float32)
            grp["picks"] = np.asarray(v.picks, dtype=np.int64)
            grp["n_frames"] = np.int64(v.n_frames)
            grp["n_steps"] = np.int64(len(v.picks))
            grp["change_points"] = np.asarray(v.change_points, dtype=np.int64)
            grp["n_frame_per_seg"] = np.asarray(v.n_frame_per_seg, dtype=np.int64)
            if v.user_summary is not None:
                grp["user_summary"] = np.asarray(v.user_summary, dtype=np.float32)
    return path


def _video_key(video: Any) -> str:
    if isinstance(video, (int, np.integer)):
        return f"video_{int(video)}"
    key = str(video)
    if not re.fullmatch(r"video_\d+", key):
        raise ValueError(f"video must be an int or a name like 'video_3'; got {video!r}.")
    return key


def load_group_labels(folder: str | os.PathLike, video: int | str, group_type: str) -> np.ndarray:
    """Frames-by-groups 0/1 matrix of one FairVidSum video.

    Parameters
    ----------
    folder : path
        The ``fair-npy-data`` folder.
    video : int or str
        ``3`` or ``"video_3"``.
    group_type : {"sex", "ethnicity", "individual"}
    """
    check_choice(group_type, GROUP_TYPES, "group_type")
    path = Path(folder) / GROUP_TYPES[group_type] / f"{_video_key(video)}.npy"
    if not path.is_file():
        raise ValueError(f"folder: no group labels at {path}.")
    return np.load(path, allow_pickle=False).astype(np.float64)


def load_group_names(log_path: str | os.PathLike) -> dict[str, dict[str, list[str]]]:
    """Group names by column, from FairVidSum's ``fair_labels_info.log``.

    Returns ``{"video_1": {"sex": ["F", "M"], "ethnicity": [...], "individual": [...]}}``;
    names are stripped of stray spaces.
    """
    import ast

    text = Path(log_path).read_text()
    out: dict[str, dict[str, list[str]]] = {}
    current = None
    short_to_long = {v: k for k, v in GROUP_TYPES.items()}
    for line in text.splitlines():
        m = re.search(r"VIDEO (\d+)", line)
        if m:
            current = f"video_{m.group(1)}"
            out[current] = {}
            continue
        m = re.match(r"\s*(sex|eth|ind)\s*:\s*\d+\s*=>\s*(\{.*\})", line)
        if m and current is not None:
            mapping = ast.literal_eval(m.group(2))
            names = [""] * len(mapping)
            for name, col in mapping.items():
                names[int(col)] = str(name).strip()
            out[current][short_to_long[m.group(1)]] = names
    return out


def load_splits(path: str | os.PathLike) -> list[dict[str, list[str]]]:
    """The splits JSON: a list of ``{"train_keys": [...], "test_keys": [...]}``."""
    splits = json.loads(Path(path).read_text())
    if not isinstance(splits, list) or not all("test_keys" in s for s in splits):
        raise ValueError(f"path: {path} is not a splits file (a list of {{train_keys, test_keys}}).")
    return splits


def load_model_summaries(npz_path: str | os.PathLike, index_path: str | os.PathLike) -> list[dict[str, Any]]:
    """Shipped FairVidSum model summaries: one dict per (model, split, video).

    Each dict has ``model``, ``split`` (int), ``video``, ``summary`` (uint8 0/1 array) and
    ``n_frames``.
    """
    arrays = np.load(npz_path, allow_pickle=False)
    rows = []
    with open(index_path, newline="") as fh:
        for row in csv.DictReader(fh):
            summary = np.asarray(arrays[row["key"]]).astype(np.uint8)
            rows.append(
                {
                    "model": row["model"],
                    "split": int(row["split"]),
                    "video": row["video_id"],
                    "summary": summary,
                    "n_frames": int(row["n_frames"]),
                }
            )
    return rows


@dataclass(frozen=True)
class TVSumVideo:
    """One TVSum video's annotations.

    ``ratings`` is ``(n_frames, n_annotators)`` importance 1-5; ``gt_score`` their mean.
    """

    name: str
    category: str
    title: str
    n_frames: int
    duration: float
    ratings: np.ndarray
    gt_score: np.ndarray

    @property
    def fps(self) -> float:
        return self.n_frames / self.duration


def _mat_string(f: Any, ref: Any) -> str:
    return "".join(chr(int(c)) for c in np.asarray(f[ref][()]).ravel())


def load_tvsum(path: str | os.PathLike) -> list[TVSumVideo]:
    """Read ``ydata-tvsum50.mat`` (MATLAB v7.3 = HDF5) into :class:`TVSumVideo` records."""
    h5py = _h5py()

    path = Path(path)
    if not path.is_file():
        raise ValueError(f"path: no TVSum .mat file at {path}.")
    out = []
    with h5py.File(path, "r") as f:
        s = f["tvsum50"]
        for i in range(s["video"].shape[0]):
            ratings = np.asarray(f[s["user_anno"][i, 0]][()], dtype=np.float64).T  # h5py gives (20, n)
            out.append(
                TVSumVideo(
                    name=_mat_string(f, s["video"][i, 0]),
                    category=_mat_string(f, s["category"][i, 0]),
                    title=_mat_string(f, s["title"][i, 0]),
                    n_frames=int(np.asarray(f[s["nframes"][i, 0]][()]).ravel()[0]),
                    duration=float(np.asarray(f[s["length"][i, 0]][()]).ravel()[0]),
                    ratings=ratings,
                    gt_score=np.asarray(f[s["gt_score"][i, 0]][()], dtype=np.float64).ravel(),
                )
            )
    return out


def tvsum_user_summaries(
    video: TVSumVideo, *, shot_seconds: float = 2.0, budget: float = 0.15
) -> tuple[np.ndarray, np.ndarray]:
    """User summaries of a TVSum video: one knapsack per annotator over uniform shots.

    TVSum ships no change points, so shots are ``round(shot_seconds * fps)`` frames long
    (TVSum's annotation unit is 2 seconds).

    Returns
    -------
    user_summary : ndarray of uint8, shape (n_annotators, n_frames)
    change_points : ndarray of int, shape (n_shots, 2)
    """
    shot = max(1, int(round(shot_seconds * video.fps)))
    cp = uniform_change_points(video.n_frames, shot_length=shot)
    return user_summaries_from_ratings(video.ratings, change_points=cp, budget=budget), cp
