"""The OS keyring as a key store, when the optional `keyring` extra is installed (lazy)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import ModuleType

SERVICE = "mistral-cli"
DEFAULT_ACCOUNT = "default"


class KeyringUnavailable(Exception):
    """No keyring module, or no usable backend (a headless server, a locked keychain)."""


def _module() -> ModuleType | None:
    try:
        return importlib.import_module("keyring")
    except ImportError:
        return None


def available() -> bool:
    """True when the keyring package can be imported."""
    return _module() is not None


def account(profile: str | None) -> str:
    """The keyring user name for a profile."""
    return profile or DEFAULT_ACCOUNT


def get_key(profile: str | None) -> str | None:
    """The saved key for `profile`, or None (no package, no backend, nothing saved)."""
    module = _module()
    if module is None:
        return None
    try:
        value = module.get_password(SERVICE, account(profile))
    except Exception:  # noqa: BLE001  # any backend failure means "no key from the keyring"
        return None
    return value if isinstance(value, str) and value else None


def set_key(profile: str | None, key: str) -> None:
    """Save the key; KeyringUnavailable when the package or a backend is missing."""
    module = _module()
    if module is None:
        raise KeyringUnavailable("the keyring package is not installed")
    try:
        module.set_password(SERVICE, account(profile), key)
    except Exception as exc:  # noqa: BLE001  # backends raise their own exception types
        raise KeyringUnavailable(f"{type(exc).__name__}: {exc}") from None


def delete_key(profile: str | None) -> bool:
    """Remove the saved key; False when there was none (or no keyring to hold one)."""
    module = _module()
    if module is None or get_key(profile) is None:
        return False
    try:
        module.delete_password(SERVICE, account(profile))
    except Exception:  # noqa: BLE001  # already gone, or the backend refuses: nothing removed
        return False
    return True
