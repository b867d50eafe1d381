"""`mistral conversations`: the chats saved on this machine (list, show, rm, prune, doctor)."""

from __future__ import annotations

import shlex
from typing import Annotated

import typer

from mistral_cli.commands._shared import (
    JsonOpt,
    YesOpt,
    check_can_ask,
    confirm_deletion,
    new_app,
)

LIMIT = 20  # conversations listed unless --limit or --all
app = new_app(
    "conversations",
    "The chats saved on this machine; continue one with `mistral chat -c` or --conversation ID.",
)


@app.command("list")
def list_conversations(
    ctx: typer.Context,
    search: Annotated[
        str | None,
        typer.Option(
            "--search",
            metavar="TEXT",
            help="Only those with a prompt or answer holding every word, best match first.",
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option("--limit", "-n", metavar="N", min=1, help=f"Show at most N [{LIMIT}]."),
    ] = None,
    show_all: Annotated[bool, typer.Option("--all", help="Show every one.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """List saved conversations, the latest first (the 20 latest unless --limit or --all).

    Example: mistral conversations list --search "kubernetes ingress" --limit 5
    """
    from mistral_cli.context import app_context
    from mistral_cli.errors import UsageError
    from mistral_cli.services import conversations as svc
    from mistral_cli.services.recent_ids import remember

    if show_all and limit is not None:
        raise UsageError("use either --limit or --all, not both")
    actx = app_context(ctx)
    found = svc.ConversationStore.open(actx.data_dir()).listing(search)
    shown = found if show_all else found[: limit or LIMIT]
    if len(shown) < len(found):
        actx.out.info(f"showing {len(shown)} of {len(found)}; --all or --limit N for more")
    seen = found if search is None else shown  # a plain list saw them all: it replaces
    remember(
        actx.cache_dir(), "conversation", [f.conversation.id for f in seen], replace=search is None
    )
    if json_out:
        actx.out.json({"object": "list", "data": [svc.found_json(f) for f in shown]})
    else:
        columns = svc.LIST_COLUMNS if search is None else svc.SEARCH_COLUMNS
        actx.out.table(columns, [svc.found_row(f) for f in shown])


@app.command("show")
def show_conversation(
    ctx: typer.Context,
    conversation_id: Annotated[str, typer.Argument(metavar="ID", help="Id or id prefix.")],
    no_pager: Annotated[
        bool, typer.Option("--no-pager", help="Write to the terminal directly, not via a pager.")
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Show a conversation as a markdown transcript (or --json).

    On a terminal the transcript goes through $MISTRAL_PAGER, else $PAGER, else `less -FRX`.

    Example: mistral conversations show 3f9a
    """
    from mistral_cli.context import app_context
    from mistral_cli.output.pager import page, pager_command
    from mistral_cli.services import conversations as svc

    actx = app_context(ctx)
    store = svc.ConversationStore.open(actx.data_dir())
    found = store.find(conversation_id)
    messages = store.messages(found.id)
    if json_out:
        actx.out.json(svc.conversation_json(found, messages))
    else:
        command = None if no_pager else pager_command(actx.settings.pager, actx.environ)
        page(actx.out, svc.transcript(found, messages), command)


@app.command("rm")
def remove_conversations(
    ctx: typer.Context,
    conversation_ids: Annotated[
        list[str], typer.Argument(metavar="ID...", help="Ids or id prefixes.")
    ],
    yes: YesOpt = False,
) -> None:
    """Delete saved conversations (asks on a terminal; --yes otherwise).

    Example: mistral conversations rm 3f9a 77c1
    """
    from mistral_cli.context import app_context
    from mistral_cli.services import conversations as svc
    from mistral_cli.services.recent_ids import forget
    from mistral_cli.values import counted

    actx = app_context(ctx)
    again = f"mistral conversations rm {shlex.join(conversation_ids)} --yes"
    check_can_ask(actx.out, "conversation", len(set(conversation_ids)), yes=yes, again=again)
    store = svc.ConversationStore.open(actx.data_dir())
    found = list({c.id: c for c in map(store.find, conversation_ids)}.values())  # all, or none
    names = [svc.named(c) for c in found]
    confirm_deletion(actx.out, "conversation", names, yes=yes, again=again)
    store.delete([c.id for c in found])
    forget(actx.cache_dir(), "conversation", [c.id for c in found])
    actx.out.info(f"deleted {counted(len(found), 'conversation')}")


@app.command("prune")
def prune_conversations(
    ctx: typer.Context,
    older_than: Annotated[
        str, typer.Option("--older-than", metavar="AGE", help="e.g. 30d, 12h, 2w.")
    ] = "30d",
) -> None:
    """Delete conversations not continued for a while (default 30 days).

    Example: mistral conversations prune --older-than 90d
    """
    from mistral_cli.context import app_context
    from mistral_cli.services import conversations as svc
    from mistral_cli.values import counted

    actx = app_context(ctx)
    seconds = svc.parse_age(older_than)
    removed = svc.ConversationStore.open(actx.data_dir()).prune(seconds)
    actx.out.info(f"deleted {counted(removed, 'conversation')} older than {older_than}")


@app.command("doctor")
def doctor_conversations(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    """Check the store; back a broken one up and start a fresh one.

    Nothing is deleted: a broken file is renamed conversations.sqlite3.broken-<time>.

    Example: mistral conversations doctor --json
    """
    from mistral_cli.context import app_context
    from mistral_cli.services import conversations as svc
    from mistral_cli.services.store_doctor import doctor

    actx = app_context(ctx)
    checkup = doctor(actx.data_dir() / svc.FILENAME)
    if json_out:
        actx.out.json(checkup.as_json())
    else:
        for line in checkup.lines():
            actx.out.line(line)
