"""Auth use cases: check a key, save it to the user config file, remove it, report its source."""

from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mistral_cli import config
from mistral_cli.services import models as models_svc
from mistral_cli.services import toml_writer


@dataclass(frozen=True)
class AuthStatus:
    """Which source supplied the key, the key masked, and files others can read."""

    source: str
    masked: str
    exposed: list[str]


def check_key(client: models_svc.ModelsClient) -> int:
    """Validate a key with one models call; returns how many models it can use."""
    return len(models_svc.fetch_models(client))


def save_key(path: Path, key: str, *, profile: str | None = None) -> None:
    """Store api_key in the config file (the profile's section if one is active), mode 0600."""
    document = config.read_config_file(path)
    table: dict[str, Any] = document
    if profile:
        table = document.setdefault("profiles", {}).setdefault(profile, {})
    table["api_key"] = key
    toml_writer.write_private(path, toml_writer.dumps(document))


def remove_key(path: Path, *, profile: str | None = None) -> bool:
    """Drop api_key from the config file; False when the file held none."""
    document = config.read_config_file(path)
    table: dict[str, Any] = document
    if profile:
        table = document.get("profiles", {}).get(profile, {})
    if "api_key" not in table:
        return False
    del table["api_key"]
    toml_writer.write_private(path, toml_writer.dumps(document))
    return True


def status(settings: config.Settings) -> AuthStatus:
    """Where the key came from (by name) and any key file that others can read."""
    key = settings.api_key
    source = settings.source("api_key") if key is not None else "none"
    return AuthStatus(
        source=source,
        masked=key.masked() if key is not None else "(not set)",
        exposed=exposed_files(settings),
    )


def exposed_files(settings: config.Settings) -> list[str]:
    """Files that supplied the key and are readable by group or others."""
    if settings.api_key is None:
        return []
    source = settings.source("api_key")
    path = Path(source.split(" (", 1)[0])
    if source in ("flag", "default") or source.startswith("MISTRAL_") or not path.is_file():
        return []
    try:
        mode = path.stat().st_mode
    except OSError:
        return []
    return [str(path)] if mode & (stat.S_IRGRP | stat.S_IROTH) else []
