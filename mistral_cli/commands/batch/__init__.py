"""`mistral batch`: chat requests on the Batch API (create), and following its jobs.

`_app` builds the Typer app, every verb registered there in one place; the verbs' modules
import nothing heavy until a command runs.
"""

from __future__ import annotations

from mistral_cli.commands.batch._app import app

__all__ = ["app"]
