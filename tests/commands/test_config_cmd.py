from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support import invoke


def test_show_masks_the_key_and_names_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MISTRAL_API_KEY", "sk-abcdefghijklmnop9876")
    Path(".env").write_text("MISTRAL_MODEL=mistral-large-latest\n")
    result = invoke(["config", "show"])
    assert result.exit_code == 0, result.stderr
    assert "abcdefgh" not in result.stdout
    rows = {line.split("\t")[0]: line.split("\t")[1:] for line in result.stdout.splitlines()}
    assert rows["api_key (MISTRAL_API_KEY)"] == ["****9876", "MISTRAL_API_KEY"]
    assert rows["model (MISTRAL_MODEL)"][0] == "mistral-large-latest"
    assert rows["model (MISTRAL_MODEL)"][1].endswith(".env (MISTRAL_MODEL)")
    assert rows["base_url (MISTRAL_BASE_URL)"] == ["https://api.mistral.ai", "default"]


def test_show_json_and_config_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    folder = tmp_path / "cfg"
    folder.mkdir()
    (folder / "config.toml").write_text('embed_model = "codestral-embed"\n')
    monkeypatch.setenv("MISTRAL_CONFIG_DIR", str(folder))
    document = json.loads(invoke(["config", "show", "--json"]).stdout)
    assert document["settings"]["embed_model"] == {
        "value": "codestral-embed",
        "source": str(folder / "config.toml"),
        "env": "MISTRAL_EMBED_MODEL",
        "kind": "text",
    }
    assert document["settings"]["api_key"]["value"] == "(not set)"


def test_flags_beat_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MISTRAL_BASE_URL", "http://env.example")
    result = invoke(["--base-url", "http://flag.example", "config", "show"])
    assert "base_url (MISTRAL_BASE_URL)\thttp://flag.example\tflag" in result.stdout


def test_malformed_dotenv_is_exit_2_naming_the_line() -> None:
    Path(".env").write_text("A=1\nnot valid at all\n")
    result = invoke(["config", "show"])
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        f"mistral: error: {Path.cwd() / '.env'}:2: cannot parse 'not valid at all'\n"
        "hint: each line must look like NAME=value (quote values with spaces)\n",
    )


def test_path_lists_the_files_even_with_a_bad_config(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder = tmp_path / "cfg2"
    folder.mkdir()
    (folder / "config.toml").write_text("model = \n")
    monkeypatch.setenv("MISTRAL_CONFIG_DIR", str(folder))
    result = invoke(["config", "path"])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        f".env\t(none found from {Path.cwd()}; the search stops at a repository root or $HOME)\n"
        f"config file\t{folder / 'config.toml'}\n"
        f"trusted .env list\t{folder / 'trusted-env.json'} (not created yet)\n"
    )
