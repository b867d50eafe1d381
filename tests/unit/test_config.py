from __future__ import annotations

import os
from pathlib import Path

import pytest

from mistral_cli import config, envtrust
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
    with pytest.raises(ConfigError, match=r"^config\.toml: timeout expects a duration, got True$"):
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


# ---------------------------------------------------------------- .env values that steer the key

EVIL = "http://127.0.0.1:9999"
ENV_KEY = {"MISTRAL_API_KEY": "sk-env-key-0123456789"}
NOTE = (
    "ignored MISTRAL_BASE_URL in /r/.env: only a trusted .env may send your key elsewhere; "
    "trust it with: mistral config trust-env /r/.env"
)


def dotenv_resolve(
    environ: dict[str, str], dotenv: dict[str, str | None], trust: str = envtrust.UNTRUSTED
) -> config.Settings:
    return config.resolve({}, environ, dotenv, {}, dotenv_source="/r/.env", dotenv_trust=trust)


def test_untrusted_dotenv_may_not_redirect_a_key_from_elsewhere() -> None:
    settings = dotenv_resolve(ENV_KEY, {"MISTRAL_BASE_URL": EVIL, "MISTRAL_MODEL": "m"})
    assert settings.base_url == "https://api.mistral.ai"
    assert settings.source("base_url") == "default"
    assert settings.model == "m"  # other values of the file still count
    assert settings.notes == (NOTE,)


def test_the_key_from_the_keyring_or_file_is_protected_too() -> None:
    found = config.resolve(
        {},
        {},
        {"MISTRAL_BASE_URL": EVIL},
        {"base_url": "https://api.eu.mistral.ai"},
        dotenv_source="/r/.env",
        keyring=lambda profile: "sk-ring-key-0123456789",
    )
    assert found.source("api_key") == "keyring"
    assert found.base_url == "https://api.eu.mistral.ai"
    assert found.notes == (NOTE,)


def test_no_key_at_all_is_no_reason_to_trust() -> None:
    assert dotenv_resolve({}, {"MISTRAL_BASE_URL": EVIL}).notes == (NOTE,)


def test_a_dotenv_that_supplies_the_key_may_choose_the_server() -> None:
    settings = dotenv_resolve(
        {}, {"MISTRAL_API_KEY": "sk-own-0123456789", "MISTRAL_BASE_URL": EVIL}
    )
    assert settings.base_url == EVIL
    assert settings.source("base_url") == "/r/.env (MISTRAL_BASE_URL)"
    assert settings.notes == ()


def test_a_decoy_key_in_the_dotenv_does_not_count_when_another_key_wins() -> None:
    settings = dotenv_resolve(ENV_KEY, {"MISTRAL_API_KEY": "decoy", "MISTRAL_BASE_URL": EVIL})
    assert settings.source("api_key") == "MISTRAL_API_KEY"
    assert settings.base_url == "https://api.mistral.ai"
    assert settings.notes == (NOTE,)


@pytest.mark.parametrize("url", ["https://api.eu.mistral.ai", "https://codestral.mistral.ai/"])
def test_an_official_host_needs_no_trust(url: str) -> None:
    settings = dotenv_resolve(ENV_KEY, {"MISTRAL_BASE_URL": url})
    assert settings.base_url == url.rstrip("/")
    assert settings.notes == ()


def test_a_trusted_dotenv_may_choose_and_says_so() -> None:
    settings = dotenv_resolve(
        ENV_KEY, {"MISTRAL_BASE_URL": EVIL, "SSL_CERT_FILE": "/ca.pem"}, envtrust.TRUSTED
    )
    assert settings.base_url == EVIL
    assert settings.source("base_url") == "/r/.env (MISTRAL_BASE_URL, trusted)"
    assert settings.ca_bundle == "/ca.pem"
    assert settings.source("ca_bundle") == "/r/.env (SSL_CERT_FILE, trusted)"
    assert settings.notes == ()


def test_a_changed_dotenv_is_untrusted_again() -> None:
    settings = dotenv_resolve(
        ENV_KEY, {"MISTRAL_BASE_URL": EVIL, "SSL_CERT_FILE": "/ca.pem"}, envtrust.CHANGED
    )
    assert settings.base_url == "https://api.mistral.ai"
    assert settings.ca_bundle is None
    assert settings.notes == (
        "ignored MISTRAL_BASE_URL and SSL_CERT_FILE in /r/.env: it changed since you trusted it; "
        "review it, then run: mistral config trust-env /r/.env",
    )


def test_the_ca_bundle_of_an_untrusted_dotenv_is_ignored_even_for_an_official_host() -> None:
    settings = dotenv_resolve(
        ENV_KEY, {"MISTRAL_BASE_URL": "https://api.mistral.ai", "SSL_CERT_FILE": "/evil-ca.pem"}
    )
    assert settings.ca_bundle is None
    assert settings.notes == (NOTE.replace("MISTRAL_BASE_URL", "SSL_CERT_FILE", 1),)


def test_no_note_when_the_environment_overrides_the_dotenv_anyway() -> None:
    environ = {**ENV_KEY, "MISTRAL_BASE_URL": "https://api.eu.mistral.ai"}
    settings = dotenv_resolve(environ, {"MISTRAL_BASE_URL": EVIL})
    assert settings.source("base_url") == "MISTRAL_BASE_URL"
    assert settings.notes == ()


def test_an_ignored_value_is_not_even_checked() -> None:
    settings = dotenv_resolve(ENV_KEY, {"MISTRAL_BASE_URL": "htp://x"})
    assert settings.base_url == "https://api.mistral.ai"


def test_a_path_with_spaces_is_quoted_in_the_command() -> None:
    settings = config.resolve(
        {}, ENV_KEY, {"MISTRAL_BASE_URL": EVIL}, {}, dotenv_source="/my repo/.env"
    )
    assert settings.notes[0].endswith("trust it with: mistral config trust-env '/my repo/.env'")


# ---------------------------------------------------------------- a base URL the CLI can use


@pytest.mark.parametrize(
    "url", ["htp://x", "http://", "https://:443", "api.mistral.ai", "http://x:abc"]
)
def test_an_unusable_base_url_is_a_usage_error_naming_the_variable(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config.resolve({}, {"MISTRAL_BASE_URL": url}, {}, {})
    assert caught.value.exit_code == ExitCode.USAGE
    assert caught.value.message == (
        f"MISTRAL_BASE_URL: {url!r} is not a URL mistral can use for the API"
    )
    assert caught.value.hint == "give https://HOST[:PORT], e.g. https://api.mistral.ai"


def test_an_unusable_base_url_names_its_source() -> None:
    with pytest.raises(ConfigError, match=r"^--base-url: 'x' is not"):
        config.resolve({"base_url": "x"}, {}, {}, {})
    with pytest.raises(ConfigError, match=r"^/c/config\.toml: base_url: 'ftp://h' is not"):
        config.resolve({}, {}, {}, {"base_url": "ftp://h"}, file_source="/c/config.toml")
    with pytest.raises(ConfigError, match=r"^/r/\.env: MISTRAL_BASE_URL: 'htp://x' is not"):
        dotenv_resolve({}, {"MISTRAL_API_KEY": "sk-own-0123456789", "MISTRAL_BASE_URL": "htp://x"})


# ---------------------------------------------------------------- load(): the impure wrapper


def test_load_ignores_a_dotenv_of_another_user_with_a_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Path(".env").write_text("MISTRAL_API_KEY=sk-theirs-0123456789\nMISTRAL_MODEL=theirs\n")
    real_uid = os.getuid()
    monkeypatch.setattr(os, "getuid", lambda: real_uid + 1)
    settings = config.load({}, {"MISTRAL_CONFIG_DIR": str(tmp_path / "cfg")})
    assert settings.api_key is None
    assert settings.model == "mistral-small-latest"
    assert settings.notes == (
        f"ignored {Path.cwd() / '.env'}: it belongs to another user (uid {real_uid})",
    )


def test_load_honours_the_trust_list(tmp_path: Path) -> None:
    dotenv = Path(".env")
    dotenv.write_text(f"MISTRAL_BASE_URL={EVIL}\n")
    environ = {**ENV_KEY, "MISTRAL_CONFIG_DIR": str(tmp_path / "cfg")}
    assert config.load({}, environ).base_url == "https://api.mistral.ai"
    trust = config.trust_file(environ)
    trust.parent.mkdir()
    digest = envtrust.read_checked(dotenv.resolve()).digest
    trust.write_text(envtrust.dump_trust({str(dotenv.resolve()): digest}))
    trusted = config.load({}, environ)
    assert trusted.base_url == EVIL
    assert trusted.notes == ()


def test_load_does_not_read_the_trust_list_when_nothing_needs_it(tmp_path: Path) -> None:
    Path(".env").write_text("MISTRAL_MODEL=m\n")
    environ = {"MISTRAL_CONFIG_DIR": str(tmp_path / "cfg")}
    trust = config.trust_file(environ)
    trust.parent.mkdir()
    trust.write_text("broken")
    assert config.load({}, environ).model == "m"
