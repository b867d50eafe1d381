"""The root Typer app: global flags, one sub-app per noun, and main() mapping failures to exits."""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType
from typing import Annotated

import typer

from mistral_cli.about import version_text
from mistral_cli.commands import auth as auth_cmd
from mistral_cli.commands import batch as batch_cmd
from mistral_cli.commands import chat as chat_cmd
from mistral_cli.commands import classify as classify_cmd
from mistral_cli.commands import completion as completion_cmd
from mistral_cli.commands import config as config_cmd
from mistral_cli.commands import conversations as conversations_cmd
from mistral_cli.commands import embed as embed_cmd
from mistral_cli.commands import files as files_cmd
from mistral_cli.commands import finetune as finetune_cmd
from mistral_cli.commands import models as models_cmd
from mistral_cli.commands import moderate as moderate_cmd
from mistral_cli.commands import tokens as tokens_cmd
from mistral_cli.commands import usage as usage_cmd
from mistral_cli.commands._shared import new_app
from mistral_cli.errors import (
    EXIT_CODE_TABLE,
    CliError,
    ExitCode,
    Interrupted,
    PipeClosed,
    UsageError,
    describe,
)
from mistral_cli.textsafe import sanitize

EPILOG = "Exit codes: " + "; ".join(f"{code} {text}" for code, text in EXIT_CODE_TABLE) + "."

app = new_app(
    "mistral",
    "mistral-cli: the command line for the Mistral AI API.\n\n"
    "The key comes from MISTRAL_API_KEY (environment or a .env file); the server from "
    "MISTRAL_BASE_URL. Run `mistral COMMAND --help` for examples.",
    epilog=EPILOG,
)
app.add_typer(chat_cmd.app)
app.add_typer(conversations_cmd.app)
app.add_typer(models_cmd.app)
app.add_typer(config_cmd.app)
app.add_typer(auth_cmd.app)
app.add_typer(embed_cmd.app)
app.add_typer(classify_cmd.app)
app.add_typer(moderate_cmd.app)
app.add_typer(batch_cmd.app)
app.add_typer(completion_cmd.app)
app.add_typer(finetune_cmd.app)
app.add_typer(files_cmd.app)
app.add_typer(tokens_cmd.app)
app.add_typer(usage_cmd.app)


def _version(value: bool) -> None:
    if value:
        typer.echo(version_text(), nl=False)
        raise typer.Exit(0)


@app.callback()
def root(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Trace requests on stderr (key redacted); tracebacks.")
    ] = False,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            metavar="URL",
            help="API server (default: MISTRAL_BASE_URL or api.mistral.ai).",
        ),
    ] = None,
    profile: Annotated[
        str | None,
        typer.Option("--profile", metavar="NAME", help="Config file profile (MISTRAL_PROFILE)."),
    ] = None,
    request_timeout: Annotated[
        float | None,
        typer.Option(
            "--request-timeout", metavar="SECONDS", help="Read and stream-idle timeout, seconds."
        ),
    ] = None,
    total_timeout: Annotated[
        float | None,
        typer.Option(
            "--total-timeout",
            metavar="SECONDS",
            help="Overall limit per request, retries and streaming included "
            "(MISTRAL_TOTAL_TIMEOUT).",
        ),
    ] = None,
    ca_bundle: Annotated[
        str | None,
        typer.Option(
            "--ca-bundle",
            metavar="PATH",
            help="CA certificates (PEM) to verify TLS with (SSL_CERT_FILE, config ca_bundle).",
        ),
    ] = None,
) -> None:
    """mistral-cli: the command line for the Mistral AI API."""
    if ctx.obj is None:
        ctx.obj = {
            "debug": debug or None,
            "base_url": base_url,
            "profile": profile,
            "timeout": request_timeout,
            "total_timeout": total_timeout,
            "ca_bundle": ca_bundle,
        }


def _raise_interrupted(signum: int, _frame: FrameType | None) -> None:
    raise Interrupted(ExitCode.TERMINATED if signum == signal.SIGTERM else ExitCode.INTERRUPTED)


def _install_signal_handlers() -> None:
    signal.signal(signal.SIGINT, _raise_interrupted)
    signal.signal(signal.SIGTERM, _raise_interrupted)


def _status(code: object) -> int:
    if code is None:
        return ExitCode.OK
    if isinstance(code, int):
        return code
    return ExitCode.ERROR


def _debug(argv: list[str]) -> bool:
    return "--debug" in argv or os.environ.get("MISTRAL_DEBUG", "") not in ("", "0")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (console script entry point)."""
    args = sys.argv[1:] if argv is None else argv
    _install_signal_handlers()
    try:
        _check_utf8(args)
        app(args=args, prog_name="mistral")
    except SystemExit as done:
        return _status(done.code)
    except (Interrupted, PipeClosed) as stop:
        return stop.exit_code
    except Exception as exc:  # noqa: BLE001  # a CliError, or a bug: both end as one message
        _stderr(describe(exc, debug=_debug(args)))
        return exc.exit_code if isinstance(exc, CliError) else ExitCode.ERROR
    return ExitCode.OK


def _check_utf8(args: list[str]) -> None:
    """Refuse (exit 2) an argument that is not UTF-8, naming it and the byte.

    Python keeps such bytes as surrogates, which no request or terminal write can encode later.
    """
    for position, arg in enumerate(args, start=1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError as exc:
            raw = arg.encode("utf-8", "surrogateescape")
            byte = len(arg[: exc.start].encode("utf-8", "surrogateescape")) + 1
            shown = raw.decode("utf-8", "backslashreplace")
            raise UsageError(
                f"argument {position} is not valid UTF-8 (byte {byte}): {shown[:80]}",
                hint="pass text as UTF-8 (e.g. iconv -f latin1 -t utf-8), or pipe it on stdin",
            ) from None


def _stderr(text: str) -> None:
    """Write to stderr, sanitised always: server text must not drive a terminal or a CI log."""
    try:
        sys.stderr.write(sanitize(text) + "\n")
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        pass
