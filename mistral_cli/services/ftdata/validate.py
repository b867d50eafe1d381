"""`finetune validate`: check training (and validation) JSONL files offline, in one pass each."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mistral_cli.errors import UsageError
from mistral_cli.services.ftdata.report import (
    WARNING,
    ClassTarget,
    Collector,
    Finding,
    Report,
)
from mistral_cli.services.ftdata.rules_classifier import choose_targets, parse_target
from mistral_cli.services.ftdata.sample import KINDS
from mistral_cli.services.ftdata.scan import FileScan, ScanOptions, scan_file
from mistral_cli.services.ftdata.tokens import default_counter
from mistral_cli.values import counted

if TYPE_CHECKING:
    from pathlib import Path

    from mistral_cli.services.ftdata.tokens import TokenCounter

MAX_VALIDATION_SHARE = 0.05
# Tokens one training step consumes, for FT602's epoch estimate when the server's
# `train_tokens_per_step` is not known yet (before a dry run).
DEFAULT_TOKENS_PER_STEP = 131_072
MIN_EPOCHS, MAX_EPOCHS = 1.0, 10.0
FORMATS = ("text", "json", "github")  # how the report is written (--format)


def validate(
    train: Path,
    *,
    val: Path | None = None,
    kind: str | None = None,
    seq_len: int | None = None,
    steps: int | None = None,
    strict: bool = False,
    max_findings: int | None = None,
    counter: TokenCounter | None = None,
    max_context: int | None = None,
    tokens_per_step: int | None = None,
) -> Report:
    """Validate `train` (and `val`) against the FT001–FT602 catalogue; never prints."""
    if kind is not None and kind not in KINDS:
        raise UsageError(f"unknown --kind {kind!r}", hint="use one of: " + ", ".join(KINDS))
    opts = ScanOptions(
        counter=counter or default_counter(), kind=kind, seq_len=seq_len, max_context=max_context
    )
    out = Collector() if max_findings is None else Collector(limit=max(max_findings, 0))
    scans = [scan_file(train, "train", out, opts)]
    if val is not None:
        scans.append(scan_file(val, "validation", out, opts, train=scans[0]))
        _validation_share(scans[0], scans[1], out)
    if steps:
        _epochs(scans[0], steps, tokens_per_step or DEFAULT_TOKENS_PER_STEP, out)
    order = {scan.stats.path: index for index, scan in enumerate(scans)}
    findings = sorted(out.findings, key=lambda f: (order.get(f.file, 0), f.line or 0))
    return Report(
        findings=findings,
        files=[scan.stats for scan in scans],
        errors=out.errors,
        warnings=out.warnings,
        infos=out.infos,
        omitted=out.omitted,
        strict=strict,
        targets=scans[0].labels.class_targets(),
    )


def _validation_share(train: FileScan, val: FileScan, out: Collector) -> None:
    """FT007: a validation set larger than 5 % of the training set."""
    if train.stats.samples and val.stats.samples > MAX_VALIDATION_SHARE * train.stats.samples:
        share = val.stats.samples / train.stats.samples
        out.file = val.stats.path
        examples = counted(val.stats.samples, "example")
        message = f"validation is {share:.0%} of train ({examples}); keep ≤ 5 %"
        out.emit_at(None, "FT007", WARNING, "", message)


def _epochs(train: FileScan, steps: int, tokens_per_step: int, out: Collector) -> None:
    """FT602: steps × tokens per step ÷ data tokens outside 1–10 epochs."""
    tokens = train.stats.tokens
    if not tokens:
        return
    epochs = steps * tokens_per_step / tokens
    out.file = train.stats.path
    if epochs < MIN_EPOCHS:
        message = f"≈{epochs:.2f} epochs; part of the data is never seen"
        out.emit_at(None, "FT602", WARNING, "", message)
    elif epochs > MAX_EPOCHS:
        out.emit_at(None, "FT602", WARNING, "", f"≈{epochs:,.0f} epochs; overfit risk")


__all__ = [
    "DEFAULT_TOKENS_PER_STEP",
    "ClassTarget",
    "Finding",
    "Report",
    "choose_targets",
    "parse_target",
    "validate",
]
