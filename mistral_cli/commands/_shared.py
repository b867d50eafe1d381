"""new_app() and the option aliases every command shares."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def new_app(
    name: str,
    help_text: str,
    *,
    epilog: str | None = None,
    cls: type[TyperGroup] | None = None,
) -> typer.Typer:
    """A Typer with plain help (no rich: half the start-up) and no pretty tracebacks (key leaks).

    `cls` is the group class (the root's builds its sub-apps lazily); left out, Typer's default.
    """
    extra: dict[str, Any] = {"cls": cls} if cls is not None else {}
    return typer.Typer(
        name=name,
        help=help_text,
        epilog=epilog,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        add_completion=False,
        no_args_is_help=True,
        context_settings=CONTEXT_SETTINGS,
        **extra,
    )


JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print one JSON document (API field names) for scripts.")
]
ModelOpt = Annotated[
    str | None,
    typer.Option(
        "-m", "--model", help="Model id or short name (e.g. mistral-small).", show_default=False
    ),
]
RefreshOpt = Annotated[
    bool, typer.Option("--refresh", help="Fetch the model list again instead of using the cache.")
]
