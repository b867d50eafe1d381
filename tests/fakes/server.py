"""Serve a FakeMistral over loopback HTTP/1.1 for end-to-end tests and benchmarks.

Keep-alive; JSON bodies go out in one write; streams use chunked encoding, one chunk per
part, so a `Drop` (socket shut down mid-body) reads as an incomplete body, as a cut connection
does. A `Hang` sends nothing for its seconds (cut short when the server stops), then closes.
"""

from __future__ import annotations

import contextlib
import functools
import socket
import socketserver
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, cast
from urllib.parse import parse_qs, unquote, urlsplit

from tests.fakes.router import FakeMistral
from tests.fakes.wire import Drop, FakeRequest, FakeResponse, Hang, StreamResponse, status_phrase


@functools.cache
def _status_line(status: int) -> bytes:
    return f"HTTP/1.1 {status} {status_phrase(status)}\r\n".encode()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def __init__(self, fake: FakeMistral, host: str) -> None:
        self.fake = fake
        self.stopping = threading.Event()
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__((host, 0), _Handler)

    def server_bind(self) -> None:
        """Bind without HTTPServer's reverse DNS lookup (socket.getfqdn) of the host."""
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore clients going away; record anything else for the fixture's teardown."""
        error = sys.exc_info()[1]
        if error is not None and not isinstance(error, OSError):
            self.fake.errors.append(error)

    def cut_all(self) -> None:
        """Shut every open connection down, so idle keep-alive threads end now."""
        with self.connections_lock:
            for connection in list(self.connections):
                _shutdown(connection)


def _shutdown(connection: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed by the peer
        connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    raw_requestline: bytes  # set by handle_one_request (missing from typeshed)
    fields: dict[str, str]  # the request headers, lower-case names (instead of email.Message)

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Stay silent (and never resolve client names)."""

    def parse_request(self) -> bool:
        """Parse the request line and headers: http.server's email parser costs ~100 µs."""
        self.requestline = self.raw_requestline.decode("latin-1").rstrip("\r\n")
        self.command, self.request_version = "", self.protocol_version
        self.close_connection = True
        words = self.requestline.split()
        if len(words) != 3 or not words[2].startswith("HTTP/1."):
            self.send_error(400, "Bad request line")
            return False
        self.command, self.path, self.request_version = words
        fields: dict[str, str] = {}
        while (line := self.rfile.readline(65537)) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            key = name.strip().lower()
            fields[key] = f"{fields[key]}, {value.strip()}" if key in fields else value.strip()
        self.fields = fields
        if fields.get("expect", "").lower() == "100-continue":  # curl sends it for big bodies
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        connection = fields.get("connection", "").lower()
        self.close_connection = connection == "close" or self.request_version == "HTTP/1.0"
        return True

    def _serve(self) -> None:
        url = urlsplit(self.path)
        request = FakeRequest(
            method=self.command,
            path=unquote(url.path),
            query=parse_qs(url.query, keep_blank_values=True),
            headers=self.fields,
            body=self._read_body(),
        )
        answer = self.server.fake.handle(request)
        if isinstance(answer, FakeResponse):
            headers = {**answer.headers, "content-length": str(len(answer.body))}
            self.wfile.write(self._head(answer.status, headers) + answer.body)
        elif isinstance(answer, StreamResponse):
            self._stream(answer)
        else:
            self._hang(answer)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def _read_body(self) -> bytes:
        length = self.fields.get("content-length")
        if length is not None:
            return self.rfile.read(int(length))
        if "chunked" not in self.fields.get("transfer-encoding", "").lower():
            return b""
        parts = []
        while size := int(self.rfile.readline().split(b";")[0], 16):
            parts.append(self.rfile.read(size))
            self.rfile.readline()
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
            pass  # trailers
        return b"".join(parts)

    @staticmethod
    def _head(status: int, headers: dict[str, str]) -> bytes:
        lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        return _status_line(status) + lines.encode("latin-1") + b"\r\n"

    def _stream(self, answer: StreamResponse) -> None:
        chunked = "content-length" not in answer.headers
        headers = {**answer.headers, "transfer-encoding": "chunked"} if chunked else answer.headers
        self.wfile.write(self._head(answer.status, headers))
        for part in answer.parts:
            if isinstance(part, Drop) or (part.delay > 0 and self.server.stopping.wait(part.delay)):
                self._drop()
                return
            if chunked and part.data:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part.data), part.data))
            elif part.data:
                self.wfile.write(part.data)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def _hang(self, answer: Hang) -> None:
        self.server.stopping.wait(answer.seconds)
        self._drop()

    def _drop(self) -> None:
        self.close_connection = True
        _shutdown(self.connection)


class FakeServer:
    """A running loopback server over `fake` (started on creation); use as a context manager."""

    def __init__(self, fake: FakeMistral, host: str = "127.0.0.1") -> None:
        self.fake = fake
        self._server = _Server(fake, host)
        port = cast("tuple[str, int]", self._server.server_address)[1]
        self.base_url = f"http://{host}:{port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def __enter__(self) -> FakeServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop serving, end hangs and close open connections; safe to call twice."""
        if self._server.stopping.is_set():
            return
        self._server.stopping.set()
        self._server.shutdown()
        self._server.cut_all()
        self._server.server_close()
        self._thread.join(timeout=5)
