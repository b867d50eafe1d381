"""The installed `mistral` against the loopback fake: the Foundation's "done when" list."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

from tests.e2e.conftest import Run
from tests.fakes.faults import Fault
from tests.fakes.router import FakeMistral
from tests.fakes.server import FakeServer

ANSI = re.compile(r"\x1b\[")


def test_help_and_version(run_mistral: Run) -> None:
    version = run_mistral("--version")
    assert version.returncode == 0
    assert re.fullmatch(
        r"mistral-cli \d+\.\d+\.\d+ — command line for the Mistral AI API \(Python 3\.\d+\)\n",
        version.stdout,
    )
    helped = run_mistral("--help")
    assert helped.returncode == 0
    assert "Exit codes:" in helped.stdout


def test_python_dash_m_works(run_mistral: Run, tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "mistral_cli", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout.startswith("mistral-cli ")


def test_models_list_with_key_in_environment(
    run_mistral: Run, fake: FakeMistral, fake_server: FakeServer
) -> None:
    done = run_mistral("models", "list", server=fake_server, key=fake.api_key)
    assert done.returncode == 0, done.stderr
    assert "mistral-small-latest\t256k" in done.stdout
    assert not ANSI.search(done.stdout + done.stderr)
    assert done.stderr == ""


def test_models_list_with_key_only_in_dotenv(
    run_mistral: Run, fake: FakeMistral, fake_server: FakeServer, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / ".env").write_text(f"MISTRAL_API_KEY={fake.api_key}\n")
    done = run_mistral("models", "list", "--json", server=fake_server, cwd=project)
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)
    assert listed["object"] == "list"
    assert [card["id"] for card in listed["data"]] == sorted(c["id"] for c in fake.models.cards)
    dotenv = project / ".env"  # written with the default umask: others can read it
    assert done.stderr == (
        f"mistral: warning: {dotenv} holds the API key and others can read it; "
        f"run: chmod 600 {dotenv}\n"
    )


def test_wrong_key_exit_3_one_line_no_echo(run_mistral: Run, fake_server: FakeServer) -> None:
    key = "sk-wrong-e2e-secret-0123456789"
    done = run_mistral("models", "list", server=fake_server, key=key)
    assert done.returncode == 3
    assert key not in done.stdout + done.stderr
    lines = done.stderr.splitlines()
    assert lines[0].startswith("mistral: error: the API rejected the key (HTTP 401")
    assert lines[1].startswith("hint: the key came from MISTRAL_API_KEY")
    assert len(lines) == 2


def test_no_key_exit_3_names_variable_and_dotenv(run_mistral: Run, fake_server: FakeServer) -> None:
    done = run_mistral("models", "list", server=fake_server)
    assert (done.returncode, done.stdout, done.stderr) == (
        3,
        "",
        "mistral: error: no API key found.\n"
        "hint: set MISTRAL_API_KEY, put MISTRAL_API_KEY=... in a .env file here, "
        "or run `mistral auth login`\n",
    )


def test_429_twice_then_success(
    run_mistral: Run, fake: FakeMistral, fake_server: FakeServer
) -> None:
    fake.inject("GET /v1/models", Fault.rate_limited(retry_after="0"), times=2)
    done = run_mistral("models", "list", server=fake_server, key=fake.api_key)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("mistral: retrying in 0.0 s (HTTP 429") == 2


def after_two_retries(stderr: str, reason: str, error: str, hint: str) -> None:
    """stderr is two retry lines for `reason`, then the error and its hint, and nothing else.

    MISTRAL_MAX_RETRIES=2 with full jitter: each announced wait is under its cap (0.5 s, then
    1.0 s), the CLI's own account of its backoff (real time would depend on the machine).
    """
    retry = rf"mistral: retrying in (\d\.\d) s \({re.escape(reason)}, retry {{}} of 2\)\n"
    whole = (
        retry.format(1) + retry.format(2) + re.escape(f"mistral: error: {error}\nhint: {hint}\n")
    )
    shown = re.fullmatch(whole, stderr)
    assert shown is not None, stderr
    assert all(float(wait) <= cap for wait, cap in zip(shown.groups(), (0.5, 1.0), strict=True))


def test_500_every_time_exit_1_within_budget(
    run_mistral: Run, fake: FakeMistral, fake_server: FakeServer
) -> None:
    fake.inject("GET /v1/models", Fault.status(500), times=3)
    done = run_mistral("models", "list", server=fake_server, key=fake.api_key)
    assert (done.returncode, done.stdout) == (1, "")
    after_two_retries(
        done.stderr,
        "HTTP 500",
        f"Internal server error (HTTP 500, request {fake.requests[-1].request_id})",
        "gave up after 3 attempts; the service may be having trouble, try again shortly",
    )


def test_connection_refused_exit_6_within_seconds(run_mistral: Run) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    done = run_mistral(
        "models", "list", key="sk-x", env={"MISTRAL_BASE_URL": f"http://127.0.0.1:{port}"}
    )
    assert (done.returncode, done.stdout) == (6, "")
    after_two_retries(
        done.stderr,
        "connection refused",
        "cannot reach 127.0.0.1: connection refused",
        "check your network and MISTRAL_BASE_URL",
    )


def test_unknown_subcommand_exit_2(run_mistral: Run) -> None:
    done = run_mistral("frobnicate")
    assert done.returncode == 2
    assert done.stderr == (
        "mistral: error: no such command: frobnicate\nhint: see mistral --help\n"
    )


def test_malformed_config_file_exit_2(run_mistral: Run, tmp_path: Path) -> None:
    folder = tmp_path / "home" / "config"
    folder.mkdir(parents=True)
    (folder / "config.toml").write_text("model = [\n")
    done = run_mistral("config", "show")
    assert (done.returncode, done.stdout, done.stderr) == (
        2,
        "",
        f"mistral: error: {folder / 'config.toml'}: Invalid value (at end of document)\n"
        'hint: fix the TOML syntax, e.g. model = "mistral-small-latest"\n',
    )


def test_quiet_when_the_reader_goes_away(
    run_mistral: Run, fake: FakeMistral, fake_server: FakeServer, tmp_path: Path
) -> None:
    import subprocess

    from tests.e2e.conftest import base_env, mistral_executable

    template = dict(fake.models.cards[0])
    fake.models.cards.extend({**template, "id": f"bulk-model-{i:05d}"} for i in range(3000))
    env = base_env(tmp_path, fake_server, fake.api_key)
    pipeline = f"'{mistral_executable()}' models list | head -n 1"
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", pipeline],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0  # pipefail: mistral itself exited 0 after the pipe closed
    assert done.stdout.startswith("bulk-model-00000\t")
    assert done.stderr == ""
