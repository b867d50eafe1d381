"""Settings use cases: `config show|path|get|set|unset` (the key always masked)."""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mistral_cli import config, envtrust
from mistral_cli.errors import ConfigError, UsageError
from mistral_cli.services import config_file, pricing

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, MutableMapping


def shown(fld: config.Field, value: object) -> str:
    """A setting's value as `config show` prints it: secrets masked, units and defaults named."""
    if isinstance(value, config.Secret):
        return value.masked()
    if value is None:
        return f"({fld.shown})" if fld.shown else "(not set)"
    if fld.kind == config.DURATION and isinstance(value, float):
        return f"{value:g} s"
    if fld.kind == config.MONEY and isinstance(value, float):
        return pricing.money(value, "USD")
    if fld.kind == config.BOOL:
        return "true" if value else "false"
    return str(value)


def describe(settings: config.Settings) -> list[list[str]]:
    """Rows of (setting, value, source) for every field, secrets masked and variables named.

    The folders show the path in use, the platform's when no variable overrides it.
    """
    rows = []
    for fld in config.FIELDS:
        value = settings.values[fld.key]
        raw = value.value
        if fld.key in config.PLATFORM_DIRS:
            raw = str(settings.folder(fld.key))
        rows.append([f"{fld.key} ({fld.env})", shown(fld, raw), value.source])
    return rows


def as_json(settings: config.Settings, rows: list[list[str]]) -> dict[str, object]:
    """The --json document for `config show`: each setting's value as shown, source and kind."""
    return {
        "profile": settings.profile,
        "settings": {
            fld.key: {"value": row[1], "source": row[2], "env": fld.env, "kind": fld.kind}
            for fld, row in zip(config.FIELDS, rows, strict=True)
        },
    }


def markdown_table() -> str:
    """The README's table of settings, generated from config.FIELDS (a test keeps it current)."""
    lines = [
        "| Variable | Config key | Kind | Default | Meaning |",
        "|---|---|---|---|---|",
    ]
    for fld in config.FIELDS:
        key = "— (environment only)" if fld.scope == config.ENVIRONMENT else f"`{fld.key}`"
        kind = " \\| ".join(f"`{c}`" for c in fld.choices) if fld.choices else fld.kind
        default = fld.shown or (shown(fld, fld.default) if fld.default is not None else "—")
        default = f"`{default}`" if isinstance(fld.default, str) and not fld.shown else default
        meaning = fld.help
        if fld.flag:
            meaning += f" Flag: `{fld.flag}`."
        if fld.scope == config.NOT_DOTENV:
            meaning += " Never read from a `.env`."
        lines.append(f"| `{fld.env}` | {key} | {kind} | {default} | {meaning} |")
    return "\n".join(lines) + "\n"


TABLE_START = "<!-- settings table: generated from config.FIELDS by scripts/gen-completions -->\n"
TABLE_END = "<!-- end of settings table -->\n"


def with_table(readme: str) -> str:
    """The README with the settings table between its markers regenerated."""
    head, rest = readme.split(TABLE_START, 1)
    _, tail = rest.split(TABLE_END, 1)
    return head + TABLE_START + markdown_table() + TABLE_END + tail


def paths(environ: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """The files consulted for settings, whether they exist, and whether the .env is trusted."""
    env = os.environ if environ is None else environ
    sources = config.discover(env)
    trust_path = config.trust_file(env)
    if sources.dotenv is None:
        dotenv = f"(none found from {Path.cwd()}; the search stops at a repository root or $HOME)"
    else:
        dotenv = f"{sources.dotenv} ({_dotenv_state(sources.dotenv, trust_path)})"
    return [
        (".env", dotenv),
        ("config file", _exists(sources.config_file)),
        ("trusted .env list", _exists(trust_path)),
    ]


def _dotenv_state(path: Path, trust_path: Path) -> str:
    """trusted, changed since trusted, not trusted, or why it is ignored (never raises)."""
    try:
        found = envtrust.read_checked(path)
        if found.problem is not None:
            return f"ignored: {found.problem}"
        state = envtrust.state(envtrust.read_trust(trust_path), found)
    except ConfigError as exc:
        return f"unreadable: {exc.message}"
    return {envtrust.TRUSTED: "trusted", envtrust.CHANGED: "changed since you trusted it"}.get(
        state, "not trusted"
    )


def _exists(path: Path) -> str:
    return str(path) if path.exists() else f"{path} (not created yet)"


# ---------------------------------------------------------------- config trust-env | untrust-env


@dataclass(frozen=True)
class TrustChange:
    """The .env a trust command acted on, whether anything changed, and what it may now set."""

    path: Path
    changed: bool
    steering: tuple[str, ...] = ()


def _target_dotenv(environ: Mapping[str, str], target: Path | None) -> Path:
    """The .env named (a folder means its .env), else the one found from here."""
    if target is None:
        found = config.discover(environ).dotenv
        if found is None:
            raise UsageError(
                f"no .env found from {Path.cwd()} (the search stops at a repository root or $HOME)",
                hint="name the file: mistral config trust-env PATH",
            )
        return found
    target = target.absolute()
    return target / envtrust.DOTENV if target.is_dir() else target


def trust_env(
    target: Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    notify: Callable[[str], None] | None = None,
) -> TrustChange:
    """Record a .env's resolved path and the SHA-256 of its content in the trust list."""
    environ = os.environ if environ is None else environ
    path = _target_dotenv(environ, target)
    found = envtrust.read_checked(path)
    if found.problem is not None:
        raise UsageError(
            f"{path} cannot be trusted: {found.problem}",
            hint="mistral ignores it whatever the trust list says; fix its owner or permissions",
        )
    values = config.parse_dotenv(found.text, path)  # a malformed file is not worth trusting
    steering = tuple(name for name in envtrust.STEERING if values.get(name))

    def change(trust: dict[str, str]) -> bool:
        if trust.get(envtrust.key_for(path)) == found.digest:
            return False
        trust[envtrust.key_for(path)] = found.digest
        return True

    return TrustChange(path, _edit_trust(environ, change, notify), steering)


def untrust_env(
    target: Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    notify: Callable[[str], None] | None = None,
) -> TrustChange:
    """Remove a .env from the trust list (it may be gone already)."""
    environ = os.environ if environ is None else environ
    path = _target_dotenv(environ, target)
    return TrustChange(
        path,
        _edit_trust(
            environ, lambda trust: trust.pop(envtrust.key_for(path), None) is not None, notify
        ),
    )


def _edit_trust(
    environ: Mapping[str, str],
    change: Callable[[dict[str, str]], bool],
    notify: Callable[[str], None] | None,
) -> bool:
    """Read-modify-write the trust list under its lock; True when it changed."""
    path = config.trust_file(environ)
    return config_file.update(
        path,
        lambda raw: envtrust.parse_trust(raw, path),
        envtrust.dump_trust,
        change,
        notify=notify,
    )


# ---------------------------------------------------------------- config get | set | unset


def _location(key: str, profile: str | None) -> tuple[list[str], str]:
    """The table path and key name for a setting (`aliases.NAME` and profiles supported)."""
    if key.startswith("aliases."):
        name = key.split(".", 1)[1]
        if not name:
            raise UsageError("an alias needs a name: aliases.NAME")
        table, leaf = ["aliases"], name
    elif key in config.FILE_KEYS:
        table, leaf = [], key
    elif key in config.FIELD_BY_KEY:
        raise UsageError(
            f"{key} cannot be set in the config file",
            hint=f"{config.FIELD_BY_KEY[key].env} is read from the environment only",
        )
    else:
        raise UsageError(f"unknown setting {key!r}", hint=_known(key))
    return (["profiles", profile, *table] if profile else table), leaf


def _known(key: str) -> str:
    close = difflib.get_close_matches(key, config.FIELD_BY_KEY, n=1)
    listed = "settings: " + ", ".join(config.FILE_KEYS) + ", aliases.NAME"
    return f"did you mean {close[0]}? ({listed})" if close else listed


def _convert_for_file(key: str, raw: str) -> object:
    """The value to store: checked as the loader would, kept in the form the user gave.

    Numbers and booleans become TOML ones; a duration with units (`6h`) stays text.
    """
    fld = config.FIELD_BY_KEY[key]
    value = config.parse(fld, raw, key)
    if fld.kind == config.DURATION and not raw.strip().replace(".", "", 1).isdigit():
        return raw.strip()
    return value


def set_value(
    path: Path,
    key: str,
    raw: str,
    *,
    profile: str | None = None,
    notify: Callable[[str], None] | None = None,
) -> object:
    """Set one setting in the user config file (locked, comments kept, mode 0600)."""
    if key == "api_key":
        raise UsageError(
            "the key is not set on the command line (it would stay in your shell history)",
            hint="run `mistral auth login`, or set MISTRAL_API_KEY",
        )
    tables, leaf = _location(key, profile)
    value = raw if key.startswith("aliases.") else _convert_for_file(key, raw)

    def change(document: MutableMapping[str, Any]) -> None:
        table = config_file.table_at(document, tables, path, create=True)
        assert table is not None  # create=True always returns a table
        table[leaf] = value

    config_file.edit(path, change, notify=notify)
    return value


def unset_value(
    path: Path,
    key: str,
    *,
    profile: str | None = None,
    notify: Callable[[str], None] | None = None,
) -> bool:
    """Remove one setting from the user config file; False when it was not there."""
    tables, leaf = _location(key, profile)

    def change(document: MutableMapping[str, Any]) -> bool:
        table = config_file.table_at(document, tables, path, create=False)
        if table is None or leaf not in table:
            return False
        del table[leaf]
        return True

    return config_file.edit(path, change, notify=notify)


def get_value(settings: config.Settings, key: str) -> tuple[str, str]:
    """(value, source) of one resolved setting; the key masked, aliases from the file."""
    if key.startswith("aliases."):
        name = key.split(".", 1)[1]
        if name not in settings.aliases:
            raise UsageError(f"no alias {name!r}", hint="`mistral config show` lists the settings")
        return settings.aliases[name], "config file"
    fld = config.FIELD_BY_KEY.get(key)
    if fld is None:
        raise UsageError(f"unknown setting {key!r}", hint=_known(key))
    value = settings.values[key]
    if key in config.PLATFORM_DIRS:
        return str(settings.folder(key)), value.source
    if value.value is None:
        return "", value.source
    if isinstance(value.value, bool):
        return ("true" if value.value else "false"), value.source
    if isinstance(value.value, float):  # seconds or USD, as a number a script can use
        return f"{value.value:g}", value.source
    return shown(fld, value.value), value.source
