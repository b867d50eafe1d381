"""A scripted fault that records and rewrites JSON answers: one call's body, or one SSE event.

`Rewrite(change)` applies `change` to the JSON document of the answer to call `call`
(0-based, among the requests its route key matched; None: every call) and, for a stream, to
its event `event` (0-based among the JSON events; negative counts from the end). A JSON-lines
body (a batch job's results file) is the list of its lines' documents, written back one a
line. Every answer it sees is recorded in `seen` (the documents before any change), so a first
run with `change=None` tells a test what the real answers look like. Script it with
`fake.inject(route, rewrite, times=call + 1)`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.fakes.faults import Fault
from tests.fakes.wire import (
    JSON_TYPE,
    Chunk,
    FakeRequest,
    FakeResponse,
    Response,
    StreamResponse,
    dumps,
    sse_event,
)

Change = Callable[[Any], Any]
_DATA = b"data: "


class Rewrite(Fault):
    """Record every answer; rewrite the chosen call's document (or stream event)."""

    def __init__(
        self, change: Change | None = None, *, call: int | None = 0, event: int = 0
    ) -> None:
        self.change = change
        self.call = call
        self.event = event
        self.calls = 0
        self.seen: list[Any] = []  # per call: the document, or the list of event documents
        self.applied = 0

    def __repr__(self) -> str:
        return f"Rewrite(call={self.call}, event={self.event}, applied={self.applied})"

    def after(self, request: FakeRequest, response: Response) -> Response:
        """Record the answer; on the chosen call, rewrite it."""
        index, self.calls = self.calls, self.calls + 1
        if isinstance(response, FakeResponse):
            lines = _json_lines(response)
            document = lines if lines is not None else _document(response.body)
            self.seen.append(document)
            if not self._chosen(index):
                return response
            self.applied += 1
            changed = self.change(document)
            if lines is not None:
                return FakeResponse(response.status, response.headers, _lines_body(changed))
            headers = {**response.headers, "content-type": JSON_TYPE}
            return FakeResponse(response.status, headers, dumps(changed))
        if isinstance(response, StreamResponse):
            return self._stream(index, response)
        return response

    def _chosen(self, index: int) -> bool:
        return self.change is not None and self.call in (None, index)

    def _stream(self, index: int, response: StreamResponse) -> StreamResponse:
        events = [
            i
            for i, part in enumerate(response.parts)
            if isinstance(part, Chunk) and part.data.startswith(_DATA + b"{")
        ]
        documents = [_event_json(response.parts[i]) for i in events]
        self.seen.append(documents)
        if not self._chosen(index) or not events:
            return response
        self.applied += 1
        where = events[self.event]
        parts = list(response.parts)
        parts[where] = Chunk(sse_event(self.change(documents[self.event])))
        return StreamResponse(response.status, response.headers, tuple(parts))


def _document(body: bytes) -> Any:  # any JSON document
    return json.loads(body) if body else None


def _json_lines(response: FakeResponse) -> list[Any] | None:
    """The documents of a JSON-lines body (not served as JSON); None for any other body."""
    if response.headers.get("content-type", "").startswith("application/json"):
        return None
    try:
        return [json.loads(line) for line in response.body.splitlines() if line.strip()]
    except ValueError:
        return None


def _lines_body(value: Any) -> bytes:  # any JSON document
    """A list as one document a line; anything else (a mutated root) as one line."""
    items = value if isinstance(value, list) else [value]
    return b"".join(dumps(item) + b"\n" for item in items)


def _event_json(part: object) -> Any:  # any JSON document
    assert isinstance(part, Chunk)
    return json.loads(part.data[len(_DATA) :].strip())
