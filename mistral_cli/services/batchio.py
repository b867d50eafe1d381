"""Batch API job files: a staged request file and manifest, the job made of them, its results.

What every kind of batch job shares (`embed --batch` in services/embed/batchfile.py, `batch
create` in services/chat/batchfile.py): private temporary files in the data dir; the upload
(purpose=batch) and the job's creation; the manifest, kept under the job's id, that maps each
request back to its input lines; and the results, downloaded to temporary files, indexed by
custom_id and read back one line at a time, so answers (which come back in any order) are
written in input order with bounded memory.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import orjson

from mistral_cli import fsio
from mistral_cli.api.errors import parse_error_body
from mistral_cli.api.schemas.batch import CreateBatchJobRequest
from mistral_cli.api.values import as_int
from mistral_cli.errors import CliError
from mistral_cli.services import batch, files

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from mistral_cli.api.schemas.batch import BatchJob

EMBEDDINGS = "/v1/embeddings"  # manifests of `embed --batch` name no endpoint: this is theirs
_CUSTOM_ID = re.compile(rb'"custom_id"\s*:\s*"((?:[^"\\]|\\.)*)"')


class Staged(Protocol):
    """A request file and its manifest, written and waiting to be submitted."""

    @property
    def requests_path(self) -> Path:
        """The JSONL request file to upload."""
        ...

    @property
    def manifest_path(self) -> Path:
        """The manifest, kept under the job's id once the job exists."""
        ...


def temp(folder: Path, suffix: str, prefix: str) -> Path:
    """A new empty private file (0600) in `folder`, for the caller to fill and remove."""
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=folder)
    os.close(fd)
    return folder / os.path.basename(name)


def discard(staged: Staged) -> None:
    """Remove a request file and manifest that will not be submitted."""
    staged.requests_path.unlink(missing_ok=True)
    staged.manifest_path.unlink(missing_ok=True)


def manifest_for(folder: Path, job_id: str) -> Path:
    """Where the manifest of job `job_id` is kept."""
    return folder / f"{job_id}.manifest.jsonl"


def manifest_header(folder: Path, job_id: str) -> dict[str, Any] | None:
    """The first line of a job's manifest (None when there is no readable manifest)."""
    try:
        with manifest_for(folder, job_id).open("rb") as manifest:
            header = orjson.loads(manifest.readline())
    except (OSError, ValueError):
        return None
    return header if isinstance(header, dict) else None


def manifest_endpoint(folder: Path, job_id: str) -> str | None:
    """The endpoint a job's manifest was written for (embed manifests name none), or None."""
    header = manifest_header(folder, job_id)
    if header is None:
        return None
    endpoint = header.get("endpoint", EMBEDDINGS)
    return endpoint if isinstance(endpoint, str) else None


def submit(
    client: files.FilesClient,
    staged: Staged,
    model: str,
    folder: Path,
    options: batch.JobOptions,
) -> BatchJob:
    """Upload the request file (purpose=batch), create the job, keep the manifest under its id."""
    try:
        uploaded = files.upload(client, staged.requests_path, purpose="batch", reuse=False)
        body = CreateBatchJobRequest.model_validate(
            {
                "input_files": [uploaded.file.id],
                "endpoint": options.endpoint,
                "model": model,
                "metadata": options.metadata or None,
                "timeout_hours": options.timeout_hours,
            }
        )
        job = batch.create(client, body)
    except BaseException:
        staged.manifest_path.unlink(missing_ok=True)
        raise
    finally:
        staged.requests_path.unlink(missing_ok=True)
    staged.manifest_path.replace(manifest_for(folder, job.id))
    return job


def no_manifest(job: BatchJob, folder: Path) -> CliError:
    """The error for a job whose manifest is not here (made elsewhere, or by another tool)."""
    return CliError(
        f"no manifest for batch job {job.id} in {folder}",
        hint="it was not created by `mistral embed --batch` or `mistral batch create` here; "
        "`mistral batch download JOB --raw` writes the output file as it is",
    )


@contextlib.contextmanager
def fetched(client: files.FilesClient, job: BatchJob, folder: Path) -> Iterator[list[Path]]:
    """The job's output and error files, downloaded to temporary files removed afterwards."""
    fsio.private_dir(folder)  # the answers are the user's: 0700 (mkstemp files are 0600)
    downloaded: list[Path] = []
    try:
        for file_id in (job.output_file, job.error_file):
            if file_id:
                path = temp(folder, ".results.jsonl", prefix="results-")
                downloaded.append(path)
                files.download(client, file_id, path, force=True)  # our own temporary file
        yield downloaded
    finally:
        for path in downloaded:
            path.unlink(missing_ok=True)


class Results:
    """The result lines of a job, found by custom_id: indexed once, each read when asked for.

    The index holds a file and an offset per request (not the answers), so memory stays small
    however large the results; the files stay open while the block runs.
    """

    def __init__(self, paths: list[Path]) -> None:
        self.paths = paths
        self.index = index(paths)
        self._handles: dict[Path, Any] = {}
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> Results:
        for path in self.paths:
            self._handles[path] = self._stack.enter_context(path.open("rb"))
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def get(self, custom_id: str) -> dict[str, Any] | None:
        """The result line of request `custom_id` (a line that is not an object as {}), or None."""
        where = self.index.get(custom_id)
        if where is None:
            return None
        offset, number = divmod(where, len(self.paths))
        handle = self._handles[self.paths[number]]
        handle.seek(offset)
        return as_object(handle.readline())


def index(paths: list[Path]) -> dict[str, int]:
    """custom_id → where its result line starts (offset × len(paths) + the file's number).

    One int a request, the answers not decoded: ~100 bytes a request, whatever their size.
    """
    found: dict[str, int] = {}
    for number, path in enumerate(paths):
        offset = 0
        with path.open("rb") as results:
            for raw in results:
                match = _CUSTOM_ID.search(raw, 0, 400)
                custom_id = (
                    as_object(b'{"id":"' + match.group(1) + b'"}').get("id") if match else None
                )
                if custom_id is None and raw.strip():
                    custom_id = as_object(raw).get("custom_id")
                if custom_id is not None:  # a line naming no request cannot be placed
                    found[str(custom_id)] = offset * len(paths) + number
                offset += len(raw)
    return found


def as_object(raw: bytes) -> dict[str, Any]:
    """A result line as a JSON object; one that is not (or is not JSON) as an empty one."""
    try:
        line = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return {}
    return line if isinstance(line, dict) else {}


@dataclass(frozen=True)
class Failure:
    """Why a request of a job has no answer: its HTTP status (when known) and the message."""

    status: int | None
    message: str

    def __str__(self) -> str:
        return f"HTTP {self.status}: {self.message}" if self.status is not None else self.message


def outcome(line: dict[str, Any] | None) -> tuple[Any, Failure | None]:
    """A result line's answer body, or why the request failed (no line: the job has no result).

    A line is `{"custom_id", "response": {"status_code", "body"}, "error"}`; only status 200
    carries an answer. The message of a failure is read as an error body is (api/errors.py).
    """
    if line is None:
        return None, Failure(None, "the job has no result for it")
    response = line.get("response")
    response = response if isinstance(response, dict) else {}
    status = as_int(response.get("status_code"))
    body = response.get("body")
    if status == 200:
        return body, None
    return None, Failure(status, _reason(status, body, line.get("error")))


def _reason(status: int | None, *sources: object) -> str:
    for source in sources:
        if source not in (None, "", {}, []):
            found = parse_error_body(status or 0, "application/json", orjson.dumps(source))
            return found.message
    return "no message"
