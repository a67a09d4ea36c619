"""The label-only clustering service's HTTP server (JSON, stdlib only), bounded against hostile clients.

Body size is checked before reading (413), every read waits at most ``read_timeout`` and a
whole request at most ``max_request_seconds`` (408, or a close when nothing was sent), at
most ``max_concurrent`` handlers run (503 beyond), and every failure is a JSON answer with
a 4xx or 5xx status, never a dropped connection. The client is in :mod:`._service`.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np

from .._validation import check_array, check_positive

__all__ = ["serve_clusterer"]


def _labels_function(model: Any) -> Callable[[np.ndarray], np.ndarray]:
    if hasattr(model, "predict"):
        return model.predict
    if hasattr(model, "fit_predict"):
        return model.fit_predict  # an album service: cluster the submitted batch itself
    if callable(model):
        return model
    raise ValueError(f"model must have predict(X) or fit_predict(X), or be a callable; got {type(model).__name__}.")


class _RequestError(Exception):
    """An HTTP error answer: status code and message, raised inside a handler."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class _BoundedHTTPServer(ThreadingHTTPServer):
    """A threading server that runs at most ``max_concurrent`` handlers at once.

    A connection arriving while every slot is busy is answered ``503`` with a JSON error
    on the accepting thread and closed, so an attacker holding sockets open can never
    make the server start more threads than the bound.
    """

    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type, max_concurrent: int) -> None:
        self._slots = threading.BoundedSemaphore(max_concurrent)
        # Requests still arriving, by handler, with the time they must have arrived by. The read
        # timeout bounds each read; this bounds the whole request against a client that sends
        # one byte just inside every timeout (slowloris).
        self._arriving: dict[Any, float] = {}
        self._arriving_lock = threading.Lock()
        self._closed = threading.Event()
        super().__init__(address, handler)
        threading.Thread(target=self._cut_overdue, name="robustfair-service-deadlines", daemon=True).start()

    def expect(self, handler: Any, seconds: float | None) -> None:
        """Give ``handler``'s request ``seconds`` to arrive (``None``: it has arrived)."""
        with self._arriving_lock:
            if seconds is None:
                self._arriving.pop(handler, None)
            else:
                self._arriving[handler] = time.monotonic() + seconds

    def _cut_overdue(self) -> None:
        while not self._closed.wait(0.2):
            now = time.monotonic()
            with self._arriving_lock:
                overdue = [h for h, end in self._arriving.items() if end < now]
                for h in overdue:
                    del self._arriving[h]
            for handler in overdue:
                handler.overdue = True
                try:  # the handler's pending read returns at once with what arrived
                    handler.connection.shutdown(socket.SHUT_RD)
                except OSError:
                    pass

    def server_close(self) -> None:
        self._closed.set()
        super().server_close()

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            _reject_busy(request)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


def _error_bytes(status: int, message: str) -> bytes:
    body = json.dumps({"error": message, "status": status}).encode()
    reason = BaseHTTPRequestHandler.responses.get(status, ("Error",))[0]
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode("latin-1") + body


def _reject_busy(request: socket.socket) -> None:
    try:
        request.settimeout(0.2)
        try:
            request.recv(65536)  # read what the client sent so closing does not reset the answer
        except OSError:
            pass
        request.sendall(_error_bytes(503, "server busy: too many concurrent requests; retry later."))
    except OSError:
        pass


def serve_clusterer(
    model: Any,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    max_images: int = 100_000,
    max_body_bytes: int = 64 * 2**20,
    read_timeout: float = 10.0,
    max_request_seconds: float = 60.0,
    max_concurrent: int = 8,
) -> tuple[str, Callable[[], None]]:
    """Serve ``model`` as ``POST {url}/cluster`` with ``{"images": [[...], ...]}`` -> ``{"labels": [...]}``.

    Returns ``(url, stop)``; ``stop()`` shuts the server down. ``port=0`` picks a free port.
    ``GET {url}/health`` answers ``{"status": "ok"}``.

    Parameters
    ----------
    model : estimator or callable
        Anything with ``predict(X)`` or ``fit_predict(X)``, or a callable ``X -> labels``.
    host, port : str, int
        Where to listen; the default is loopback only.
    max_images : int, default=100_000
        Images per request; more answer 413.
    max_body_bytes : int, default=64 MiB
        Largest request body. The declared ``Content-Length`` is checked before a byte of
        the body is read: a larger one answers 413, a missing one 411, so memory per
        request is bounded by this value whatever a client declares.
    read_timeout : float, default=10.0
        Seconds a connection may stay silent. An idle connection (no request line) is
        closed; a body that stops short of its ``Content-Length`` answers 408.
    max_request_seconds : float, default=60.0
        Seconds one request (request line, headers and body) may take to arrive, however
        steadily its bytes trickle in; a request still arriving then answers 408.
    max_concurrent : int, default=8
        Handlers running at once; a connection beyond them answers 503 at once.

    Notes
    -----
    Every failure answers a JSON object ``{"error": ..., "status": ...}`` with a 4xx code
    for a bad request and 500 when the model itself fails; the connection is never
    dropped without an answer.
    """
    labels_of = _labels_function(model)
    max_images = int(check_positive(max_images, "max_images", integer=True))
    max_body_bytes = int(check_positive(max_body_bytes, "max_body_bytes", integer=True))
    read_timeout = check_positive(read_timeout, "read_timeout")
    max_request_seconds = check_positive(max_request_seconds, "max_request_seconds")
    max_concurrent = int(check_positive(max_concurrent, "max_concurrent", integer=True))
    lock = threading.Lock()  # one model call at a time: torch models are not re-entrant here

    class Handler(BaseHTTPRequestHandler):
        server: _BoundedHTTPServer  # the server that made this handler (socketserver sets it)
        timeout = read_timeout  # StreamRequestHandler puts it on the socket: every read is bounded
        protocol_version = "HTTP/1.1"
        default_request_version = "HTTP/1.1"  # so even a garbled request line gets a status line

        _body_unread = False
        overdue = False  # set by the server when the request took longer than max_request_seconds

        def handle_one_request(self) -> None:
            self.server.expect(self, max_request_seconds)
            try:
                super().handle_one_request()
            finally:
                self.server.expect(self, None)

        def log_message(self, *args: Any) -> None:  # keep test output quiet
            pass

        def _send(self, status: int, payload: dict) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            if status >= 400:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(body)

        def _fail(self, status: int, message: str) -> None:
            try:
                self._send(status, {"error": message, "status": status})
                if self._body_unread:
                    self._drain()
            except OSError:  # the client is gone; nothing left to answer
                self.close_connection = True

        def _drain(self) -> None:
            # Lingering close: a client still sending the body it declared would get a TCP
            # reset, and lose our answer, if we closed now. Read and discard it into one fixed
            # buffer (memory stays constant) until it stops or one read timeout passes.
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_WR)
            buffer = bytearray(65536)
            end = time.monotonic() + min(read_timeout, 2.0)
            self.connection.settimeout(0.2)
            while time.monotonic() < end:
                try:
                    if self.connection.recv_into(buffer) == 0:
                        break
                except TimeoutError:
                    continue

        def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
            # http.server's own errors (malformed request line, headers too long, ...) as JSON too
            if self.overdue:
                code, message = 408, f"the request took longer than {max_request_seconds:g} s to arrive."
            self._fail(code, message or self.responses.get(code, ("error",))[0])

        def do_GET(self) -> None:
            if self.overdue:
                self._fail(408, f"the request took longer than {max_request_seconds:g} s to arrive.")
            elif self.path.rstrip("/") == "/health":
                self._send(200, {"status": "ok"})
            else:
                self._fail(404, f"unknown path {self.path}")

        def _read_body(self) -> bytes:
            declared = self.headers.get("Content-Length")
            self._body_unread = True
            if self.overdue:  # the headers were cut off: do not guess from what arrived
                raise _RequestError(408, f"the request took longer than {max_request_seconds:g} s to arrive.")
            if declared is None:
                raise _RequestError(411, "Content-Length is required.")
            try:
                length = int(declared)
            except ValueError:
                raise _RequestError(400, f"Content-Length must be an integer; got {declared[:40]!r}.") from None
            if length < 0:
                raise _RequestError(400, f"Content-Length must be >= 0; got {length}.")
            if length > max_body_bytes:
                raise _RequestError(413, f"body of {length} bytes is larger than the limit of {max_body_bytes}.")
            try:
                body = self.rfile.read(length)
            except TimeoutError:
                raise _RequestError(408, f"no data for {read_timeout:g} s while reading the body.") from None
            self._body_unread = False
            if len(body) < length:
                if self.overdue:
                    raise _RequestError(408, f"the request took longer than {max_request_seconds:g} s to arrive.")
                raise _RequestError(400, f"body ended after {len(body)} of {length} declared bytes.")
            self.server.expect(self, None)  # arrived: the model's time is not the client's
            return body

        def _cluster(self) -> list[int]:
            body = self._read_body()
            try:
                payload = json.loads(body)
            except RecursionError:  # the C decoder recurses once per level: ``[[[[...`` thousands deep
                raise _RequestError(400, "body is JSON nested too deeply.") from None
            except ValueError as exc:  # JSONDecodeError and bad UTF-8 are ValueErrors
                raise _RequestError(400, f"body is not valid JSON: {exc}") from None
            if not isinstance(payload, dict) or "images" not in payload:
                raise _RequestError(400, 'body must be a JSON object {"images": [[...], ...]}.')
            try:
                images = check_array(payload["images"], "images")
            except ValueError as exc:
                raise _RequestError(400, str(exc)) from None
            if images.shape[0] > max_images:
                raise _RequestError(413, f"at most {max_images} images per request; got {images.shape[0]}.")
            try:
                with lock:
                    labels = np.asarray(labels_of(images))
            except (ValueError, KeyError, TypeError) as exc:
                raise _RequestError(400, f"{type(exc).__name__}: {exc}") from None
            except Exception as exc:  # noqa: BLE001 - the model failed: answer 500, keep serving
                raise _RequestError(500, f"model failed: {type(exc).__name__}: {exc}") from None
            if labels.ndim != 1 or labels.shape[0] != images.shape[0] or labels.dtype.kind not in "biu":
                raise _RequestError(
                    500,
                    f"model returned labels of shape {labels.shape} and dtype {labels.dtype} "
                    f"for {images.shape[0]} images; expected integer ids, one per image.",
                )
            return labels.astype(np.int64).tolist()

        def do_POST(self) -> None:
            try:
                if self.path.rstrip("/") != "/cluster":
                    raise _RequestError(404, f"unknown path {self.path}")
                labels = self._cluster()
            except _RequestError as exc:
                self._fail(exc.status, str(exc))
                return
            except Exception as exc:  # noqa: BLE001 - a bug of ours still gets an answer, not a reset
                self._fail(500, f"internal error: {type(exc).__name__}: {exc}")
                return
            try:
                self._send(200, {"labels": labels})
            except OSError:  # the client hung up before reading its answer
                self.close_connection = True

    server = _BoundedHTTPServer((host, port), Handler, max_concurrent)
    thread = threading.Thread(target=server.serve_forever, name="robustfair-clustering-service", daemon=True)
    thread.start()
    url = f"http://{host}:{server.server_address[1]}"

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return url, stop
