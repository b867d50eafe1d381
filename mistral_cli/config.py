"""Settings and resolve(): flags > environment > .env > user config file > defaults."""

from __future__ import annotations

import io
import math
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mistral_cli.errors import ConfigError, register_secret

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

DEFAULT_BASE_URL = "https://api.mistral.ai"
DEFAULT_MODEL = "mistral-small-latest"
DEFAULT_EMBED_MODEL = "mistral-embed"
DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_MAX_RETRIES = 4
CONFIG_FILENAME = "config.toml"
KEYRING_SOURCE = "keyring"
FILE_INDEX = 3  # candidates: flag, environment, .env, then (after the keyring) the config file
APP_NAME = "mistral-cli"


@dataclass(frozen=True)
class Field:
    """One setting: its key in files, its environment variable, its type and default."""

    key: str
    env: str
    kind: type
    default: object
    help: str


FIELDS: tuple[Field, ...] = (
    Field("api_key", "MISTRAL_API_KEY", str, None, "API key (Bearer token)"),
    Field("base_url", "MISTRAL_BASE_URL", str, DEFAULT_BASE_URL, "API server"),
    Field("model", "MISTRAL_MODEL", str, DEFAULT_MODEL, "default chat model"),
    Field("embed_model", "MISTRAL_EMBED_MODEL", str, DEFAULT_EMBED_MODEL, "default embed model"),
    Field("timeout", "MISTRAL_TIMEOUT", float, None, "read and stream-idle timeout, s"),
    Field(
        "connect_timeout", "MISTRAL_CONNECT_TIMEOUT", float, DEFAULT_CONNECT_TIMEOUT, "connect, s"
    ),
    Field("total_timeout", "MISTRAL_TOTAL_TIMEOUT", float, None, "overall limit per request, s"),
    Field("ca_bundle", "SSL_CERT_FILE", str, None, "CA certificates (PEM) to verify TLS with"),
    Field(
        "max_retries", "MISTRAL_MAX_RETRIES", int, DEFAULT_MAX_RETRIES, "retries after the first"
    ),
    Field("max_cost", "MISTRAL_MAX_COST", str, None, "budget per command, e.g. 0.50 or 20EUR"),
)
FIELD_BY_KEY = {f.key: f for f in FIELDS}
SECRET_KEYS = frozenset({"api_key"})


class Secret:
    """A secret string whose str/repr never show it; only get_secret_value() does."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        register_secret(value)

    def get_secret_value(self) -> str:
        """The raw secret, for the Authorization header only."""
        return self._value

    def masked(self) -> str:
        """At most the last 4 characters, for `config show`."""
        return mask(self._value)

    def __repr__(self) -> str:
        return f"Secret({self.masked()!r})"

    __str__ = masked

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Value:
    """A resolved setting and where it came from ("default", "flag", "MISTRAL_X", a file path)."""

    value: Any
    source: str


@dataclass(frozen=True)
class Settings:
    """The resolved configuration; `values` keeps each field's source for `config show`."""

    values: Mapping[str, Value]
    profile: str | None = None
    aliases: Mapping[str, str] = field(default_factory=dict)
    debug: bool = False

    def get(self, key: str) -> Any:  # noqa: ANN401  # typed accessors below cover real use
        """Return the value of one field."""
        return self.values[key].value

    @property
    def api_key(self) -> Secret | None:
        """The API key, or None when no source set it."""
        key: Secret | None = self.get("api_key")
        return key

    @property
    def base_url(self) -> str:
        """The API server, without a trailing slash."""
        return str(self.get("base_url")).rstrip("/")

    @property
    def model(self) -> str:
        """Default chat model."""
        return str(self.get("model"))

    @property
    def embed_model(self) -> str:
        """Default embed model."""
        return str(self.get("embed_model"))

    @property
    def timeout(self) -> float | None:
        """Read and stream-idle timeout in seconds; None: 300 s per answer, 120 s stream idle."""
        value = self.get("timeout")
        return None if value is None else float(value)

    @property
    def connect_timeout(self) -> float:
        """Connect timeout in seconds."""
        return float(self.get("connect_timeout"))

    @property
    def total_timeout(self) -> float | None:
        """Overall limit per request across retries and streaming; None: no limit."""
        value = self.get("total_timeout")
        return None if value is None else float(value)

    @property
    def ca_bundle(self) -> str | None:
        """A PEM file (or directory) of CA certificates; None: the default bundle."""
        value = self.get("ca_bundle")
        return None if value is None else str(value)

    @property
    def max_retries(self) -> int:
        """Retries after the first attempt."""
        return int(self.get("max_retries"))

    def source(self, key: str) -> str:
        """Where a field's value came from."""
        return self.values[key].source


def _convert(fld: Field, raw: object, source: str) -> object:
    if fld.kind is str:
        if not isinstance(raw, str):
            shown = "a secret" if fld.key in SECRET_KEYS else repr(raw)
            raise ConfigError(f"{source}: {fld.key} must be a string, got {shown}")
        return Secret(raw.strip()) if fld.key in SECRET_KEYS else raw.strip()
    try:
        if isinstance(raw, bool):
            raise TypeError(raw)
        value = fld.kind(raw)
        if not math.isfinite(value):
            raise ValueError(raw)
    except (TypeError, ValueError):
        raise ConfigError(
            f"{source}: {fld.key} must be a number, got {raw!r}",
            hint=f"fix {fld.env} or `{fld.key}` in the config file",
        ) from None
    if value < 0:
        raise ConfigError(f"{source}: {fld.key} must not be negative, got {raw!r}")
    return value


def resolve(
    flags: Mapping[str, object | None],
    environ: Mapping[str, str],
    dotenv: Mapping[str, str | None],
    file: Mapping[str, Any],
    *,
    dotenv_source: str = ".env",
    file_source: str = CONFIG_FILENAME,
    keyring: Callable[[str | None], str | None] | None = None,
) -> Settings:
    """Resolve every field by precedence; pure apart from `keyring` (asked only when needed).

    The key's order is flag > environment > .env > keyring > config file > default.
    """
    profile = _first_text(flags.get("profile"), environ.get("MISTRAL_PROFILE"))
    table = _profile_table(file, profile, file_source)
    values: dict[str, Value] = {}
    for fld in FIELDS:
        candidates: tuple[tuple[object | None, str], ...] = (
            (flags.get(fld.key), "flag"),
            (environ.get(fld.env), fld.env),
            (dotenv.get(fld.env), f"{dotenv_source} ({fld.env})"),
            (table.get(fld.key), file_source),
        )
        values[fld.key] = _pick(fld, candidates, keyring if fld.key == "api_key" else None, profile)
    aliases = _aliases(file, profile, file_source)
    debug = bool(flags.get("debug")) or environ.get("MISTRAL_DEBUG", "") not in ("", "0")
    return Settings(values=values, profile=profile, aliases=aliases, debug=debug)


def _pick(
    fld: Field,
    candidates: tuple[tuple[object | None, str], ...],
    keyring: Callable[[str | None], str | None] | None,
    profile: str | None,
) -> Value:
    """The first source that sets `fld`; the keyring is asked between .env and the file."""
    for index, (raw, source) in enumerate(candidates):
        if index == FILE_INDEX and keyring is not None:
            saved = keyring(profile)
            if saved:
                return Value(_convert(fld, saved, KEYRING_SOURCE), KEYRING_SOURCE)
        if raw is not None and raw != "":
            return Value(_convert(fld, raw, source), source)
    return Value(fld.default, "default")


def _first_text(*options: object | None) -> str | None:
    for option in options:
        if isinstance(option, str) and option.strip():
            return option.strip()
    return None


def _profile_table(file: Mapping[str, Any], profile: str | None, source: str) -> dict[str, Any]:
    """Top-level keys, overlaid by `[profiles.NAME]` when a profile is active."""
    unknown = sorted(k for k in file if k not in FIELD_BY_KEY and k not in ("profiles", "aliases"))
    if unknown:
        raise ConfigError(
            f"{source}: unknown setting {unknown[0]!r}",
            hint="known settings: " + ", ".join(FIELD_BY_KEY),
        )
    merged = {k: v for k, v in file.items() if k in FIELD_BY_KEY}
    if profile:
        section = file.get("profiles", {}).get(profile, {})
        if not isinstance(section, dict):
            raise ConfigError(f"{source}: [profiles.{profile}] must be a table")
        merged.update({k: v for k, v in section.items() if k in FIELD_BY_KEY})
    return merged


def _aliases(file: Mapping[str, Any], profile: str | None, source: str) -> dict[str, str]:
    tables = [file.get("aliases", {})]
    if profile:
        tables.append(file.get("profiles", {}).get(profile, {}).get("aliases", {}))
    merged: dict[str, str] = {}
    for table in tables:
        if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
            raise ConfigError(f"{source}: [aliases] maps names to model ids (strings)")
        merged.update(table)
    return merged


# ---------------------------------------------------------------- file discovery and reading


def config_dir(environ: Mapping[str, str]) -> Path:
    """The user config directory: MISTRAL_CONFIG_DIR, else platformdirs' for mistral-cli."""
    override = environ.get("MISTRAL_CONFIG_DIR")
    if override:
        return Path(override).expanduser()
    import platformdirs  # noqa: PLC0415  # only needed when a command reads its config

    return platformdirs.user_config_path(APP_NAME)


def config_file(environ: Mapping[str, str]) -> Path:
    """Path of the user config file (it may not exist)."""
    return config_dir(environ) / CONFIG_FILENAME


def find_dotenv(start: Path) -> Path | None:
    """The nearest `.env`: the start directory, then its parents."""
    for folder in (start, *start.parents):
        candidate = folder / ".env"
        if candidate.is_file():
            return candidate
    return None


def read_dotenv(path: Path) -> dict[str, str | None]:
    """Parse a .env file without touching os.environ; a malformed line is a ConfigError."""
    from dotenv.parser import parse_stream  # noqa: PLC0415  # lazy: keeps --help fast

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    values: dict[str, str | None] = {}
    for binding in parse_stream(io.StringIO(text)):
        if binding.error:
            raise ConfigError(
                f"{path}:{binding.original.line}: cannot parse {binding.original.string.strip()!r}",
                hint="each line must look like NAME=value (quote values with spaces)",
            )
        if binding.key is not None:
            values[binding.key] = binding.value
    return values


def read_config_file(path: Path) -> dict[str, Any]:
    """Parse the TOML user config; missing file → {}; malformed → ConfigError with the line."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path}: {exc}", hint='fix the TOML syntax, e.g. model = "mistral-small-latest"'
        ) from None


@dataclass(frozen=True)
class Sources:
    """The files consulted, for `config path` and for provenance."""

    dotenv: Path | None
    config_file: Path


def load(flags: Mapping[str, object | None], environ: Mapping[str, str] | None = None) -> Settings:
    """Read .env and the user file, then resolve (the impure wrapper around resolve())."""
    env = dict(os.environ if environ is None else environ)
    sources = discover(env)
    dotenv = read_dotenv(sources.dotenv) if sources.dotenv else {}
    file = read_config_file(sources.config_file)
    from mistral_cli import keystore  # noqa: PLC0415  # imports keyring only when asked

    return resolve(
        flags,
        env,
        dotenv,
        file,
        dotenv_source=str(sources.dotenv),
        file_source=str(sources.config_file),
        keyring=keystore.get_key,
    )


def discover(environ: Mapping[str, str]) -> Sources:
    """Locate the .env and user config file for this run."""
    return Sources(dotenv=find_dotenv(Path.cwd()), config_file=config_file(environ))


def mask(secret: str | None) -> str:
    """Show at most the last 4 characters of a secret (none when it is short)."""
    if not secret:
        return "(not set)"
    tail = secret[-4:] if len(secret) >= 12 else ""
    return f"****{tail}"
