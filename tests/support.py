"""Helpers shared by command tests: build an AppContext over a fake and invoke the app."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from typer.testing import CliRunner

from mistral_cli import config
from mistral_cli.cli import app
from mistral_cli.context import AppContext
from mistral_cli.errors import CliError, describe
from mistral_cli.output import Output
from tests.fakes.router import TEST_API_KEY as TEST_KEY


@dataclass
class Sleeps:
    """An injected sleep that records instead of waiting; `now` is the clock it moves."""

    calls: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)

    def now(self) -> float:
        """The time slept so far: the clock of a test in which only sleeping takes time."""
        return sum(self.calls)


def no_jitter() -> float:
    """An injected rand() at the middle of its range: backoff and polls without jitter."""
    return 0.5


@dataclass
class Clock:
    """An injected clock that says `now` until a test moves it."""

    now: float

    def __call__(self) -> float:
        return self.now


@dataclass
class Result:
    """What a command printed and its exit code, with CliErrors rendered like main() does."""

    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None


def make_context(
    transport: Any = None,
    *,
    env: Mapping[str, str] | None = None,
    tty: bool = False,
    environ: Mapping[str, str] | None = None,
    sleep: Sleeps | None = None,
    rand: Callable[[], float] = no_jitter,
) -> AppContext:
    """An AppContext with settings from `env` (key and base URL by default) and a transport.

    Like the real loader, the settings also read `environ` (default os.environ): its MISTRAL_*
    variables other than the key and the server, which come from `env` only.
    Nothing real decides an outcome: `sleep` records, the clock moves only by what was slept,
    and `rand` (jitter) is fixed unless given.
    """
    import os

    environ = dict(os.environ if environ is None else environ)
    values = {"MISTRAL_API_KEY": TEST_KEY, "MISTRAL_BASE_URL": "https://api.mistral.ai"}
    values.update(
        {k: v for k, v in environ.items() if k.startswith("MISTRAL_") and k not in values}
    )
    values.update(env or {})
    settings = config.resolve({}, values, {}, {})
    sleeps = sleep or Sleeps()
    return AppContext(
        settings=settings,
        out=Output(tty=tty),
        transport=transport,
        sleep=sleeps,
        rand=rand,
        clock=sleeps.now,
        environ=environ,
    )


def invoke(
    argv: Sequence[str], actx: AppContext | None = None, *, input: str | None = None
) -> Result:
    """Run the app in-process; a CliError becomes stderr text and its exit code."""
    result = CliRunner().invoke(app, list(argv), obj=actx, input=input, catch_exceptions=True)
    stderr = result.stderr
    code = result.exit_code
    exc = result.exception
    if exc is not None and not isinstance(exc, SystemExit):
        if not isinstance(exc, CliError):
            raise exc
        stderr += describe(exc) + "\n"
        code = exc.exit_code
    return Result(code, result.stdout, stderr, exc)
