"""The root Typer app: global flags, one sub-app per noun, and main() mapping failures to exits."""

from __future__ import annotations

import difflib
import os
import re
import signal
import sys
from collections.abc import Iterator, MutableMapping, Sequence
from types import FrameType
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from mistral_cli.about import version_text
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

# The nouns in the order `mistral --help` lists them, each with the first paragraph of its help
# (the module is mistral_cli.commands.<noun>). The root lists them from here and imports a
# module only when its command runs; tests/unit/test_lazy_commands.py fails when a line drifts.
NOUNS: dict[str, str] = {
    "chat": "Ask a model; the answer streams to stdout. With no prompt on a terminal: the REPL.",
    "conversations": "The chats saved on this machine; continue one with `mistral chat -c` or "
    "--conversation ID.",
    "models": "List the models your key can use, show what each can do, and manage your "
    "fine-tuned ones.",
    "config": "Show the resolved configuration and the files it is read from.",
    "auth": "Save, check and remove the API key used by mistral.",
    "embed": "Embed texts: one record per TEXT argument or stdin line, in input order, on stdout.",
    "classify": "Classify texts or conversations with a fine-tuned classifier: one result per "
    "input, in input order.",
    "moderate": "Moderate texts or conversations: one result per input, in input order; "
    "--fail-on exits 12 when an input is flagged.",
    "batch": "Run chat requests on the Batch API (half price); follow its jobs (and `embed "
    "--batch`'s).",
    "completion": "Shell completion scripts for bash, zsh and fish.",
    "finetune": "Fine-tune models, built for CI: validate data, upload, create, start and follow "
    "jobs.",
    "files": "List, show, delete and download the files uploaded to your workspace.",
    "tokens": "Count tokens (exact with the `tokens` extra, else a conservative estimate).",
    "usage": "Tokens and cost of saved conversations, by model or day.",
}


def build_noun(name: str) -> TyperGroup:
    """The sub-app for one noun, built exactly as `app.add_typer(module.app)` builds it."""
    # __import__, not importlib.import_module: only the import statement's path shows in
    # `python -X importtime` (and the start-up guard tests read that)
    module = __import__(f"mistral_cli.commands.{name}", fromlist=["app"])
    holder = new_app("mistral", "")  # the root's settings (markup, suggestions), nothing else
    holder.add_typer(module.app)
    root = typer.main.get_command(holder)
    assert isinstance(root, TyperGroup)
    group = root.commands[name]
    assert isinstance(group, TyperGroup)
    return group


class LazyCommands(MutableMapping[str, Any]):
    """The root's subcommands: every name known up front, each sub-app built on first access."""

    def __init__(self) -> None:
        self._names = list(NOUNS)
        self._built: dict[str, Any] = {}

    def built(self, name: str) -> bool:
        """True once the sub-app for `name` exists (its module imported)."""
        return name in self._built

    def __getitem__(self, name: str) -> Any:  # noqa: ANN401  # a Click command
        if name not in self._built:
            if name not in self._names:
                raise KeyError(name)
            self._built[name] = build_noun(name)
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:  # noqa: ANN401  # a Click command
        if name not in self._names:
            self._names.append(name)
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        self._names.remove(name)
        self._built.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._names))

    def __len__(self) -> int:
        return len(self._names)


class LazyGroup(TyperGroup):
    """The root group: imports `mistral_cli.commands.<noun>` only for the command invoked.

    Parsing, suggestions and `--help` go through Typer as usual; the root's own command list
    is drawn from NOUNS (names and help lines), so `mistral --help` builds no sub-app.
    """

    def __init__(self, **attrs: Any) -> None:  # noqa: ANN401  # Typer's keyword arguments
        super().__init__(**attrs)
        commands = LazyCommands()
        commands.update(self.commands)  # any sub-app added to the root the eager way
        self.commands = commands
        self._listing = False

    def list_commands(self, ctx: Any) -> list[str]:  # noqa: ANN401  # Click's Context
        """The names, in NOUNS order, without building anything."""
        return list(self.commands)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:  # noqa: ANN401  # Click's Context
        """The sub-app (built now), or while listing the root's help a stand-in with its line."""
        commands = self.commands
        assert isinstance(commands, LazyCommands)
        if self._listing and cmd_name in NOUNS and not commands.built(cmd_name):
            return TyperGroup(name=cmd_name, help=NOUNS[cmd_name])
        return commands.get(cmd_name)

    def format_commands(self, ctx: Any, formatter: Any) -> None:  # noqa: ANN401  # Click's types
        """Typer's own command list, fed stand-ins (same name and help) for unbuilt sub-apps."""
        self._listing = True
        try:
            super().format_commands(ctx, formatter)
        finally:
            self._listing = False


EPILOG = "Exit codes: " + "; ".join(f"{code} {text}" for code, text in EXIT_CODE_TABLE) + "."

app = new_app(
    "mistral",
    "mistral-cli: the command line for the Mistral AI API.\n\n"
    "The key comes from MISTRAL_API_KEY (environment or a .env file); the server from "
    "MISTRAL_BASE_URL. Run `mistral COMMAND --help` for examples.",
    epilog=EPILOG,
    cls=LazyGroup,
)


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


def help_page(path: Sequence[str]) -> str | None:
    """What `mistral PATH --help` prints at this terminal's width; None if PATH is no command.

    Typer's own steps: each context made as `make_context` makes it (the command's context
    settings, the rest inherited from the parent), then the text its --help option echoes.
    Only the sub-app on PATH is built.
    """
    command: Any = typer.main.get_command(app)
    ctx = command.context_class(command, info_name="mistral", **command.context_settings)
    for word in path:
        command = command.get_command(ctx, word) if isinstance(command, TyperGroup) else None
        if command is None:
            return None
        ctx = command.context_class(command, info_name=word, parent=ctx, **command.context_settings)
    return f"{command.get_help(ctx)}\n"


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
