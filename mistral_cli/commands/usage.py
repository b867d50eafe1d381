"""`mistral usage`: tokens and cost of your saved conversations, by model or by day."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from mistral_cli.commands._shared import CONTEXT_SETTINGS, JsonOpt, new_app
from mistral_cli.errors import UsageError

if TYPE_CHECKING:
    from mistral_cli.output import Output
    from mistral_cli.services.pricing import PriceTable

app = new_app("usage", "Tokens and cost of saved conversations, by model or day.")


@app.callback(
    invoke_without_command=True,
    no_args_is_help=False,
    subcommand_metavar="",
    context_settings=CONTEXT_SETTINGS,
)
def usage(
    ctx: typer.Context,
    since: Annotated[
        str | None, typer.Option(metavar="AGE", help="Only the last AGE, e.g. 7d, 12h, 2w.")
    ] = None,
    by: Annotated[str, typer.Option(metavar="model|day", help="Group by model or day.")] = "model",
    prices: Annotated[
        bool, typer.Option("--prices", help="Show the price table (source, date) instead.")
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Add up the tokens and cost recorded in saved conversations (nothing is sent).

    Example: mistral usage --since 7d --by day
    """
    import time

    from mistral_cli.context import app_context
    from mistral_cli.services import usage as svc
    from mistral_cli.services.conversations import ConversationStore, parse_age

    actx = app_context(ctx)
    if by not in svc.GROUPINGS:
        raise UsageError(f"--by {by!r}: choose model or day")
    table = actx.prices()
    if prices:
        _show_prices(actx.out, table, json_out=json_out)
        return
    cutoff = time.time() - parse_age(since, "--since") if since else None
    store = ConversationStore.open(actx.data_dir())
    try:
        rows, total = svc.collect(store, table, by=by, since=cutoff)
    finally:
        store.close()
    if json_out:
        actx.out.json({"by": by, "rows": [r.as_json() for r in rows], "total": total.as_json()})
        return
    actx.out.table(svc.COLUMNS, [r.cells() for r in rows] + [total.cells()])


def _show_prices(out: Output, table: PriceTable, *, json_out: bool) -> None:
    """The price table: model, in, out (per million tokens), currency, as of, source."""
    rows = sorted(table.prices.values(), key=lambda p: p.model)
    if json_out:
        out.json({"regional": table.regional, "data": [vars(p) for p in rows]})
        return
    columns = ("MODEL", "IN/1M", "OUT/1M", "CURRENCY", "AS OF", "SOURCE")
    out.table(
        columns,
        [
            [
                p.model,
                f"{p.input:g}",
                f"{p.output:g}",
                p.currency,
                p.as_of,
                "prices.toml" if p.overridden else p.source,
            ]
            for p in rows
        ],
    )
