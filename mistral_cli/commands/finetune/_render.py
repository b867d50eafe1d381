"""Render a validation Report as text lines, a --json document, or GitHub annotations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mistral_cli.values import counted

if TYPE_CHECKING:
    from mistral_cli.services.ftdata.report import ClassTarget, Finding, Report

SCHEMA_VERSION = 1
_LEVELS = {"error": "error", "warning": "warning", "info": "notice"}
_ORDER = {"error": 0, "warning": 1, "info": 2}
SHOWN_LABELS = 8  # labels named per target in text; --json has them all


def finding_line(finding: Finding) -> str:
    """`train.jsonl:41: FT204 error: last message is 'user' [/messages/3]`."""
    where = finding.file
    if finding.line is not None:
        where += f":{finding.line}"
    head = f"{where}: " if where else ""
    tail = f" [{finding.path}]" if finding.path else ""
    return f"{head}{finding.rule} {finding.severity}: {finding.message}{tail}"


def summary_line(report: Report) -> str:
    """`2,000 samples · 1.9M tokens (estimated) · 1 error, 1 warning`."""
    tokens = counted(report.tokens, "token", shown=human(report.tokens))
    tokens += " (estimated)" if report.estimated else ""
    counts = f"{counted(report.errors, 'error')}, {counted(report.warnings, 'warning')}"
    if report.infos:
        counts += f", {report.infos:,} info"
    return f"{counted(report.samples, 'sample')} · {tokens} · {counts}"


def render_text(report: Report) -> str:
    """Every finding on its own line, then the summary line (no trailing newline)."""
    lines = [finding_line(finding) for finding in report.findings]
    if report.omitted:
        lines.append(f"… {counted(report.omitted, 'more finding')} not shown (--max-findings)")
    lines.extend(target_line(target) for target in report.targets)
    lines.append(summary_line(report))
    return "\n".join(lines)


def target_line(target: ClassTarget) -> str:
    """`target sentiment: single-label, 3 labels (negative, neutral, positive)`."""
    shown = ", ".join(target.labels[:SHOWN_LABELS])
    if len(target.labels) > SHOWN_LABELS:
        shown += f", … {len(target.labels) - SHOWN_LABELS:,} more"
    count = counted(len(target.labels), "label")
    more = "" if target.complete else " (too many to list all)"
    return f"target {target.name}: {target.kind}, {count}{more} ({shown})"


def target_json(target: ClassTarget) -> dict[str, Any]:
    """A target as the job request's classifier_targets entry, plus what the data showed."""
    return {
        "name": target.name,
        "labels": list(target.labels),
        "multi_label": target.multi,
        "loss_function": target.loss_function,
        "complete": target.complete,
    }


def render_json(report: Report) -> dict[str, Any]:
    """The --json document: {schema_version, ok, files, findings, summary}."""
    return {
        "schema_version": SCHEMA_VERSION,
        "ok": report.ok,
        "files": [
            {
                "path": stats.path,
                "sha256": stats.sha256,
                "stats": {
                    "role": stats.role,
                    "kind": stats.kind,
                    "bytes": stats.bytes,
                    "samples": stats.samples,
                    "tokens": stats.tokens,
                    "tokens_estimated": stats.estimated,
                    "trainable_tokens": stats.trainable_tokens,
                    "max_sample_tokens": stats.max_sample_tokens,
                },
            }
            for stats in report.files
        ],
        "findings": [
            {
                "rule": finding.rule,
                "severity": finding.severity,
                "file": finding.file,
                "line": finding.line,
                "column": finding.column,
                "path": finding.path,
                "message": finding.message,
                "fixable": finding.fixable,
            }
            for finding in report.findings
        ],
        "targets": [target_json(target) for target in report.targets],
        "summary": {
            "errors": report.errors,
            "warnings": report.warnings,
            "infos": report.infos,
            "omitted": report.omitted,
        },
    }


def render_github(report: Report) -> str:
    """GitHub Actions workflow commands, errors first (no trailing newline)."""
    ordered = sorted(report.findings, key=lambda finding: _ORDER[finding.severity])
    return "\n".join(github_line(finding) for finding in ordered)


def github_line(finding: Finding) -> str:
    """`::error file=train.jsonl,line=41,title=FT204::last message is 'user'`."""
    props = []
    if finding.file:
        props.append(f"file={_escape_property(finding.file)}")
    if finding.line is not None:
        props.append(f"line={finding.line}")
    if finding.column is not None:
        props.append(f"col={finding.column}")
    props.append(f"title={_escape_property(finding.rule)}")
    return f"::{_LEVELS[finding.severity]} {','.join(props)}::{_escape_data(finding.message)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def human(count: int) -> str:
    """1,234 · 41.2K · 1.9M · 3.1B."""
    if count < 10_000:
        return f"{count:,}"
    if count < 999_950:
        return f"{count / 1e3:.1f}K"
    if count < 999_950_000:
        return f"{count / 1e6:.1f}M"
    return f"{count / 1e9:.1f}B"
