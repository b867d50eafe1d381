"""The ApiError tree and the lenient error-body parser (every shape in API.md §5)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, ClassVar

from mistral_cli.errors import CliError, ExitCode

MAX_RAW = 200


@dataclass(frozen=True)
class ErrorBody:
    """What could be read out of an error response."""

    message: str
    code: str | None = None
    type: str | None = None
    request_id: str | None = None


class ApiError(CliError):
    """The API answered with an error status (after any retries)."""

    exit_code: ClassVar[int] = ExitCode.ERROR

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        type: str | None = None,  # the API's own field name
        request_id: str | None = None,
        hint: str | None = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(message, hint)
        self.status = status
        self.code = code
        self.type = type
        self.request_id = request_id
        self.attempts = attempts
        self.server_message = message


class AuthenticationError(ApiError):
    """401, 402 or 403: the key, the account or a guardrail."""

    exit_code = ExitCode.AUTH


class RequestRejected(ApiError):
    """400, 404, 409, 413, 422 (and other 4xx): retrying will not help."""

    exit_code = ExitCode.REJECTED


class RateLimited(ApiError):
    """429 after every retry."""

    exit_code = ExitCode.RATE_LIMITED


class ServerError(ApiError):
    """5xx after every retry, or an answer that could not be read."""

    exit_code = ExitCode.ERROR


class UnexpectedAnswer(ServerError):
    """A 2xx answer that lacks what the command needs: the server's problem (exit 1), not a bug.

    `answer` keeps the decoded body, so a caller can still read what did come back.
    """

    def __init__(
        self, where: str, problem: str, *, answer: object = None, hint: str | None = None
    ) -> None:
        super().__init__(
            f"unexpected answer from the server ({where}): {problem}",
            hint=hint or "rerun with --debug to see the answer it sent",
        )
        self.where = where
        self.problem = problem
        self.answer = answer


def unreadable(exc: BaseException) -> bool:
    """An answer that came back but could not be read (a malformed or unexpected 2xx body)."""
    if isinstance(exc, UnexpectedAnswer):
        return True
    return isinstance(exc, ServerError) and exc.status is not None and exc.status < 400


class NetworkError(ApiError):
    """Connect failure, timeout, reset: no usable HTTP answer."""

    exit_code = ExitCode.NETWORK


class StreamInterrupted(NetworkError):
    """A stream ended (drop, idle timeout, EOF) before `[DONE]`."""


def error_class(status: int) -> type[ApiError]:
    """The ApiError subclass for an HTTP status."""
    if status in (401, 402, 403):
        return AuthenticationError
    if status == 429:
        return RateLimited
    if 400 <= status < 500:
        return RequestRejected
    return ServerError


def parse_error_body(status: int, content_type: str, body: bytes) -> ErrorBody:
    """Read the message leniently: message, nested detail, detail, else a short raw body."""
    text = body.decode("utf-8", errors="replace").strip()
    try:
        data: Any = json.loads(text) if text else None
    except ValueError:
        data = None
    if isinstance(data, dict):
        message = _message_from(data)
        if message:
            return ErrorBody(
                message=message,
                code=_text_or_none(data.get("code")),
                type=_text_or_none(data.get("type")),
                request_id=_text_or_none(data.get("request_id")),
            )
    if isinstance(data, list | str) and data:
        return ErrorBody(message=_detail_text(data))
    if not text:
        return ErrorBody(message=f"HTTP {status} with an empty body")
    if "html" in content_type.lower() or text.lstrip().startswith("<"):
        return ErrorBody(message=f"HTTP {status} (HTML error page from the server or a proxy)")
    if data is None and _looks_like_json(text):
        return ErrorBody(message=f"HTTP {status} with an unreadable JSON body")
    return ErrorBody(message=_shorten(" ".join(text.split())))


def _message_from(data: dict[str, Any]) -> str | None:
    message = data.get("message")
    if isinstance(message, str) and message.strip():
        decoded = _maybe_json(message)
        if isinstance(decoded, dict) and "detail" in decoded:
            return _detail_text(decoded["detail"])
        return _shorten(message.strip())
    if isinstance(message, dict):
        if "detail" in message:
            return _detail_text(message["detail"])
        if isinstance(message.get("message"), str):
            return _shorten(message["message"])
    if "detail" in data:
        return _detail_text(data["detail"])
    if isinstance(data.get("error"), dict):
        return _message_from(data["error"])
    if isinstance(data.get("error"), str):
        return _shorten(data["error"])
    return None


def _detail_text(detail: object) -> str:
    """A 422-style detail: a string, or a list of {loc, msg} rendered as `loc.path: msg`."""
    if isinstance(detail, str):
        return _shorten(detail)
    if isinstance(detail, list):
        parts = []
        for item in detail[:5]:
            if isinstance(item, dict):
                loc = ".".join(str(p) for p in item.get("loc", []) if p != "body")
                msg = str(item.get("msg", item.get("message", "")))
                parts.append(f"{loc}: {msg}" if loc else msg)
            else:
                parts.append(str(item))
        more = f" (+{len(detail) - 5} more)" if len(detail) > 5 else ""
        return _shorten("; ".join(parts)) + more
    if isinstance(detail, dict):
        return _shorten(str(detail.get("msg") or detail.get("message") or json.dumps(detail)))
    return _shorten(str(detail))


def _maybe_json(text: str) -> object:
    if not _looks_like_json(text):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _looks_like_json(text: str) -> bool:
    return text[:1] in ("{", "[")


def _text_or_none(value: object) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _shorten(text: str) -> str:
    return text if len(text) <= MAX_RAW else text[: MAX_RAW - 1] + "…"
