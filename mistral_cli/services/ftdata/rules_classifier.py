"""Classifier rules: FT501 per sample; FT502 and FT503 over a whole file (LabelStats)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from mistral_cli.errors import DataValidationError, UsageError
from mistral_cli.services.ftdata.report import (
    ERROR,
    WARNING,
    ClassTarget,
    Collector,
    pointer,
    quote,
    type_name,
)
from mistral_cli.values import counted

if TYPE_CHECKING:
    from collections.abc import Sequence

MIN_CLASS_EXAMPLES = 5
MAX_TARGETS = 256
MAX_CLASSES = 10_000  # per target; past that the labels are free text and are not tallied
MAX_SMALL_CLASS_FINDINGS = 20  # per target


def check_labels(sample: dict[str, Any], out: Collector) -> dict[str, str | list[str]] | None:
    """FT501: `labels` is an object of strings or string arrays, with `text` xor `messages`.

    Returns the labels when they are all valid (for the file-wide tallies), else None.
    """
    good: dict[str, str | list[str]] | None = None
    labels = sample.get("labels")
    if not isinstance(labels, dict) or not labels:
        what = "missing 'labels'" if labels is None else "'labels' must be a non-empty object"
        out.emit("FT501", ERROR, "/labels" if "labels" in sample else "", what)
    else:
        good = {}
        for target, value in labels.items():
            if _label_ok(value):
                good[target] = value
            else:
                path = "/labels" + pointer(target)
                out.emit("FT501", ERROR, path, f"bad value at {path} ({type_name(value)})")
                good = None
                break
    has_text, has_messages = "text" in sample, "messages" in sample
    if has_text and has_messages:
        out.emit("FT501", ERROR, "", "both 'text' and 'messages'; keep one")
    elif not has_text and not has_messages:
        out.emit("FT501", ERROR, "", "needs 'text' or 'messages'")
    elif has_text:
        text = sample["text"]
        if not isinstance(text, str) or not text or text.isspace():
            out.emit("FT501", ERROR, "/text", "'text' must be a non-empty string")
    return good


def _label_ok(value: object) -> bool:
    if isinstance(value, str):
        return bool(value)
    return isinstance(value, list) and all(isinstance(item, str) and item for item in value)


@dataclass(slots=True)
class _Target:
    first_line: int
    strings: int = 0
    lists: int = 0
    first_string: int = 0
    first_list: int = 0
    missing: int = 0
    first_missing: int = 0
    classes: dict[str, list[int]] = field(default_factory=dict)  # class -> [count, first line]
    overflow: bool = False


@dataclass(slots=True)
class LabelStats:
    """Per-target tallies over one file: label types, missing targets, class sizes."""

    targets: dict[str, _Target] = field(default_factory=dict)
    samples: int = 0
    first_line: int = 0

    def add(self, line: int, labels: dict[str, str | list[str]]) -> None:
        """Tally one classifier sample's (valid) labels."""
        self.samples += 1
        self.first_line = self.first_line or line
        for name, known in self.targets.items():
            if name not in labels:
                known.missing += 1
                known.first_missing = known.first_missing or line
        for name, value in labels.items():
            target = self.targets.get(name)
            if target is None:
                if len(self.targets) >= MAX_TARGETS:
                    continue
                target = self.targets[name] = _Target(line, missing=self.samples - 1)
                target.first_missing = self.first_line if self.samples > 1 else 0
            _tally(target, line, value)

    def finish(self, out: Collector, *, train: bool) -> None:
        """FT502 (one type per target) and, for training files, FT503 (class balance)."""
        for name, target in self.targets.items():
            path = "/labels" + pointer(name)
            if target.strings and target.lists:
                line = target.first_string if target.strings < target.lists else target.first_list
                message = f"list on {_lines(target.lists)}, string on {target.strings:,}"
                out.emit_at(line, "FT502", ERROR, path, message)
            if train:
                _balance(name, target, path, out)

    def class_targets(self) -> list[ClassTarget]:
        """The targets this file shows: labels sorted; multi-label when any value is a list."""
        return [
            ClassTarget(name, tuple(sorted(t.classes)), t.lists > 0, complete=not t.overflow)
            for name, t in self.targets.items()
        ]

    def check_unseen(self, labels: dict[str, str | list[str]], out: Collector) -> None:
        """FT503: a validation label the training file never uses."""
        for name, value in labels.items():
            target = self.targets.get(name)
            path = "/labels" + pointer(name)
            if target is None:
                if self.targets:
                    out.emit("FT503", WARNING, path, f"target {name!r} not in train")
                continue
            for label in [value] if isinstance(value, str) else value:
                if label not in target.classes and not target.overflow:
                    out.emit("FT503", WARNING, path, f"label {label!r} of {name!r} not in train")


def _lines(count: int) -> str:
    return counted(count, "line")


def _tally(target: _Target, line: int, value: str | list[str]) -> None:
    if isinstance(value, str):
        target.strings += 1
        target.first_string = target.first_string or line
        labels = [value]
    else:
        target.lists += 1
        target.first_list = target.first_list or line
        labels = value
    for label in labels:
        seen = target.classes.get(label)
        if seen is not None:
            seen[0] += 1
        elif len(target.classes) < MAX_CLASSES:
            target.classes[label] = [1, line]
        else:
            target.overflow = True


def _balance(name: str, target: _Target, path: str, out: Collector) -> None:
    if target.missing:
        message = f"target {name!r} missing on {_lines(target.missing)}"
        out.emit_at(target.first_missing, "FT503", WARNING, path, message)
    if len(target.classes) == 1 and not target.lists:
        only = next(iter(target.classes))
        out.emit_at(None, "FT503", WARNING, path, f"target {name!r} has a single class {only!r}")
    if target.overflow:
        out.emit_at(
            None, "FT503", WARNING, path, f"target {name!r} has over {MAX_CLASSES:,} classes"
        )
        return
    small = [
        (label, seen) for label, seen in target.classes.items() if seen[0] < MIN_CLASS_EXAMPLES
    ]
    for label, (count, line) in small[:MAX_SMALL_CLASS_FINDINGS]:
        message = f"class {quote(label)} has {counted(count, 'example')}"
        out.emit_at(line, "FT503", WARNING, path, message)
    if len(small) > MAX_SMALL_CLASS_FINDINGS:
        more = len(small) - MAX_SMALL_CLASS_FINDINGS
        out.emit_at(None, "FT503", WARNING, path, f"{more:,} more classes have < 5 examples")


TARGET_KINDS = {"multi": True, "single": False}


def parse_target(text: str) -> tuple[str, bool | None]:
    """`--target NAME[:multi|:single]` → (name, multi or None for "as the data says")."""
    name, sep, kind = text.rpartition(":")
    if not sep or kind not in TARGET_KINDS:
        name, kind = text, ""
    if not name:
        raise UsageError(
            f"--target expects NAME[:multi], got {text!r}", hint="e.g. --target sentiment"
        )
    return name, TARGET_KINDS.get(kind)


def choose_targets(
    found: Sequence[tuple[str, Sequence[ClassTarget]]], requested: Sequence[str] = ()
) -> list[ClassTarget]:
    """The classifier targets to train: every target the training files show, or the named ones.

    `found` holds (file, its targets). A target keeps its labels from every file; a named one
    the data lacks, or named `:single` where the data gives lists, is exit 8 naming it.
    """
    merged: dict[str, tuple[ClassTarget, str]] = {}
    for path, targets in found:
        for target in targets:
            seen = merged.get(target.name)
            if seen is None:
                merged[target.name] = (target, path)
                continue
            if seen[0].multi != target.multi:
                raise DataValidationError(
                    f"target {target.name!r} is {seen[0].kind} in {seen[1]} "
                    f"and {target.kind} in {path}",
                    hint="give each target one type: a string (single-label) or a list",
                )
            labels = tuple(sorted({*seen[0].labels, *target.labels}))
            complete = seen[0].complete and target.complete
            merged[target.name] = (replace(seen[0], labels=labels, complete=complete), seen[1])
    if not requested:
        return [target for target, _ in merged.values()]
    return [_requested(text, merged) for text in requested]


def _requested(text: str, merged: dict[str, tuple[ClassTarget, str]]) -> ClassTarget:
    name, multi = parse_target(text)
    if name not in merged:
        have = ", ".join(repr(n) for n in merged) or "none"
        raise DataValidationError(
            f"--target {name!r}: the training data has no such target (it has: {have})",
            hint="name a key of the samples' 'labels' object",
        )
    target, path = merged[name]
    if multi is False and target.multi:
        raise DataValidationError(
            f"--target {text!r}: {path} gives {name!r} lists of labels (multi-label)",
            hint=f"use --target {name}:multi, or give one label a sample",
        )
    return target if multi is None else replace(target, multi=multi)
