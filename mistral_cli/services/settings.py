"""Settings use cases: `config show|path|get|set|unset` (the key always masked)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mistral_cli import config
from mistral_cli.errors import UsageError
from mistral_cli.services import toml_writer

if TYPE_CHECKING:
    from collections.abc import Mapping

_UNSET = {"timeout": "300 s per answer, 120 s idle in streams"}


def describe(settings: config.Settings) -> list[list[str]]:
    """Rows of (setting, value, source) with secrets masked and variables named."""
    rows = []
    for fld in config.FIELDS:
        value = settings.values[fld.key]
        if fld.key in config.SECRET_KEYS:
            shown = value.value.masked() if isinstance(value.value, config.Secret) else "(not set)"
        elif value.value is None:
            shown = _UNSET.get(fld.key, "(not set)")
        else:
            shown = str(value.value)
        rows.append([f"{fld.key} ({fld.env})", shown, value.source])
    rows.append(["profile (MISTRAL_PROFILE)", settings.profile or "(none)", ""])
    return rows


def as_json(settings: config.Settings, rows: list[list[str]]) -> dict[str, object]:
    """The --json document for `config show`."""
    return {
        "profile": settings.profile,
        "settings": {
            fld.key: {"value": row[1], "source": row[2], "env": fld.env}
            for fld, row in zip(config.FIELDS, rows, strict=False)
        },
    }


def paths(environ: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """The files consulted for settings, and whether they exist."""
    sources = config.discover(os.environ if environ is None else environ)
    return [
        (".env", _exists(sources.dotenv) if sources.dotenv else f"(none found from {Path.cwd()})"),
        ("config file", _exists(sources.config_file)),
    ]


def _exists(path: Path) -> str:
    return str(path) if path.exists() else f"{path} (not created yet)"


# ---------------------------------------------------------------- config get | set | unset


def _location(key: str, profile: str | None) -> tuple[list[str], str]:
    """The table path and key name for a setting (`aliases.NAME` and profiles supported)."""
    if key.startswith("aliases."):
        name = key.split(".", 1)[1]
        if not name:
            raise UsageError("an alias needs a name: aliases.NAME")
        table, leaf = ["aliases"], name
    elif key in config.FIELD_BY_KEY:
        table, leaf = [], key
    else:
        raise UsageError(
            f"unknown setting {key!r}",
            hint="settings: " + ", ".join(config.FIELD_BY_KEY) + ", aliases.NAME",
        )
    return (["profiles", profile, *table] if profile else table), leaf


def _convert_for_file(key: str, raw: str) -> object:
    fld = config.FIELD_BY_KEY[key]
    if fld.kind is str:
        return raw
    value = config.resolve({}, {fld.env: raw}, {}, {}).get(key)  # same checks as the loader
    return int(value) if fld.kind is int else float(value)


def set_value(path: Path, key: str, raw: str, *, profile: str | None = None) -> object:
    """Set one setting in the user config file (written atomically, mode 0600)."""
    if key == "api_key":
        raise UsageError(
            "the key is not set on the command line (it would stay in your shell history)",
            hint="run `mistral auth login`, or set MISTRAL_API_KEY",
        )
    tables, leaf = _location(key, profile)
    value = raw if key.startswith("aliases.") else _convert_for_file(key, raw)
    document = config.read_config_file(path)
    table = document
    for name in tables:
        table = table.setdefault(name, {})
    table[leaf] = value
    toml_writer.write_private(path, toml_writer.dumps(document))
    return value


def unset_value(path: Path, key: str, *, profile: str | None = None) -> bool:
    """Remove one setting from the user config file; False when it was not there."""
    tables, leaf = _location(key, profile)
    document = config.read_config_file(path)
    table: dict[str, Any] = document
    for name in tables:
        table = table.get(name, {})
    if leaf not in table:
        return False
    del table[leaf]
    toml_writer.write_private(path, toml_writer.dumps(document))
    return True


def get_value(settings: config.Settings, key: str) -> tuple[str, str]:
    """(value, source) of one resolved setting; the key masked, aliases from the file."""
    if key.startswith("aliases."):
        name = key.split(".", 1)[1]
        if name not in settings.aliases:
            raise UsageError(f"no alias {name!r}", hint="`mistral config show` lists the settings")
        return settings.aliases[name], "config file"
    if key not in config.FIELD_BY_KEY:
        _location(key, None)  # raises the usage error with the list of settings
    value = settings.values[key]
    if isinstance(value.value, config.Secret):
        return value.value.masked(), value.source
    return ("" if value.value is None else str(value.value)), value.source
