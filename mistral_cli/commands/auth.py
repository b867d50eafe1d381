"""`mistral auth`: log in (save a checked key), see which key is used, log out."""

from __future__ import annotations

from typing import Annotated

import typer

from mistral_cli.commands._shared import JsonOpt, new_app

app = new_app("auth", "Save, check and remove the API key used by mistral.")


@app.command("login")
def login(ctx: typer.Context) -> None:
    """Ask for a key (hidden), check it with the API, save it (OS keyring, else config file 0600).

    The key goes to the OS keyring when the optional extra is installed
    (pip install 'mistral-cli[keyring]'), else to the user config file with mode 0600.

    Example: mistral auth login
    """
    import getpass

    from mistral_cli import config as cfg
    from mistral_cli.context import app_context
    from mistral_cli.errors import UsageError
    from mistral_cli.services import auth as svc

    actx = app_context(ctx, new_profile=True)  # `--profile NEW auth login` creates NEW
    if not (actx.out.stdin_is_tty and actx.out.err_is_tty):
        raise UsageError(
            "`mistral auth login` needs a terminal to ask for the key",
            hint="in scripts, set MISTRAL_API_KEY instead",
        )
    key = getpass.getpass("Mistral API key (input hidden): ").strip()
    if not key:
        raise UsageError("no key entered")
    count = svc.check_key(actx.new_client(key, key_source="the key you entered"))
    path = cfg.config_file(actx.environ)
    where = svc.store_key(path, key, profile=actx.settings.profile, notify=actx.out.warn)
    actx.out.info(f"key ****{key[-4:]} works ({count} models); saved in {where}")
    if actx.settings.source("api_key").startswith("MISTRAL_API_KEY"):
        actx.out.warn("MISTRAL_API_KEY is set in the environment and still takes precedence")


@app.command("status")
def status(
    ctx: typer.Context,
    check: Annotated[
        bool, typer.Option("--check", help="Also check the key with the API.")
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Show which source supplied the key (variable, .env path or config file) and the key masked.

    Example: mistral auth status --check
    """
    from mistral_cli import config as cfg
    from mistral_cli.context import app_context
    from mistral_cli.services import auth as svc

    actx = app_context(ctx)
    state = svc.status(actx.settings, cfg.config_file(actx.environ))
    models = svc.check_key(actx.client()) if check else None
    if json_out:
        actx.out.json({"source": state.source, "key": state.masked, "models": models})
        return
    pairs = [("key", state.masked), ("source", state.source)]
    if models is not None:
        pairs.append(("check", f"ok, {models} models available"))
    actx.out.fields(pairs)
    for path in state.exposed:
        actx.out.warn(f"{path} holds the key and others can read it; run: chmod 600 {path}")


@app.command("logout")
def logout(ctx: typer.Context) -> None:
    """Remove the saved key from the OS keyring and the user config file.

    Example: mistral auth logout
    """
    from mistral_cli import config as cfg
    from mistral_cli.context import app_context
    from mistral_cli.services import auth as svc

    actx = app_context(ctx)
    path = cfg.config_file(actx.environ)
    removed = svc.forget_key(path, profile=actx.settings.profile, notify=actx.out.warn)
    actx.out.info(
        f"key removed from {' and '.join(removed)}" if removed else f"no key saved in {path}"
    )
    source = actx.settings.source("api_key")
    if actx.settings.api_key is not None and source not in (str(path), cfg.KEYRING_SOURCE):
        actx.out.notice(f"a key is still supplied by {source}")
