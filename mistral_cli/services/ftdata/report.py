"""Findings, per-file statistics, the validation Report and the Collector the rules write to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from mistral_cli.errors import ExitCode

Severity = Literal["error", "warning", "info"]
ERROR: Severity = "error"
WARNING: Severity = "warning"
INFO: Severity = "info"

# Stored findings are capped so that a file broken on every line keeps memory bounded; the
# counts stay exact, and Report.omitted says how many were not kept.
DEFAULT_MAX_FINDINGS = 10_000


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: which rule, how bad, where (1-based line, JSON pointer) and what it is."""

    rule: str
    severity: Severity
    file: str
    line: int | None
    path: str
    message: str
    fixable: bool = False
    column: int | None = None


@dataclass(slots=True)
class FileStats:
    """What one pass over a file learned: identity, size, sample and token counts."""

    path: str
    role: Literal["train", "validation"]
    sha256: str = ""
    bytes: int = 0
    samples: int = 0
    tokens: int = 0
    trainable_tokens: int = 0
    max_sample_tokens: int = 0
    estimated: bool = True
    kind: str | None = None


@dataclass(frozen=True, slots=True)
class ClassTarget:
    """A classifier target the training data shows: its labels, and whether samples give a list.

    `complete` is False when the target has more distinct labels than are tallied.
    """

    name: str
    labels: tuple[str, ...]
    multi: bool
    complete: bool = True

    @property
    def loss_function(self) -> str:
        """The spec's FTClassifierLossFunction: multi_class for multi-label targets."""
        return "multi_class" if self.multi else "single_class"

    @property
    def kind(self) -> str:
        """`single-label` or `multi-label`, for messages."""
        return "multi-label" if self.multi else "single-label"


@dataclass(slots=True)
class Report:
    """The outcome of `validate`: findings (capped), exact counts and per-file stats."""

    findings: list[Finding]
    files: list[FileStats]
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    omitted: int = 0
    strict: bool = False
    targets: list[ClassTarget] = field(default_factory=list)  # classifier data: from train

    @property
    def ok(self) -> bool:
        """No errors; with strict, no warnings either."""
        return self.errors == 0 and not (self.strict and self.warnings)

    @property
    def exit_code(self) -> int:
        """0 when ok, else 8 (data validation failed)."""
        return int(ExitCode.OK if self.ok else ExitCode.VALIDATION)

    @property
    def samples(self) -> int:
        """Samples across all files."""
        return sum(stats.samples for stats in self.files)

    @property
    def tokens(self) -> int:
        """Tokens across all files."""
        return sum(stats.tokens for stats in self.files)

    @property
    def estimated(self) -> bool:
        """True when any token count is an estimate."""
        return any(stats.estimated for stats in self.files)


@dataclass(slots=True)
class Collector:
    """Receives findings from the rules at the current file and line; counts all, keeps a cap."""

    limit: int = DEFAULT_MAX_FINDINGS
    file: str = ""
    line: int | None = None
    findings: list[Finding] = field(default_factory=list)
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    omitted: int = 0

    def emit(
        self,
        rule: str,
        severity: Severity,
        path: str,
        message: str,
        *,
        fixable: bool = False,
        column: int | None = None,
    ) -> None:
        """Record a finding at the current line."""
        self.emit_at(self.line, rule, severity, path, message, fixable=fixable, column=column)

    def emit_at(
        self,
        line: int | None,
        rule: str,
        severity: Severity,
        path: str,
        message: str,
        *,
        fixable: bool = False,
        column: int | None = None,
    ) -> None:
        """Record a finding at an explicit line (None: about the whole file)."""
        if severity == ERROR:
            self.errors += 1
        elif severity == WARNING:
            self.warnings += 1
        else:
            self.infos += 1
        if len(self.findings) >= self.limit:
            self.omitted += 1
            return
        self.findings.append(
            Finding(rule, severity, self.file, line, path, message, fixable, column)
        )


def segment(part: str | int) -> str:
    """One JSON pointer (RFC 6901) step: '/key', with '~' and '/' escaped."""
    text = str(part)
    if "~" in text or "/" in text:
        text = text.replace("~", "~0").replace("/", "~1")
    return "/" + text


def pointer(*parts: str | int) -> str:
    """Build a JSON pointer from keys and indexes."""
    return "".join(segment(part) for part in parts)


def type_name(value: object) -> str:
    """The JSON name of a parsed value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def quote(value: object, limit: int = 60) -> str:
    """A short one-line rendering of a value for messages: 'human', 0.5, true, array."""
    if isinstance(value, str):
        return repr(value if len(value) <= limit else value[: limit - 1] + "…")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return type_name(value)
