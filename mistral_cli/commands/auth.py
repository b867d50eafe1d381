"""`mistral auth`: log in (save a checked key), see which key is used, log out."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from mistral_cli.commands._shared import JsonOpt, new_app
from mistral_cli.errors import AuthError, UsageError

if TYPE_CHECKING:
    from mistral_cli.context import AppContext

app = new_app("auth", "Save, check and remove the API key used by mistral.")


@app.command("login")
def login(
    ctx: typer.Context,
    with_token: Annotated[
        bool, typer.Option("--with-token", help="Read the key from stdin (one line).")
    ] = False,
) -> None:
    """Ask for a key (hidden), check it with the API, save it (OS keyring, else config file 0600).

    The key goes to the OS keyring when the optional extra is installed
    (pip install 'mistral-cli[keyring]'), else to the user config file with mode 0600.
    In scripts, pipe it: mistral auth login --with-token < key.txt

    Example: mistral auth login
    """
    from mistral_cli import config as cfg
    from mistral_cli.context import app_context
    from mistral_cli.services import auth as svc
    from mistral_cli.values import counted

    actx = app_context(ctx, new_profile=True)  # `--profile NEW auth login` creates NEW
    key = _piped_key(actx) if with_token else _typed_key(actx)
    count = svc.check_key(actx.new_client(key, key_source="the key you entered"))
    path = cfg.config_file(actx.environ)
    where = svc.store_key(path, key, profile=actx.settings.profile, notify=actx.out.warn)
    actx.out.info(f"key ****{key[-4:]} works ({counted(count, 'model')}); saved in {where}")
    if actx.settings.source("api_key").startswith("MISTRAL_API_KEY"):
        actx.out.warn("MISTRAL_API_KEY is set in the environment and still takes precedence")


MAX_KEY = 4096  # characters read from stdin: a key is a few dozen


def _typed_key(actx: AppContext) -> str:
    import getpass

    if not (actx.out.stdin_is_tty and actx.out.err_is_tty):
        raise UsageError(
            "`mistral auth login` needs a terminal to ask for the key",
            hint="in scripts, pipe it: mistral auth login --with-token < key.txt",
        )
    key = getpass.getpass("Mistral API key (input hidden): ").strip()
    if not key:
        raise UsageError("no key entered")
    return key


def _piped_key(actx: AppContext) -> str:
    if actx.out.stdin_is_tty:
        raise UsageError(
            "--with-token reads the key from stdin, and stdin is a terminal",
            hint="pipe it (mistral auth login --with-token < key.txt), "
            "or run `mistral auth login` to type it hidden",
        )
    key = sys.stdin.readline(MAX_KEY).strip()
    if not key or len(key) >= MAX_KEY - 1:
        raise UsageError(
            "--with-token found no key on stdin" if not key else "stdin holds no single-line key",
            hint="give the key alone on one line: mistral auth login --with-token < key.txt",
        )
    return key


@app.command("status")
def status(
    ctx: typer.Context,
    check: Annotated[
        bool, typer.Option("--check", help="Also check the key with the API (GET /v1/models).")
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Show which source supplied the key and the key masked; exit 3 without a working key.

    Example: mistral auth status --check
    """
    from mistral_cli import config as cfg
    from mistral_cli.context import app_context
    from mistral_cli.services import auth as svc

    actx = app_context(ctx)
    state = svc.status(actx.settings, cfg.config_file(actx.environ))
    verdict = svc.verify(actx.client()) if check and state.has_key else None
    if json_out:
        actx.out.json(svc.status_json(state, verdict))
    else:
        actx.out.fields(svc.status_fields(state, verdict))
    for path in state.exposed:
        actx.out.warn(f"{path} holds the key and others can read it; run: chmod 600 {path}")
    if not state.has_key:
        raise AuthError(
            "not logged in: no API key found",
            hint="run `mistral auth login`, or set MISTRAL_API_KEY (environment or a .env file)",
        )
    if verdict is not None and verdict.refused is not None:
        raise verdict.refused


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
