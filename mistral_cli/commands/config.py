"""`mistral config`: where settings come from."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
    """Print the files consulted: the .env in use (and whether it is trusted), the config file.

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


KeyArg = Annotated[str, typer.Argument(help="A setting (model, base_url, …) or aliases.NAME.")]


@app.command("get")
def get(ctx: typer.Context, key: KeyArg) -> None:
    """Print one resolved setting (the key masked); its source goes to stderr.

    Example: mistral config get model
    """
    from mistral_cli.context import app_context
    from mistral_cli.services import settings as svc

    actx = app_context(ctx)
    value, source = svc.get_value(actx.settings, key)
    actx.out.line(value)
    if actx.out.err_is_tty:
        actx.out.notice(f"from {source}")


@app.command("set")
def set_(
    ctx: typer.Context,
    key: KeyArg,
    value: Annotated[str, typer.Argument(help="The value to store.")],
) -> None:
    """Store a setting in the user config file (the active --profile's section, if any).

    Example: mistral config set model mistral-large-latest
    """
    from mistral_cli import config as cfg
    from mistral_cli.context import app_context
    from mistral_cli.services import settings as svc

    actx = app_context(ctx, new_profile=True)  # `--profile NEW config set …` creates NEW
    path = cfg.config_file(actx.environ)
    stored = svc.set_value(path, key, value, profile=actx.settings.profile, notify=actx.out.warn)
    actx.out.info(f"{key} = {stored} saved in {path}")


@app.command("unset")
def unset(ctx: typer.Context, key: KeyArg) -> None:
    """Remove a setting from the user config file.

    Example: mistral config unset model
    """
    from mistral_cli import config as cfg
    from mistral_cli.context import app_context
    from mistral_cli.services import settings as svc

    actx = app_context(ctx)
    path = cfg.config_file(actx.environ)
    removed = svc.unset_value(path, key, profile=actx.settings.profile, notify=actx.out.warn)
    actx.out.info(f"{key} removed from {path}" if removed else f"{key} was not set in {path}")


DotenvArg = Annotated[
    Path | None,
    typer.Argument(help="The .env file (or its folder); default: the .env found from here."),
]


@app.command("trust-env")
def trust_env(dotenv: DotenvArg = None) -> None:
    """Let a .env choose the server and CA bundle for your key (MISTRAL_BASE_URL, SSL_CERT_FILE).

    Records the file's path and a SHA-256 of its content; when the file changes it is untrusted
    again. Without trust, a .env that does not supply the key itself may only point at an
    official Mistral host.

    Example: mistral config trust-env ./.env
    """
    from mistral_cli.output import Output
    from mistral_cli.services import settings as svc

    out = Output()  # no app_context: no warning about the very file being trusted
    done = svc.trust_env(dotenv, notify=out.warn)
    sets = " and ".join(done.steering) or "nothing that needs trust (today)"
    state = "trusted" if done.changed else "already trusted"
    out.info(f"{state}: {done.path} (it sets {sets}); a change to the file untrusts it")


@app.command("untrust-env")
def untrust_env(dotenv: DotenvArg = None) -> None:
    """Forget that a .env was trusted (`mistral config trust-env`).

    Example: mistral config untrust-env ./.env
    """
    from mistral_cli.output import Output
    from mistral_cli.services import settings as svc

    out = Output()
    done = svc.untrust_env(dotenv, notify=out.warn)
    out.info(f"no longer trusted: {done.path}" if done.changed else f"{done.path} was not trusted")
