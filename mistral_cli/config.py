"""Settings and resolve(): flags > environment > .env > user config file > defaults."""

from __future__ import annotations

import dataclasses
import difflib
import io
import os
import shlex
import tomllib
from dataclasses import KW_ONLY, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from mistral_cli import envtrust, values
from mistral_cli.errors import ConfigError, UsageError, register_secret

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


# The kinds of value a setting takes; each is read by one parser of mistral_cli.values.
TEXT, SECRET, URL, PATH = "text", "secret", "URL", "path"
DURATION, COUNT, MONEY, BOOL, CHOICE = "duration", "count", "USD amount", "true/false", "choice"
# Where a setting may come from besides flags and the environment.
ANYWHERE = "anywhere"  # also a .env and the config file (and its profiles)
NOT_DOTENV = "not .env"  # also the config file, never a .env (a folder must not decide it)
ENVIRONMENT = "environment"  # the environment only: needed before any file is read


@dataclass(frozen=True)
class Field:
    """One setting: its key in files, its variable, kind, default, help, and where it may be set.

    `shown` is how the default reads in `config show` and the README when None is the default
    or the value alone says too little; `flag` is the global flag that sets it.
    """

    key: str
    env: str
    kind: str
    _: KW_ONLY
    default: object = None
    help: str
    shown: str = ""
    flag: str | None = None
    choices: tuple[str, ...] = ()
    scope: str = ANYWHERE


FIELDS: tuple[Field, ...] = (
    Field(
        "api_key",
        "MISTRAL_API_KEY",
        SECRET,
        help="API key. There is no `--api-key` flag: it would leak into `ps` and shell history.",
    ),
    Field(
        "base_url",
        "MISTRAL_BASE_URL",
        URL,
        default=DEFAULT_BASE_URL,
        help="API server.",
        flag="--base-url",
    ),
    Field("model", "MISTRAL_MODEL", TEXT, default=DEFAULT_MODEL, help="Default chat model."),
    Field(
        "embed_model",
        "MISTRAL_EMBED_MODEL",
        TEXT,
        default=DEFAULT_EMBED_MODEL,
        help="Default embed model.",
    ),
    Field(
        "timeout",
        "MISTRAL_TIMEOUT",
        DURATION,
        help="Read and stream-idle timeout.",
        shown="300 s per answer, 120 s idle in streams",
        flag="--request-timeout",
    ),
    Field(
        "connect_timeout",
        "MISTRAL_CONNECT_TIMEOUT",
        DURATION,
        default=DEFAULT_CONNECT_TIMEOUT,
        help="Connect timeout.",
    ),
    Field(
        "total_timeout",
        "MISTRAL_TOTAL_TIMEOUT",
        DURATION,
        help="Overall limit per request, retries and streaming included.",
        shown="no limit",
        flag="--total-timeout",
    ),
    Field(
        "ca_bundle",
        "SSL_CERT_FILE",
        PATH,
        help="CA certificates (PEM) to verify TLS with.",
        shown="system CAs",
        flag="--ca-bundle",
    ),
    Field(
        "max_retries",
        "MISTRAL_MAX_RETRIES",
        COUNT,
        default=DEFAULT_MAX_RETRIES,
        help="Retries after the first attempt (429, 5xx, connection errors).",
    ),
    Field(
        "max_cost",
        "MISTRAL_MAX_COST",
        MONEY,
        help="Budget per command in USD, as `--max-cost` (`0.50`, `$5`, `5USD`).",
        shown="no budget",
    ),
    Field(
        "no_save",
        "MISTRAL_NO_SAVE",
        BOOL,
        default=False,
        help="Do not save chat exchanges (`--no-save`).",
    ),
    Field(
        "tokenizer",
        "MISTRAL_TOKENIZER",
        CHOICE,
        default="auto",
        help="Token counts: `exact` (needs the `tokens` extra), `estimate`, or `auto` "
        "(exact when installed).",
        choices=("auto", "exact", "estimate"),
    ),
    Field(
        "pager",
        "MISTRAL_PAGER",
        TEXT,
        help="Pager for `conversations show` on a terminal, a command line (`cat`: none).",
        shown="$PAGER, else less -FRX",
        scope=NOT_DOTENV,  # a folder's .env must not choose a program to run
    ),
    Field(
        "poll_interval",
        "MISTRAL_POLL_INTERVAL",
        DURATION,
        help="Fixed poll interval for fine-tuning `--wait` (a testing/CI knob).",
        shown="5 s ×1.5 up to 60 s",
    ),
    Field(
        "no_deprecation_notice",
        "MISTRAL_NO_DEPRECATION_NOTICE",
        BOOL,
        default=False,
        help="Silence the fine-tuning API deprecation notice.",
    ),
    Field(
        "debug",
        "MISTRAL_DEBUG",
        BOOL,
        default=False,
        help="Request traces on stderr (key redacted) and tracebacks.",
        flag="--debug",
    ),
    Field(
        "allow_http",
        "MISTRAL_ALLOW_HTTP",
        BOOL,
        default=False,
        help="Let the key go over plain `http://` to a host other than this machine.",
        scope=NOT_DOTENV,
    ),
    Field(
        "profile",
        "MISTRAL_PROFILE",
        TEXT,
        help="Active `[profiles.NAME]` section of the config file.",
        shown="none",
        flag="--profile",
        scope=ENVIRONMENT,
    ),
    Field(
        "config_dir",
        "MISTRAL_CONFIG_DIR",
        PATH,
        help="Folder holding `config.toml`, `prices.toml` and the trusted `.env` list.",
        shown="platform config dir",
        scope=ENVIRONMENT,
    ),
    Field(
        "cache_dir",
        "MISTRAL_CACHE_DIR",
        PATH,
        help="Model list cache, recent ids.",
        shown="platform cache dir",
        scope=ENVIRONMENT,
    ),
    Field(
        "data_dir",
        "MISTRAL_DATA_DIR",
        PATH,
        help="History, saved conversations, batch manifests.",
        shown="platform data dir",
        scope=ENVIRONMENT,
    ),
)
FIELD_BY_KEY = {f.key: f for f in FIELDS}
FILE_KEYS = tuple(f.key for f in FIELDS if f.scope != ENVIRONMENT)  # settable in config.toml
SECRET_KEYS = frozenset({"api_key"})
# platformdirs' function for each folder a MISTRAL_*_DIR variable overrides
PLATFORM_DIRS = {
    "config_dir": "user_config_path",
    "cache_dir": "user_cache_path",
    "data_dir": "user_data_path",
}


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
    """A resolved setting and its source ("default", "flag", "MISTRAL_MODEL", a file path)."""

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
    unknown_profile: bool = False  # the profile asked for is not in the config file
    profiles: tuple[str, ...] = ()  # the [profiles.NAME] sections of the config file
    file_source: str = CONFIG_FILENAME

    def require_profile(self) -> None:
        """Exit 2, with close matches, when the profile asked for is not in the config file."""
        if not self.unknown_profile or self.profile is None:
            return
        names = list(self.profiles)
        given = (
            f"--profile {self.profile}"
            if self.source("profile") == "flag"
            else f"MISTRAL_PROFILE={self.profile}"
        )
        close = difflib.get_close_matches(self.profile, names, n=3, cutoff=0.6)
        if close:
            hint = f"did you mean {' or '.join(close)}? (profiles: {', '.join(names)})"
        elif names:
            hint = f"profiles: {', '.join(names)}"
        else:
            hint = "the config file has no [profiles.NAME] section yet"
        raise ConfigError(
            f"{given}: no such profile in {self.file_source}",
            hint=f"{hint}; `mistral --profile NAME config set KEY VALUE` creates one",
        )

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

    @property
    def max_cost(self) -> float | None:
        """The budget per command in USD (MISTRAL_MAX_COST, max_cost); None: no budget."""
        value = self.get("max_cost")
        return None if value is None else float(value)

    @property
    def no_save(self) -> bool:
        """Chat exchanges are not saved."""
        return bool(self.get("no_save"))

    @property
    def tokenizer(self) -> str:
        """The token counter: auto (exact when installed), exact (required) or estimate."""
        return str(self.get("tokenizer"))

    @property
    def pager(self) -> str | None:
        """The pager command line (MISTRAL_PAGER, pager); None: $PAGER, else less."""
        value = self.get("pager")
        return None if value is None else str(value)

    @property
    def poll_interval(self) -> float | None:
        """A fixed fine-tuning poll interval in seconds; None: the backoff."""
        value = self.get("poll_interval")
        return None if value is None else float(value)

    @property
    def deprecation_notice(self) -> bool:
        """Say that the fine-tuning API is deprecated (unless MISTRAL_NO_DEPRECATION_NOTICE)."""
        return not self.get("no_deprecation_notice")

    @property
    def allow_http(self) -> bool:
        """The key may go over plain http:// to a host other than this machine."""
        return bool(self.get("allow_http"))

    def folder(self, key: str) -> Path:
        """config_dir, cache_dir or data_dir: its MISTRAL_*_DIR override, else the platform's."""
        return folder(key, self.get(key))

    def source(self, key: str) -> str:
        """Where a field's value came from."""
        return self.values[key].source


def parse(fld: Field, raw: object, name: str) -> object:
    """Read one raw value of `fld` (text, or a TOML value) given under `name`, by its kind."""
    if fld.kind == DURATION:
        return values.duration(raw, name)
    if fld.kind == COUNT:
        return values.count(raw, name)
    if fld.kind == MONEY:
        return values.money(raw, name)
    if fld.kind == BOOL:
        return values.boolean(raw, name)
    if fld.kind == CHOICE:
        return values.choice(raw, name, fld.choices)
    if not isinstance(raw, str):
        shown = "a secret" if fld.kind == SECRET else repr(raw)
        raise UsageError(f"{name} expects text, got {shown}", hint=f"e.g. {_example(fld, name)}")
    if fld.kind == URL:
        check_base_url(raw, name)
    return Secret(raw.strip()) if fld.kind == SECRET else raw.strip()


def _example(fld: Field, name: str) -> str:
    value = fld.default if isinstance(fld.default, str) else "…"
    return values.example(name, value)


def _convert(fld: Field, raw: object, source: str) -> object:
    """parse() with the name the value was given under; a file's or .env's error names it."""
    if source == "flag":
        return parse(fld, raw, fld.flag or f"--{fld.key.replace('_', '-')}")
    in_file = source != fld.env and f"({fld.env}" not in source  # not the environment or a .env
    try:
        return parse(fld, raw, fld.key if in_file else fld.env)
    except UsageError as exc:
        where = "" if source == fld.env else source.split(" (", 1)[0] + ": "
        raise ConfigError(where + exc.message, hint=exc.hint) from None


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
        found = [
            (flags.get(fld.key), "flag"),
            (environ.get(fld.env), fld.env),
            (dotenv.get(fld.env), f"{dotenv_source} ({fld.env})"),
            (table.get(fld.key), file_source),
        ]
        if fld.scope != ANYWHERE:  # never from a .env; environment-only: not the file either
            found[DOTENV_INDEX] = (None, "")
        if fld.scope == ENVIRONMENT:
            found[FILE_INDEX] = (None, "")
        return found

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
    notes = [_ignored_note(ignored, dotenv_source, dotenv_trust)] if ignored else []
    notes.extend(
        f"ignored {fld.env} in {dotenv_source}: it is read from the environment only"
        for fld in FIELDS
        if fld.scope != ANYWHERE and dotenv.get(fld.env)
    )
    return Settings(
        values=values,
        profile=profile,
        aliases=_aliases(file, profile, file_source),
        debug=bool(values["debug"].value),
        notes=tuple(notes),
        unknown_profile=_unknown_profile(file, profile, keyring),
        profiles=tuple(_profiles(file)),
        file_source=file_source,
    )


def _unknown_profile(
    file: Mapping[str, Any], profile: str | None, keyring: Callable[[str | None], str | None] | None
) -> bool:
    """True when `profile` names no [profiles.NAME] section, nor a key saved in the keyring."""
    if profile is None or profile in _profiles(file):
        return False
    return not (keyring is not None and keyring(profile))


def _profiles(file: Mapping[str, Any]) -> list[str]:
    section = file.get("profiles", {})
    return sorted(section) if isinstance(section, dict) else []


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
    _check_keys(file, source, ("profiles", "aliases"))
    merged = {k: v for k, v in file.items() if k in FILE_KEYS}
    if profile:
        section = file.get("profiles", {}).get(profile, {})
        if not isinstance(section, dict):
            raise ConfigError(f"{source}: [profiles.{profile}] must be a table")
        _check_keys(section, f"{source} [profiles.{profile}]", ("aliases",))
        merged.update({k: v for k, v in section.items() if k in FILE_KEYS})
    return merged


def _check_keys(table: Mapping[str, Any], source: str, tables: tuple[str, ...]) -> None:
    """A key the file may not set: unknown (named with close matches), or environment-only."""
    for key in sorted(table):
        if key in FILE_KEYS or key in tables:
            continue
        fld = FIELD_BY_KEY.get(key)
        if fld is not None:
            raise ConfigError(
                f"{source}: {key} cannot be set in the config file",
                hint=f"{fld.env} is read from the environment only",
            )
        close = difflib.get_close_matches(key, FILE_KEYS, n=1)
        raise ConfigError(
            f"{source}: unknown setting {key!r}",
            hint=f"did you mean {close[0]}?"
            if close
            else "known settings: " + ", ".join(FILE_KEYS),
        )


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


def folder(key: str, override: object | None) -> Path:
    """config_dir, cache_dir or data_dir: the override (MISTRAL_*_DIR), else platformdirs'."""
    if isinstance(override, str) and override:
        return Path(override).expanduser()
    import platformdirs  # noqa: PLC0415  # only needed when a command uses its folders

    path: Path = getattr(platformdirs, PLATFORM_DIRS[key])(APP_NAME)
    return path


def config_dir(environ: Mapping[str, str]) -> Path:
    """The user config directory: MISTRAL_CONFIG_DIR, else platformdirs' for mistral-cli.

    Read before the config file, so from the environment only (it says where the file is).
    """
    return folder("config_dir", environ.get(FIELD_BY_KEY["config_dir"].env))


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
