"""What a run hands to the next CI step: $GITHUB_OUTPUT, --state-file and --output-model.

Every write is exit 1 naming the file when it fails (fsio.write_failed), and the paths given
as flags are checked before any work, so a typo never costs a job.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

from mistral_cli import fsio
from mistral_cli.errors import UsageError

if TYPE_CHECKING:
    from pathlib import Path

    from mistral_cli.api.schemas.finetune import Job


def check_paths(state_file: Path | None, output_model: Path | None, *, force: bool) -> None:
    """Before any work: each folder exists; --output-model is new unless --force (exit 2)."""
    for path in (state_file, output_model):
        if path is not None:
            fsio.check_folder(path)
    if output_model is not None:
        fsio.check_new(output_model, force=force)
    if state_file is not None and output_model is not None and state_file == output_model:
        raise UsageError("--state-file and --output-model name the same file")


def github_output(path: str, job: Job) -> None:
    """Append job_id, status and fine_tuned_model to $GITHUB_OUTPUT (multi-line safe)."""
    pairs = (
        ("job_id", job.id),
        ("status", job.status or ""),
        ("fine_tuned_model", job.fine_tuned_model or ""),
    )
    text = "".join(output_line(name, value) for name, value in pairs)
    try:
        with open(path, "a", encoding="utf-8") as handle:  # a str from the environment
            handle.write(text)
    except OSError as exc:
        raise fsio.write_failed(f"$GITHUB_OUTPUT ({path})", exc) from None


def output_line(name: str, value: str) -> str:
    """`name=value`, or GitHub's `name<<DELIMITER` form when the value has a line break.

    A server-given value must not add outputs of its own: the delimiter is derived from the
    value (no randomness) and is never part of it.
    """
    if "\n" not in value and "\r" not in value:
        return f"{name}={value}\n"
    delimiter = "ghadelimiter_" + hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


def save_state(path: Path, job: Job) -> None:
    """--state-file: the job id, status and model as JSON, so a later step can resume."""
    document = {"job_id": job.id, "status": job.status, "model": job.model}
    _replace(path, json.dumps(document) + "\n")


def save_model(path: Path, job: Job, *, force: bool) -> None:
    """--output-model: the fine-tuned model id and a newline, written whole or not at all."""
    if not job.fine_tuned_model:
        return
    with fsio.open_output(path, force=force, flag="--force") as handle:
        handle.write(job.fine_tuned_model + "\n")


def _replace(path: Path, text: str) -> None:
    try:
        fsio.atomic_write(path, text, mode=fsio.PUBLIC_FILE)
    except OSError as exc:
        raise fsio.write_failed(path, exc) from None
