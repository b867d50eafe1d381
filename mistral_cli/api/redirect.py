"""3xx answers: never followed (the key must not travel anywhere unasked), always explained."""

from __future__ import annotations

import httpx

from mistral_cli.api.errors import ServerError
from mistral_cli.api.hints import request_id
from mistral_cli.api.limits import LOCATION_TEXT

NOT_FOLLOWED = "redirects are never followed, so the key goes nowhere you did not set"


def redirect_error(response: httpx.Response, base_url: str) -> ServerError:
    """The exit-1 error for a redirect, naming where it points and the base URL to set."""
    response.close()
    message, hint = _explain(response, base_url)
    return ServerError(
        message, status=response.status_code, request_id=request_id(response), hint=hint
    )


def _explain(response: httpx.Response, base_url: str) -> tuple[str, str]:
    status = response.status_code
    location = response.headers.get("location", "").strip()
    if not location:
        return (
            f"the server redirected ({status}) without saying where to (no Location header)",
            "check MISTRAL_BASE_URL and any proxy in between",
        )
    asked = response.request.url
    try:
        target: httpx.URL | None = asked.join(location)
    except httpx.InvalidURL:
        target = None
    shown = _quoted(str(target) if target is not None else location)
    base = None if target is None else _base(target, asked, base_url)
    if target is not None and base and _wants_https(asked, target):
        return (
            f"the server redirected ({status}) to {shown}: the server wants HTTPS; "
            f"set MISTRAL_BASE_URL={base}",
            NOT_FOLLOWED,
        )
    then = f"e.g. MISTRAL_BASE_URL={base}" if base else "set the server's base address"
    return (
        f"the server redirected ({status}) to {shown}; set MISTRAL_BASE_URL to it if you trust it",
        f"{NOT_FOLLOWED}; {then} (or --base-url)",
    )


def _wants_https(asked: httpx.URL, target: httpx.URL) -> bool:
    return asked.scheme == "http" and target.scheme == "https" and asked.host == target.host


def _base(target: httpx.URL, asked: httpx.URL, base_url: str) -> str | None:
    """The base URL the redirect implies: its address minus the API path we asked for."""
    if target.scheme not in ("http", "https") or not target.host:
        return None
    prefix = httpx.URL(base_url).path.rstrip("/")
    route = asked.path[len(prefix) :] if asked.path.startswith(prefix) else asked.path
    path = target.path
    if route and path.endswith(route):
        path = path[: len(path) - len(route)]
    return _quoted(str(target.copy_with(path=path or "/", query=None, fragment=None)).rstrip("/"))


def _quoted(text: str) -> str:
    """Server text fit for one line: controls shown as `?`, at most LOCATION_TEXT characters."""
    clean = "".join(ch if ch.isprintable() else "?" for ch in text[: LOCATION_TEXT + 1])
    return clean if len(clean) <= LOCATION_TEXT else clean[: LOCATION_TEXT - 1] + "…"
