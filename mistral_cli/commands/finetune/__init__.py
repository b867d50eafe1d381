"""`mistral finetune`: validate, upload, create, start, status, wait, list, cancel, run."""

from __future__ import annotations

from mistral_cli.commands.finetune import create, jobs, run, status, upload, validate
from mistral_cli.commands.finetune._app import app

__all__ = ["app", "create", "jobs", "run", "status", "upload", "validate"]
