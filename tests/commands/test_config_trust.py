"""`.env` trust at the command level: warnings, trust-env / untrust-env, plain http refused."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import httpx
import pytest

from mistral_cli import config
from tests.fakes.router import FakeMistral
from tests.support import invoke, make_context

EVIL = "http://127.0.0.1:9999"


def dotenv_path() -> Path:
    return Path.cwd() / ".env"


def untrusted_note(path: Path) -> str:
    return (
        f"mistral: warning: ignored MISTRAL_BASE_URL in {path}: only a trusted .env may send "
        f"your key elsewhere; trust it with: mistral config trust-env {path}\n"
    )


def trust_list() -> dict[str, str]:
    files: dict[str, str] = json.loads(config.trust_file(os.environ).read_text())["files"]
    return files


@pytest.fixture
def env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MISTRAL_API_KEY", "sk-env-key-0123456789")
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)  # set on some machines


@pytest.mark.usefixtures("env_key")
def test_an_untrusted_dotenv_base_url_is_ignored_with_one_line() -> None:
    dotenv_path().write_text(f"MISTRAL_BASE_URL={EVIL}\n")
    result = invoke(["config", "get", "base_url"])
    assert result.exit_code == 0
    assert result.stdout == "https://api.mistral.ai\n"
    assert result.stderr == untrusted_note(dotenv_path())


@pytest.mark.usefixtures("env_key")
def test_trust_then_change_then_untrust() -> None:
    path = dotenv_path()
    path.write_text(f"MISTRAL_BASE_URL={EVIL}\n")
    trusted = invoke(["config", "trust-env"])
    assert trusted.exit_code == 0, trusted.stderr
    assert trusted.stderr == (
        f"trusted: {path} (it sets MISTRAL_BASE_URL); a change to the file untrusts it\n"
    )
    assert trust_list() == {str(path): config_digest(path)}
    assert stat.S_IMODE(config.trust_file(os.environ).stat().st_mode) == 0o600
    again = invoke(["config", "trust-env", str(path)])
    assert again.stderr.startswith(f"already trusted: {path} ")

    shown = invoke(["config", "show"])
    assert shown.stderr == ""
    assert f"base_url (MISTRAL_BASE_URL)\t{EVIL}\t{path} (MISTRAL_BASE_URL, trusted)\n" in (
        shown.stdout
    )
    assert invoke(["config", "path"]).stdout.startswith(f".env\t{path} (trusted)\n")

    path.write_text(f"MISTRAL_BASE_URL={EVIL}\nSSL_CERT_FILE=/tmp/evil-ca.pem\n")
    changed = invoke(["config", "get", "base_url"])
    assert changed.stdout == "https://api.mistral.ai\n"
    assert changed.stderr == (
        f"mistral: warning: ignored MISTRAL_BASE_URL and SSL_CERT_FILE in {path}: it changed "
        f"since you trusted it; review it, then run: mistral config trust-env {path}\n"
    )
    assert invoke(["config", "path"]).stdout.startswith(
        f".env\t{path} (changed since you trusted it)\n"
    )

    untrusted = invoke(["config", "untrust-env", "."])  # a folder means its .env
    assert untrusted.stderr == f"no longer trusted: {path}\n"
    assert trust_list() == {}
    assert invoke(["config", "untrust-env"]).stderr == f"{path} was not trusted\n"
    assert invoke(["config", "path"]).stdout.startswith(f".env\t{path} (not trusted)\n")


def config_digest(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_trust_env_records_the_resolved_path_of_a_link(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "project.env"
    real.parent.mkdir()
    real.write_text(f"MISTRAL_BASE_URL={EVIL}\n")
    dotenv_path().symlink_to(real)
    assert invoke(["config", "trust-env"]).exit_code == 0
    assert trust_list() == {str(real): config_digest(real)}


def test_trust_env_without_a_dotenv_is_a_usage_error() -> None:
    result = invoke(["config", "trust-env"])
    assert result.exit_code == 2
    assert result.stderr == (
        f"mistral: error: no .env found from {Path.cwd()} (the search stops at a repository "
        "root or $HOME)\nhint: name the file: mistral config trust-env PATH\n"
    )


def test_trust_env_of_a_missing_file_names_it(tmp_path: Path) -> None:
    result = invoke(["config", "trust-env", str(tmp_path / "nope.env")])
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        f"mistral: error: cannot read {tmp_path / 'nope.env'}: No such file or directory\n",
    )


def test_trust_env_refuses_a_file_of_another_user(monkeypatch: pytest.MonkeyPatch) -> None:
    dotenv_path().write_text(f"MISTRAL_BASE_URL={EVIL}\n")
    real_uid = os.getuid()
    monkeypatch.setattr(os, "getuid", lambda: real_uid + 1)
    result = invoke(["config", "trust-env"])
    assert result.exit_code == 2
    assert result.stderr == (
        f"mistral: error: {dotenv_path()} cannot be trusted: it belongs to another user "
        f"(uid {real_uid})\nhint: mistral ignores it whatever the trust list says; fix its "
        "owner or permissions\n"
    )
    assert not config.trust_file(os.environ).exists()


def test_trust_env_refuses_a_malformed_file() -> None:
    dotenv_path().write_text("this is not a .env\n")
    result = invoke(["config", "trust-env"])
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        f"mistral: error: {dotenv_path()}:1: cannot parse 'this is not a .env'\n"
        "hint: each line must look like NAME=value (quote values with spaces)\n",
    )
    assert not config.trust_file(os.environ).exists()


def test_a_broken_trust_list_is_named_and_left_alone() -> None:
    dotenv_path().write_text(f"MISTRAL_BASE_URL={EVIL}\n")
    trust = config.trust_file(os.environ)
    trust.parent.mkdir(parents=True)
    trust.write_text("{broken")
    result = invoke(["config", "trust-env"])
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        f"mistral: error: {trust}: not a list of trusted .env files\n"
        "hint: delete it, then trust your .env files again with `mistral config trust-env`\n",
    )
    assert trust.read_text() == "{broken"
    path_rows = invoke(["config", "path"])
    assert (path_rows.exit_code, path_rows.stderr) == (0, "")
    assert path_rows.stdout == (
        f".env\t{dotenv_path()} (unreadable: {trust}: not a list of trusted .env files)\n"
        f"config file\t{config.config_file(os.environ)} (not created yet)\n"
        f"trusted .env list\t{trust}\n"
    )


def test_a_loose_trust_list_is_tightened_once() -> None:
    dotenv_path().write_text("MISTRAL_MODEL=m\n")
    assert invoke(["config", "trust-env"]).exit_code == 0
    trust = config.trust_file(os.environ)
    trust.chmod(0o644)
    result = invoke(["config", "untrust-env"])
    assert result.stderr == (
        f"mistral: warning: tightened permissions of {trust} (was 0644)\n"
        f"no longer trusted: {dotenv_path()}\n"
    )
    assert stat.S_IMODE(trust.stat().st_mode) == 0o600


def test_a_dotenv_in_a_world_writable_folder_is_ignored(env_key: None) -> None:
    Path.cwd().chmod(0o777)
    dotenv_path().write_text("MISTRAL_MODEL=planted\n")
    result = invoke(["config", "get", "model"])
    assert result.stdout == "mistral-small-latest\n"
    assert result.stderr == (
        f"mistral: warning: ignored {dotenv_path()}: its folder is writable by other users\n"
    )
    path_rows = invoke(["config", "path"]).stdout
    assert path_rows.startswith(
        f".env\t{dotenv_path()} (ignored: its folder is writable by other users)\n"
    )


def test_config_path_json_lists_the_trust_list() -> None:
    document = json.loads(invoke(["config", "path", "--json"]).stdout)
    assert document["trusted .env list"] == (f"{config.trust_file(os.environ)} (not created yet)")


# ---------------------------------------------------------------- the key never over plain http


def test_plain_http_to_a_remote_host_is_refused_before_any_request(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    actx = make_context(fake_transport, env={"MISTRAL_BASE_URL": "http://api.example.com:8080"})
    result = invoke(["models", "list"], actx)
    assert result.exit_code == 2
    assert result.stderr == (
        "mistral: error: refusing to send the API key over plain http:// to api.example.com "
        "(base_url from MISTRAL_BASE_URL)\nhint: use https://api.example.com, or set "
        "MISTRAL_ALLOW_HTTP=1 in the environment if the network between you and that host is "
        "trusted\n"
    )
    assert fake.requests == []


def test_mistral_allow_http_lets_it_through(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    actx = make_context(
        fake_transport,
        env={"MISTRAL_BASE_URL": "http://api.example.com:8080"},
        environ={**os.environ, "MISTRAL_ALLOW_HTTP": "1"},
    )
    result = invoke(["models", "list"], actx)
    assert result.exit_code == 0, result.stderr
    assert fake.requests_to("GET /v1/models")


@pytest.mark.parametrize("value", ["", "0", "no", "off"])
def test_allow_http_off_or_unset_refuses(
    fake: FakeMistral, fake_transport: httpx.MockTransport, value: str
) -> None:
    actx = make_context(
        fake_transport,
        env={"MISTRAL_BASE_URL": "http://10.1.2.3"},
        environ={**os.environ, "MISTRAL_ALLOW_HTTP": value},
    )
    assert invoke(["models", "list"], actx).exit_code == 2
    assert fake.requests == []


def test_plain_http_to_loopback_is_allowed(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    actx = make_context(fake_transport, env={"MISTRAL_BASE_URL": "http://localhost:8000"})
    assert invoke(["models", "list"], actx).exit_code == 0
    assert fake.requests_to("GET /v1/models")


def test_login_does_not_send_the_typed_key_over_plain_http(
    fake: FakeMistral, fake_transport: httpx.MockTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("getpass.getpass", lambda prompt: fake.api_key)
    actx = make_context(fake_transport, tty=True, env={"MISTRAL_BASE_URL": "http://evil.example"})
    result = invoke(["auth", "login"], actx)
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        "mistral: error: refusing to send the API key over plain http:// to evil.example "
        "(base_url from MISTRAL_BASE_URL)\n"
        "hint: use https://evil.example, or set MISTRAL_ALLOW_HTTP=1 in the environment "
        "if the network between you and that host is trusted\n",
    )
    assert fake.requests == []
    assert not config.config_file(os.environ).exists()


def test_a_malformed_base_url_is_exit_2_before_any_connection(
    monkeypatch: pytest.MonkeyPatch, env_key: None
) -> None:
    monkeypatch.setenv("MISTRAL_BASE_URL", "htp://x")
    result = invoke(["models", "list"])
    assert result.exit_code == 2
    assert result.stderr == (
        "mistral: error: MISTRAL_BASE_URL: 'htp://x' is not a URL mistral can use for the API\n"
        "hint: give https://HOST[:PORT], e.g. https://api.mistral.ai\n"
    )


def test_config_set_refuses_a_malformed_base_url() -> None:
    result = invoke(["config", "set", "base_url", "api.mistral.ai"])
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        "mistral: error: base_url: 'api.mistral.ai' is not a URL mistral can use for the API\n"
        "hint: give https://HOST[:PORT], e.g. https://api.mistral.ai\n",
    )
    assert not config.config_file(os.environ).exists()
