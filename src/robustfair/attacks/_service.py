"""A label-only clustering service over HTTP (JSON, stdlib only) and its client.

The server stands in for a production clustering API such as Face++ (thesis 2.4): images
in, cluster ids out, nothing else. The client is what an attacker uses: per-request
timeouts, retries with exponential backoff on transient failures, a client-side rate
limit, and an overall deadline, so a dead or slow service raises instead of hanging.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np

from .._validation import check_array, check_positive

__all__ = ["serve_clusterer", "ClusteringServiceClient", "ServiceError"]


class ServiceError(ValueError):
    """The service could not be reached in time, or answered with an error."""


def _labels_function(model: Any) -> Callable[[np.ndarray], np.ndarray]:
    if hasattr(model, "predict"):
        return model.predict
    if hasattr(model, "fit_predict"):
        return model.fit_predict  # an album service: cluster the submitted batch itself
    if callable(model):
        return model
    raise ValueError(f"model must have predict(X) or fit_predict(X), or be a callable; got {type(model).__name__}.")


def serve_clusterer(model: Any, host: str = "127.0.0.1", port: int = 0, *,
                    max_images: int = 100_000) -> tuple[str, Callable[[], None]]:
    """Serve ``model`` as ``POST {url}/cluster`` with ``{"images": [[...], ...]}`` -> ``{"labels": [...]}``.

    Returns ``(url, stop)``; ``stop()`` shuts the server down. ``port=0`` picks a free port.
    ``GET {url}/health`` answers ``{"status": "ok"}``. Errors answer HTTP 400 with ``{"error": ...}``.
    """
    labels_of = _labels_function(model)
    lock = threading.Lock()  # one model call at a time: torch models are not re-entrant here

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output quiet
            pass

        def _send(self, status: int, payload: dict) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            if self.path.rstrip("/") == "/health":
                self._send(200, {"status": "ok"})
            else:
                self._send(404, {"error": f"unknown path {self.path}"})

        def do_POST(self) -> None:
            if self.path.rstrip("/") != "/cluster":
                self._send(404, {"error": f"unknown path {self.path}"})
                return
            try:
                length = int(self.headers.get("Content-Length", 0))
                payload = json.loads(self.rfile.read(length))
                images = check_array(payload["images"], "images")
                if images.shape[0] > max_images:
                    raise ValueError(f"at most {max_images} images per request; got {images.shape[0]}.")
                with lock:
                    labels = np.asarray(labels_of(images)).astype(np.int64)
            except (ValueError, KeyError, TypeError) as exc:
                self._send(400, {"error": f"{type(exc).__name__}: {exc}"})
                return
            self._send(200, {"labels": labels.tolist()})

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="robustfair-clustering-service", daemon=True)
    thread.start()
    url = f"http://{host}:{server.server_address[1]}"

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return url, stop


class ClusteringServiceClient:
    """Call a label-only clustering service: ``client(X) -> labels``; every image is one query.

    Parameters
    ----------
    url : str
        Base URL of the service (``serve_clusterer``'s first return value).
    timeout : float, default=10.0
        Seconds per HTTP request.
    retries : int, default=2
        Extra attempts after a timeout, connection error or HTTP 5xx (not after 4xx or
        malformed JSON, which are the caller's or the service's bug and raise at once).
    backoff : float, default=0.5
        First retry waits this long; each further retry doubles it.
    max_requests_per_second : float, optional
        Client-side rate limit.
    batch_size : int, default=512
        Images per request.
    deadline : float, optional
        Overall seconds for one call; default ``(retries + 1) * timeout + backoffs`` per batch.
    """

    def __init__(self, url: str, *, timeout: float = 10.0, retries: int = 2, backoff: float = 0.5,
                 max_requests_per_second: float | None = None, batch_size: int = 512) -> None:
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ValueError(f"url must be an http(s) URL; got {url!r}.")
        self.url = url.rstrip("/")
        self.timeout = check_positive(timeout, "timeout")
        self.retries = int(check_positive(retries, "retries", strict=False, integer=True))
        self.backoff = check_positive(backoff, "backoff", strict=False)
        self.max_requests_per_second = (None if max_requests_per_second is None
                                        else check_positive(max_requests_per_second, "max_requests_per_second"))
        self.batch_size = int(check_positive(batch_size, "batch_size", integer=True))
        self.n_queries = 0
        self.n_requests = 0
        self._last_request = -np.inf

    def _wait_for_rate_limit(self) -> None:
        if self.max_requests_per_second is None:
            return
        wait = self._last_request + 1.0 / self.max_requests_per_second - time.monotonic()
        if wait > 0:
            time.sleep(wait)

    def _post(self, images: np.ndarray) -> np.ndarray:
        body = json.dumps({"images": np.round(images, 6).tolist()}).encode()
        last_error: Exception | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            self._wait_for_rate_limit()
            self._last_request = time.monotonic()
            self.n_requests += 1
            request = urllib.request.Request(f"{self.url}/cluster", data=body, method="POST",
                                             headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    raw = response.read()
            except urllib.error.HTTPError as exc:
                if 400 <= exc.code < 500:
                    detail = exc.read().decode(errors="replace")[:200]
                    raise ServiceError(f"service at {self.url} rejected the request (HTTP {exc.code}): {detail}") \
                        from None
                last_error = exc
                continue
            except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, OSError) as exc:
                last_error = exc
                continue
            return self._parse(raw, images.shape[0])
        raise ServiceError(
            f"service at {self.url} did not answer after {self.retries + 1} attempt(s) "
            f"(timeout {self.timeout:g} s each): {type(last_error).__name__}: {last_error}"
        )

    def _parse(self, raw: bytes, n: int) -> np.ndarray:
        try:
            payload = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"service at {self.url} returned malformed JSON: {exc}") from None
        if not isinstance(payload, dict) or "labels" not in payload:
            raise ValueError(f"service at {self.url} returned JSON without 'labels': {str(payload)[:200]}")
        try:
            labels = np.asarray(payload["labels"], dtype=np.int64)
        except (TypeError, ValueError):
            raise ValueError(f"service at {self.url} returned non-integer labels.") from None
        if labels.shape != (n,):
            raise ValueError(f"service at {self.url} returned {labels.shape} labels for {n} images.")
        return labels

    def __call__(self, X: Any) -> np.ndarray:
        X = check_array(np.asarray(X).reshape(np.shape(X)[0], -1), "X")
        out = []
        for start in range(0, X.shape[0], self.batch_size):
            chunk = X[start:start + self.batch_size]
            out.append(self._post(chunk))
            self.n_queries += chunk.shape[0]
        return np.concatenate(out)

    def predict(self, X: Any) -> np.ndarray:
        return self(X)
