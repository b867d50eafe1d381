"""The data behind `config show` and `config path` (the key always masked)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from mistral_cli import config

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
