"""One verifying TLS context per process, only for https://, shared with the proxy mounts."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import certifi
import httpx
import pytest

from mistral_cli.api import client as client_module
from mistral_cli.api.client import ApiClient, tls_context
from mistral_cli.errors import ConfigError


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every CA store load (file, directory or the system's), counted."""
    seen: list[str] = []
    verify, default = ssl.SSLContext.load_verify_locations, ssl.SSLContext.load_default_certs

    def load_verify_locations(self: ssl.SSLContext, *args: object, **kwargs: object) -> None:
        seen.append("verify")
        verify(self, *args, **kwargs)  # type: ignore[arg-type]

    def load_default_certs(self: ssl.SSLContext, *args: object) -> None:
        seen.append("default")
        default(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", load_verify_locations)
    monkeypatch.setattr(ssl.SSLContext, "load_default_certs", load_default_certs)
    tls_context.cache_clear()
    yield seen
    tls_context.cache_clear()


def make(base_url: str, **kwargs: object) -> ApiClient:
    return ApiClient(api_key="sk-test", base_url=base_url, **kwargs)  # type: ignore[arg-type]


def test_https_loads_the_ca_store_once_whatever_the_proxies(
    loads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(variable, "http://127.0.0.1:3128")
    first, second = make("https://api.mistral.ai"), make("https://api.mistral.ai")
    assert loads == ["verify"]  # certifi's file, once: not once per transport and client
    first.close()
    second.close()


def test_plain_http_and_injected_transports_load_no_ca_store(loads: list[str]) -> None:
    make("http://127.0.0.1:9").close()
    make("https://api.mistral.ai", transport=httpx.MockTransport(lambda _: httpx.Response(200)))
    assert loads == []


def test_the_ca_bundle_is_the_context(tmp_path: Path, loads: list[str]) -> None:
    context = tls_context(certifi.where())
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert tls_context(certifi.where()) is context
    assert loads == ["verify"]
    with pytest.raises(ConfigError, match="cannot use the CA bundle"):
        make("https://api.mistral.ai", ca_bundle=str(tmp_path / "missing.pem"))
    make("http://127.0.0.1:9", ca_bundle=str(tmp_path / "missing.pem")).close()  # no TLS


def test_default_is_httpx_own(monkeypatch: pytest.MonkeyPatch, loads: list[str]) -> None:
    made: list[ssl.SSLContext] = []

    def create_ssl_context() -> ssl.SSLContext:
        made.append(ssl.create_default_context(cafile=certifi.where()))
        return made[-1]

    monkeypatch.setattr(client_module.httpx, "create_ssl_context", create_ssl_context)
    assert tls_context(None) is made[0]
    assert tls_context(None) is made[0]
    assert len(made) == 1
