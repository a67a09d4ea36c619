"""Label-only service over HTTP and the surrogate transfer attack (thesis 2.4)."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

torch = pytest.importorskip("torch")
torch.set_num_threads(1)

from sklearn.datasets import load_digits  # noqa: E402

from robustfair.attacks._label_only import LabelOnlyTarget, TransferAttack  # noqa: E402
from robustfair.attacks._service import ClusteringServiceClient, ServiceError, serve_clusterer  # noqa: E402
from robustfair.deep import DEC  # noqa: E402


EPS_T = 0.3


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    rng = np.random.default_rng(2)
    idx = rng.choice(np.flatnonzero(np.isin(y, [0, 1, 4, 7])), 240, replace=False)
    return X[idx] / 16.0, y[idx]


@pytest.fixture(scope="module")
def service(digits):
    X, _ = digits
    # The service runs an MLP autoencoder model (DEC); the attacker's surrogate is a conv CC.
    model = DEC(4, pretrain_epochs=40, epochs=3, hidden=(64, 32), embedding_dim=8, batch_size=32,
                random_state=0, device="cpu").fit(X)
    url, stop = serve_clusterer(model, host="127.0.0.1", port=0)
    yield url, model
    stop()


def _slow_or_broken_server(mode):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if mode == "slow":
                time.sleep(3)
            body = b"{not json" if mode == "garbage" else json.dumps({"labels": [0]}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server


def test_service_returns_only_cluster_ids_and_counts_queries(service, digits):
    url, model = service
    X, _ = digits
    target = LabelOnlyTarget(url, timeout=5.0, batch_size=100)
    labels = target(X[:150])
    assert labels.dtype.kind == "i" and labels.shape == (150,)
    np.testing.assert_array_equal(labels, model.predict(X[:150]))
    assert target.n_queries == 150
    assert target.target.n_requests == 2  # batches of 100


def test_transfer_attack_lowers_the_service_nmi_but_not_below_sign_noise(service, digits):
    """The transferred attack lowers the service's NMI, but on this small DEC service random sign
    noise of the same eps lowers it more (measured 0.630 -> 0.471 against 0.41-0.44 for noise; the
    same at eps 0.1 and 0.2). docs/deep-evasion.md says so; this test fails, and the docs must
    change, once the attack beats the control here."""
    url, _ = service
    X, y = digits
    attack = TransferAttack(url, eps=EPS_T, n_clusters=4, surrogate="cc", random_state=0, device="cpu",
                            surrogate_options={"epochs": 6, "batch_size": 64, "width": 8},
                            attack_options={"epochs": 4, "batch_size": 32},
                            client_options={"timeout": 5.0})
    result = attack.attack(X, y=y)
    assert result.n_queries == 2 * X.shape[0]
    assert np.abs(result.X_adv - X).max() <= EPS_T + 1e-6
    # the same-budget control: sign noise of the same eps, labelled by the same service
    from robustfair.metrics import normalized_mutual_info

    target = LabelOnlyTarget(url, timeout=5.0)
    noise = [normalized_mutual_info(y, target(np.clip(X + EPS_T * np.sign(np.random.default_rng(d).standard_normal(
        X.shape)), 0, 1))) for d in range(3)]
    before, after = result.metrics_before["nmi"], result.metrics_after["nmi"]
    assert after < before - 0.1
    assert max(noise) < after


def test_dead_service_raises_within_the_timeout():
    client = ClusteringServiceClient("http://127.0.0.1:9", timeout=0.5, retries=1, backoff=0.1)
    start = time.monotonic()
    with pytest.raises(ServiceError, match="did not answer"):
        client(np.zeros((2, 64)))
    assert time.monotonic() - start < 3.0


def test_slow_service_times_out_instead_of_hanging():
    url, server = _slow_or_broken_server("slow")
    try:
        client = ClusteringServiceClient(url, timeout=0.3, retries=1, backoff=0.05)
        start = time.monotonic()
        with pytest.raises(ServiceError):
            client(np.zeros((1, 64)))
        assert time.monotonic() - start < 2.0
    finally:
        server.shutdown()
        server.server_close()


def test_malformed_json_is_a_clear_value_error():
    url, server = _slow_or_broken_server("garbage")
    try:
        with pytest.raises(ValueError, match="malformed JSON"):
            ClusteringServiceClient(url, timeout=2.0, retries=0)(np.zeros((1, 64)))
    finally:
        server.shutdown()
        server.server_close()


def test_rate_limit_spaces_requests(service):
    url, _ = service
    client = ClusteringServiceClient(url, timeout=5.0, max_requests_per_second=20, batch_size=1)
    start = time.monotonic()
    client(np.zeros((4, 64)))
    assert time.monotonic() - start >= 3 / 20 - 0.01


def test_bad_request_is_rejected_with_a_clear_error(service):
    url, _ = service
    with pytest.raises(ServiceError, match="rejected"):
        ClusteringServiceClient(url, timeout=5.0)(np.full((2, 63), 0.5))  # the DEC expects 8x8 images
