"""Test doubles that run as real HTTP servers on 127.0.0.1, for code that talks to other services.

`LocalHTTPServer` is the shared machinery: a threaded `http.server` on an ephemeral port, with
switches to answer slowly (beyond a client's timeout), with an HTTP error status, or not at all
(stopped: connections are refused). Subclasses answer requests in `respond`.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True)
class FakeRequest:
    method: str
    path: str
    query_string: str  # raw, as received: checksums are computed over it

    @property
    def params(self) -> dict[str, str]:
        return dict(parse_qsl(self.query_string, keep_blank_values=True))


@dataclass(frozen=True)
class FakeResponse:
    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


class LocalHTTPServer:
    """Serves `respond` on http://127.0.0.1:<ephemeral port> from a background thread."""

    def __init__(self) -> None:
        self.delay_seconds = 0.0  # answer this late (set beyond the client's timeout)
        self.fail_with_status: int | None = None  # answer every request with this status
        self.requests: list[FakeRequest] = []  # every request received, in order
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        # Requests still sleeping when a test ends must not hold up the server's shutdown.
        self._server.daemon_threads = True
        # A short poll interval lets stop() return quickly instead of after up to half a second.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._running = False

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def respond(self, request: FakeRequest) -> FakeResponse:
        raise NotImplementedError

    def start(self) -> None:
        self._thread.start()
        self._running = True

    def stop(self) -> None:
        """Stop serving and close the port: from now on connections are refused ("down")."""
        if self._running:
            self._server.shutdown()
            self._running = False
        self._server.server_close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                split = urlsplit(self.path)
                request = FakeRequest("GET", split.path, split.query)
                fake.requests.append(request)
                if fake.delay_seconds:
                    time.sleep(fake.delay_seconds)
                if fake.fail_with_status is not None:
                    response = FakeResponse(fake.fail_with_status, b"fake failure")
                else:
                    response = fake.respond(request)
                try:
                    self.send_response(response.status)
                    self.send_header("Content-Type", response.content_type)
                    self.send_header("Content-Length", str(len(response.body)))
                    for name, value in response.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(response.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a slow-server test): nobody to answer

            def log_message(self, format: str, *args: object) -> None:
                """Keep test output quiet."""

        return Handler
