"""A label-only clustering service over HTTP (JSON, stdlib only) and its client.

The server (:mod:`._service_server`) stands in for a production clustering API such as Face++ (thesis 2.4): images
in, cluster ids out, nothing else. The client is what an attacker uses: per-request
timeouts, retries with exponential backoff on transient failures, a client-side rate
limit, and an overall deadline, so a dead or slow service raises instead of hanging.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

import numpy as np

from .._validation import check_array, check_positive
from ._service_server import serve_clusterer

__all__ = ["serve_clusterer", "ClusteringServiceClient", "ServiceError"]


class ServiceError(ValueError):
    """The service could not be reached in time, or answered with an error."""


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
        Overall seconds for one call (all batches, attempts, backoffs and rate-limit waits
        together). Each attempt's timeout is cut to the time left, and a call that runs out
        raises :class:`ServiceError` naming the deadline. ``None`` (default) bounds each
        batch by ``(retries + 1) * timeout`` plus the backoffs only.
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 10.0,
        retries: int = 2,
        backoff: float = 0.5,
        max_requests_per_second: float | None = None,
        batch_size: int = 512,
        deadline: float | None = None,
    ) -> None:
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ValueError(f"url must be an http(s) URL; got {url!r}.")
        self.url = url.rstrip("/")
        self.timeout = check_positive(timeout, "timeout")
        self.retries = int(check_positive(retries, "retries", strict=False, integer=True))
        self.backoff = check_positive(backoff, "backoff", strict=False)
        self.max_requests_per_second = (
            None
            if max_requests_per_second is None
            else check_positive(max_requests_per_second, "max_requests_per_second")
        )
        self.batch_size = int(check_positive(batch_size, "batch_size", integer=True))
        self.deadline = None if deadline is None else check_positive(deadline, "deadline")
        self._call_ends = np.inf  # monotonic time the current call must finish by
        self.n_queries = 0
        self.n_requests = 0
        self._last_request = -np.inf

    def _time_left(self, before: str) -> float:
        """Seconds left of the call's deadline; ``ServiceError`` when none are."""
        left = self._call_ends - time.monotonic()
        if left <= 0:
            raise ServiceError(f"service at {self.url}: deadline of {self.deadline:g} s exceeded {before}.")
        return left

    def _sleep(self, seconds: float, before: str) -> None:
        if seconds <= 0:
            return
        if seconds >= self._call_ends - time.monotonic():
            raise ServiceError(f"service at {self.url}: deadline of {self.deadline:g} s exceeded {before}.")
        time.sleep(seconds)

    def _wait_for_rate_limit(self) -> None:
        if self.max_requests_per_second is None:
            return
        wait = self._last_request + 1.0 / self.max_requests_per_second - time.monotonic()
        self._sleep(wait, "waiting for the rate limit")

    def _read(self, response: Any) -> bytes:
        # The socket timeout bounds each read, not the whole answer: a server trickling bytes
        # could outlast the deadline, so check the time left between chunks.
        chunks: list[bytes] = []
        while True:
            self._time_left("while reading the answer")
            chunk = response.read(65536)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)

    def _post(self, images: np.ndarray) -> np.ndarray:
        body = json.dumps({"images": np.round(images, 6).tolist()}).encode()
        last_error: Exception | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                self._sleep(self.backoff * 2 ** (attempt - 1), f"after {attempt} attempt(s) ({last_error})")
            self._wait_for_rate_limit()
            timeout = min(self.timeout, self._time_left(f"after {attempt} attempt(s) ({last_error})"))
            self._last_request = time.monotonic()
            self.n_requests += 1
            request = urllib.request.Request(
                f"{self.url}/cluster", data=body, method="POST", headers={"Content-Type": "application/json"}
            )
            try:
                with urllib.request.urlopen(request, timeout=timeout) as response:
                    raw = self._read(response)
            except urllib.error.HTTPError as exc:
                if 400 <= exc.code < 500:
                    detail = exc.read().decode(errors="replace")[:200]
                    raise ServiceError(
                        f"service at {self.url} rejected the request (HTTP {exc.code}): {detail}"
                    ) from None
                last_error = exc
                continue
            except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
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
        X = check_array(X, "X", ndim=int(np.ndim(X))) if np.ndim(X) >= 2 else check_array(X, "X")
        X = X.reshape(X.shape[0], -1)
        self._call_ends = np.inf if self.deadline is None else time.monotonic() + self.deadline
        out = []
        for start in range(0, X.shape[0], self.batch_size):
            chunk = X[start : start + self.batch_size]
            out.append(self._post(chunk))
            self.n_queries += chunk.shape[0]
        return np.concatenate(out)

    def predict(self, X: Any) -> np.ndarray:
        return self(X)
