"""The local side of a run, before any request: sources, data checks, classifier targets."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from mistral_cli.errors import DataValidationError, UsageError
from mistral_cli.services.ftdata.report import ClassTarget, Report

UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
CLASSIFIER = "classifier"
Validator = Callable[[Path, Path | None], Report]


@dataclass(frozen=True)
class Checked:
    """A local file passed validation."""

    path: Path
    report: Report


@dataclass(frozen=True)
class Targets:
    """The classifier targets the job will ask for (none: the server infers them)."""

    targets: list[ClassTarget]
    by_server: bool = False


def parse_weighted(entry: str) -> tuple[str, float]:
    """`PATH|ID[@WEIGHT]` → (PATH|ID, weight); `@` because `:` is in Windows paths."""
    source, sep, weight = entry.rpartition("@")
    if not sep or not source:
        return entry, 1.0
    try:
        value = float(weight)
    except ValueError:
        return entry, 1.0  # an @ that is part of the name
    if value <= 0:
        raise UsageError(f"FT701: weight must be > 0, got {weight} in {entry!r}")
    return source, value


def split_source(entry: str) -> tuple[Path | None, str | None]:
    """A --train/--val value: an existing local path, or a file id; else a usage error."""
    path = Path(entry).expanduser()
    if path.is_file():
        return path, None
    if UUID.match(entry):
        return None, entry
    raise UsageError(f"no such file: {entry}", hint="give a .jsonl path or an uploaded file id")


def local_validator(strict: bool) -> Validator:
    """The offline validator (FT001–FT602) as a (train, val) → Report function."""
    from mistral_cli.services.ftdata.validate import validate

    def check(train: Path, val: Path | None) -> Report:
        return validate(train, val=val, strict=strict)

    return check


def check_local(
    train: list[str], val: list[str], validator: Validator, *, enforce: bool = True
) -> Iterator[Checked]:
    """Validate each local training file (the first with the validation file).

    With `enforce`, a failing report is exit 8 before any request; without it (--no-validate,
    scanned only for a classifier's labels), nothing fails and nothing is reported as checked.
    """
    paths = [p for p, _ in (split_source(t) for t in train) if p is not None]
    vals = [p for p, _ in (split_source(v) for v in val) if p is not None]
    for index, path in enumerate(paths):
        report = validator(path, vals[0] if index == 0 and vals else None)
        if enforce and not report.ok:
            raise DataValidationError(
                f"{path}: {report.errors} error(s), {report.warnings} warning(s)",
                hint=f"details: mistral finetune validate {path}",
            )
        yield Checked(path, report)


def check_job_type(job_type: str | None, checked: list[Checked]) -> None:
    """Classifier data sent as a completion job fails on the server: say so first (exit 2)."""
    if job_type == CLASSIFIER:
        return
    for item in checked:
        if any(stats.kind == CLASSIFIER for stats in item.report.files[:1]):
            raise UsageError(
                f"{item.path} holds classifier samples (labels); this is a completion job",
                hint="add --job-type classifier (and a classifier model: ministral-3b-latest)",
            )


def classifier_targets(train: list[str], checked: list[Checked], requested: list[str]) -> Targets:
    """The targets to send: derived from the local training data, or the --target ones.

    Training files given by id cannot be read here: the server infers the targets then, and
    --target (whose labels come from the data) is a usage error.
    """
    from mistral_cli.services.ftdata.validate import choose_targets

    if any(split_source(entry)[0] is None for entry in train):
        if requested:
            raise UsageError(
                "--target needs the training data as local files: the labels are read from them",
                hint="pass the .jsonl path instead of the file id, or leave --target out",
            )
        return Targets([], by_server=True)
    chosen = choose_targets([(str(c.path), c.report.targets) for c in checked], requested)
    if not chosen:
        names = ", ".join(str(c.path) for c in checked)
        raise DataValidationError(
            f"--job-type classifier: {names} has no labelled samples",
            hint='a classifier sample is {"text": "…", "labels": {"sentiment": "positive"}}',
        )
    return Targets(chosen)
