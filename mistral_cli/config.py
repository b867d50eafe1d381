"""Settings and resolve(): flags > environment > .env > user config file > defaults."""

from __future__ import annotations

import dataclasses
import io
import math
import os
import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from mistral_cli import envtrust
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
DOTENV_INDEX = 2  # candidates: flag, environment, .env, then (after the keyring) the config file
FILE_INDEX = 3
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
    """The resolved configuration; `values` keeps each field's source for `config show`.

    `notes` are warnings for stderr (a .env ignored, or values of it ignored, and why).
    """

    values: Mapping[str, Value]
    profile: str | None = None
    aliases: Mapping[str, str] = field(default_factory=dict)
    debug: bool = False
    notes: tuple[str, ...] = ()

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
        if fld.key == "base_url":
            check_base_url(raw, "--base-url" if source == "flag" else source)
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


def check_base_url(raw: str, where: str) -> None:
    """A usage error naming `where` unless `raw` is an http(s) URL with a host."""
    try:
        parts = urlsplit(raw.strip())
        usable = parts.scheme in ("http", "https") and bool(parts.hostname)
        _ = parts.port  # a port that is not a number raises ValueError
    except ValueError:
        usable = False
    if not usable:
        raise ConfigError(
            f"{where}: {raw.strip()!r} is not a URL mistral can use for the API",
            hint="give https://HOST[:PORT], e.g. https://api.mistral.ai",
        )


def resolve(
    flags: Mapping[str, object | None],
    environ: Mapping[str, str],
    dotenv: Mapping[str, str | None],
    file: Mapping[str, Any],
    *,
    dotenv_source: str = ".env",
    dotenv_trust: str = envtrust.UNTRUSTED,
    file_source: str = CONFIG_FILENAME,
    keyring: Callable[[str | None], str | None] | None = None,
) -> Settings:
    """Resolve every field by precedence; pure apart from `keyring` (asked only when needed).

    The key's order is flag > environment > .env > keyring > config file > default. A .env's
    MISTRAL_BASE_URL or SSL_CERT_FILE is used only when the key in use comes from that same
    file, the URL is an official Mistral host, or `dotenv_trust` is TRUSTED; otherwise it is
    skipped and `notes` says so.
    """
    profile = _first_text(flags.get("profile"), environ.get("MISTRAL_PROFILE"))
    table = _profile_table(file, profile, file_source)

    def candidates(fld: Field) -> list[tuple[object | None, str]]:
        return [
            (flags.get(fld.key), "flag"),
            (environ.get(fld.env), fld.env),
            (dotenv.get(fld.env), f"{dotenv_source} ({fld.env})"),
            (table.get(fld.key), file_source),
        ]

    key_field = FIELD_BY_KEY["api_key"]
    key_candidates = candidates(key_field)
    values = {"api_key": _pick(key_field, key_candidates, keyring, profile)}
    key_from_dotenv = values["api_key"].source == key_candidates[DOTENV_INDEX][1]
    ignored: list[str] = []
    for fld in FIELDS:
        if fld is key_field:
            continue
        options = candidates(fld)
        steered = fld.env in envtrust.STEERING and not key_from_dotenv
        if steered and _steer(fld, options, dotenv_source, dotenv_trust):
            ignored.append(fld.env)  # it would have been used: the note says why it was not
        values[fld.key] = _pick(fld, options, None, profile)
    aliases = _aliases(file, profile, file_source)
    debug = bool(flags.get("debug")) or environ.get("MISTRAL_DEBUG", "") not in ("", "0")
    notes = (_ignored_note(ignored, dotenv_source, dotenv_trust),) if ignored else ()
    return Settings(values=values, profile=profile, aliases=aliases, debug=debug, notes=notes)


def _steer(
    fld: Field, options: list[tuple[object | None, str]], dotenv_source: str, trust: str
) -> bool:
    """Apply the trust rule to a steering value of a .env whose key is not the one in use.

    Marks a trusted value as such, or drops an untrusted one (an official host may stay);
    True when the dropped value would have been used, so the caller says why it was not.
    """
    raw = options[DOTENV_INDEX][0]
    if not isinstance(raw, str) or not raw:
        return False
    if trust == envtrust.TRUSTED:
        options[DOTENV_INDEX] = (raw, f"{dotenv_source} ({fld.env}, trusted)")
        return False
    if fld.key == "base_url" and envtrust.official(raw):
        return False
    options[DOTENV_INDEX] = (None, "")
    return not any(value not in (None, "") for value, _ in options[:DOTENV_INDEX])


def _ignored_note(names: list[str], dotenv_source: str, trust: str) -> str:
    """One line: which values of which .env were skipped, and how to trust the file."""
    if trust == envtrust.CHANGED:
        why, how = "it changed since you trusted it", "review it, then run"
    else:
        why, how = "only a trusted .env may send your key elsewhere", "trust it with"
    command = f"mistral config trust-env {shlex.quote(dotenv_source)}"
    return f"ignored {' and '.join(names)} in {dotenv_source}: {why}; {how}: {command}"


def _pick(
    fld: Field,
    candidates: list[tuple[object | None, str]],
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


def home_dir(environ: Mapping[str, str]) -> Path | None:
    """$HOME, where the upward search for a .env stops (None when it cannot be known)."""
    home = environ.get("HOME")
    if home:
        return Path(home)
    try:
        return Path.home()
    except RuntimeError:
        return None


def find_dotenv(start: Path, *, home: Path | None = None) -> Path | None:
    """The nearest `.env` from `start` upwards, stopping at a repository root or `home`."""
    return envtrust.find_dotenv(start, home=home)


def read_dotenv(path: Path) -> dict[str, str | None]:
    """Parse a .env file without touching os.environ; a malformed line is a ConfigError."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    return parse_dotenv(text, path)


def parse_dotenv(text: str, path: Path) -> dict[str, str | None]:
    """Parse .env text (read by the caller); a malformed line is a ConfigError naming it."""
    from dotenv.parser import parse_stream  # noqa: PLC0415  # lazy: keeps --help fast

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
    return parse_config_text(read_config_bytes(path), path)


def read_config_bytes(path: Path) -> bytes:
    """The user config file's bytes; b"" when it does not exist."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return b""
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None


def parse_config_text(raw: bytes, path: Path) -> dict[str, Any]:
    """Parse config.toml bytes; malformed → ConfigError naming the file and line."""
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
    """Read .env and the user file, then resolve (the impure wrapper around resolve()).

    The returned Settings' `notes` are the warnings the caller prints: a .env that others could
    have written is skipped whole; values of an untrusted one that would redirect the key too.
    """
    env = dict(os.environ if environ is None else environ)
    sources = discover(env)
    notes: list[str] = []
    dotenv: dict[str, str | None] = {}
    trust = envtrust.UNTRUSTED
    if sources.dotenv is not None:
        found = envtrust.read_checked(sources.dotenv)
        if found.problem is not None:
            notes.append(f"ignored {found.path}: {found.problem}")
        else:
            dotenv = parse_dotenv(found.text, found.path)
            if any(dotenv.get(name) for name in envtrust.STEERING):  # only then is trust asked
                trust = envtrust.state(envtrust.read_trust(trust_file(env)), found)
    file = read_config_file(sources.config_file)
    from mistral_cli import keystore  # noqa: PLC0415  # imports keyring only when asked

    settings = resolve(
        flags,
        env,
        dotenv,
        file,
        dotenv_source=str(sources.dotenv),
        dotenv_trust=trust,
        file_source=str(sources.config_file),
        keyring=keystore.get_key,
    )
    return dataclasses.replace(settings, notes=(*notes, *settings.notes))


def discover(environ: Mapping[str, str]) -> Sources:
    """Locate the .env (not above a repository root or $HOME) and the user config file."""
    return Sources(
        dotenv=find_dotenv(Path.cwd(), home=home_dir(environ)), config_file=config_file(environ)
    )


def trust_file(environ: Mapping[str, str]) -> Path:
    """The list of trusted .env files (`mistral config trust-env`), in the config folder."""
    return envtrust.trust_file(config_dir(environ))


def mask(secret: str | None) -> str:
    """Show at most the last 4 characters of a secret (none when it is short)."""
    if not secret:
        return "(not set)"
    tail = secret[-4:] if len(secret) >= 12 else ""
    return f"****{tail}"
