"""The root Typer app: global flags, one sub-app per noun, and main() mapping failures to exits."""

from __future__ import annotations

import difflib
import os
import re
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
        str | None,
        typer.Option(
            "--request-timeout",
            metavar="DURATION",
            help="Read and stream-idle timeout (90s, 5m; MISTRAL_TIMEOUT).",
        ),
    ] = None,
    total_timeout: Annotated[
        str | None,
        typer.Option(
            "--total-timeout",
            metavar="DURATION",
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


def _debug(argv: list[str], exc: BaseException) -> bool:
    """--debug, MISTRAL_DEBUG or, for a bug, `debug = true` in the config file (never raises)."""
    from mistral_cli import config, values  # only on the way out with an error

    if "--debug" in argv:
        return True
    try:
        if isinstance(exc, CliError):  # no traceback wanted unless asked for right here
            return values.boolean(os.environ.get(config.FIELD_BY_KEY["debug"].env) or 0, "")
        profile = argv[argv.index("--profile") + 1] if "--profile" in argv[:-1] else None
        return config.load({"profile": profile}).debug
    except Exception:  # noqa: BLE001  # a broken setting is reported by the command itself
        return False


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (console script entry point)."""
    args = sys.argv[1:] if argv is None else argv
    _install_signal_handlers()
    try:
        _check_utf8(args)
        code = app(args=args, prog_name="mistral", standalone_mode=False)
    except SystemExit as done:
        return _status(done.code)
    except (Interrupted, PipeClosed) as stop:
        return stop.exit_code
    except typer.Abort:  # EOF at a prompt
        _stderr("mistral: error: aborted: no input")
        return ExitCode.ERROR
    except Exception as exc:  # noqa: BLE001  # a CliError, or a bug: both end as one message
        if (usage := usage_error(exc)) is not None:
            exc = usage
        elif _is_help(exc):
            exc.show()  # type: ignore[attr-defined]  # Click's NoArgsIsHelpError: the help page
            return ExitCode.USAGE
        _stderr(describe(exc, debug=_debug(args, exc)))
        return exc.exit_code if isinstance(exc, CliError) else ExitCode.ERROR
    return code if isinstance(code, int) and not isinstance(code, bool) else ExitCode.OK


def _is_help(exc: Exception) -> bool:
    """`mistral` or `mistral config` alone: Typer asks for the help page to be shown."""
    return isinstance(exc, typer.TyperException) and type(exc).__name__ == "NoArgsIsHelpError"


_NO_SUCH_COMMAND = re.compile(r"No such command '(.+?)'")


def usage_error(exc: Exception) -> UsageError | None:
    """Typer's usage errors as one line in the house style, with a suggestion (exit 2).

    `mistral: error: no such option: --modle` / `hint: did you mean --model? (mistral chat
    --help)`, instead of Click's four-line block. None for anything else.
    """
    if not isinstance(exc, typer.TyperException) or _is_help(exc):
        return None
    ctx = getattr(exc, "ctx", None)
    path = getattr(ctx, "command_path", None) or "mistral"
    option = getattr(exc, "option_name", None)
    command = _NO_SUCH_COMMAND.match(getattr(exc, "message", "") or "")
    if option and type(exc).__name__ == "NoSuchOption":
        wanted, message = option, f"no such option: {option}"
        choices = list(getattr(exc, "possibilities", None) or ())
    elif command is not None:
        wanted, message = command.group(1), f"no such command: {command.group(1)}"
        choices = sorted(getattr(getattr(ctx, "command", None), "commands", None) or ())
    else:
        text = str(exc.format_message()).splitlines()[0].rstrip(".")
        wanted, choices, message = "", [], text[:1].lower() + text[1:]
    close = difflib.get_close_matches(wanted, choices, n=1, cutoff=0.5) if wanted else []
    hint = f"did you mean {close[0]}? ({path} --help)" if close else f"see {path} --help"
    return UsageError(message, hint=hint)


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
