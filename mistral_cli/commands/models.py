"""`mistral models`: what is available and what each model can do."""

from __future__ import annotations

from typing import Annotated

import typer

from mistral_cli.commands._shared import JsonOpt, RefreshOpt, new_app

app = new_app("models", "List the models your key can use and show what each can do.")


@app.command("list")
def list_models(
    ctx: typer.Context,
    json_out: JsonOpt = False,
    refresh: RefreshOpt = False,
    all_models: Annotated[bool, typer.Option("--all", help="Include internal models.")] = False,
) -> None:
    """List the models your key can use and what each can do.

    Example: mistral models list --json | jq -r '.data[].id'
    """
    from mistral_cli.context import app_context
    from mistral_cli.services import models as svc

    actx = app_context(ctx)
    cards = svc.visible(actx.models(refresh=refresh), include_internal=all_models)
    if json_out:
        actx.out.json({"object": "list", "data": [card.wire() for card in cards]})
    else:
        rows = [svc.row(card, glyphs=actx.out.is_tty) for card in cards]
        actx.out.table(svc.COLUMNS, rows)


@app.command("show")
def show_model(
    ctx: typer.Context,
    model: Annotated[str, typer.Argument(help="Model id, alias or short name.")],
    json_out: JsonOpt = False,
) -> None:
    """Show one model's details: context, capabilities, aliases, deprecation.

    Example: mistral models show mistral-small
    """
    from mistral_cli.context import app_context
    from mistral_cli.services import models as svc

    actx = app_context(ctx)
    card = svc.get_model(actx.client(), actx.resolve_model(model))
    if json_out:
        actx.out.json(card.wire())
    else:
        actx.out.fields(svc.details(card))
