"""Transport failures: which are retried, and a message naming the host and proxy."""

from __future__ import annotations

import urllib.parse
import urllib.request

import httpx

from mistral_cli.api.errors import NetworkError

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "DELETE", "PUT"})


def retryable(exc: httpx.TransportError, request: httpx.Request) -> bool:
    """Connect failures always; a POST whose read timed out never (the work may be billed)."""
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return True
    if request.method in IDEMPOTENT:
        return isinstance(
            exc, httpx.TimeoutException | httpx.NetworkError | httpx.RemoteProtocolError
        )
    # "Server disconnected without sending a response": nothing was processed in practice.
    return isinstance(exc, httpx.RemoteProtocolError) and "without sending" in str(exc)


def reason(exc: httpx.TransportError) -> str:
    """A short human reason for a transport failure."""
    text = str(exc).strip()
    if isinstance(exc, httpx.ConnectTimeout):
        return "connect timed out"
    if isinstance(exc, httpx.ReadTimeout):
        return "no answer before the read timeout"
    if isinstance(exc, httpx.WriteTimeout):
        return "sending timed out"
    if isinstance(exc, httpx.PoolTimeout):
        return "no free connection"
    if isinstance(exc, httpx.ConnectError):
        lowered = text.lower()
        if "refused" in lowered:
            return "connection refused"
        if "name or service" in lowered or "nodename" in lowered or "resolution" in lowered:
            return "host name not found"
        if "certificate" in lowered or "ssl" in lowered:
            return f"TLS failure ({text})"
        return f"cannot connect ({text})" if text else "cannot connect"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the server closed the connection"
    if isinstance(exc, httpx.ReadError):
        return "the connection was reset"
    if isinstance(exc, httpx.ProxyError):
        return f"proxy failure ({text})"
    return text or type(exc).__name__


def describe(exc: httpx.TransportError, request: httpx.Request) -> NetworkError:
    """A NetworkError naming the host, the proxy in use and what to try."""
    host = request.url.host
    why = reason(exc)
    proxy = proxy_for(str(request.url))
    via = f" via proxy {proxy}" if proxy else ""
    hint = (
        f"check the proxy settings (HTTPS_PROXY/HTTP_PROXY/ALL_PROXY, NO_PROXY); {proxy} is in use"
        if proxy
        else "check your network and MISTRAL_BASE_URL"
    )
    if "TLS" in why:
        hint = "check the system clock and SSL_CERT_FILE (a corporate proxy may need its CA bundle)"
    return NetworkError(f"cannot reach {host}{via}: {why}", hint=hint)


def proxy_for(url: str) -> str | None:
    """The proxy the standard variables select for `url`, with credentials hidden."""
    proxies = urllib.request.getproxies_environment()
    parts = urllib.parse.urlsplit(url)
    bypass = getattr(urllib.request, "proxy_bypass_environment", None)  # untyped in typeshed
    if proxies.get("no") and bypass is not None and bypass(parts.hostname or "", proxies):
        return None
    chosen = proxies.get(parts.scheme) or proxies.get("all")
    if not chosen:
        return None
    proxy = urllib.parse.urlsplit(chosen if "://" in chosen else f"http://{chosen}")
    netloc = proxy.hostname or ""
    if proxy.port:
        netloc = f"{netloc}:{proxy.port}"
    return urllib.parse.urlunsplit((proxy.scheme, netloc, "", "", ""))
