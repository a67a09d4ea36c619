"""eccv16 .h5 round trip, FairVidSum files and the TVSum .mat reader."""

import json

import numpy as np
import pytest

from robustfair.summarize import (
    Video,
    load_group_labels,
    load_group_names,
    load_model_summaries,
    load_splits,
    load_tvsum,
    read_h5,
    tvsum_user_summaries,
    write_h5,
)

from . import write_fake_tvsum_mat


def test_h5_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    cp = np.array([[0, 29], [30, 59], [60, 89]])
    v = Video("video_1", rng.random((6, 4)).astype(np.float32), rng.random(6), np.arange(6) * 15, 90, cp,
              np.array([30, 30, 30]), (rng.random((3, 90)) < 0.2).astype(np.uint8))
    back = read_h5(write_h5(tmp_path / "x.h5", {"video_1": v}))["video_1"]
    np.testing.assert_allclose(back.features, v.features)
    np.testing.assert_allclose(back.gtscore, v.gtscore, rtol=1e-6)
    np.testing.assert_array_equal(back.picks, v.picks)
    np.testing.assert_array_equal(back.change_points, cp)
    np.testing.assert_array_equal(back.user_summary, v.user_summary)
    assert back.n_frames == 90 and back.name == "video_1"


def test_fairvidsum_files(tmp_path):
    (tmp_path / "sex").mkdir()
    np.save(tmp_path / "sex" / "video_2.npy", np.array([[1.0, 0.0], [0.0, 1.0]]))
    assert load_group_labels(tmp_path, 2, "sex").shape == (2, 2)
    with pytest.raises(ValueError, match="group_type"):
        load_group_labels(tmp_path, 2, "age")
    log = tmp_path / "log.txt"
    log.write_text(" ==== VIDEO 2 ====\nsex : 2 => {'F': 0, 'M': 1}\nind : 2 => {'WH_M_2 ': 1, 'A': 0}\n")
    names = load_group_names(log)
    assert names["video_2"] == {"sex": ["F", "M"], "individual": ["A", "WH_M_2"]}
    (tmp_path / "splits.json").write_text(json.dumps([{"train_keys": ["video_1"], "test_keys": ["video_2"]}]))
    assert load_splits(tmp_path / "splits.json")[0]["test_keys"] == ["video_2"]
    np.savez(tmp_path / "s.npz", **{"m__split0__video_2": np.array([1, 0], dtype=np.uint8)})
    (tmp_path / "i.csv").write_text("key,model,split,video_id,n_frames\nm__split0__video_2,m,0,video_2,2\n")
    rows = load_model_summaries(tmp_path / "s.npz", tmp_path / "i.csv")
    assert rows[0]["model"] == "m" and rows[0]["split"] == 0 and list(rows[0]["summary"]) == [1, 0]


def test_tvsum_mat_to_user_summaries(tmp_path):
    rng = np.random.default_rng(0)
    ratings = np.repeat(rng.integers(1, 6, size=(10, 3)), 60, axis=0)  # 2-s segments at 30 fps
    write_fake_tvsum_mat(tmp_path / "t.mat", [{"name": "abc", "category": "VT", "title": "T",
                                                "ratings": ratings, "duration": 20.0}])
    (video,) = load_tvsum(tmp_path / "t.mat")
    assert video.name == "abc" and video.n_frames == 600 and video.fps == pytest.approx(30.0)
    np.testing.assert_array_equal(video.ratings, ratings)
    users, cp = tvsum_user_summaries(video)
    assert users.shape == (3, 600) and cp.shape == (10, 2) and cp[0, 1] == 59
    assert (users.sum(axis=1) <= 90).all()
    # each user summary holds that user's best 2-second shot
    for u in range(3):
        assert users[u, np.argmax(ratings[:, u])] == 1
