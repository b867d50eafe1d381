"""Exit codes, the CliError tree and describe(): how every failure reaches the user."""

from __future__ import annotations

import enum
import threading
import traceback
from typing import TYPE_CHECKING, ClassVar

from mistral_cli.textsafe import sanitize

if TYPE_CHECKING:
    from collections.abc import Iterable


class ExitCode(enum.IntEnum):
    """Stable process exit codes, documented in the README and the --help epilog."""

    OK = 0
    ERROR = 1
    USAGE = 2
    AUTH = 3
    REJECTED = 4
    RATE_LIMITED = 5
    NETWORK = 6
    JOB_FAILED = 7
    VALIDATION = 8
    JOB_CANCELLED = 9
    NOT_AVAILABLE = 10
    BUDGET = 11
    FLAGGED = 12
    TIMEOUT = 124
    INTERRUPTED = 130
    TERMINATED = 143


EXIT_CODE_TABLE: tuple[tuple[int, str], ...] = (
    (0, "success, or the reader closed the pipe"),
    (1, "API/server error after retries, or an internal error"),
    (2, "usage error (bad flags, unreadable input, malformed config)"),
    (3, "authentication or account: no key, HTTP 401, 402, 403"),
    (4, "request rejected by the API: HTTP 400, 404, 409, 413, 422"),
    (5, "still rate limited (HTTP 429) after retries"),
    (6, "network failure or timeout, stream cut before it finished"),
    (7, "fine-tuning job FAILED"),
    (8, "data validation failed, or job FAILED_VALIDATION"),
    (9, "fine-tuning job CANCELLED"),
    (10, "fine-tuning not available for this account or model"),
    (11, "budget exceeded (--max-cost)"),
    (12, "moderation flagged an input in a --fail-on category"),
    (124, "--wait timed out (the job runs on)"),
    (130, "interrupted (Ctrl-C); 143 on SIGTERM"),
)


class CliError(Exception):
    """A failure the user can act on: one line of message plus an optional hint."""

    exit_code: ClassVar[int] = ExitCode.ERROR

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(CliError):
    """Bad flags, unreadable input files, a TTY stdin with no input."""

    exit_code = ExitCode.USAGE


class ConfigError(UsageError):
    """A malformed .env or config file (names the file and line)."""


class AuthError(CliError):
    """No API key, or the key was refused."""

    exit_code = ExitCode.AUTH


class DataValidationError(CliError):
    """Local data checks failed (embed inputs, fine-tuning files)."""

    exit_code = ExitCode.VALIDATION


class NotAvailableError(CliError):
    """Fine-tuning is not available for this account or model."""

    exit_code = ExitCode.NOT_AVAILABLE


class BudgetExceeded(CliError):
    """The request would cost more than --max-cost."""

    exit_code = ExitCode.BUDGET


class Flagged(CliError):
    """`moderate --fail-on`: an input was flagged in one of the named categories."""

    exit_code = ExitCode.FLAGGED


class WaitTimeout(CliError):
    """A --wait reached its --timeout; the job runs on."""

    exit_code = ExitCode.TIMEOUT


class JobEnded(CliError):
    """A job reached a terminal state other than success; exit_code is per instance."""

    def __init__(self, message: str, exit_code: int, hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.exit_code = exit_code  # type: ignore[misc]  # per-instance override of the ClassVar


class Interrupted(BaseException):  # a signal, not an error
    """Ctrl-C or SIGTERM: a BaseException so no `except Exception` swallows it."""

    def __init__(self, exit_code: int = ExitCode.INTERRUPTED) -> None:
        super().__init__(exit_code)
        self.exit_code = exit_code


class PipeClosed(BaseException):  # a normal ending, not an error
    """The reader of stdout went away (`| head -1`): end quietly with exit 0."""

    exit_code = ExitCode.OK


MIN_SECRET = 8  # shorter values are too common to scrub from text without mangling it
REDACTED = "****"
_secrets: set[str] = set()
_secrets_lock = threading.Lock()


def register_secret(value: str) -> None:
    """Remember a secret (the API key) so redact() scrubs it from everything shown."""
    if len(value) >= MIN_SECRET:
        with _secrets_lock:
            _secrets.add(value)


def known_secrets() -> frozenset[str]:
    """Every secret registered in this process."""
    with _secrets_lock:
        return frozenset(_secrets)


def redact(text: str, secrets: Iterable[str] | None = None) -> str:
    """Replace every occurrence of each secret (default: the registered ones) with ****."""
    chosen = known_secrets() if secrets is None else secrets
    for secret in sorted((s for s in chosen if len(s) >= MIN_SECRET), key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def describe(exc: BaseException, *, debug: bool = False) -> str:
    """Render an exception as the lines printed on stderr (no trailing newline).

    Redacted (no key), and sanitised: a message may quote the server, and stderr is a terminal
    or a log shown in one, so its control characters are made visible (textsafe).
    """
    if isinstance(exc, CliError):
        lines = [f"mistral: error: {exc.message}"]
        if exc.hint:
            lines.append(f"hint: {exc.hint}")
    else:
        detail = str(exc) or type(exc).__name__
        lines = [
            f"mistral: internal error: {type(exc).__name__}: {detail}",
            "hint: this is a bug in mistral-cli; rerun with --debug and report the traceback",
        ]
    if debug:
        trace = "".join(traceback.format_exception(exc)).rstrip("\n")
        lines.insert(0, trace)
    return sanitize(redact("\n".join(lines)))
