"""The installed `mistral`: an untrusted .env never receives the key; config writes never race."""

from __future__ import annotations

import socket
import subprocess
import tomllib
from pathlib import Path

from tests.e2e.conftest import Run, base_env, mistral_executable
from tests.fakes.router import FakeMistral
from tests.fakes.server import FakeServer


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_a_dotenv_chosen_server_gets_no_key_until_trusted(
    run_mistral: Run, fake: FakeMistral, fake_server: FakeServer, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    dotenv = work / ".env"
    dotenv.write_text(f"MISTRAL_BASE_URL={fake_server.base_url}\n")
    # Without the .env's URL the CLI would go to api.mistral.ai: a dead loopback proxy makes
    # that attempt fail at once, without leaving this machine.
    offline = {"HTTPS_PROXY": f"http://127.0.0.1:{closed_port()}", "MISTRAL_MAX_RETRIES": "0"}
    refused = run_mistral("models", "list", key=fake.api_key, env=offline, cwd=work)
    assert refused.returncode == 6, refused.stderr
    assert refused.stderr.startswith(
        f"mistral: warning: ignored MISTRAL_BASE_URL in {dotenv}: only a trusted .env may send "
        f"your key elsewhere; trust it with: mistral config trust-env {dotenv}\n"
    )
    assert "cannot reach api.mistral.ai" in refused.stderr
    assert fake.requests == []

    trusted = run_mistral("config", "trust-env", cwd=work)
    assert trusted.returncode == 0, trusted.stderr
    used = run_mistral("models", "list", key=fake.api_key, env=offline, cwd=work)
    assert used.returncode == 0, used.stderr
    assert used.stderr == ""
    assert [r.route_key for r in fake.requests] == ["GET /v1/models"]
    assert fake.api_key not in used.stdout + used.stderr


def test_plain_http_to_a_remote_host_is_refused(run_mistral: Run, fake: FakeMistral) -> None:
    done = run_mistral(
        "models", "list", key=fake.api_key, env={"MISTRAL_BASE_URL": "http://api.example.com"}
    )
    assert done.returncode == 2
    assert done.stderr.startswith(
        "mistral: error: refusing to send the API key over plain http:// to api.example.com"
    )


def test_twelve_concurrent_config_sets_keep_all_twelve(tmp_path: Path) -> None:
    env = base_env(tmp_path, None, None)
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    config_file = Path(env["MISTRAL_CONFIG_DIR"]) / "config.toml"
    config_file.parent.mkdir(parents=True)
    config_file.write_text("# mine\n[aliases]\n")
    runs = [
        subprocess.Popen(
            [mistral_executable(), "config", "set", f"aliases.a{i}", f"model-{i}"],
            env=env,
            cwd=work,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(12)
    ]
    for run in runs:
        _, err = run.communicate(timeout=60)
        assert run.returncode == 0, err
    document = tomllib.loads(config_file.read_text())
    assert document["aliases"] == {f"a{i}": f"model-{i}" for i in range(12)}
    assert config_file.read_text().startswith("# mine\n[aliases]\n")
