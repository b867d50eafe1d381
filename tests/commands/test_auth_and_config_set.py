from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import httpx
import pytest

from mistral_cli import config
from tests.fakes.router import FakeMistral
from tests.support import invoke, make_context


def config_path() -> Path:
    return config.config_file(os.environ)


def test_set_get_unset_round_trip(monkeypatch: pytest.MonkeyPatch) -> None:
    assert invoke(["config", "set", "model", "mistral-large-latest"]).exit_code == 0
    assert invoke(["config", "set", "max_retries", "2"]).exit_code == 0
    assert invoke(["config", "set", "aliases.fast", "ministral-8b-latest"]).exit_code == 0
    document = tomllib.loads(config_path().read_text())
    assert document == {
        "model": "mistral-large-latest",
        "max_retries": 2,
        "aliases": {"fast": "ministral-8b-latest"},
    }
    assert stat.S_IMODE(config_path().stat().st_mode) == 0o600
    assert invoke(["config", "get", "model"]).stdout == "mistral-large-latest\n"
    assert invoke(["config", "get", "aliases.fast"]).stdout == "ministral-8b-latest\n"
    result = invoke(["config", "unset", "model"])
    assert (result.stdout, result.stderr) == ("", f"model removed from {config_path()}\n")
    assert invoke(["config", "get", "model"]).stdout == "mistral-small-latest\n"
    assert invoke(["config", "unset", "model"]).stderr == f"model was not set in {config_path()}\n"


def test_set_in_a_profile_section() -> None:
    assert (
        invoke(["--profile", "work", "config", "set", "base_url", "http://w.example"]).exit_code
        == 0
    )
    document = tomllib.loads(config_path().read_text())
    assert document == {"profiles": {"work": {"base_url": "http://w.example"}}}
    shown = invoke(["--profile", "work", "config", "show"]).stdout
    assert "base_url (MISTRAL_BASE_URL)\thttp://w.example\t" in shown
    assert "profile (MISTRAL_PROFILE)\twork" in shown


def test_set_rejects_bad_values_and_the_key() -> None:
    bad = invoke(["config", "set", "timeout", "soon"])
    assert (bad.exit_code, bad.stdout, bad.stderr) == (
        2,
        "",
        "mistral: error: timeout expects a duration, got 'soon'\n"
        'hint: e.g. timeout = "90s", 15m, 6h, 2d or 1h30m (a bare number is seconds)\n',
    )
    unknown = invoke(["config", "set", "modle", "x"])
    assert (unknown.exit_code, unknown.stdout, unknown.stderr) == (
        2,
        "",
        "mistral: error: unknown setting 'modle'\n"
        "hint: did you mean model? (settings: api_key, base_url, model, embed_model, timeout, "
        "connect_timeout, total_timeout, ca_bundle, max_retries, max_cost, no_save, tokenizer, "
        "pager, poll_interval, no_deprecation_notice, debug, allow_http, aliases.NAME)\n",
    )
    key = invoke(["config", "set", "api_key", "sk-should-not-be-stored"])
    assert (key.exit_code, key.stdout, key.stderr) == (
        2,
        "",
        "mistral: error: the key is not set on the command line "
        "(it would stay in your shell history)\n"
        "hint: run `mistral auth login`, or set MISTRAL_API_KEY\n",
    )
    assert not config_path().exists()


def test_get_masks_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MISTRAL_API_KEY", "sk-0123456789abcdefWXYZ")
    assert invoke(["config", "get", "api_key"]).stdout == "****WXYZ\n"


def test_login_refuses_without_a_terminal(fake_transport: httpx.MockTransport) -> None:
    result = invoke(["auth", "login"], make_context(fake_transport))
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        "mistral: error: `mistral auth login` needs a terminal to ask for the key\n"
        "hint: in scripts, pipe it: mistral auth login --with-token < key.txt\n",
    )


def test_login_checks_and_saves_the_key(
    fake: FakeMistral, fake_transport: httpx.MockTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("getpass.getpass", lambda prompt: fake.api_key)
    actx = make_context(fake_transport, tty=True, env={"MISTRAL_API_KEY": ""})
    result = invoke(["auth", "login"], actx)
    assert result.exit_code == 0, result.stderr
    assert fake.api_key not in result.stderr + result.stdout
    assert tomllib.loads(config_path().read_text())["api_key"] == fake.api_key
    assert stat.S_IMODE(config_path().stat().st_mode) == 0o600
    assert fake.requests_to("GET /v1/models")


def test_login_with_a_bad_key_saves_nothing(
    fake: FakeMistral, fake_transport: httpx.MockTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("getpass.getpass", lambda prompt: "sk-bad-key-000000000000")
    result = invoke(["auth", "login"], make_context(fake_transport, tty=True))
    assert (result.exit_code, result.stdout, result.stderr) == (
        3,
        "",
        "mistral: error: the API rejected the key "
        f"(HTTP 401, request {fake.requests[-1].request_id})\n"
        "hint: the key came from the key you entered; check it at console.mistral.ai\n",
    )
    assert not config_path().exists()


def test_status_names_the_source_and_masks(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    result = invoke(["auth", "status", "--check"], make_context(fake_transport))
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        f"key\t****{fake.api_key[-4:]}\nsource\tMISTRAL_API_KEY\n"
        f"check\tok, {len(fake.models.cards)} models available\n",
        "",
    )


def test_status_warns_about_a_readable_key_file(monkeypatch: pytest.MonkeyPatch) -> None:
    Path(".env").write_text("MISTRAL_API_KEY=sk-from-a-dotenv-file-1234\n")
    os.chmod(".env", 0o644)
    dotenv = Path.cwd() / ".env"
    shown = f"key\t****1234\nsource\t{dotenv} (MISTRAL_API_KEY)\n"
    result = invoke(["auth", "status"])
    assert (result.stdout, result.stderr) == (
        shown,
        f"mistral: warning: {dotenv} holds the key and others can read it; "
        f"run: chmod 600 {dotenv}\n",
    )
    os.chmod(".env", 0o600)
    result = invoke(["auth", "status"])
    assert (result.stdout, result.stderr) == (shown, "")


def test_logout_removes_the_saved_key() -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('api_key = "sk-saved-0000000000000000"\nmodel = "m"\n')
    path.chmod(0o600)
    result = invoke(["auth", "logout"])
    assert (result.stdout, result.stderr) == ("", f"key removed from {path}\n")
    assert tomllib.loads(path.read_text()) == {"model": "m"}
    assert invoke(["auth", "logout"]).stderr == f"no key saved in {path}\n"
