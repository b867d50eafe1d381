"""`mistral batch`: chat requests on the Batch API (create), and following its jobs.

Importing this package, or a module in it, imports nothing else: the Typer app is built by
`_app` (every verb registered there, in one place) when `app` is first asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer


def __getattr__(name: str) -> typer.Typer:
    """`app`: the `batch` Typer with its verbs (PEP 562: built on first access)."""
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from mistral_cli.commands.batch._app import app

    return app
