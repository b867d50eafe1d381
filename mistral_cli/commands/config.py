"""`mistral config`: where settings come from."""

from __future__ import annotations

import typer

from mistral_cli.commands._shared import JsonOpt, new_app

app = new_app("config", "Show the resolved configuration and the files it is read from.")


@app.command("show")
def show(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    """Show each setting, its value and where it came from (the key masked).

    Example: mistral config show
    """
    from mistral_cli.context import app_context
    from mistral_cli.services import settings as svc

    actx = app_context(ctx)
    rows = svc.describe(actx.settings)
    if json_out:
        actx.out.json(svc.as_json(actx.settings, rows))
    else:
        actx.out.table(("SETTING", "VALUE", "SOURCE"), rows)


@app.command("path")
def path(json_out: JsonOpt = False) -> None:
    """Print the files consulted: the .env in use and the user config file.

    Example: mistral config path
    """
    from mistral_cli.output import Output
    from mistral_cli.services import settings as svc

    out = Output()  # no app_context: this must work even when a config file is malformed
    pairs = svc.paths()
    if json_out:
        out.json(dict(pairs))
    else:
        out.fields(pairs)
