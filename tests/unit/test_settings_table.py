"""Every MISTRAL_* variable is declared once in config.FIELDS, read through Settings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mistral_cli import config
from mistral_cli.errors import ConfigError, ExitCode, UsageError
from mistral_cli.services import settings as svc

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "mistral_cli"


def test_every_variable_the_package_names_is_in_the_table() -> None:
    named = {
        name
        for path in PACKAGE.rglob("*.py")
        for name in re.findall(r"MISTRAL_[A-Z_]+", path.read_text(encoding="utf-8"))
    }
    assert named == {f.env for f in config.FIELDS if f.env.startswith("MISTRAL_")}


def test_no_command_or_service_reads_a_mistral_variable_itself() -> None:
    readers = [
        f"{path.relative_to(ROOT)}:{number}"
        for layer in ("commands", "services")
        for path in (PACKAGE / layer).rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"environ(\.get\(|\[)[\"']MISTRAL_", line)
    ]
    assert readers == []


def test_the_readme_table_is_generated_from_the_fields() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert svc.TABLE_START + svc.markdown_table() + svc.TABLE_END in readme
    assert svc.with_table(readme) == readme, "run scripts/gen-completions"


def test_defaults() -> None:
    settings = config.resolve({}, {}, {}, {})
    assert (settings.no_save, settings.tokenizer, settings.poll_interval) == (False, "auto", None)
    assert (settings.deprecation_notice, settings.allow_http, settings.debug) == (
        True,
        False,
        False,
    )
    assert settings.max_cost is None
    assert {key: settings.source(key) for key in ("no_save", "profile", "data_dir")} == {
        "no_save": "default",
        "profile": "default",
        "data_dir": "default",
    }


def test_each_kind_is_read_by_its_grammar_from_the_environment() -> None:
    environ = {
        "MISTRAL_NO_SAVE": "yes",
        "MISTRAL_POLL_INTERVAL": "1m30s",
        "MISTRAL_TOKENIZER": "Estimate",
        "MISTRAL_NO_DEPRECATION_NOTICE": "on",
        "MISTRAL_MAX_COST": "$0.50",
        "MISTRAL_TIMEOUT": "2m",
        "MISTRAL_DEBUG": "true",
        "MISTRAL_ALLOW_HTTP": "1",
    }
    settings = config.resolve({}, environ, {}, {})
    assert settings.no_save is True
    assert settings.poll_interval == 90.0
    assert settings.tokenizer == "estimate"
    assert settings.deprecation_notice is False
    assert settings.max_cost == 0.5
    assert settings.timeout == 120.0
    assert settings.debug is True
    assert settings.allow_http is True
    assert settings.source("poll_interval") == "MISTRAL_POLL_INTERVAL"


def test_the_config_file_and_profiles_set_them_too() -> None:
    file = {
        "no_save": True,
        "poll_interval": "30s",
        "profiles": {"ci": {"tokenizer": "estimate", "allow_http": True, "max_cost": 2}},
    }
    plain = config.resolve({}, {}, {}, file, file_source="/c/config.toml")
    assert (plain.no_save, plain.poll_interval, plain.tokenizer) == (True, 30.0, "auto")
    assert plain.source("no_save") == "/c/config.toml"
    ci = config.resolve({"profile": "ci"}, {}, {}, file)
    assert (ci.tokenizer, ci.allow_http, ci.max_cost) == ("estimate", True, 2.0)


@pytest.mark.parametrize(
    ("environ", "file", "message"),
    [
        ({"MISTRAL_NO_SAVE": "maybe"}, {}, "MISTRAL_NO_SAVE expects true or false, got 'maybe'"),
        (
            {"MISTRAL_TOKENIZER": "bogus"},
            {},
            "MISTRAL_TOKENIZER expects one of auto, exact, estimate, got 'bogus'",
        ),
        (
            {},
            {"no_save": "perhaps"},
            "/c/config.toml: no_save expects true or false, got 'perhaps'",
        ),
        (
            {},
            {"max_cost": "20EUR"},
            "/c/config.toml: max_cost '20EUR': estimates are in USD; give the amount in USD",
        ),
    ],
)
def test_a_bad_value_names_where_it_came_from(
    environ: dict[str, str], file: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        config.resolve({}, environ, {}, file, file_source="/c/config.toml")
    assert caught.value.message == message
    assert caught.value.exit_code == ExitCode.USAGE


def test_a_flag_value_is_named_by_its_flag() -> None:
    with pytest.raises(UsageError) as caught:
        config.resolve({"timeout": "soon"}, {}, {}, {})
    assert caught.value.message == "--request-timeout expects a duration, got 'soon'"
    assert caught.value.hint == (
        "e.g. --request-timeout 90s, 15m, 6h, 2d or 1h30m (a bare number is seconds)"
    )


def test_allow_http_is_never_read_from_a_dotenv() -> None:
    settings = config.resolve(
        {}, {}, {"MISTRAL_ALLOW_HTTP": "1"}, {"allow_http": False}, dotenv_source="/r/.env"
    )
    assert settings.allow_http is False
    assert settings.source("allow_http") == "config.toml"
    assert settings.notes == (
        "ignored MISTRAL_ALLOW_HTTP in /r/.env: it is read from the environment only",
    )


def test_folders_and_profile_are_environment_only() -> None:
    settings = config.resolve(
        {},
        {"MISTRAL_DATA_DIR": "/d", "MISTRAL_PROFILE": "work"},
        {"MISTRAL_CACHE_DIR": "/from/dotenv"},
        {"profiles": {"work": {}}},
    )
    assert settings.folder("data_dir") == Path("/d")
    assert settings.source("data_dir") == "MISTRAL_DATA_DIR"
    assert settings.source("cache_dir") == "default"
    assert settings.source("profile") == "MISTRAL_PROFILE"
    with pytest.raises(ConfigError) as caught:
        config.resolve({}, {}, {}, {"cache_dir": "/c"}, file_source="/c/config.toml")
    assert caught.value.message == "/c/config.toml: cache_dir cannot be set in the config file"
    assert caught.value.hint == "MISTRAL_CACHE_DIR is read from the environment only"


def test_an_unknown_key_in_the_file_or_a_profile_gets_a_suggestion() -> None:
    with pytest.raises(ConfigError) as caught:
        config.resolve({}, {}, {}, {"no_sav": True})
    assert caught.value.hint == "did you mean no_save?"
    with pytest.raises(ConfigError, match=r"^config\.toml \[profiles\.ci\]: unknown setting 'x'$"):
        config.resolve({"profile": "ci"}, {}, {}, {"profiles": {"ci": {"x": 1}}})


FILE = {"profiles": {"work": {}, "home": {}}}


def test_an_explicit_profile_the_file_lacks_is_exit_2_with_close_matches() -> None:
    settings = config.resolve({"profile": "wokr"}, {}, {}, FILE, file_source="/c/config.toml")
    with pytest.raises(ConfigError) as caught:
        settings.require_profile()
    assert caught.value.exit_code == ExitCode.USAGE
    assert caught.value.message == "--profile wokr: no such profile in /c/config.toml"
    assert caught.value.hint == (
        "did you mean work? (profiles: home, work); "
        "`mistral --profile NAME config set KEY VALUE` creates one"
    )
    from_env = config.resolve({}, {"MISTRAL_PROFILE": "hme"}, {}, FILE)
    with pytest.raises(ConfigError, match=r"^MISTRAL_PROFILE=hme: no such profile"):
        from_env.require_profile()


def test_a_known_profile_no_profile_or_a_keyring_one_passes() -> None:
    config.resolve({"profile": "work"}, {}, {}, FILE).require_profile()
    config.resolve({}, {}, {}, {}).require_profile()
    saved = config.resolve({"profile": "ci"}, {}, {}, FILE, keyring=lambda p: f"sk-{p}-000000000")
    saved.require_profile()


def test_config_show_lists_every_setting_with_its_source() -> None:
    settings = config.resolve(
        {"timeout": "90s"},
        {"MISTRAL_NO_SAVE": "1", "MISTRAL_DATA_DIR": "/d", "MISTRAL_MAX_COST": "US$0.5"},
        {},
        {"poll_interval": "30s"},
    )
    rows = {row[0]: row[1:] for row in svc.describe(settings)}
    assert list(rows) == [f"{f.key} ({f.env})" for f in config.FIELDS]
    assert rows["timeout (MISTRAL_TIMEOUT)"] == ["90 s", "flag"]
    assert rows["no_save (MISTRAL_NO_SAVE)"] == ["true", "MISTRAL_NO_SAVE"]
    assert rows["poll_interval (MISTRAL_POLL_INTERVAL)"] == ["30 s", "config.toml"]
    assert rows["max_cost (MISTRAL_MAX_COST)"] == ["$0.5", "MISTRAL_MAX_COST"]
    assert rows["data_dir (MISTRAL_DATA_DIR)"] == ["/d", "MISTRAL_DATA_DIR"]
    assert rows["total_timeout (MISTRAL_TOTAL_TIMEOUT)"] == ["(no limit)", "default"]
    assert rows["profile (MISTRAL_PROFILE)"] == ["(none)", "default"]
