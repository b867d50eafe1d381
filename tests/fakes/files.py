"""The Files API: multipart upload, list (page, purpose, search), get, delete, content, signed URLs.

Importing this module registers its routes. Tests reach the state with `fake.module(FilesFake)`:
`max_bytes` (413 above it), `files` (id → StoredFile), `add(...)` to seed a file, `expire(id)`,
`clock` (when signed URLs end), `signed` (how many were issued), `readable(url)` (the chat fake
reads documents with it: a URL this fake signed, not yet expired, of a live file).
"""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
import time
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from tests.fakes.router import FakeMistral, FakeModule, PathParams, now, route
from tests.fakes.wire import FakeRequest, FakeResponse, api_error, json_response

DEFAULT_MAX_BYTES: Final = 512 * 1024 * 1024
SIGNED_HOST: Final = "https://files.fake.test/"
SAMPLE_TYPES: Final = {"fine-tune": "instruct", "batch": "batch_request", "ocr": "pretrain"}
JSONL_PURPOSES: Final = ("fine-tune", "batch")


@dataclass
class StoredFile:
    """One uploaded file: its metadata (as the API shows it) and its bytes."""

    id: str
    filename: str
    purpose: str
    content: bytes
    created_at: int = field(default_factory=now)
    visibility: str = "workspace"
    expires_at: int | None = None
    expired: bool = False
    sample_type: str | None = None

    def schema(self) -> dict[str, Any]:
        """Return the FileSchema document."""
        lines = self.content.count(b"\n") + (0 if self.content.endswith(b"\n") else 1)
        return {
            "id": self.id,
            "object": "file",
            "bytes": len(self.content),
            "created_at": self.created_at,
            "filename": self.filename,
            "purpose": self.purpose,
            "sample_type": self.sample_type or SAMPLE_TYPES.get(self.purpose, "instruct"),
            "num_lines": lines if self.content else 0,
            "mimetype": "application/jsonl" if self.filename.endswith(".jsonl") else None,
            "source": "upload",
            "signature": None,
            "expires_at": self.expires_at,
            "visibility": self.visibility,
        }


@dataclass(frozen=True)
class FormPart:
    """One multipart field: its value and, for a file, the filename."""

    value: bytes
    filename: str | None = None


def parse_multipart(content_type: str, body: bytes) -> dict[str, FormPart]:
    """Split a multipart/form-data body into named parts (stdlib email parser)."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    parts: dict[str, FormPart] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        value = payload if isinstance(payload, bytes) else b""
        parts[name] = FormPart(value, part.get_filename())
    return parts


class FilesFake(FakeModule):
    """Uploaded files in memory, for every purpose (fine-tune, batch, ocr)."""

    def __init__(self, fake: FakeMistral) -> None:
        super().__init__(fake)
        self.files: dict[str, StoredFile] = {}
        self.max_bytes = DEFAULT_MAX_BYTES
        self.uploads = 0  # POSTs that stored a file
        self.clock: Callable[[], float] = time.time
        self.signed = 0  # signed URLs issued

    def add(self, filename: str, content: bytes, purpose: str = "fine-tune") -> StoredFile:
        """Seed a stored file (as if uploaded earlier) and return it."""
        stored = StoredFile(str(uuid.uuid4()), filename, purpose, content)
        self.files[stored.id] = stored
        return stored

    def expire(self, file_id: str) -> None:
        """Make a file vanish as the API's 30-day expiry does (404 from then on)."""
        self.files[file_id].expired = True

    def live(self) -> list[StoredFile]:
        """Return the files not expired, oldest first."""
        return [stored for stored in self.files.values() if not stored.expired]

    def _find(self, request: FakeRequest, file_id: str) -> StoredFile | FakeResponse:
        stored = self.files.get(file_id)
        if stored is None or stored.expired:
            return api_error(request, 404, f"File {file_id} not found", "not_found")
        return stored

    @route("POST", "/v1/files")
    def upload(self, request: FakeRequest, params: PathParams) -> FakeResponse:
        """Store the `file` part; 413 above `max_bytes`; 422 for non-JSONL fine-tune/batch files."""
        parts = parse_multipart(request.headers.get("content-type", ""), request.body)
        upload = parts["file"]
        purpose = parts["purpose"].value.decode() if "purpose" in parts else "fine-tune"
        if len(upload.value) > self.max_bytes:
            return api_error(request, 413, "File too large", "invalid_request_error")
        filename = upload.filename or "upload"
        if purpose == "ocr" and not upload.value.startswith(b"%PDF-"):
            return json_response(422, {"detail": "Invalid file format: expected a PDF or image."})
        if purpose in JSONL_PURPOSES and not filename.endswith(".jsonl"):
            return json_response(422, {"detail": "Invalid file format."})
        if purpose not in SAMPLE_TYPES:
            return json_response(422, {"detail": f"Invalid purpose: {purpose}"})
        stored = self.add(filename, upload.value, purpose)
        if "visibility" in parts:
            stored.visibility = parts["visibility"].value.decode()
        if "expiry" in parts and parts["expiry"].value:
            stored.expires_at = stored.created_at + int(parts["expiry"].value) * 3600
        self.uploads += 1
        return json_response(200, stored.schema())

    @route("GET", "/v1/files")
    def list_files(self, request: FakeRequest, params: PathParams) -> FakeResponse:
        """List live files, newest first, filtered by purpose and search (filename or id)."""
        query = {key: values[-1] for key, values in request.query.items() if values}
        found = sorted(self.live(), key=lambda s: s.created_at, reverse=True)
        if query.get("purpose"):
            found = [s for s in found if s.purpose == query["purpose"]]
        if query.get("search"):
            needle = query["search"]
            found = [s for s in found if needle in s.filename or needle in s.id]
        page, size = int(query.get("page", 0)), int(query.get("page_size", 100))
        shown = found[page * size : (page + 1) * size]
        document = {"data": [s.schema() for s in shown], "object": "list", "total": len(found)}
        return json_response(200, document)

    @route("GET", "/v1/files/{file_id}")
    def get_file(self, request: FakeRequest, params: PathParams) -> FakeResponse:
        """Return one file's metadata (with `deleted: false`), or 404."""
        stored = self._find(request, params["file_id"])
        if isinstance(stored, FakeResponse):
            return stored
        return json_response(200, {**stored.schema(), "deleted": False})

    @route("DELETE", "/v1/files/{file_id}")
    def delete_file(self, request: FakeRequest, params: PathParams) -> FakeResponse:
        """Forget a file; answer {id, object, deleted: true}."""
        stored = self._find(request, params["file_id"])
        if isinstance(stored, FakeResponse):
            return stored
        del self.files[stored.id]
        return json_response(200, {"id": stored.id, "object": "file", "deleted": True})

    @route("GET", "/v1/files/{file_id}/content")
    def content(self, request: FakeRequest, params: PathParams) -> FakeResponse:
        """Return the file's bytes as application/octet-stream."""
        stored = self._find(request, params["file_id"])
        if isinstance(stored, FakeResponse):
            return stored
        return FakeResponse(200, {"content-type": "application/octet-stream"}, stored.content)

    @route("GET", "/v1/files/{file_id}/url")
    def signed_url(self, request: FakeRequest, params: PathParams) -> FakeResponse:
        """A URL the file can be read at for `expiry` hours (1-168, default 24), or 404."""
        stored = self._find(request, params["file_id"])
        if isinstance(stored, FakeResponse):
            return stored
        hours = int((request.query.get("expiry") or ["24"])[-1])
        if not 1 <= hours <= 168:
            return json_response(422, {"detail": "expiry must be between 1 and 168 hours"})
        until = int(self.clock()) + hours * 3600
        self.signed += 1
        query = urllib.parse.urlencode({"se": until, "sig": _signature(stored.id, until)})
        return json_response(200, {"url": f"{SIGNED_HOST}{stored.id}?{query}"})

    def readable(self, url: str) -> bool:
        """Whether `url` is a signed URL of a live file that has not expired yet."""
        parsed = urllib.parse.urlsplit(url)
        if not url.startswith(SIGNED_HOST):
            return parsed.scheme == "https"  # somebody else's document: the fake believes it
        query = urllib.parse.parse_qs(parsed.query)
        file_id = parsed.path.lstrip("/")
        until = int((query.get("se") or ["0"])[0])
        stored = self.files.get(file_id)
        return (
            stored is not None
            and not stored.expired
            and query.get("sig") == [_signature(file_id, until)]
            and until > self.clock()
        )


def _signature(file_id: str, until: int) -> str:
    return hashlib.sha256(f"{file_id}:{until}".encode()).hexdigest()[:16]
