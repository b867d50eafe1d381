"""One grammar for the values flags and settings take: money, durations, booleans, sizes, counts.

A leaf: every `--max-cost`, `--timeout`, `MISTRAL_POLL_INTERVAL`, `no_save = true` … is read
here, so `5`, `$5` and `5USD` mean the same wherever a budget is asked for, and `6h` works for
every duration. Each parser takes the raw text (or a TOML number or boolean) and the name it was
given under: a flag (`--timeout`), a variable (`MISTRAL_POLL_INTERVAL`) or a config key
(`poll_interval`). A value it cannot read is a UsageError (exit 2) naming that name, with the
accepted form in the hint, written the way that name is set.
"""

from __future__ import annotations

import math
import re

from mistral_cli.errors import UsageError

TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off"})
SECONDS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 7 * 86400.0}
SIZE_UNITS = {
    "": 1,
    "b": 1,
    "kb": 1000,
    "mb": 1000**2,
    "gb": 1000**3,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
}
_NUMBER = r"(?:\d+(?:\.\d*)?|\.\d+)"
# a currency sign or code before or after the number: `$5`, `US$5`, `5 usd`, `€20`, `20EUR`
CURRENCIES = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP"}
_CURRENCY = r"US\$|\$|€|£|[A-Za-z]{3}"
_MONEY = re.compile(
    rf"(?P<before>(?:{_CURRENCY})\s*)?(?P<number>{_NUMBER})(?P<after>\s*(?:{_CURRENCY}))?",
    re.IGNORECASE,
)
_DURATION_PART = re.compile(rf"\s*({_NUMBER})\s*([smhdw])", re.IGNORECASE)
_SIZE = re.compile(rf"({_NUMBER})\s*([kmg]i?b|b)?", re.IGNORECASE)


def example(name: str, value: str) -> str:
    """`value` written the way `name` is set: `--timeout 90s`, `X=90s` or `key = "90s"`."""
    if name.startswith("-"):
        return f"{name} {value}"
    if name.isupper():
        return f"{name}={value}"
    plain = value in ("true", "false") or re.fullmatch(_NUMBER, value) is not None
    return f"{name} = {value}" if plain else f'{name} = "{value}"'


def _number(raw: object, name: str, what: str, hint: str) -> float | None:
    """A TOML number as a float (None for text, a bool is refused); negative or NaN refused."""
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise UsageError(f"{name} expects {what}, got {raw!r}", hint=hint)
    if isinstance(raw, str):
        return None
    if not math.isfinite(raw) or raw < 0:
        raise UsageError(f"{name} expects {what}, got {raw!r}", hint=hint)
    return float(raw)


def amount(raw: object, name: str) -> tuple[float, str | None]:
    """An amount and the currency written with it (None when bare).

    `$5`, `5$`, `5 usd`, `US$5` are USD; `€20`, `20EUR` EUR; `£3` GBP; any other three-letter
    code is taken as written. The one grammar of `--max-cost`: money() and the fine-tuning
    budget then say which currencies they compare with.
    """
    hint = f"e.g. {example(name, '5')}, {example(name, '0.50')} or {example(name, '20USD')}"
    number = _number(raw, name, "an amount", hint)
    if number is not None:
        return number, None
    text = str(raw).strip()
    found = _MONEY.fullmatch(text)
    if found is None or (found.group("before") and found.group("after")):
        raise UsageError(f"{name} expects an amount, got {text!r}", hint=hint)
    written = (found.group("before") or found.group("after") or "").strip().upper()
    return float(found.group("number")), CURRENCIES.get(written, written or None)


def money(raw: object, name: str = "--max-cost") -> float:
    """An amount in US dollars: `5`, `0.50`, `$5`, `5$`, `5USD`, `5 usd`, `US$5`.

    Price-table estimates are in USD, so another currency (`20EUR`, `€20`, `£3`) is refused
    rather than compared with a dollar figure.
    """
    value, currency = amount(raw, name)
    if currency not in (None, "USD"):
        raise UsageError(
            f"{name} {str(raw).strip()!r}: estimates are in USD; give the amount in USD",
            hint=f"e.g. {example(name, '5')} or {example(name, '0.50')} (US dollars)",
        )
    return value


def duration(raw: object, name: str, *, units: bool = False) -> float:
    """Seconds from `90`, `90s`, `15m`, `6h`, `1h30m`, `2d`, `1w` or `0.5h`.

    With `units`, a bare number is refused: for an age (`prune --older-than 30`) seconds are
    rarely what was meant, and a wrong guess deletes data.
    """
    bare = "a unit is required" if units else "a bare number is seconds"
    hint = f"e.g. {example(name, '90s')}, 15m, 6h, 2d or 1h30m ({bare})"
    number = _number(raw, name, "a duration", hint)  # a TOML number, else None for text
    text = str(raw).strip()
    if not units and (number is not None or re.fullmatch(_NUMBER, text)):
        return float(text) if number is None else number
    parts = _DURATION_PART.findall(text)
    if not parts or _DURATION_PART.sub("", text).strip():
        raise UsageError(f"{name} expects a duration, got {text!r}", hint=hint)
    return sum(float(amount) * SECONDS[unit.lower()] for amount, unit in parts)


def boolean(raw: object, name: str) -> bool:
    """`1/0`, `true/false`, `yes/no`, `on/off` (any case), or a TOML boolean."""
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise UsageError(
        f"{name} expects true or false, got {str(raw).strip()!r}",
        hint=f"e.g. {example(name, '1')} (1/0, true/false, yes/no, on/off)",
    )


def count(raw: object, name: str) -> int:
    """A whole number, 0 or more: `4`, `0`."""
    hint = f"e.g. {example(name, '4')}"
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
        return raw
    text = str(raw).strip()
    if not isinstance(raw, str) or not text.isdigit() or not text.isascii():
        raise UsageError(f"{name} expects a whole number, got {text!r}", hint=hint)
    return int(text)


def size(raw: object, name: str) -> int:
    """Bytes from `1024`, `512MB` (10^6) or `8MiB` (2^20); KB/KiB and GB/GiB too."""
    hint = f"e.g. {example(name, '512MB')} or {example(name, '8MiB')} (a bare number is bytes)"
    number = _number(raw, name, "a size", hint)
    if number is not None:
        return int(number)
    text = str(raw).strip()
    found = _SIZE.fullmatch(text)
    if found is None:
        raise UsageError(f"{name} expects a size, got {text!r}", hint=hint)
    return int(float(found.group(1)) * SIZE_UNITS[(found.group(2) or "").lower()])


def choice(raw: object, name: str, choices: tuple[str, ...]) -> str:
    """One of `choices` (any case); anything else names them."""
    text = str(raw).strip().lower()
    if text in choices:
        return text
    raise UsageError(
        f"{name} expects one of {', '.join(choices)}, got {str(raw).strip()!r}",
        hint=f"e.g. {example(name, choices[0])}",
    )


def counted(count: int, noun: str, plural: str | None = None, *, shown: str | None = None) -> str:
    """`1 request`, `2,000 requests`: the count (or `shown`) and the noun it agrees with."""
    word = noun if count == 1 else (plural or f"{noun}s")
    return f"{f'{count:,}' if shown is None else shown} {word}"
