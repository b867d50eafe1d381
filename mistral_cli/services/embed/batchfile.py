"""`mistral embed --batch`: the Batch API's request file, its local manifest, and the results.

The request file holds one line per request, `{"custom_id": "<first line>", "body": {"input":
[...]}}`, packed as the direct path packs. The manifest (kept in the data dir, named after the
job) records each request's input lines (or ids) in input order, so results, which come back
in any order, are written in input order with their lines — by `--wait` or `batch download`.
What every batch job shares (staging, submitting, reading results) is in services/batchio.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from mistral_cli import fsio
from mistral_cli.errors import CliError
from mistral_cli.services import batch, batchio
from mistral_cli.services.batchio import EMBEDDINGS, Results, manifest_for, outcome, temp
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
    from mistral_cli.services.files import FilesClient

JOB = batch.JobOptions(EMBEDDINGS, {"source": "mistral-cli embed"})


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
    requests_path = temp(folder, ".requests.jsonl", "embed-")
    manifest_path = temp(folder, ".manifest", "embed-")
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


def submit(client: FilesClient, prepared: Prepared, model: str, folder: Path) -> BatchJob:
    """Upload the request file and create the job on /v1/embeddings (services/batchio.py)."""
    return batchio.submit(client, prepared, model, folder, JOB)


def manifest_dtype(folder: Path, job_id: str) -> str:
    """The output dtype recorded for a job (float when there is no manifest)."""
    header = batchio.manifest_header(folder, job_id) or {}
    dtype = header.get("output_dtype")
    return dtype if isinstance(dtype, str) and dtype in TYPECODES else "float"


def collect(client: FilesClient, job: BatchJob, folder: Path, writer: EmbeddingWriter) -> Written:
    """Download a finished job's output (and error) file and write the vectors in input order."""
    manifest = manifest_for(folder, job.id)
    if not manifest.exists():
        raise batchio.no_manifest(job, folder)
    with batchio.fetched(client, job, folder) as downloaded:
        return write_results(manifest, downloaded, writer)


@dataclass(frozen=True)
class Written:
    """What `write_results` wrote."""

    inputs: int
    requests: int


def write_results(
    manifest_path: Path, result_files: list[Path], writer: EmbeddingWriter
) -> Written:
    """Write every request's vectors in input order; stop naming the first line not embedded."""
    written = requests = 0
    with Results(result_files) as results, manifest_path.open("rb") as manifest:
        header = orjson.loads(manifest.readline())
        dtype = str(header.get("output_dtype"))
        dtype = dtype if dtype in TYPECODES else "float"
        for raw in manifest:
            entry = orjson.loads(raw)
            items = [
                Item(line, id_, "") for line, id_ in zip(entry["lines"], entry["ids"], strict=True)
            ]
            try:
                vectors = _vectors(results.get(entry["custom_id"]), len(items), dtype)
            except CliError as exc:
                raise _stopped(items[0], exc, written) from None
            writer.write(items, vectors)
            written, requests = written + len(items), requests + 1
    return Written(written, requests)


def _vectors(line: dict[str, Any] | None, count: int, dtype: str) -> list[Any]:
    if line is None:
        raise CliError("the job has no result for it")
    body, failure = outcome(line)
    if failure is not None:
        raise CliError(f"the job's request failed ({failure})")
    return place(body, count, dtype, where=f"the batch result {line.get('custom_id')!r}")


def _stopped(item: Item, exc: CliError, written: int) -> CliError:
    verb = "is" if written == 1 else "are"
    done = f"; the {counted(written, 'input')} before it {verb} written" if written else ""
    return CliError(
        f"{item.where()} and the lines after it were not embedded: {exc.message}{done}",
        hint="`mistral batch status JOB` shows the job's errors",
    )
