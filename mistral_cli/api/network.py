"""Transport failures: which are retried, and a message naming the host and proxy."""

from __future__ import annotations

import ssl
import urllib.parse
import urllib.request
from pathlib import Path

import httpx

from mistral_cli.api.errors import NetworkError
from mistral_cli.errors import ConfigError

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "DELETE", "PUT"})


def retryable(exc: httpx.TransportError, request: httpx.Request) -> bool:
    """Connect failures always; a POST whose read timed out never (the work may be billed)."""
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return True
    if request.method in IDEMPOTENT:
        return isinstance(
            exc, httpx.TimeoutException | httpx.NetworkError | httpx.RemoteProtocolError
        )
    # "Server disconnected without sending a response": nothing was processed in practice. Not
    # "peer closed connection without sending complete message body": the answer was on its way.
    return isinstance(exc, httpx.RemoteProtocolError) and "without sending a response" in str(exc)


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


def describe(
    exc: httpx.TransportError, request: httpx.Request, *, ca_bundle: str | None = None
) -> NetworkError:
    """A NetworkError naming the host, the limit hit, the proxy and CA in use, and what to try."""
    host = request.url.host
    proxy = proxy_for(str(request.url))
    via = f" via proxy {proxy}" if proxy else ""
    limits = request.extensions.get("timeout") or {}
    if isinstance(exc, httpx.ReadTimeout):
        return NetworkError(
            f"{host}{via} sent no answer within {_seconds(limits.get('read'))} (read timeout)",
            hint="raise MISTRAL_TIMEOUT or --request-timeout if the model needs longer",
        )
    why = reason(exc)
    if isinstance(exc, httpx.ConnectTimeout):
        why = f"connect timed out after {_seconds(limits.get('connect'))}"
    if "TLS" in why:
        return NetworkError(f"cannot reach {host}{via}: {why}", hint=tls_hint(proxy, ca_bundle))
    if proxy:
        hint = (
            f"the proxy {proxy} is in use (HTTPS_PROXY/HTTP_PROXY/ALL_PROXY); check it is up, "
            "or add the host to NO_PROXY"
        )
    elif isinstance(exc, httpx.ConnectTimeout):
        hint = "check your network; MISTRAL_CONNECT_TIMEOUT raises the limit"
    else:
        hint = "check your network and MISTRAL_BASE_URL"
    return NetworkError(f"cannot reach {host}{via}: {why}", hint=hint)


def tls_hint(proxy: str | None, ca_bundle: str | None) -> str:
    """What to try after a TLS failure, naming the CA bundle and proxy in use."""
    ca = f"the CA bundle {ca_bundle}" if ca_bundle else "the default CA bundle (certifi)"
    behind = f"; the proxy {proxy} may re-sign TLS" if proxy else ""
    return (
        f"verifying with {ca}{behind}: check the system clock, or point --ca-bundle "
        "(SSL_CERT_FILE, ca_bundle) at your organisation's CA file"
    )


def ssl_context(ca_bundle: str) -> ssl.SSLContext:
    """A verifying SSL context trusting the PEM file (or directory) `ca_bundle`."""
    try:
        if Path(ca_bundle).is_dir():
            return ssl.create_default_context(capath=ca_bundle)
        return ssl.create_default_context(cafile=ca_bundle)
    except (OSError, ssl.SSLError, ValueError) as exc:
        raise ConfigError(
            f"cannot use the CA bundle {ca_bundle}: {getattr(exc, 'strerror', None) or exc}",
            hint="point --ca-bundle, SSL_CERT_FILE or ca_bundle at a PEM file of certificates",
        ) from None


def _seconds(value: object) -> str:
    return f"{value:g} s" if isinstance(value, int | float) else "the time limit"


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
