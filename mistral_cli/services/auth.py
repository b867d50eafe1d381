"""Auth use cases: check a key, save it to the user config file, remove it, report its source."""

from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mistral_cli import config, keystore
from mistral_cli.api.errors import AuthenticationError
from mistral_cli.errors import ConfigError
from mistral_cli.services import config_file
from mistral_cli.services import models as models_svc
from mistral_cli.values import counted

if TYPE_CHECKING:
    from collections.abc import Callable, MutableMapping

    from mistral_cli.api.parse import AnswerClient

HTTP_UNAUTHORIZED = 401


@dataclass(frozen=True)
class AuthStatus:
    """Which source supplied the key, the key masked, and files others can read."""

    source: str
    masked: str
    exposed: list[str]
    has_key: bool = True


@dataclass(frozen=True)
class KeyCheck:
    """What the API said of the key: how many models it may use, or why it refused it (401)."""

    models: int | None = None
    refused: AuthenticationError | None = None


def check_key(client: AnswerClient) -> int:
    """Validate a key with one models call; returns how many models it can use."""
    return len(models_svc.fetch_models(client))


def verify(client: AnswerClient) -> KeyCheck:
    """`auth status --check`: GET /v1/models; a 401 is a verdict, anything else an error."""
    try:
        return KeyCheck(models=check_key(client))
    except AuthenticationError as exc:
        if exc.status != HTTP_UNAUTHORIZED:
            raise
        return KeyCheck(refused=exc)


def status_json(state: AuthStatus, check: KeyCheck | None) -> dict[str, object]:
    """The `auth status --json` document; `valid` is null unless --check asked the API."""
    return {
        "key": state.masked if state.has_key else None,
        "source": state.source if state.has_key else None,
        "valid": None if check is None else check.refused is None,
        "models": None if check is None else check.models,
    }


def status_fields(state: AuthStatus, check: KeyCheck | None) -> list[tuple[str, str]]:
    """The `auth status` lines: key, source and, with --check, the API's verdict."""
    pairs = [("key", state.masked), ("source", state.source)]
    if check is not None and check.refused is not None:
        pairs.append(("check", f"refused by the API (HTTP {check.refused.status})"))
    elif check is not None:
        pairs.append(("check", f"ok, {counted(check.models or 0, 'model')} available"))
    return pairs


def _tables(profile: str | None) -> list[str]:
    return ["profiles", profile] if profile else []


def save_key(
    path: Path, key: str, *, profile: str | None = None, notify: Callable[[str], None] | None = None
) -> None:
    """Store api_key in the config file (the profile's section if one is active), mode 0600."""

    def change(document: MutableMapping[str, Any]) -> None:
        table = config_file.table_at(document, _tables(profile), path, create=True)
        assert table is not None  # create=True always returns a table
        table["api_key"] = key

    config_file.edit(path, change, notify=notify)


def store_key(
    path: Path, key: str, *, profile: str | None = None, notify: Callable[[str], None] | None = None
) -> str:
    """Save the key in the OS keyring when the `keyring` extra works, else in the file.

    Returns where it went ("keyring" or the file's path). A key saved in the keyring is
    dropped from the file, so an old copy there cannot shadow it on another machine.
    """
    try:
        keystore.set_key(profile, key)
    except keystore.KeyringUnavailable:
        save_key(path, key, profile=profile, notify=notify)
        return str(path)
    remove_key(path, profile=profile, notify=notify)
    return config.KEYRING_SOURCE


def forget_key(
    path: Path, *, profile: str | None = None, notify: Callable[[str], None] | None = None
) -> list[str]:
    """Remove the saved key from the keyring and the file; returns the places it was removed."""
    removed = [config.KEYRING_SOURCE] if keystore.delete_key(profile) else []
    if remove_key(path, profile=profile, notify=notify):
        removed.append(str(path))
    return removed


def remove_key(
    path: Path, *, profile: str | None = None, notify: Callable[[str], None] | None = None
) -> bool:
    """Drop api_key from the config file; False when the file held none (nothing written)."""
    if not path.exists():
        return False

    def change(document: MutableMapping[str, Any]) -> bool:
        table = config_file.table_at(document, _tables(profile), path, create=False)
        if table is None or "api_key" not in table:
            return False
        del table["api_key"]
        return True

    return config_file.edit(path, change, notify=notify)


def status(settings: config.Settings, config_path: Path | None = None) -> AuthStatus:
    """Where the key came from (by name) and any key file that others can read."""
    key = settings.api_key
    source = settings.source("api_key") if key is not None else "none"
    return AuthStatus(
        source=source,
        masked=key.masked() if key is not None else "(not set)",
        exposed=exposed_files(settings, config_path),
        has_key=key is not None and bool(key.get_secret_value()),
    )


def exposed_files(settings: config.Settings, config_path: Path | None = None) -> list[str]:
    """Files holding a key (the one in use, and the config file) readable by group or others."""
    candidates: list[Path] = []
    source = settings.source("api_key") if settings.api_key is not None else "default"
    if source not in ("flag", "default", config.KEYRING_SOURCE) and not source.startswith(
        "MISTRAL_"
    ):
        candidates.append(Path(source.split(" (", 1)[0]))
    if config_path is not None and config_path not in candidates and _holds_key(config_path):
        candidates.append(config_path)
    return [str(path) for path in candidates if _readable_by_others(path)]


def _holds_key(path: Path) -> bool:
    try:
        document = config.read_config_file(path)
    except ConfigError:
        return False
    profiles = document.get("profiles")
    tables = [document, *(profiles.values() if isinstance(profiles, dict) else ())]
    return any(isinstance(table, dict) and "api_key" in table for table in tables)


def _readable_by_others(path: Path) -> bool:
    try:
        return path.is_file() and bool(path.stat().st_mode & (stat.S_IRGRP | stat.S_IROTH))
    except OSError:
        return False
