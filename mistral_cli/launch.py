"""Entry point: answers `--help` and `--version` from generated text, else runs the Typer app.

Importing Typer costs most of the start-up time, so help pages are pre-rendered from the app
into help.json (scripts/gen-completions; a test fails when they drift) and printed directly.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from mistral_cli.about import version_text

HELP_FILE = Path(__file__).with_name("help.json")


def static_answer(args: list[str]) -> str | None:
    """The pre-rendered answer for `[COMMAND...] --help` or `--version`, else None."""
    if args in (["--version"], ["-V"]):
        return version_text()
    if not args or args[-1] not in ("--help", "-h"):
        return None
    path = args[:-1]
    if any(not word.isidentifier() and not word.replace("-", "_").isidentifier() for word in path):
        return None
    try:
        pages: dict[str, str] = json.loads(HELP_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return pages.get(" ".join(path))


def skip_httpx_cli() -> None:
    """Keep `import httpx` from loading httpx's own command line (click, rich, pygments).

    httpx/__init__ runs `from ._main import main` inside `try/except ImportError`; a None entry
    in sys.modules makes that import fail fast, so httpx falls back to its stub `main`. It saves
    ~40 % of httpx's import time on every command that talks to the API; nothing here uses the
    `httpx` executable's code.
    """
    if "httpx._main" not in sys.modules:
        sys.modules["httpx._main"] = None  # type: ignore[assignment]  # import → ImportError


def run() -> None:
    """Console script entry point (`mistral`, `mistral-cli`, `python -m mistral_cli`)."""
    args = sys.argv[1:]
    text = static_answer(args)
    if text is not None:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:
            pass
        sys.exit(0)
    skip_httpx_cli()
    from mistral_cli.cli import main

    sys.exit(main(args))
