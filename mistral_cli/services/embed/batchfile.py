"""`mistral embed --batch`: the Batch API's request file, its local manifest, and the results.

The request file holds one line per request, `{"custom_id": "<first line>", "body": {"input":
[...]}}`, packed as the direct path packs. The manifest (kept in the data dir, named after the
job) records each request's input lines (or ids) in input order, so results, which come back
in any order, are written in input order with their lines — by `--wait` or `batch download`.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from mistral_cli import fsio
from mistral_cli.api.schemas.batch import CreateBatchJobRequest
from mistral_cli.api.schemas.lenient import as_int
from mistral_cli.errors import CliError
from mistral_cli.services import batch, files
from mistral_cli.services.embed.backend import TYPECODES, place
from mistral_cli.services.embed.batching import Tally, batches
from mistral_cli.services.embed.inputs import Item
from mistral_cli.values import counted

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    from mistral_cli.api.schemas.batch import BatchJob
    from mistral_cli.services.embed.backend import EmbedSettings
    from mistral_cli.services.embed.batching import Limits
    from mistral_cli.services.embed.tokens import TokenCounter
    from mistral_cli.services.embed.writers import EmbeddingWriter

_CUSTOM_ID = re.compile(rb'"custom_id"\s*:\s*"((?:[^"\\]|\\.)*)"')


@dataclass(frozen=True)
class Prepared:
    """A request file and manifest on disk, with what they hold."""

    requests_path: Path
    manifest_path: Path
    inputs: int
    tokens: int
    requests: int
    blank: int
    truncated: int


def prepare(
    items: Iterable[Item],
    settings: EmbedSettings,
    folder: Path,
    *,
    limits: Limits,
    counter: TokenCounter,
    truncate: bool,
) -> Prepared:
    """Write the request file and the manifest (temporary names in `folder`)."""
    fsio.private_dir(folder)  # request texts are the user's: 0700 (mkstemp files are 0600)
    tally = Tally()
    inputs = tokens = requests = 0
    requests_path, manifest_path = _temp(folder, ".requests.jsonl"), _temp(folder, ".manifest")
    header = {"model": settings.model, "output_dtype": settings.output_dtype}
    with requests_path.open("wb") as out, manifest_path.open("wb") as manifest:
        manifest.write(orjson.dumps(header) + b"\n")
        todo = batches(items, counter=counter, limits=limits, truncate=truncate, tally=tally)
        for batch in todo:
            custom_id = str(batch.entries[0].item.line)
            body = settings.batch_body([entry.text for entry in batch.entries])
            out.write(orjson.dumps({"custom_id": custom_id, "body": body}) + b"\n")
            entry = {
                "custom_id": custom_id,
                "lines": [e.item.line for e in batch.entries],
                "ids": [e.item.id for e in batch.entries],
            }
            manifest.write(orjson.dumps(entry) + b"\n")
            inputs, tokens, requests = (
                inputs + len(batch.entries),
                tokens + batch.tokens,
                requests + 1,
            )
    return Prepared(
        requests_path, manifest_path, inputs, tokens, requests, tally.blank, tally.truncated
    )


def _temp(folder: Path, suffix: str) -> Path:
    fd, name = tempfile.mkstemp(prefix="embed-", suffix=suffix, dir=folder)
    os.close(fd)
    return folder / os.path.basename(name)


def manifest_for(folder: Path, job_id: str) -> Path:
    """Where the manifest of job `job_id` is kept."""
    return folder / f"{job_id}.manifest.jsonl"


def manifest_dtype(folder: Path, job_id: str) -> str:
    """The output dtype recorded for a job (float when there is no manifest)."""
    try:
        with manifest_for(folder, job_id).open("rb") as manifest:
            header = orjson.loads(manifest.readline())
    except (OSError, ValueError):
        return "float"
    dtype = header.get("output_dtype") if isinstance(header, dict) else None
    return dtype if isinstance(dtype, str) and dtype in TYPECODES else "float"


def submit(client: files.FilesClient, prepared: Prepared, model: str, folder: Path) -> BatchJob:
    """Upload the request file (purpose=batch), create the job, keep the manifest under its id."""
    try:
        uploaded = files.upload(client, prepared.requests_path, purpose="batch", reuse=False)
        body = CreateBatchJobRequest(
            input_files=[uploaded.file.id],
            endpoint="/v1/embeddings",
            model=model,
            metadata={"source": "mistral-cli embed"},
        )
        job = batch.create(client, body)
    except BaseException:
        prepared.manifest_path.unlink(missing_ok=True)
        raise
    finally:
        prepared.requests_path.unlink(missing_ok=True)
    prepared.manifest_path.replace(manifest_for(folder, job.id))
    return job


def collect(
    client: files.FilesClient, job: BatchJob, folder: Path, writer: EmbeddingWriter
) -> Written:
    """Download a finished job's output (and error) file and write the vectors in input order."""
    manifest = manifest_for(folder, job.id)
    if not manifest.exists():
        raise CliError(
            f"no manifest for batch job {job.id} in {folder}",
            hint="it was not created by `mistral embed --batch` here; "
            "`mistral batch download JOB --raw` writes the output file as it is",
        )
    downloaded: list[Path] = []
    try:
        for file_id in (job.output_file, job.error_file):
            if file_id:
                path = _temp(folder, ".results.jsonl")
                downloaded.append(path)
                files.download(client, file_id, path, force=True)  # our own temporary file
        return write_results(manifest, downloaded, writer)
    finally:
        for path in downloaded:
            path.unlink(missing_ok=True)


@dataclass(frozen=True)
class Written:
    """What `write_results` wrote."""

    inputs: int
    requests: int


def write_results(
    manifest_path: Path, result_files: list[Path], writer: EmbeddingWriter
) -> Written:
    """Write every request's vectors in input order; stop naming the first line not embedded."""
    offsets = _index(result_files)
    written = requests = 0
    with manifest_path.open("rb") as manifest:
        header = orjson.loads(manifest.readline())
        dtype = str(header.get("output_dtype"))
        dtype = dtype if dtype in TYPECODES else "float"
        for raw in manifest:
            entry = orjson.loads(raw)
            items = [
                Item(line, id_, "") for line, id_ in zip(entry["lines"], entry["ids"], strict=True)
            ]
            try:
                vectors = _vectors(offsets.get(entry["custom_id"]), len(items), dtype)
            except CliError as exc:
                raise _stopped(items[0], exc, written) from None
            writer.write(items, vectors)
            written, requests = written + len(items), requests + 1
    return Written(written, requests)


def _index(paths: list[Path]) -> dict[str, tuple[Path, int]]:
    """custom_id → (file, offset) of its result line, read without decoding the vectors."""
    found: dict[str, tuple[Path, int]] = {}
    for path in paths:
        offset = 0
        with path.open("rb") as results:
            for raw in results:
                match = _CUSTOM_ID.search(raw, 0, 400)
                custom_id = (
                    _object(b'{"id":"' + match.group(1) + b'"}').get("id") if match else None
                )
                if custom_id is None and raw.strip():
                    custom_id = _object(raw).get("custom_id")
                if custom_id is not None:  # a line naming no request cannot be placed
                    found[str(custom_id)] = (path, offset)
                offset += len(raw)
    return found


def _object(raw: bytes) -> dict[str, Any]:
    """A result line as a JSON object; one that is not (or is not JSON) as an empty one."""
    try:
        line = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return {}
    return line if isinstance(line, dict) else {}


def _vectors(where: tuple[Path, int] | None, count: int, dtype: str) -> list[Any]:
    if where is None:
        raise CliError("the job has no result for it")
    path, offset = where
    with path.open("rb") as results:
        results.seek(offset)
        line = _object(results.readline())
    response = line.get("response")
    response = response if isinstance(response, dict) else {}
    status = as_int(response.get("status_code"))
    body = response.get("body")
    if status != 200:
        raise CliError(f"the job's request failed ({_reason(status, body, line)})")
    return place(body, count, dtype, where=f"the batch result {line.get('custom_id')!r}")


def _reason(status: object, body: object, line: dict[str, Any]) -> str:
    message = body.get("message") if isinstance(body, dict) else None
    message = message or line.get("error") or "no message"
    return f"HTTP {status}: {message}" if status is not None else str(message)


def _stopped(item: Item, exc: CliError, written: int) -> CliError:
    verb = "is" if written == 1 else "are"
    done = f"; the {counted(written, 'input')} before it {verb} written" if written else ""
    return CliError(
        f"{item.where()} and the lines after it were not embedded: {exc.message}{done}",
        hint="`mistral batch status JOB` shows the job's errors",
    )
