"""The VASNet-style learner learns importance that is a known function of the features."""

import numpy as np
import pytest

from robustfair.summarize import VASNetSummarizer, Video, read_h5, uniform_change_points, write_h5

torch = pytest.importorskip("torch")


def _video(rng, i, w):
    n_steps, d = int(rng.integers(40, 70)), w.shape[0]
    x = rng.normal(size=(n_steps, d)).astype(np.float32)
    score = 1 / (1 + np.exp(-(x @ w)))  # importance = sigmoid(w . x)
    picks = np.arange(n_steps) * 15
    n_frames = n_steps * 15
    cp = uniform_change_points(n_frames, shot_length=45)
    return Video(f"video_{i}", x, score, picks, n_frames, cp, cp[:, 1] - cp[:, 0] + 1, None)


@pytest.fixture
def one_thread():
    # Tiny models: thread start-up costs more than it saves on a shared machine.
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_vasnet_learns_a_known_importance_function(tmp_path, one_thread):
    rng = np.random.default_rng(0)
    w = rng.normal(size=8)
    path = write_h5(tmp_path / "synthetic.h5", [_video(rng, i, w) for i in range(16)])
    videos = list(read_h5(path).values())
    train, test = videos[:12], videos[12:]
    model = VASNetSummarizer(hidden_size=16, n_epochs=10, learning_rate=1e-2, dropout=0.1, device="cpu",
                             random_state=0).fit(train)
    assert model.loss_curve_[-1] < model.loss_curve_[0]
    pred = np.concatenate(model.predict([v.features for v in test]))
    truth = np.concatenate([v.gtscore for v in test])
    assert np.corrcoef(pred, truth)[0, 1] > 0.85
    summary = model.summarize(test[0])
    assert summary.shape == (test[0].n_frames,)
    assert 0 < summary.sum() <= int(0.15 * test[0].n_frames)


def test_vasnet_checks_inputs():
    with pytest.raises(ValueError, match="scores"):
        VASNetSummarizer(n_epochs=1).fit([np.zeros((5, 3))], [np.zeros(4)])
    with pytest.raises(ValueError, match="not fitted"):
        VASNetSummarizer().predict(np.zeros((5, 3)))
