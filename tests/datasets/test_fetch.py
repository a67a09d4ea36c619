"""fetch(): download over loopback HTTP, SHA-256 verified, cached, refused when wrong."""

import hashlib
import http.server
import socket
import threading

import pytest

from robustfair.datasets import (
    DatasetFetchError,
    FetchSource,
    fetch,
    fetchable,
    load_dataset,
    register_fetch_source,
)
from robustfair.datasets import _fetch

GOOD = b"1,2,3\n4,5,6\n"


class _Handler(http.server.BaseHTTPRequestHandler):
    files: dict = {}
    hits: list = []
    partial: set = set()

    def do_GET(self):  # noqa: N802 - the stdlib's name
        name = self.path.rsplit("/", 1)[-1]
        self.hits.append(name)
        body = self.files.get(name)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if name in self.partial:  # promise the whole file, send half, hang up
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(body)

    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture
def server():
    _Handler.files, _Handler.hits, _Handler.partial = {}, [], set()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", _Handler
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def toy_source(server):
    url, handler = server
    handler.files["toy.csv"] = GOOD
    register_fetch_source("_toy", [FetchSource("toy/toy.csv", f"{url}/files/toy.csv", hashlib.sha256(GOOD).hexdigest())])
    yield url, handler
    _fetch._SOURCES.pop("_toy", None)


def test_good_file_is_fetched_once_and_then_read_from_the_cache(toy_source, tmp_path):
    _, handler = toy_source
    home = fetch("_toy", data_home=tmp_path)
    assert (home / "toy" / "toy.csv").read_bytes() == GOOD
    fetch("_toy", data_home=tmp_path)  # verified already: no second download
    assert handler.hits == ["toy.csv"]


def test_corrupted_file_is_refused_and_not_kept(toy_source, tmp_path):
    _, handler = toy_source
    handler.files["toy.csv"] = GOOD.replace(b"6", b"7")
    with pytest.raises(DatasetFetchError, match="SHA-256"):
        fetch("_toy", data_home=tmp_path)
    assert not (tmp_path / "toy" / "toy.csv").exists()


def test_a_tampered_cached_file_is_downloaded_again(toy_source, tmp_path):
    _, handler = toy_source
    fetch("_toy", data_home=tmp_path)
    (tmp_path / "toy" / "toy.csv").write_bytes(b"tampered")
    fetch("_toy", data_home=tmp_path)
    assert (tmp_path / "toy" / "toy.csv").read_bytes() == GOOD and handler.hits == ["toy.csv", "toy.csv"]


def test_partial_file_fails_cleanly(toy_source, tmp_path):
    _, handler = toy_source
    handler.partial.add("toy.csv")
    with pytest.raises(DatasetFetchError, match="toy"):
        fetch("_toy", data_home=tmp_path, timeout=5)
    assert not (tmp_path / "toy" / "toy.csv").exists()


def test_server_down_fails_with_one_clear_error(tmp_path):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    register_fetch_source("_down", [FetchSource("down/x.csv", f"http://127.0.0.1:{port}/x.csv", "0" * 64)])
    try:
        with pytest.raises(DatasetFetchError, match="could not download"):
            fetch("_down", data_home=tmp_path, timeout=5)
    finally:
        _fetch._SOURCES.pop("_down", None)


def test_registered_dataset_through_a_mirror_is_refused_when_its_bytes_differ(server, tmp_path):
    url, handler = server
    handler.files["german.data"] = b"not the UCI file\n"
    with pytest.raises(DatasetFetchError, match="expected SHA-256 b21f3d81db80"):
        fetch("german", data_home=tmp_path, mirror=url)
    assert handler.hits == ["german.data"]


def test_fetched_dataset_loads_from_the_cache_without_settings(server, tmp_path, monkeypatch):
    url, handler = server
    # a two-row file in German Credit's format stands in for the real one
    row = "A11 6 A34 A43 1169 A65 A75 4 A93 A101 4 A121 67 A143 A152 2 A173 1 A192 A201 1\n"
    body = (row + row.replace(" 1\n", " 2\n").replace("A93", "A92")).encode()
    handler.files["german.data"] = body
    monkeypatch.setitem(_fetch._SOURCES, "german", (FetchSource(
        "german/german.data", "unused", hashlib.sha256(body).hexdigest()),))
    monkeypatch.delenv("ROBUSTFAIR_DATA", raising=False)
    monkeypatch.setattr("robustfair.datasets._registry._cache_home", lambda: tmp_path)
    monkeypatch.setattr(_fetch, "default_data_home", lambda: tmp_path)
    fetch("german", mirror=url)
    data = load_dataset("german")
    assert data.n_samples == 2


def test_unknown_and_bad_sources_are_value_errors():
    assert {"adult", "german", "compas"} <= set(fetchable())
    with pytest.raises(ValueError, match="fetchable dataset"):
        fetch("mnist-usps")
    with pytest.raises(ValueError, match="64 hex digits"):
        register_fetch_source("_bad", [FetchSource("a", "http://127.0.0.1/a", "abc")])


def test_cli_fetch_and_bad_name(server, tmp_path):
    import os
    import subprocess
    import sys

    url, handler = server
    handler.files["german.data"] = b"not the UCI file\n"
    env = {**os.environ}
    env.pop("ROBUSTFAIR_DATA", None)
    out = subprocess.run([sys.executable, "-m", "robustfair", "datasets", "--data-dir", str(tmp_path),
                          "--fetch", "german", "--mirror", url], capture_output=True, text=True, env=env, timeout=120)
    last = out.stderr.strip().splitlines()[-1]  # after pooch's progress bar
    assert out.returncode == 2 and "SHA-256" in last and "Traceback" not in out.stderr, out.stderr
    out = subprocess.run([sys.executable, "-m", "robustfair", "datasets", "--fetch", "nosuch"], capture_output=True,
                         text=True, env=env, timeout=120)
    assert out.returncode == 2 and "nosuch" in out.stderr
