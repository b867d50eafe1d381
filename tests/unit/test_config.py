from __future__ import annotations

from pathlib import Path

import pytest

from mistral_cli import config
from mistral_cli.errors import ConfigError, ExitCode


def test_defaults_when_nothing_is_set() -> None:
    settings = config.resolve({}, {}, {}, {})
    assert settings.api_key is None
    assert settings.base_url == "https://api.mistral.ai"
    assert settings.model == "mistral-small-latest"
    assert settings.embed_model == "mistral-embed"
    assert settings.timeout is None
    assert settings.connect_timeout == 10.0
    assert settings.max_retries == 4
    assert settings.source("model") == "default"


@pytest.mark.parametrize(
    ("flags", "environ", "dotenv", "file", "expected", "source"),
    [
        (
            {"model": "f"},
            {"MISTRAL_MODEL": "e"},
            {"MISTRAL_MODEL": "d"},
            {"model": "c"},
            "f",
            "flag",
        ),
        ({}, {"MISTRAL_MODEL": "e"}, {"MISTRAL_MODEL": "d"}, {"model": "c"}, "e", "MISTRAL_MODEL"),
        ({}, {}, {"MISTRAL_MODEL": "d"}, {"model": "c"}, "d", ".env (MISTRAL_MODEL)"),
        ({}, {}, {}, {"model": "c"}, "c", "config.toml"),
        (
            {"model": None},
            {"MISTRAL_MODEL": ""},
            {"MISTRAL_MODEL": None},
            {},
            "mistral-small-latest",
            "default",
        ),
    ],
)
def test_precedence(flags, environ, dotenv, file, expected, source) -> None:
    settings = config.resolve(flags, environ, dotenv, file)
    assert settings.model == expected
    assert settings.source("model") == source


def test_numbers_are_converted_and_checked() -> None:
    settings = config.resolve({}, {"MISTRAL_TIMEOUT": "12.5", "MISTRAL_MAX_RETRIES": "0"}, {}, {})
    assert settings.timeout == 12.5
    assert settings.max_retries == 0  # an explicit 0 is a value, not "unset"


@pytest.mark.parametrize("bad", ["soon", "-1", "inf", "nan"])
def test_bad_numbers_are_usage_errors(bad: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config.resolve({}, {"MISTRAL_TIMEOUT": bad}, {}, {})
    assert caught.value.exit_code == ExitCode.USAGE
    assert "MISTRAL_TIMEOUT" in caught.value.message


def test_boolean_in_toml_is_not_a_number() -> None:
    with pytest.raises(ConfigError, match="timeout must be a number"):
        config.resolve({}, {}, {}, {"timeout": True})


def test_base_url_trailing_slash_is_stripped() -> None:
    assert config.resolve({}, {"MISTRAL_BASE_URL": "http://x:1/ "}, {}, {}).base_url == "http://x:1"


def test_api_key_is_a_secret_everywhere() -> None:
    settings = config.resolve({}, {"MISTRAL_API_KEY": "sk-verysecretvalue1234"}, {}, {})
    key = settings.api_key
    assert key is not None
    assert key.get_secret_value() == "sk-verysecretvalue1234"
    assert "verysecret" not in repr(settings)
    assert "verysecret" not in str(key)
    assert key.masked() == "****1234"


def test_short_keys_show_no_characters() -> None:
    assert config.mask("abc") == "****"
    assert config.mask(None) == "(not set)"


def test_profiles_overlay_top_level_and_aliases() -> None:
    file = {
        "model": "top",
        "aliases": {"fast": "ministral-8b-latest"},
        "profiles": {"work": {"model": "work-model", "aliases": {"big": "mistral-large-latest"}}},
    }
    plain = config.resolve({}, {}, {}, file)
    assert plain.model == "top"
    assert plain.aliases == {"fast": "ministral-8b-latest"}
    work = config.resolve({}, {"MISTRAL_PROFILE": "work"}, {}, file)
    assert work.profile == "work"
    assert work.model == "work-model"
    assert work.aliases == {"fast": "ministral-8b-latest", "big": "mistral-large-latest"}
    empty = config.resolve({"profile": "new"}, {}, {}, file)
    assert empty.profile == "new"
    assert empty.model == "top"


def test_unknown_setting_in_file_is_named() -> None:
    with pytest.raises(ConfigError, match="unknown setting 'modle'"):
        config.resolve({}, {}, {}, {"modle": "x"})


def test_debug_from_flag_or_environment() -> None:
    assert config.resolve({"debug": True}, {}, {}, {}).debug
    assert config.resolve({}, {"MISTRAL_DEBUG": "1"}, {}, {}).debug
    assert not config.resolve({}, {"MISTRAL_DEBUG": "0"}, {}, {}).debug


def test_dotenv_is_found_in_parents_and_read_without_environ(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text(
        "MISTRAL_API_KEY='from dotenv'\n# comment\nexport MISTRAL_MODEL=m\n"
    )
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    found = config.find_dotenv(deep)
    assert found == tmp_path / ".env"
    values = config.read_dotenv(found)
    assert values == {"MISTRAL_API_KEY": "from dotenv", "MISTRAL_MODEL": "m"}
    monkeypatch.chdir(deep)
    settings = config.load({}, {"MISTRAL_CONFIG_DIR": str(tmp_path / "cfg")})
    assert settings.source("api_key") == f"{tmp_path / '.env'} (MISTRAL_API_KEY)"
    import os

    assert "MISTRAL_MODEL" not in os.environ


def test_malformed_dotenv_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text("MISTRAL_MODEL=ok\nthis is not valid\n")
    with pytest.raises(ConfigError) as caught:
        config.read_dotenv(path)
    assert f"{path}:2:" in caught.value.message
    assert caught.value.exit_code == 2


def test_malformed_toml_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('model = "ok"\nbase_url = \n')
    with pytest.raises(ConfigError) as caught:
        config.read_config_file(path)
    assert str(path) in caught.value.message
    assert "line 2" in caught.value.message


def test_missing_config_file_is_empty(tmp_path: Path) -> None:
    assert config.read_config_file(tmp_path / "nope.toml") == {}


def test_config_dir_override(tmp_path: Path) -> None:
    assert config.config_file({"MISTRAL_CONFIG_DIR": str(tmp_path)}) == tmp_path / "config.toml"
