"""Which `.env` may be read, and whether it may choose where the API key goes.

A `.env` is found from the current folder upwards, stopping at the repository root (a folder
holding `.git`) or $HOME. One owned by another user, writable by others, or in a folder others
can write to (without the sticky bit on a folder of the user's own) is ignored. The values that
decide where the key is sent or whom TLS trusts (STEERING) are honoured only when that same file
supplies the key, the server is an official Mistral host, or the user trusted the file's exact
content (`mistral config trust-env`, recorded direnv-style as path + SHA-256).
A leaf: imports nothing from the CLI's layers.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import stat
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from mistral_cli.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

DOTENV = ".env"
TRUST_FILENAME = "trusted-env.json"
OFFICIAL_HOSTS = frozenset(
    {"api.mistral.ai", "api.eu.mistral.ai", "api.us.mistral.ai", "codestral.mistral.ai"}
)
# Settings a .env may only set when it is trusted: they choose the server that gets the key, or
# the CA that decides who may pose as it. Proxy variables are never read from a .env at all.
STEERING = ("MISTRAL_BASE_URL", "SSL_CERT_FILE")
ALLOW_HTTP = "MISTRAL_ALLOW_HTTP"
MAX_DOTENV = 1024 * 1024  # bytes; a real .env is a few lines

# The trust state of a .env, passed to config.resolve().
TRUSTED = "trusted"
CHANGED = "changed"  # trusted once, but its content differs now
UNTRUSTED = "untrusted"


# ---------------------------------------------------------------- discovery


def find_dotenv(start: Path, *, home: Path | None) -> Path | None:
    """The nearest `.env` from `start` upwards; never above a repository root or `home`."""
    stops = {home, home.resolve()} if home is not None else set()
    for folder in (start, *start.parents):
        candidate = folder / DOTENV
        if candidate.is_file():
            return candidate
        if folder in stops or (folder / ".git").exists():
            return None
    return None


# ---------------------------------------------------------------- who may have written it


def solo_group(gid: int) -> bool:
    """True for the user's own private group (named after the user, holding nobody else).

    Most Linux systems give each user such a group and a umask of 002, so the user's folders
    are group-writable without anyone else being able to write to them.
    """
    import grp  # noqa: PLC0415  # POSIX only; imported where used
    import pwd  # noqa: PLC0415

    try:
        user = pwd.getpwuid(os.getuid())
        group = grp.getgrgid(gid)
    except KeyError:
        return False
    return (
        gid == user.pw_gid and group.gr_name == user.pw_name and set(group.gr_mem) <= {user.pw_name}
    )


def _writable_by_others(info: os.stat_result, solo: Callable[[int], bool]) -> bool:
    if info.st_mode & stat.S_IWOTH:
        return True
    return bool(info.st_mode & stat.S_IWGRP) and not solo(info.st_gid)


def unsafe_reason(
    file: os.stat_result,
    folder: os.stat_result,
    *,
    uid: int,
    solo: Callable[[int], bool] = solo_group,
) -> str | None:
    """Why a .env must be ignored (another user could have written it), or None when it is safe.

    `file` is the .env's own status (after following a link), `folder` the folder it was found in.
    """
    if file.st_uid != uid:
        return f"it belongs to another user (uid {file.st_uid})"
    if _writable_by_others(file, solo):
        return "other users can write to it"
    if _writable_by_others(folder, solo):
        sticky_own = bool(folder.st_mode & stat.S_ISVTX) and folder.st_uid == uid
        if not sticky_own:
            return "its folder is writable by other users"
    return None


@dataclass(frozen=True)
class Found:
    """A .env that was checked: its text and SHA-256, or why it is ignored."""

    path: Path
    text: str = ""
    digest: str = ""
    problem: str | None = None


def read_checked(
    path: Path, *, uid: int | None = None, solo: Callable[[int], bool] = solo_group
) -> Found:
    """Open a .env, check who could have written it, and read it (the same bytes get hashed).

    Opened non-blocking and checked to be a regular file, so a FIFO or device planted as
    `.env` cannot hang or flood the CLI; more than MAX_DOTENV bytes is a ConfigError.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        with os.fdopen(os.open(path, flags), "rb") as handle:
            info = os.fstat(handle.fileno())
            problem = unsafe_reason(
                info,
                path.parent.stat(),
                uid=os.getuid() if uid is None else uid,
                solo=solo,
            )
            if not stat.S_ISREG(info.st_mode):
                problem = "it is not a regular file"
            if problem is not None:
                return Found(path, problem=problem)
            data = handle.read(MAX_DOTENV + 1)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_DOTENV:
        raise ConfigError(
            f"{path}: larger than {MAX_DOTENV // 1024} KiB, not a .env file mistral can use",
            hint="keep only NAME=value settings in it",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    return Found(path, text=text, digest=hashlib.sha256(data).hexdigest())


# ---------------------------------------------------------------- hosts


def official(url: str) -> bool:
    """True for https:// on an official Mistral API host (the default port)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return False
    return (
        parts.scheme == "https"
        and (parts.hostname or "") in OFFICIAL_HOSTS
        and port in (None, 443)
        and not parts.username
        and not parts.password
    )


def loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def plain_http_host(url: str) -> str | None:
    """The host when `url` is plain http:// to a machine other than this one, else None."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme != "http" or loopback(host):
        return None
    return host


# ---------------------------------------------------------------- the trust list


def trust_file(config_dir: Path) -> Path:
    """Where trusted .env files are recorded (0600, in the config folder)."""
    return config_dir / TRUST_FILENAME


def read_trust(path: Path) -> dict[str, str]:
    """The trust list: resolved .env path → SHA-256 of the content trusted; missing → {}."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    return parse_trust(raw, path)


def parse_trust(raw: bytes | None, path: Path) -> dict[str, str]:
    """Parse the trust list's bytes (None: no list yet); anything else is a ConfigError."""
    if raw is None:
        return {}
    try:
        document = json.loads(raw)
        files = document["files"]
        if not isinstance(files, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in files.items()
        ):
            raise TypeError(files)
    except (ValueError, TypeError, KeyError):
        raise ConfigError(
            f"{path}: not a list of trusted .env files",
            hint="delete it, then trust your .env files again with `mistral config trust-env`",
        ) from None
    return dict(files)


def dump_trust(files: Mapping[str, str]) -> str:
    """The trust list as the JSON text stored on disk."""
    return json.dumps({"files": dict(sorted(files.items()))}, indent=2) + "\n"


def key_for(path: Path) -> str:
    """The trust list's key for a .env: its resolved absolute path."""
    return str(path.resolve())


def state(trust: Mapping[str, str], found: Found) -> str:
    """TRUSTED when this exact content was trusted; CHANGED when an older content was."""
    recorded = trust.get(key_for(found.path))
    if recorded is None:
        return UNTRUSTED
    return TRUSTED if recorded == found.digest else CHANGED
