"""The `finetune` Typer app every verb module registers on."""

from __future__ import annotations

from mistral_cli.commands._shared import new_app

app = new_app(
    "finetune",
    "Fine-tune models, built for CI: validate data, upload, create, start and follow jobs.\n\n"
    "CI in three lines: mistral finetune validate train.jsonl; mistral finetune upload "
    "train.jsonl; mistral finetune start --model ministral-8b-latest --train train.jsonl "
    "--wait. The exit status tells the job's outcome (0 SUCCESS, 7 FAILED, 8 "
    "FAILED_VALIDATION, 9 CANCELLED, 124 --timeout).",
)
