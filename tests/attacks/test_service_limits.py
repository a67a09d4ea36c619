"""The label-only service is bounded: body size, read timeout, concurrency, JSON errors;
the client keeps its overall deadline. Everything runs against a loopback server."""

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from robustfair.attacks._service import ClusteringServiceClient, ServiceError, serve_clusterer

SCRIPT = Path(__file__).with_name("_service_script.py")
ROOT = Path(__file__).resolve().parents[2]
READ_TIMEOUT = 1.0
MAX_REQUEST_SECONDS = 3.0


def _start_server(mode="ok", read_timeout=READ_TIMEOUT, max_concurrent=4, max_request_seconds=MAX_REQUEST_SECONDS):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.Popen([sys.executable, str(SCRIPT), mode, str(read_timeout), str(max_concurrent),
                             str(max_request_seconds)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = proc.stdout.readline().strip()
    if not url.startswith("http://127.0.0.1:"):
        proc.kill()
        raise AssertionError(f"service did not start: {proc.stderr.read()}")
    return proc, int(url.rsplit(":", 1)[1])


@pytest.fixture
def server():
    proc, port = _start_server()
    yield proc, port
    proc.kill()
    proc.wait(timeout=10)
    stderr = proc.stderr.read()
    assert "Traceback" not in stderr, stderr  # no handler ever died with a traceback


def _peak_rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM in /proc status")


def _http(port, raw: bytes, *, timeout=10.0, then_send: bytes = b""):
    """Send ``raw`` on a fresh connection, read the whole answer; returns (status, JSON body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(raw)
        if then_send:
            try:
                sock.sendall(then_send)
            except OSError:
                pass  # the server stopped reading: expected once it has answered
        data = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
    assert data, "the server dropped the connection without an answer"
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body)


def _post(path, body: bytes, headers=None):
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {"Content-Length": str(len(body))}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def test_a_200_mb_declared_body_is_refused_before_reading_it(server):
    proc, port = server
    time.sleep(0.3)
    before = _peak_rss_kib(proc.pid)
    declared = 200 * 2**20
    status, payload = _http(port, _post("/cluster", b"", {"Content-Length": str(declared)}),
                            then_send=b"[" * (8 * 2**20))  # the start of a huge body follows the headers
    assert status == 413 and "larger than the limit" in payload["error"]
    grown_mib = (_peak_rss_kib(proc.pid) - before) / 1024
    assert grown_mib < 8, f"peak RSS grew by {grown_mib:.1f} MiB for a refused body"
    # still serving
    status, payload = _http(port, _post("/cluster", json.dumps({"images": [[1.0, 0.0], [-1.0, 2.0]]}).encode()))
    assert status == 200 and payload["labels"] == [1, 0]


def test_an_idle_connection_is_closed_within_the_read_timeout(server):
    _, port = server
    with socket.create_connection(("127.0.0.1", port), timeout=READ_TIMEOUT + 10) as sock:
        start = time.monotonic()
        assert sock.recv(1024) == b""  # EOF: the server closed it
        assert time.monotonic() - start < READ_TIMEOUT + 5


def test_a_body_shorter_than_its_content_length_answers_408(server):
    _, port = server
    start = time.monotonic()
    status, payload = _http(port, _post("/cluster", b'{"images": [[1', {"Content-Length": "1000"}))
    assert status == 408 and "reading the body" in payload["error"]
    assert time.monotonic() - start < READ_TIMEOUT + 5


def test_a_request_trickling_in_is_cut_off_after_max_request_seconds(server):
    _, port = server
    with socket.create_connection(("127.0.0.1", port), timeout=MAX_REQUEST_SECONDS + 10) as sock:
        start = time.monotonic()
        sock.sendall(b"POST /cluster HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        data = b""
        for _ in range(int(4 * (MAX_REQUEST_SECONDS + 5))):  # one byte per 0.25 s: inside every read timeout
            try:
                sock.sendall(b"a")
            except OSError:
                break
            time.sleep(0.25)
            sock.setblocking(False)
            try:
                data += sock.recv(65536)
            except BlockingIOError:
                pass
            finally:
                sock.setblocking(True)
            if data:
                break
        elapsed = time.monotonic() - start
    assert data.startswith(b"HTTP/1.1 408"), data[:200]
    assert json.loads(data.partition(b"\r\n\r\n")[2])["status"] == 408
    assert elapsed < MAX_REQUEST_SECONDS + 3


@pytest.mark.parametrize("body, headers, status, words", [
    (b"[" * 100_000 + b"]" * 100_000, None, 400, "nested too deeply"),
    (b"{not json", None, 400, "not valid JSON"),
    (b'{"images": [[1, 2], [3]]}', None, 400, "images"),
    (b'{"images": [[NaN, 1.0]]}', None, 400, "NaN"),
    (b'{"pictures": []}', None, 400, "images"),
    (b"", {"Transfer-Encoding": "chunked"}, 411, "Content-Length"),
    (b"", {"Content-Length": "lots"}, 400, "Content-Length"),
    (b"", {"Content-Length": "-5"}, 400, "Content-Length"),
])
def test_every_bad_request_gets_a_json_error(server, body, headers, status, words):
    _, port = server
    got, payload = _http(port, _post("/cluster", body, headers))
    assert got == status and words in payload["error"] and payload["status"] == status


def test_unknown_paths_and_malformed_requests_get_json_errors(server):
    _, port = server
    assert _http(port, b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")[0] == 404
    assert _http(port, _post("/elsewhere", b"{}"))[0] == 404
    status, payload = _http(port, b"BREW /cluster HTTP/1.1\r\n\r\n")
    assert status == 501 and "error" in payload
    status, payload = _http(port, b"garbage\r\n\r\n")
    assert 400 <= status < 500 and "error" in payload


def test_a_crashing_model_answers_500_and_the_server_keeps_serving():
    proc, port = _start_server("crash")
    try:
        for _ in range(2):
            status, payload = _http(port, _post("/cluster", b'{"images": [[1.0, 2.0]]}'))
            assert status == 500 and "RuntimeError" in payload["error"]
    finally:
        proc.kill()
        proc.wait(timeout=10)
    assert "Traceback" not in proc.stderr.read()


def _threads(pid):
    return int(next(line.split()[1] for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                    if line.startswith("Threads:")))


def test_connections_beyond_the_concurrency_bound_answer_503():
    proc, port = _start_server(read_timeout=30.0, max_concurrent=2)
    time.sleep(0.3)
    baseline = _threads(proc.pid)
    idle = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(6)]
    try:
        time.sleep(0.5)  # two handlers wait on silent sockets; the other four were turned away
        status, payload = _http(port, b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert status == 503 and "busy" in payload["error"]
        assert _threads(proc.pid) <= baseline + 2
    finally:
        for s in idle:
            s.close()
    try:
        time.sleep(0.5)  # the slots free as the idle sockets close
        assert _http(port, b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")[0] == 200
    finally:
        proc.kill()
        proc.wait(timeout=10)
    assert "Traceback" not in proc.stderr.read()


def test_service_parameters_are_validated():
    with pytest.raises(ValueError, match="max_body_bytes"):
        serve_clusterer(lambda X: X[:, 0], max_body_bytes=0)
    with pytest.raises(ValueError, match="read_timeout"):
        serve_clusterer(lambda X: X[:, 0], read_timeout=float("nan"))
    with pytest.raises(ValueError, match="max_request_seconds"):
        serve_clusterer(lambda X: X[:, 0], max_request_seconds=0)
    with pytest.raises(ValueError, match="deadline"):
        ClusteringServiceClient("http://127.0.0.1:9", deadline=-1)


def test_the_client_deadline_bounds_the_whole_call():
    # A server that accepts and never answers: timeout x retries would take 30 s; the deadline 1 s.
    listener = socket.create_server(("127.0.0.1", 0))
    held = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        client = ClusteringServiceClient(f"http://127.0.0.1:{listener.getsockname()[1]}", timeout=10.0,
                                         retries=2, backoff=0.1, deadline=1.0, batch_size=1)
        start = time.monotonic()
        with pytest.raises(ServiceError, match="deadline of 1 s exceeded"):
            client(np.zeros((3, 4)))
        assert time.monotonic() - start < 1.0 + 3.0
    finally:
        stop.set()
        thread.join(timeout=5)
        for s in held:
            s.close()
        listener.close()


def test_the_client_gets_labels_and_counts_queries_in_process():
    url, stop = serve_clusterer(lambda X: (X[:, 0] > 0).astype(int), read_timeout=2.0)
    try:
        client = ClusteringServiceClient(url, timeout=5.0, batch_size=2, deadline=30.0)
        labels = client(np.array([[1.0, 0.0], [-1.0, 0.0], [2.0, 1.0]]))
        assert labels.tolist() == [1, 0, 1] and client.n_queries == 3 and client.n_requests == 2
    finally:
        stop()
