"""What to try next after an HTTP error, by status and route."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mistral_cli.values import counted

if TYPE_CHECKING:
    import httpx

REQUEST_ID_HEADERS = ("x-request-id", "mistral-correlation-id", "request-id")


def status_hint(
    status: int, *, attempts: int, wait: float | None, path: str, key_source: str
) -> str:
    """The hint line for an HTTP error status."""
    tries = f"gave up after {counted(attempts, 'attempt')}"
    if status == 401:
        return f"the key came from {key_source}; check it at console.mistral.ai"
    if status == 402:
        return "the account has no active payment method or credit; check console.mistral.ai"
    if status == 403:
        return "this key may not use that model or feature (tier, workspace or guardrail)"
    if status == 404:
        return not_found_hint(path)
    if status == 413:
        return "the upload is too large: files must be at most 512 MB"
    if status == 429:
        if wait is not None:
            return f"{tries}; the server asks to wait {wait:.0f} s before trying again"
        return f"{tries}; wait a minute or raise MISTRAL_MAX_RETRIES"
    if status >= 500:
        return f"{tries}; the service may be having trouble, try again shortly"
    return "check the request's parameters (rerun with --debug to see the request)"


def not_found_hint(path: str) -> str:
    """Which `list` command shows the ids that exist.

    A 404 on the list route itself is no unknown id: the server lacks the route, and pointing
    at the `list` command that just failed would not help.
    """
    for prefix, command in (
        ("/v1/models", "mistral models list"),
        ("/v1/fine_tuning/jobs", "mistral finetune list"),
        ("/v1/files", "mistral files list"),
        ("/v1/batch/jobs", "mistral batch list"),
    ):
        if path.startswith(prefix) and path.rstrip("/") != prefix:
            return f"check the id: `{command}` shows what exists"
    return "check MISTRAL_BASE_URL: the server does not know this route"


def request_id(response: httpx.Response) -> str | None:
    """The request id the server sent, under any of its usual header names."""
    for name in REQUEST_ID_HEADERS:
        value: str | None = response.headers.get(name)
        if value:
            return value
    return None
