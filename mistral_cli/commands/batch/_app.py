"""The `batch` Typer app: every verb registered here, in `mistral batch --help` order."""

from __future__ import annotations

from mistral_cli.commands._shared import new_app
from mistral_cli.commands.batch import create, download, jobs

app = new_app(
    "batch",
    "Run chat requests on the Batch API (half price); follow its jobs (and `embed --batch`'s).\n\n"
    "Example: mistral batch create questions.jsonl -m mistral-small --wait > answers.jsonl",
)
app.command("create")(create.create)
app.command("status")(jobs.status)
app.command("wait")(jobs.wait)
app.command("download")(download.download)
app.command("cancel")(jobs.cancel)
app.command("list")(jobs.list_jobs)
