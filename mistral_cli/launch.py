"""Entry point: answers `--version`, and `--help` pages from the cache dir, else runs the Typer app.

Importing Typer costs most of the start-up time. A help page is rendered by Typer itself
(cli.help_page, only the sub-app on the path built) the first time it is asked for at a terminal
width, kept in `help-pages.json` in the cache dir (0600), and printed from there afterwards.
A cached page is used only while everything that rendered it is unchanged: mistral-cli's version,
where `import typer` finds Typer, and the size and mtime of every mistral_cli and typer module
that was loaded to render it. Upgrading Typer or editing a help text renders the page again:
nothing is pre-rendered, so nothing needs regenerating.
"""

from __future__ import annotations

import os
import sys

from mistral_cli import __version__
from mistral_cli.about import version_text

# What each path needs is imported there (json, shutil, platformdirs...): `--version` imports
# nothing more, and a command run through Typer pays nothing here.
TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~2 ms)
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

APP_NAME = "mistral-cli"  # config.APP_NAME (config imports too much for this path)
PAGES_FILE = "help-pages.json"
FORMAT = 1
MAX_WIDTHS = 4  # the terminal widths whose pages are kept, most recent first
PACKAGE = os.path.dirname(os.path.abspath(__file__))
RENDERERS = ("mistral_cli", "typer")  # the packages whose code shapes a help page


def answer(args: list[str]) -> str | None:
    """The text for `--version` or `[COMMAND...] --help` without running the app, else None.

    A help page missing from the cache is rendered (imports Typer) and kept for the next time.
    """
    if args in (["--version"], ["-V"]):
        return version_text()
    path = help_path(args)
    if path is None:
        return None
    import shutil

    width = shutil.get_terminal_size().columns  # what Typer's HelpFormatter reads
    folder = cache_dir()
    page = cached_page(folder, width, path) if folder is not None else None
    if page is None:
        from mistral_cli.cli import help_page

        page = help_page(path)
        if page is not None and folder is not None:
            keep_page(folder, width, path, page)
    return page


def help_path(args: list[str]) -> list[str] | None:
    """The command path of `[COMMAND...] --help` (or -h); None for anything else."""
    if not args or args[-1] not in ("--help", "-h"):
        return None
    path = args[:-1]
    if any(word.startswith("-") or not word.replace("-", "_").isidentifier() for word in path):
        return None  # an option before --help: Typer parses it (and may reject it)
    return path


def cache_dir(environ: Mapping[str, str] = os.environ) -> str | None:
    """MISTRAL_CACHE_DIR, else platformdirs' user cache dir (AppContext.cache_dir's rule)."""
    override = environ.get("MISTRAL_CACHE_DIR")
    if override:
        return os.path.expanduser(override)
    try:
        import platformdirs

        return platformdirs.user_cache_dir(APP_NAME)
    except (RuntimeError, OSError, KeyError):  # no home directory: help works, uncached
        return None


def _key(width: int, path: list[str]) -> str:
    return f"{width} {' '.join(path)}"


def _typer_origin() -> str | None:
    """The file `import typer` would load (the same path search, nothing imported)."""
    from importlib.machinery import PathFinder

    spec = PathFinder.find_spec("typer")
    return spec.origin if spec is not None else None


def _stamp() -> dict[str, Any]:
    """What must not change for a cached page to stay true (besides the files it records)."""
    return {
        "format": FORMAT,
        "version": __version__,
        "package": PACKAGE,
        "typer": _typer_origin(),
    }


def _file_stamp(path: str) -> list[Any]:
    info = os.stat(path)
    return [path, info.st_mtime_ns, info.st_size]


def _read(folder: str) -> dict[str, Any] | None:
    """The page cache if it was written for the code installed now, else None."""
    import json

    try:
        with open(os.path.join(folder, PAGES_FILE), encoding="utf-8") as cached:
            document = json.load(cached)
        if document["stamp"] != _stamp() or document["stamp"]["typer"] is None:
            return None
        if any(_file_stamp(path) != [path, *stamp] for path, *stamp in document["files"]):
            return None
        if not isinstance(document["pages"], dict):
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return dict(document)


def cached_page(folder: str, width: int, path: list[str]) -> str | None:
    """The page kept for this width and path, if still true."""
    document = _read(folder)
    page = document["pages"].get(_key(width, path)) if document is not None else None
    return page if isinstance(page, str) else None


def _rendering_files() -> list[list[Any]]:
    """Stamps of the loaded mistral_cli and typer modules' files (they rendered the page)."""
    files = []
    for name, module in list(sys.modules.items()):
        source = getattr(module, "__file__", None)
        if source and name.split(".", 1)[0] in RENDERERS:
            files.append(_file_stamp(source))
    return sorted(files)


def keep_page(folder: str, width: int, path: list[str], page: str) -> None:
    """Add a freshly rendered page to the cache (private file); failures cost nothing."""
    import json
    from pathlib import Path

    from mistral_cli import fsio

    document = _read(folder) or {"stamp": _stamp(), "files": [], "pages": {}}
    pages: dict[str, str] = document["pages"]
    pages.pop(_key(width, path), None)
    pages[_key(width, path)] = page  # the newest last
    widths = list(dict.fromkeys(key.split(" ", 1)[0] for key in reversed(pages)))
    for stale in widths[MAX_WIDTHS:]:  # a resized terminal leaves pages behind: keep a few
        for key in [key for key in pages if key.split(" ", 1)[0] == stale]:
            del pages[key]
    try:
        known = {stamp[0]: stamp for stamp in [*document["files"], *_rendering_files()]}
        document["files"] = sorted(known.values())
        fsio.private_dir(Path(folder))
        fsio.atomic_write(Path(folder, PAGES_FILE), json.dumps(document))  # pages: newest last
    except OSError:  # a module file gone, a read-only disk: the page is simply not kept
        return


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
    text = answer(args)
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
