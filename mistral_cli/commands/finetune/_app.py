"""The `finetune` Typer app: every verb registered here, in `mistral finetune --help` order."""

from __future__ import annotations

from mistral_cli.commands._shared import new_app
from mistral_cli.commands.finetune import create, jobs, run, status, upload, validate

app = new_app(
    "finetune",
    "Fine-tune models, built for CI: validate data, upload, create, start and follow jobs.\n\n"
    "CI in three lines: mistral finetune validate train.jsonl; mistral finetune upload "
    "train.jsonl; mistral finetune start --model ministral-8b-latest --train train.jsonl "
    "--wait. The exit status tells the job's outcome (0 SUCCESS, 7 FAILED, 8 "
    "FAILED_VALIDATION, 9 CANCELLED, 124 --timeout).",
)
app.command("create")(create.create)
app.command("start")(create.start)
app.command("list")(jobs.list_jobs)
app.command("cancel")(jobs.cancel)
app.command("run")(run.run)
app.command("status")(status.status)
app.command("checkpoints")(status.checkpoints)
app.command("wait")(status.wait_job)
app.command("watch", hidden=True, help="Same as `wait`.")(status.wait_job)
app.command("upload")(upload.upload)
app.command("validate")(validate.validate)
