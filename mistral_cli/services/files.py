"""Files: upload (hash pass, reuse, streamed multipart), list, show, delete and download to disk."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol

from mistral_cli import fsio
from mistral_cli.api.errors import RequestRejected
from mistral_cli.api.parse import AnswerClient
from mistral_cli.api.schemas.files import FileDeleted, FileList, FileOut, UploadForm
from mistral_cli.errors import DataValidationError, UsageError
from mistral_cli.services.cells import time_text, unknown

if TYPE_CHECKING:
    from pathlib import Path

MAX_BYTES = 512 * 1024 * 1024
CHUNK = 1024 * 1024
UPLOAD_READ_TIMEOUT = 900.0  # the server may take minutes to process a large file
# phase ("hashing", "uploading", "downloading"), bytes done, bytes total
Progress = Callable[[str, int, int], None]


def _quiet(_phase: str, _done: int, _total: int) -> None:
    """Default progress callback: say nothing."""


class FilesClient(AnswerClient, Protocol):
    """What this service needs from the API client."""

    def download(self, path: str) -> AbstractContextManager[Iterator[bytes]]:
        """Stream a binary body."""
        ...


@dataclass(frozen=True)
class LocalFile:
    """A file on disk with its size and SHA-256."""

    path: Path
    size: int
    sha256: str

    @property
    def remote_name(self) -> str:
        """`<stem>.<sha12>.jsonl`: the name the upload carries, searchable by hash."""
        return f"{self.path.stem}.{self.sha256[:12]}{self.path.suffix or '.jsonl'}"


@dataclass(frozen=True)
class Uploaded:
    """The outcome of an upload: the remote file, the local hash, and whether it was reused."""

    file: FileOut
    sha256: str
    reused: bool


def hash_file(path: Path, on_progress: Progress = _quiet) -> LocalFile:
    """SHA-256 of a file in one streaming pass (constant memory); unreadable → UsageError."""
    digest = hashlib.sha256()
    try:
        size = path.stat().st_size
        done = 0
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
                done += len(chunk)
                on_progress("hashing", done, size)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    return LocalFile(path, size, digest.hexdigest())


class ProgressReader:
    """A binary file reporting bytes as httpx reads them; seek(0) (a retry) restarts the count."""

    def __init__(self, handle: BinaryIO, total: int, on_progress: Progress) -> None:
        self._handle = handle
        self._total = total
        self._on_progress = on_progress
        self._done = 0

    def read(self, size: int = -1) -> bytes:
        """Read up to `size` bytes and report progress."""
        chunk = self._handle.read(size)
        self._done += len(chunk)
        if chunk:
            self._on_progress("uploading", self._done, self._total)
        return chunk

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        """Seek the underlying file; a rewind resets the progress count."""
        position = self._handle.seek(offset, whence)
        if whence == os.SEEK_SET:
            self._done = position
        return position

    def tell(self) -> int:
        """Current position."""
        return self._handle.tell()

    def fileno(self) -> int:
        """The file descriptor (httpx sizes the body with fstat)."""
        return self._handle.fileno()


class UploadCache:
    """Which local hashes were uploaded as which file id, per server (cache_dir/uploads.json)."""

    def __init__(self, path: Path, scope: str) -> None:
        self.path = path
        self.scope = scope

    def _load(self) -> dict[str, Any]:
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return document if isinstance(document, dict) else {}

    def get(self, sha256: str) -> str | None:
        """The file id recorded for this hash on this server, if any."""
        entry = self._load().get(f"{self.scope} {sha256}")
        return entry.get("file_id") if isinstance(entry, dict) else None

    def put(self, sha256: str, file: FileOut) -> None:
        """Record an upload; write failures are not errors."""
        document = self._load()
        document[f"{self.scope} {sha256}"] = {"file_id": file.id, "bytes": file.bytes}
        self._save(document)

    def forget(self, sha256: str) -> None:
        """Drop a stale entry."""
        document = self._load()
        if document.pop(f"{self.scope} {sha256}", None) is not None:
            self._save(document)

    def _save(self, document: dict[str, Any]) -> None:
        with contextlib.suppress(OSError):
            fsio.private_dir(self.path.parent)
            fsio.atomic_write(self.path, json.dumps(document, indent=1))  # 0600


def check_size(local: LocalFile) -> None:
    """Refuse files the API would reject: empty, or over 512 MB."""
    if local.size == 0:
        raise DataValidationError(f"{local.path} is empty")
    if local.size > MAX_BYTES:
        megabytes = local.size // (1024 * 1024)
        raise DataValidationError(
            f"{local.path}: {megabytes} MB > 512 MB; split it", hint="the API takes ≤ 512 MB a file"
        )


def find_reusable(
    client: FilesClient, local: LocalFile, purpose: str, cache: UploadCache | None
) -> FileOut | None:
    """A live remote file with these bytes: from the cache, else a search by hash prefix."""
    cached = cache.get(local.sha256) if cache is not None else None
    if cached is not None:
        try:
            found = get_file(client, cached)
        except RequestRejected:
            found = None
        if found is not None and found.bytes == local.size and not found.deleted:
            return found
        if cache is not None:
            cache.forget(local.sha256)
    listed = list_files(client, purpose=purpose, search=local.sha256[:12])
    for candidate in listed.data:
        if candidate.filename == local.remote_name and candidate.bytes == local.size:
            return candidate
    return None


def upload(
    client: FilesClient,
    path: Path,
    *,
    purpose: str = "fine-tune",
    cache: UploadCache | None = None,
    reuse: bool = True,
    on_progress: Progress = _quiet,
    read_timeout: float = UPLOAD_READ_TIMEOUT,
) -> Uploaded:
    """Upload `path` (or reuse an identical live upload), streaming from disk."""
    local = hash_file(path, on_progress)
    check_size(local)
    form = UploadForm.model_validate({"purpose": purpose})
    if reuse:
        found = find_reusable(client, local, form.purpose, cache)
        if found is not None:
            if cache is not None:
                cache.put(local.sha256, found)
            return Uploaded(found, local.sha256, reused=True)
    with path.open("rb") as handle:
        reader = ProgressReader(handle, local.size, on_progress)
        uploaded = client.send(
            "POST",
            "/v1/files",
            into=FileOut,
            files={"file": (local.remote_name, reader, "application/jsonl")},
            data=form.fields(),
            read_timeout=read_timeout,
        )
    if cache is not None:
        cache.put(local.sha256, uploaded)
    return Uploaded(uploaded, local.sha256, reused=False)


def list_files(
    client: FilesClient,
    *,
    purpose: str | None = None,
    search: str | None = None,
    page: int = 0,
    page_size: int = 100,
) -> FileList:
    """GET /v1/files with filters."""
    params: dict[str, Any] = {"page": page, "page_size": page_size}
    if purpose:
        params["purpose"] = purpose
    if search:
        params["search"] = search
    return client.send("GET", "/v1/files", into=FileList, params=params)


def get_file(client: FilesClient, file_id: str) -> FileOut:
    """GET /v1/files/{id}."""
    return client.send("GET", f"/v1/files/{file_id}", into=FileOut)


def delete_file(client: FilesClient, file_id: str) -> FileDeleted:
    """DELETE /v1/files/{id}."""
    return client.send("DELETE", f"/v1/files/{file_id}", into=FileDeleted)


def download(
    client: FilesClient,
    file_id: str,
    dest: Path,
    *,
    force: bool = False,
    on_progress: Progress = _quiet,
) -> int:
    """Stream a file's content to `dest` safely (fsio.open_output); returns the bytes written.

    A new file appears whole or not at all; an existing one is replaced only with `force`;
    `-` is stdout and a device or FIFO is written directly. A failed write is exit 1.
    """
    total = get_file(client, file_id).bytes or 0  # unknown size: progress without a total
    if not (fsio.is_stdout(dest) or fsio.is_stream(dest)):
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise fsio.write_failed(dest, exc) from None
    done = 0
    with (
        fsio.open_output(dest, force=force, binary=True) as out,
        client.download(f"/v1/files/{file_id}/content") as chunks,
    ):
        for chunk in chunks:
            out.write(chunk)
            done += len(chunk)
            on_progress("downloading", done, total)
    return done


def local_name(meta: FileOut, file_id: str) -> Path:
    """Where `files download` puts a file given no -o: the server's name, made safe, here.

    Reduced to a plain basename (no folders, no leading dot, no control characters); an
    existing file of that name is never replaced (exit 2: choose the name with -o).
    """
    from pathlib import Path

    name = Path(fsio.safe_basename(meta.filename or "", fallback=file_id))
    if name.exists() or name.is_symlink():
        raise UsageError(
            f"{name} already exists (the name the server gives file {file_id})",
            hint="choose where to write with -o PATH (and --force to replace a file)",
        )
    return name


def row(file: FileOut) -> list[str]:
    """One table row for `files list`: id, filename, purpose, bytes, created (UTC); `?` unknown."""
    return [
        file.id,
        unknown(file.filename),
        unknown(file.purpose),
        unknown(file.bytes),
        time_text(file.created_at),
    ]


def details(file: FileOut) -> list[tuple[str, str]]:
    """Key/value pairs for `files show`."""
    pairs = [
        ("id", file.id),
        ("filename", unknown(file.filename)),
        ("purpose", unknown(file.purpose)),
        ("bytes", unknown(file.bytes, ",")),
        ("lines", "" if file.num_lines is None else f"{file.num_lines:,}"),
        ("sample type", file.sample_type or ""),
        ("created", time_text(file.created_at)),
    ]
    if file.expires_at:
        pairs.append(("expires", time_text(file.expires_at)))
    return pairs


def deletion(result: FileDeleted) -> str:
    """`deleted`, `not deleted`, or `?` when the answer does not say."""
    return "?" if result.deleted is None else "deleted" if result.deleted else "not deleted"
