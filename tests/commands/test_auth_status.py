"""`auth status` exits 3 without a working key (like `gh auth status`); `login --with-token`."""

from __future__ import annotations

import json
import os
import tomllib

import httpx

from mistral_cli import config
from tests.fakes.router import FakeMistral
from tests.support import invoke, make_context

BAD_KEY = "sk-bad-key-000000000000"
NO_KEY_HINT = (
    "hint: run `mistral auth login`, or set MISTRAL_API_KEY (environment or a .env file)\n"
)


def test_status_without_a_key_is_exit_3(fake: FakeMistral) -> None:
    result = invoke(["auth", "status"], make_context(env={"MISTRAL_API_KEY": ""}))
    assert result.exit_code == 3
    assert result.stdout == "key\t(not set)\nsource\tnone\n"
    assert result.stderr == "mistral: error: not logged in: no API key found\n" + NO_KEY_HINT
    assert fake.requests == []


def test_status_json_without_a_key_is_exit_3() -> None:
    result = invoke(["auth", "status", "--json"], make_context(env={"MISTRAL_API_KEY": ""}))
    assert result.exit_code == 3
    assert json.loads(result.stdout) == {"key": None, "source": None, "valid": None, "models": None}


def test_check_with_a_working_key(fake: FakeMistral, fake_transport: httpx.MockTransport) -> None:
    result = invoke(["auth", "status", "--check", "--json"], make_context(fake_transport))
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document == {
        "key": f"****{fake.api_key[-4:]}",
        "source": "MISTRAL_API_KEY",
        "valid": True,
        "models": len(fake.models.cards),
    }
    assert len(fake.requests_to("GET /v1/models")) == 1


def test_check_with_a_refused_key_reports_it_and_exits_3(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    actx = make_context(fake_transport, env={"MISTRAL_API_KEY": BAD_KEY})
    result = invoke(["auth", "status", "--check"], actx)
    assert result.exit_code == 3
    assert result.stdout == (
        "key\t****0000\nsource\tMISTRAL_API_KEY\ncheck\trefused by the API (HTTP 401)\n"
    )
    assert result.stderr.startswith("mistral: error: ")
    assert result.stderr.endswith(
        "hint: the key came from MISTRAL_API_KEY; check it at console.mistral.ai\n"
    )
    assert BAD_KEY not in result.stdout + result.stderr
    json_result = invoke(
        ["auth", "status", "--check", "--json"],
        make_context(fake_transport, env={"MISTRAL_API_KEY": BAD_KEY}),
    )
    assert json_result.exit_code == 3
    assert json.loads(json_result.stdout)["valid"] is False


def test_login_with_token_reads_one_line_of_stdin(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    actx = make_context(fake_transport, env={"MISTRAL_API_KEY": ""})
    result = invoke(["auth", "login", "--with-token"], actx, input=f"  {fake.api_key}\n")
    assert result.exit_code == 0, result.stderr
    path = config.config_file(os.environ)
    assert tomllib.loads(path.read_text())["api_key"] == fake.api_key
    assert result.stderr.startswith(f"key ****{fake.api_key[-4:]} works (")
    assert fake.api_key not in result.stdout + result.stderr
    assert len(fake.requests_to("GET /v1/models")) == 1


def test_login_with_token_refuses_a_terminal_and_empty_input(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    tty = invoke(["auth", "login", "--with-token"], make_context(fake_transport, tty=True))
    assert tty.exit_code == 2
    assert tty.stderr == (
        "mistral: error: --with-token reads the key from stdin, and stdin is a terminal\n"
        "hint: pipe it (mistral auth login --with-token < key.txt), or run `mistral auth login` "
        "to type it hidden\n"
    )
    empty = invoke(["auth", "login", "--with-token"], make_context(fake_transport), input="\n")
    assert empty.exit_code == 2
    assert empty.stderr == (
        "mistral: error: --with-token found no key on stdin\n"
        "hint: give the key alone on one line: mistral auth login --with-token < key.txt\n"
    )
    assert fake.requests == []
    assert not config.config_file(os.environ).exists()
