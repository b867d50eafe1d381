"""One streaming pass over one file: file rules (FT001–FT008), per-sample rules, stats."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO, Literal

from mistral_cli.errors import UsageError
from mistral_cli.services.ftdata.reader import Reader, Record
from mistral_cli.services.ftdata.report import ERROR, INFO, WARNING, Collector, FileStats
from mistral_cli.services.ftdata.rules_classifier import LabelStats
from mistral_cli.services.ftdata.sample import CHAT, CLASSIFIER, Facts, check_sample, family_of
from mistral_cli.values import counted

if TYPE_CHECKING:
    from pathlib import Path

    from mistral_cli.services.ftdata.tokens import TokenCounter

MB = 1024 * 1024
MAX_FILE_BYTES = 512 * MB
WARN_FILE_BYTES = 450 * MB
MAX_VALIDATION_BYTES = 1 * MB
MIN_EXAMPLES = 10
FEW_EXAMPLES = 200
MIN_TRAINABLE_SHARE = 0.05


@dataclass(frozen=True, slots=True, kw_only=True)
class ScanOptions:
    """Settings shared by every file of one validate() call."""

    counter: TokenCounter
    kind: str | None = None
    seq_len: int | None = None
    max_context: int | None = None


@dataclass(slots=True)
class FileScan:
    """The state of one pass: stats, sample hashes (FT008), label tallies, the file's family."""

    stats: FileStats
    hashes: dict[bytes, int] = field(default_factory=dict)
    labels: LabelStats = field(default_factory=LabelStats)
    family: str | None = None
    family_line: int = 0
    mixed: bool = False
    document: bool = False
    kinds: set[str] = field(default_factory=set)


def open_data(path: Path) -> BinaryIO:
    """Open a data file for reading; a missing or unreadable file is a usage error (exit 2)."""
    try:
        if path.is_dir():
            raise UsageError(f"{path} is a directory", hint="pass a .jsonl file")
        return path.open("rb")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file", hint="check the path and try again") from None
    except PermissionError:
        raise UsageError(
            f"{path}: permission denied", hint="check the file's permissions"
        ) from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None


def scan_file(
    path: Path,
    role: Literal["train", "validation"],
    out: Collector,
    opts: ScanOptions,
    train: FileScan | None = None,
) -> FileScan:
    """Validate one file in a single streaming pass."""
    scan = FileScan(FileStats(str(path), role, estimated=opts.counter.estimated))
    out.file, out.line = scan.stats.path, None
    with open_data(path) as stream:
        _file_rules(path, os.fstat(stream.fileno()).st_size, role, out)
        reader = Reader(stream)
        try:
            _records(reader, scan, out, opts, train)
        except OSError as exc:
            raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    scan.stats.sha256, scan.stats.bytes = reader.sha256, reader.size
    _finish(reader, scan, out)
    scan.stats.kind = opts.kind or _kind(scan)
    return scan


def _file_rules(path: Path, size: int, role: str, out: Collector) -> None:
    """FT001 (extension, empty) and FT002 (size limits)."""
    if path.suffix.lower() != ".jsonl":
        out.emit_at(None, "FT001", ERROR, "", "only .jsonl is accepted")
    if size == 0:
        out.emit_at(None, "FT001", ERROR, "", "empty file")
    if size > MAX_FILE_BYTES:
        out.emit_at(None, "FT002", ERROR, "", f"{size / MB:,.0f} MB > 512 MB; split it")
    elif role == "validation" and size > MAX_VALIDATION_BYTES:
        out.emit_at(None, "FT002", ERROR, "", f"validation file {size / MB:,.1f} MB > 1 MB")
    elif size > WARN_FILE_BYTES:
        out.emit_at(None, "FT002", WARNING, "", f"{size / MB:,.0f} MB, close to the 512 MB limit")


def _records(
    reader: Reader, scan: FileScan, out: Collector, opts: ScanOptions, train: FileScan | None
) -> None:
    for record in reader.records():
        out.line = record.line
        if reader.document and not scan.document:
            scan.document = True
            what = "a JSON array" if reader.document == "array" else "a pretty-printed document"
            message = f"one object per line expected, found {what}"
            out.emit_at(reader.document_line, "FT004", ERROR, "", message, fixable=True)
        if record.blank:
            out.emit("FT005", ERROR, "", "blank line", fixable=True)
            continue
        scan.stats.samples += 1
        problem = record.problem
        if problem is not None:
            out.emit(problem.rule, ERROR, "", problem.message, column=problem.column)
            continue
        family = _family(record, scan, out, opts)
        facts = check_sample(record.value, out, family=family)
        _duplicate(record, scan, out, train)
        _count(facts, scan, out, opts)
        if facts.labels is not None:
            scan.labels.add(record.line, facts.labels)
            if train is not None:
                train.labels.check_unseen(facts.labels, out)
        if facts.kind:
            scan.kinds.add(facts.kind)


def _family(record: Record, scan: FileScan, out: Collector, opts: ScanOptions) -> str:
    """The rules to apply to this sample, and FT006 when the file mixes kinds."""
    detected = family_of(record.value)
    if opts.kind is not None:
        forced = CLASSIFIER if opts.kind == CLASSIFIER else CHAT
        if forced == CHAT and detected == CLASSIFIER:
            out.emit("FT006", ERROR, "", f"classifier sample in a --kind {opts.kind} file")
        return forced
    if detected in (None, "text"):
        return scan.family or CHAT
    if scan.family is None:
        scan.family, scan.family_line = detected, record.line
    elif detected != scan.family and not scan.mixed:
        scan.mixed = True
        message = f"mixed data kinds: {detected} here, {scan.family} on line {scan.family_line}"
        out.emit("FT006", ERROR, "", message)
    return detected


def _duplicate(record: Record, scan: FileScan, out: Collector, train: FileScan | None) -> None:
    """FT008: the same sample earlier in this file, or in the training file."""
    raw = record.raw
    if raw is None:  # document mode: hash a canonical form instead of the bytes
        text = json.dumps(record.value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        raw = text.encode("utf-8", "surrogatepass")
    key = hashlib.blake2b(raw, digest_size=16).digest()
    if train is not None and key in train.hashes:
        message = f"same as {train.stats.path}:{train.hashes[key]}"
        out.emit("FT008", WARNING, "", message)
    first = scan.hashes.setdefault(key, record.line)
    if first != record.line:
        out.emit("FT008", WARNING, "", f"same as {scan.stats.path}:{first}")


def _count(facts: Facts, scan: FileScan, out: Collector, opts: ScanOptions) -> None:
    """Token stats, and FT601 when a sample is longer than seq_len or the model's context."""
    counter = opts.counter
    trained = counter.count(facts.trained) if facts.trained else 0
    total = trained + (counter.count(facts.prompt) if facts.prompt else 0)
    stats = scan.stats
    stats.tokens += total
    stats.trainable_tokens += trained
    stats.max_sample_tokens = max(stats.max_sample_tokens, total)
    note = " (estimated)" if counter.estimated else ""
    if opts.seq_len and total > opts.seq_len:
        out.emit("FT601", WARNING, "", f"{total:,} tokens > seq_len {opts.seq_len:,}{note}")
    elif opts.max_context and total > opts.max_context:
        message = f"{total:,} tokens > the model's context {opts.max_context:,}{note}"
        out.emit("FT601", WARNING, "", message)


def _finish(reader: Reader, scan: FileScan, out: Collector) -> None:
    """File-level rules once the pass is over: BOM, no samples, few samples, labels, share."""
    stats = scan.stats
    if reader.bom:
        out.emit_at(1, "FT003", WARNING, "", "UTF-8 byte order mark (BOM)", fixable=True)
    if stats.samples == 0 and stats.bytes:
        out.emit_at(None, "FT001", ERROR, "", "no samples")
    train = stats.role == "train"
    if train and 0 < stats.samples < MIN_EXAMPLES:
        out.emit_at(None, "FT007", WARNING, "", f"only {counted(stats.samples, 'example')}")
    elif train and 0 < stats.samples < FEW_EXAMPLES:
        message = f"only {stats.samples} examples; 200–1,000 is a usual start"
        out.emit_at(None, "FT007", INFO, "", message)
    scan.labels.finish(out, train=train)
    # Nothing trainable at all is already an error on each sample (FT204, FT205).
    share = stats.trainable_tokens / stats.tokens if stats.trainable_tokens else 1.0
    if train and CHAT in _family_kinds(scan) and share < MIN_TRAINABLE_SHARE:
        message = f"only {share:.1%} of tokens are in trained assistant turns"
        out.emit_at(None, "FT601", WARNING, "", message)


def _family_kinds(scan: FileScan) -> set[str]:
    return {CLASSIFIER if kind == CLASSIFIER else CHAT for kind in scan.kinds}


def _kind(scan: FileScan) -> str | None:
    if len(_family_kinds(scan)) > 1:
        return "mixed"
    for kind in ("classifier", "vision", "function_calling", "chat"):
        if kind in scan.kinds:
            return kind
    return None
