"""Redaction: one function scrubs the key from errors, --debug traces, config show and exports."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mistral_cli import config, keystore
from mistral_cli.api.client import ApiClient
from mistral_cli.errors import CliError, describe, redact, register_secret
from mistral_cli.services import auth as auth_svc
from tests.support import invoke, make_context

KEYS = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-",
    min_size=16,
    max_size=48,
)


def test_redact_replaces_every_occurrence() -> None:
    assert redact("a sk-0123456789 b sk-0123456789", ["sk-0123456789"]) == "a **** b ****"
    assert redact("short abc", ["abc"]) == "short abc"  # too short to scrub safely


@settings(derandomize=True, max_examples=40, deadline=None)
@given(key=KEYS)
def test_no_output_path_leaks_a_random_key(key: str) -> None:
    register_secret(key)
    # errors, with and without --debug tracebacks
    error = CliError(f"the server echoed {key}", hint=f"key {key}")
    assert key not in describe(error) + describe(error, debug=True)
    # the --debug request trace, including a body that carries the key
    lines: list[str] = []
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"k": key}))
    client = ApiClient(api_key=key, base_url="http://x", transport=transport, trace=lines.append)
    client.request("POST", "/v1/x", json_body={"echo": key})
    assert lines
    assert all(key not in line for line in lines)
    # config show, table and JSON
    actx = make_context(env={"MISTRAL_API_KEY": key})
    for argv in (["config", "show"], ["config", "show", "--json"], ["auth", "status"]):
        shown = invoke(argv, make_context(env={"MISTRAL_API_KEY": key}))
        assert key not in shown.stdout + shown.stderr
    assert actx.settings.api_key is not None
    assert key not in repr(actx.settings) + str(actx.settings.api_key)


# ---------------------------------------------------------------- keyring


class FakeKeyring(types.ModuleType):
    """A stand-in for the `keyring` package: an in-memory store."""

    def __init__(self) -> None:
        super().__init__("keyring")
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, user: str) -> str | None:
        return self.store.get((service, user))

    def set_password(self, service: str, user: str, value: str) -> None:
        self.store[service, user] = value

    def delete_password(self, service: str, user: str) -> None:
        del self.store[service, user]


@pytest.fixture
def ring(monkeypatch: pytest.MonkeyPatch) -> FakeKeyring:
    module = FakeKeyring()
    monkeypatch.setitem(sys.modules, "keyring", module)
    return module


def test_keyring_sits_between_dotenv_and_config_file(ring: FakeKeyring) -> None:
    ring.set_password("mistral-cli", "default", "ring-key-0123456789")
    file = {"api_key": "file-key-0123456789"}
    found = config.resolve({}, {}, {}, file, keyring=keystore.get_key)
    assert (found.api_key.get_secret_value(), found.source("api_key")) == (  # type: ignore[union-attr]
        "ring-key-0123456789",
        "keyring",
    )
    dotenv = {"MISTRAL_API_KEY": "dotenv-key-0123456789"}
    found = config.resolve({}, {}, dotenv, file, keyring=keystore.get_key)
    assert found.source("api_key") == ".env (MISTRAL_API_KEY)"


def test_keyring_per_profile(ring: FakeKeyring) -> None:
    ring.set_password("mistral-cli", "work", "work-key-0123456789")
    found = config.resolve({"profile": "work"}, {}, {}, {}, keyring=keystore.get_key)
    assert found.source("api_key") == "keyring"
    assert config.resolve({}, {}, {}, {}, keyring=keystore.get_key).api_key is None


def test_store_key_prefers_keyring_and_clears_the_file(ring: FakeKeyring, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    auth_svc.save_key(path, "old-key-0123456789")
    assert auth_svc.store_key(path, "new-key-0123456789") == "keyring"
    assert ring.store == {("mistral-cli", "default"): "new-key-0123456789"}
    assert "api_key" not in config.read_config_file(path)
    assert auth_svc.forget_key(path) == ["keyring"]
    assert ring.store == {}


def test_store_key_falls_back_to_the_file_without_keyring(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "keyring", None)  # import keyring → ImportError
    path = tmp_path / "config.toml"
    assert auth_svc.store_key(path, "file-key-0123456789") == str(path)
    assert config.read_config_file(path) == {"api_key": "file-key-0123456789"}
    assert path.stat().st_mode & 0o777 == 0o600
    assert keystore.get_key(None) is None


def test_broken_keyring_backend_reads_as_no_key(ring: FakeKeyring, tmp_path: Path) -> None:
    def boom(*_: object) -> None:
        raise RuntimeError("no backend")

    ring.get_password = boom  # type: ignore[method-assign]
    ring.set_password = boom  # type: ignore[method-assign]
    assert keystore.get_key(None) is None
    path = tmp_path / "config.toml"
    assert auth_svc.store_key(path, "file-key-0123456789") == str(path)


def test_auth_status_names_the_keyring(ring: FakeKeyring) -> None:
    ring.set_password("mistral-cli", "default", "ring-key-0123456789")
    actx = make_context()
    actx.settings = config.resolve({}, {}, {}, {}, keyring=keystore.get_key)
    done = invoke(["auth", "status"], actx)
    assert (done.exit_code, done.stdout, done.stderr) == (0, "key\t****6789\nsource\tkeyring\n", "")


# ---------------------------------------------------------------- exposed key files


def test_world_readable_config_file_holding_a_key_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[profiles.x]\napi_key = "file-key-0123456789"\n')
    path.chmod(0o644)
    settings = config.resolve({}, {"MISTRAL_API_KEY": "env-key-0123456789"}, {}, {})
    assert auth_svc.exposed_files(settings, path) == [str(path)]
    path.chmod(0o600)
    assert auth_svc.exposed_files(settings, path) == []


def test_world_readable_dotenv_in_use_is_reported(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("MISTRAL_API_KEY=dotenv-key-0123456789\n")
    dotenv.chmod(0o644)
    settings = config.resolve({}, {}, config.read_dotenv(dotenv), {}, dotenv_source=str(dotenv))
    assert auth_svc.exposed_files(settings, tmp_path / "none.toml") == [str(dotenv)]
