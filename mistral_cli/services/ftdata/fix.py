"""`finetune validate --fix OUT`: write a repaired copy of a data file, never the input."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from mistral_cli import fsio
from mistral_cli.errors import DataValidationError, UsageError
from mistral_cli.services.ftdata.fix_rules import fix_sample
from mistral_cli.services.ftdata.reader import Reader, Record
from mistral_cli.services.ftdata.report import Collector
from mistral_cli.services.ftdata.sample import CHAT, check_sample, family_of
from mistral_cli.services.ftdata.scan import open_data

if TYPE_CHECKING:
    from pathlib import Path


@dataclass(frozen=True, slots=True)
class Change:
    """One logged change: `41: FT204: dropped 1 trailing message(s) …`."""

    line: int
    rule: str
    change: str

    def __str__(self) -> str:
        return f"{self.line}: {self.rule}: {self.change}"


@dataclass(slots=True)
class FixResult:
    """What --fix did: the change log and sample counts (read, written, dropped)."""

    src: Path
    dst: Path
    changes: list[Change] = field(default_factory=list)
    samples: int = 0
    written: int = 0
    dropped: int = 0

    @property
    def log(self) -> list[str]:
        """The change log as `line: rule: change` strings."""
        return [str(change) for change in self.changes]


def check_output(src: Path, dst: Path, *, force: bool = False) -> None:
    """Refuse (exit 2) an OUT that is the input, stdout, a device or FIFO, or exists (no force)."""
    if fsio.is_stdout(dst) or fsio.is_stream(dst):
        raise UsageError(
            f"--fix writes a file that is then validated; {dst} is not one",
            hint="name a new file, e.g. --fix train.fixed.jsonl",
        )
    _refuse_same(src, dst)
    fsio.check_folder(dst)
    fsio.check_new(dst, force=force)


def fix(src: Path, dst: Path, *, drop_invalid: bool = False, force: bool = False) -> FixResult:
    """Write a fixed copy of `src` to `dst` (atomically); drop samples only if drop_invalid.

    An existing `dst` is replaced only with `force`; a failed write is exit 1 naming it.
    """
    check_output(src, dst, force=force)
    result = FixResult(src, dst)
    with open_data(src) as stream, fsio.open_output(dst, force=force, binary=True) as sink:
        reader = Reader(stream)
        for record in reader.records():
            _record(record, sink, result, drop_invalid=drop_invalid)
    head = []
    if reader.document:
        what = "JSON array" if reader.document == "array" else "pretty-printed document"
        head.append(Change(reader.document_line, "FT004", f"rewrote the {what} as JSONL"))
    if reader.bom:
        head.append(Change(1, "FT003", "removed the UTF-8 byte order mark"))
    result.changes = sorted(head + result.changes, key=lambda change: change.line)
    return result


def _refuse_same(src: Path, dst: Path) -> None:
    same = src.resolve() == dst.resolve()
    if not same and src.exists() and dst.exists():
        same = os.path.samefile(src, dst)
    if same:
        raise UsageError(
            f"--fix would overwrite the input {src}",
            hint="write the fixed copy to a new file, e.g. train.fixed.jsonl",
        )


def _record(record: Record, sink: IO[bytes], result: FixResult, *, drop_invalid: bool) -> None:
    line = record.line
    if record.blank:
        result.changes.append(Change(line, "FT005", "removed a blank line"))
        return
    result.samples += 1
    problem = record.problem
    if problem is not None:
        if drop_invalid:
            result.dropped += 1
            result.changes.append(Change(line, problem.rule, f"dropped: {problem.message}"))
            return
        if record.raw is None:  # a broken document or an oversized line: nothing to copy
            raise DataValidationError(
                f"{result.src}:{line}: {problem.message}; --fix cannot copy past it",
                hint="repair that line by hand, or pass --drop-invalid",
            )
        _write(sink, record.raw, result)
        return
    value = record.value
    changes = fix_sample(value) if isinstance(value, dict) else []
    if drop_invalid and _has_errors(value):
        result.dropped += 1
        result.changes.append(Change(line, "FT101", "dropped: the sample still has errors"))
        return
    result.changes.extend(Change(line, rule, change) for rule, change in changes)
    _write(sink, _dump(value) if changes or record.raw is None else record.raw, result)


def _write(sink: IO[bytes], data: bytes, result: FixResult) -> None:
    sink.write(data)
    sink.write(b"\n")
    result.written += 1


def _dump(value: Any) -> bytes:  # noqa: ANN401  # any parsed JSON value
    try:
        return json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates (\ud800) only survive as escapes
        return json.dumps(value).encode("ascii")


def _has_errors(value: object) -> bool:
    scratch = Collector(limit=0)
    family = family_of(value)
    check_sample(value, scratch, family=CHAT if family in (None, "text") else family)
    return scratch.errors > 0
