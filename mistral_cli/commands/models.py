"""`mistral models`: what is available and what each model can do."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from mistral_cli.commands._shared import (
    JsonOpt,
    RefreshOpt,
    YesOpt,
    check_can_ask,
    confirm_deletion,
    new_app,
)

if TYPE_CHECKING:
    from mistral_cli.api.client import ApiClient
    from mistral_cli.api.schemas import Response
    from mistral_cli.context import AppContext

app = new_app(
    "models",
    "List the models your key can use, show what each can do, and manage your fine-tuned ones.",
)
FineTunedArg = Annotated[
    str,
    typer.Argument(
        metavar="MODEL", help="A fine-tuned model id (ft:…), or a unique prefix of one."
    ),
]


@app.command("list")
def list_models(
    ctx: typer.Context,
    json_out: JsonOpt = False,
    refresh: RefreshOpt = False,
    all_models: Annotated[bool, typer.Option("--all", help="Include internal models.")] = False,
    owned: Annotated[
        bool,
        typer.Option(
            "--owned", help="Only your fine-tuned models: job, base model, archived (fresh list)."
        ),
    ] = False,
) -> None:
    """List the models your key can use and what each can do.

    Example: mistral models list --json | jq -r '.data[].id'
    """
    from mistral_cli.context import app_context
    from mistral_cli.services import models as svc

    actx = app_context(ctx)
    if owned:  # it changes with every job and archive: always fetched
        from mistral_cli.services import model_admin as admin  # its schemas load pydantic

        cards = admin.owned(actx.models(refresh=True))
    else:
        cards = svc.visible(actx.models(refresh=refresh), include_internal=all_models)
    if json_out:
        actx.out.json({"object": "list", "data": [card.wire() for card in cards]})
    elif owned:
        actx.out.table(
            admin.OWNED_COLUMNS, [admin.owned_row(card, glyphs=actx.out.is_tty) for card in cards]
        )
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


@app.command("archive")
def archive(ctx: typer.Context, model: FineTunedArg, json_out: JsonOpt = False) -> None:
    """Archive one of your fine-tuned models (`models unarchive` brings it back).

    Example: mistral models archive ft:ministral-8b-latest:7d1e40aa
    """
    from mistral_cli.services import model_admin as admin

    _change(ctx, model, "archived", admin.archive, json_out)


@app.command("unarchive")
def unarchive(ctx: typer.Context, model: FineTunedArg, json_out: JsonOpt = False) -> None:
    """Unarchive one of your fine-tuned models.

    Example: mistral models unarchive ft:ministral-8b-latest:7d1e40aa
    """
    from mistral_cli.services import model_admin as admin

    _change(ctx, model, "unarchived", admin.unarchive, json_out)


@app.command("update")
def update(
    ctx: typer.Context,
    model: FineTunedArg,
    name: Annotated[str | None, typer.Option("--name", help="A new name.")] = None,
    description: Annotated[
        str | None, typer.Option("--description", help="A new description.")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Rename or describe one of your fine-tuned models.

    Example: mistral models update ft:ministral-8b-latest:7d1e40aa --name support-bot
    """
    from mistral_cli.services import model_admin as admin

    _change(
        ctx, model, "updated",
        lambda client, model_id: admin.update(
            client, model_id, name=name, description=description
        ),
        json_out,
    )  # fmt: skip


@app.command("rm")
def remove(
    ctx: typer.Context,
    model: FineTunedArg,
    yes: YesOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Delete one of your fine-tuned models for good (base models are refused).

    Example: mistral models rm ft:ministral-8b-latest:7d1e40aa --yes
    """
    from mistral_cli.context import app_context
    from mistral_cli.services import model_admin as admin

    again = f"mistral models rm {shlex.quote(model)} --yes"
    check_can_ask(app_context(ctx).out, "model", 1, yes=yes, again=again)  # before any request

    def confirmed(actx: AppContext, model_id: str) -> None:
        note = " This cannot be undone."
        confirm_deletion(actx.out, "model", [model_id], yes=yes, again=again, note=note)

    _change(ctx, model, "deleted", admin.delete, json_out, ask=confirmed, deletes=True)


def _change(
    ctx: typer.Context,
    model: str,
    done: str,
    call: Callable[[ApiClient, str], Response],
    json_out: bool,
    *,
    ask: Callable[[AppContext, str], None] | None = None,
    deletes: bool = False,
) -> None:
    """Resolve MODEL to one of the account's fine-tuned models, change it, then say so."""
    from mistral_cli.context import app_context
    from mistral_cli.services import model_admin as admin
    from mistral_cli.services import models as svc

    actx = app_context(ctx)
    model_id = actx.resolve_model(model)
    admin.check_target(model_id, svc.find(model_id, actx.models()), done)
    if ask is not None:
        ask(actx, model_id)
    answer = call(actx.client(), model_id)
    admin.forget_cached(actx.model_cache(), removed=model_id if deletes else None)
    actx.out.info(f"{done} {model_id}")
    if json_out:
        actx.out.json(answer.wire())
