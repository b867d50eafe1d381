"""`batch download` of a chat job: the answers in input order, as JSON lines or one text a line.

The order is the manifest's, written by `batch create` (custom_id → input line); without one,
custom_ids that are line numbers give it. Each request's result is read from the job's output
or error file (services/batchio.py: indexed, read one line at a time, so memory stays bounded
however large the job): its answer, or why it failed, written on the request's own line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from mistral_cli.api.chat import read_answer, split_content
from mistral_cli.errors import CliError
from mistral_cli.services import batchio
from mistral_cli.services.batchio import Failure, Results, manifest_for, outcome
from mistral_cli.values import counted

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path

    from mistral_cli.api.schemas.batch import BatchJob
    from mistral_cli.services.embed.writers import TextSink
    from mistral_cli.services.files import FilesClient

FORMATS = ("jsonl", "text")
SHOWN = 20  # failed requests named one by one; the rest are counted


@dataclass(frozen=True)
class Entry:
    """One request of a job: its custom_id and the input line it came from."""

    custom_id: str
    line: int

    def where(self) -> str:
        """`line 4`, or `line 4 (custom_id "q-17")` when the id is not the line number."""
        if self.custom_id == str(self.line):
            return f"line {self.line}"
        return f"line {self.line} (custom_id {orjson.dumps(self.custom_id).decode()})"


@dataclass
class Summary:
    """What was written: answers, and the requests that failed (the first SHOWN of them)."""

    format: str
    written: int = 0
    failed: int = 0
    shown: list[tuple[Entry, Failure]] = field(default_factory=list)

    def notes(self) -> list[str]:
        """One line per failed request shown: `line 4: HTTP 422: …`."""
        lines = [f"{entry.where()}: {failure}" for entry, failure in self.shown]
        if self.failed > len(self.shown):
            lines.append(f"… and {counted(self.failed - len(self.shown), 'more failed request')}")
        return lines

    def error(self) -> CliError | None:
        """Exit 1 when a request failed: everything was written, but not every answer is there."""
        if not self.failed:
            return None
        kept = "their lines are empty" if self.format == "text" else 'their records hold "error"'
        return CliError(
            f"{self.failed:,} of {counted(self.written, 'request')} failed; {kept}",
            hint="the lines above say why; `mistral batch status JOB` shows the job's errors",
        )


def collect(client: FilesClient, job: BatchJob, folder: Path, sink: TextSink, fmt: str) -> Summary:
    """Download a finished job's output (and error) file and write its answers in input order."""
    manifest = manifest_for(folder, job.id)
    with batchio.fetched(client, job, folder) as paths, Results(paths) as results:
        if manifest.exists():
            order: Iterable[Entry] = _manifest(manifest)
        else:
            order = _numbered(results, job, folder)
        return write(order, results, sink, fmt)


def write(entries: Iterable[Entry], results: Results, sink: TextSink, fmt: str) -> Summary:
    """Each request's record (or text line), in the order of `entries`."""
    summary = Summary(fmt)
    for entry in entries:
        body, failure = outcome(results.get(entry.custom_id))
        text = ""
        if failure is None and fmt == "text":
            text, failure = _text(body)
        if failure is not None:
            summary.failed += 1
            if len(summary.shown) < SHOWN:
                summary.shown.append((entry, failure))
        if fmt == "text":
            sink.write(text + "\n")
        else:
            sink.write(_record(entry, body, failure))
        summary.written += 1
    sink.flush()
    return summary


def _record(entry: Entry, body: Any, failure: Failure | None) -> str:  # noqa: ANN401  # JSON
    record: dict[str, Any] = {"custom_id": entry.custom_id, "line": entry.line}
    if failure is None:
        record["response"] = body
    else:
        record["response"] = None
        record["error"] = {"status_code": failure.status, "message": failure.message}
    return orjson.dumps(record).decode() + "\n"


def _text(body: object) -> tuple[str, Failure | None]:
    r"""The answer's text on one line (newlines as \n, backslashes doubled), or why not."""
    if not isinstance(body, dict):
        return "", Failure(200, "the answer is not a chat completion (not a JSON object)")
    answer = read_answer(body, where="the batch result", part="message")
    text, _thinking = split_content(answer.content)
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r"), None


def _manifest(path: Path) -> Iterator[Entry]:
    """The requests a manifest lists, in input order (its first line is the header)."""
    with path.open("rb") as manifest:
        manifest.readline()
        for number, raw in enumerate(manifest, start=2):
            try:
                entry = orjson.loads(raw)
                yield Entry(str(entry["custom_id"]), int(entry["line"]))
            except (ValueError, KeyError, TypeError):
                raise CliError(
                    f"the manifest {path} is damaged at line {number}",
                    hint="`mistral batch download JOB --raw` writes the output file as it is",
                ) from None


def _numbered(results: Results, job: BatchJob, folder: Path) -> Iterator[Entry]:
    """Without a manifest: the results in line order, when every custom_id is a line number."""
    ids = list(results.index)
    if not ids or not all(_line_number(custom_id) for custom_id in ids):
        raise batchio.no_manifest(job, folder)
    ids.sort(key=int)
    return (Entry(custom_id, int(custom_id)) for custom_id in ids)


def _line_number(custom_id: str) -> bool:
    return custom_id.isascii() and custom_id.isdigit() and str(int(custom_id)) == custom_id
