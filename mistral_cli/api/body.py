"""Response bodies read raw and decompressed step by step, within size caps and the watchdog.

httpx decompresses each network chunk whole, so 64 KiB of gzip can become 64 MiB at once.
Here the raw bytes are inflated with a max_length of PIECE, and every reader stops at its cap
while reading: no server answer, however compressed or long, makes us hold more than the cap.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

import httpx

from mistral_cli.api.errors import ServerError
from mistral_cli.api.hints import request_id
from mistral_cli.api.limits import JSON_BODY, PIECE, size_text
from mistral_cli.api.watchdog import Expired

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from mistral_cli.api.watchdog import Watchdog

GZIP = ("gzip", "x-gzip")
DEFLATE = "deflate"
_DROPPED = frozenset({"content-encoding", "content-length", "transfer-encoding"})


def decoded(response: httpx.Response, watchdog: Watchdog) -> Iterator[bytes]:
    """The body, decompressed, in pieces of at most PIECE bytes per compressed step.

    Raises httpx transport errors as they come, Expired once the watchdog has fired, and
    ServerError for a coding we did not ask for or a damaged compressed body.
    """
    try:
        content = response.content
    except httpx.ResponseNotRead:
        pass
    else:  # an in-process transport built the body in memory (and httpx decoded it)
        yield content
        return
    pieces: Iterator[bytes] = _raw(response, watchdog)
    for coding in reversed(codings(response)):
        pieces = Inflater(coding).run(pieces)
    yield from pieces


def codings(response: httpx.Response) -> list[str]:
    """The content codings applied to the body, in order; ServerError for one we cannot undo."""
    found = []
    for value in response.headers.get_list("content-encoding", split_commas=True):
        coding = value.strip().lower()
        if coding in ("", "identity"):
            continue
        if coding not in (*GZIP, DEFLATE):
            raise ServerError(
                f"the server sent a body encoded as {coding[:40]!r}, which mistral-cli did not "
                "ask for and does not decode",
                status=response.status_code,
                request_id=request_id(response),
                hint="check MISTRAL_BASE_URL and any proxy in between",
            )
        found.append(coding)
    return found


def _raw(response: httpx.Response, watchdog: Watchdog) -> Iterator[bytes]:
    try:
        for chunk in response.iter_raw():
            watchdog.check()
            yield chunk
    except httpx.TransportError:
        if watchdog.fired is not None:  # the watchdog cut the connection
            raise Expired(watchdog.fired) from None
        raise
    if watchdog.fired is not None:  # the cut looked like the end of a body read to close
        raise Expired(watchdog.fired)


class Inflater:
    """Undoes one gzip or deflate coding in steps of at most PIECE output bytes."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        self._z = zlib.decompressobj(zlib.MAX_WBITS | 16) if coding in GZIP else None
        self._head = b""  # deflate: the first bytes, until they tell zlib-wrapped from raw

    def run(self, pieces: Iterable[bytes]) -> Iterator[bytes]:
        """Decompress `pieces` lazily; bytes after the end of the compressed data are ignored."""
        for piece in pieces:
            yield from self.feed(piece)

    def feed(self, data: bytes) -> Iterator[bytes]:
        """The output `data` releases, PIECE bytes at a time."""
        z = self._z
        if z is None:
            self._head += data
            if len(self._head) < 2:
                return
            z = self._z = zlib.decompressobj(zlib.MAX_WBITS if _zlib_header(self._head) else -15)
            data, self._head = self._head, b""
        while not z.eof:
            try:
                out = z.decompress(data, PIECE)
            except zlib.error as exc:
                raise ServerError(
                    f"the server sent a damaged {self.coding} body ({exc})",
                    hint="try again; if it persists, rerun with --debug and report it",
                ) from None
            if out:
                yield out
            data = z.unconsumed_tail
            if not data and len(out) < PIECE:  # input used up and nothing left pending
                return


def _zlib_header(head: bytes) -> bool:
    """True when `head` starts a zlib stream (RFC 1950), not raw deflate as some servers send."""
    return head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0


def read_json_body(response: httpx.Response, watchdog: Watchdog, limit: int = JSON_BODY) -> bytes:
    """The whole decompressed body, or ServerError (naming the size) once it passes `limit`."""
    declared = _declared(response)
    if declared is not None and declared > limit and not codings(response):
        raise _too_large(response, limit, declared)
    parts: list[bytes] = []
    size = 0
    for piece in decoded(response, watchdog):
        size += len(piece)
        if size > limit:
            raise _too_large(response, limit, declared)
        parts.append(piece)
    return b"".join(parts)


def read_prefix(response: httpx.Response, watchdog: Watchdog, limit: int) -> bytes:
    """At most `limit` bytes of the body (an error page); transport errors and Expired raise."""
    parts: list[bytes] = []
    size = 0
    try:
        for piece in decoded(response, watchdog):
            parts.append(piece[: limit - size])
            size += len(parts[-1])
            if size >= limit:
                break
    except ServerError:
        pass  # an unknown coding or a damaged body: a message can be made of what arrived
    return b"".join(parts)


def loaded(response: httpx.Response, content: bytes) -> httpx.Response:
    """A copy of `response` holding `content`, the body as read and decompressed here."""
    headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _DROPPED]
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=content,
        request=response.request,
        extensions=response.extensions,
    )


def _declared(response: httpx.Response) -> int | None:
    try:
        return int(response.headers.get("content-length", ""))
    except ValueError:
        return None


def _too_large(response: httpx.Response, limit: int, declared: int | None) -> ServerError:
    coding = " ".join(codings(response))
    cap = f"the {size_text(limit)} limit for a JSON answer"
    if coding:
        sent = f"a {size_text(declared)} {coding}" if declared is not None else f"a {coding}"
        what = f"{sent} answer that expands past {cap}"
    elif declared is not None and declared > limit:
        what = f"a {size_text(declared)} answer, over {cap}"
    else:
        what = f"an answer larger than {cap}"
    response.close()
    return ServerError(
        f"the server sent {what} (HTTP {response.status_code})",
        status=response.status_code,
        request_id=request_id(response),
        hint="reading stopped there; check MISTRAL_BASE_URL and any proxy in between",
    )
