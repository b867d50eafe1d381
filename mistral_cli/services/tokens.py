"""Token counts: exact with the optional mistral-common, else a conservative estimate.

The exact counter uses the tokenizer files bundled inside the mistral-common wheel (Tekken,
the tokenizer of the current models); nothing is ever downloaded. Without the extra nothing
imports mistral-common, and `estimate()` stands in: it errs high, never low, on real text.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from mistral_cli.bounded import LineTooLong, bounded_lines, size_text
from mistral_cli.errors import DataValidationError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

TOKENIZER_MODULE = "mistral_common.tokens.tokenizers.mistral"

# one piece per run: a digit, an upper-case run, a (capitalised) lower-case run, white space,
# or any other single character
_PIECES = re.compile(r"\d|[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\s+|.", re.DOTALL)
# keys, hashes, base64: long words mixing digits and letters, or switching case again and
# again; about a token a character
_WORD = re.compile(r"[A-Za-z0-9+/=]{6,}")
_RANDOM_MARK = "\x00"  # stands in for a word already counted
_SWITCH = re.compile(r"[a-z][A-Z]|[A-Z]{2}[a-z]")
LOWER_PER_TOKEN = 2.5  # English words average 4-5 letters a token; odd words fewer
UPPER_PER_TOKEN = 2
# non-ASCII letters counted one token each: Latin-1/Extended-A, basic Greek and Cyrillic
_COMMON = ((0x00C0, 0x017F), (0x0386, 0x03CE), (0x0400, 0x045F))


def estimate(text: str) -> int:
    """A tokenizer-free count that errs on the high side.

    A long word mixing letters with digits, or switching case often (a key, a hash, base64),
    is a token a character. Each digit and ASCII punctuation mark is a token; a run of white
    space is one, plus one per tab or line break and per 8 spaces. A run of lower-case ASCII
    letters is one per started 2.5 letters, of capitals one per 2. A common Latin, Greek or
    Cyrillic letter is one; any other character is one per UTF-8 byte, the most a byte-level
    tokenizer can make of it.
    """
    total = 0

    def _random_word(found: re.Match[str]) -> str:
        nonlocal total
        word = found[0]
        mixed = not (word.isalpha() or word.isdigit())
        if mixed or len(_SWITCH.findall(word)) >= 2:
            total += len(word)
            return _RANDOM_MARK
        return word

    for piece in _PIECES.findall(_WORD.sub(_random_word, text)):
        if piece == _RANDOM_MARK:
            continue
        first = piece[0]
        if piece.isspace():
            total += 1 + sum(1 for char in piece if char != " ") + piece.count(" ") // 8
        elif first.isascii() and not first.isalpha():
            total += 1
        elif first.isascii():
            per = UPPER_PER_TOKEN if piece.isupper() else LOWER_PER_TOKEN
            total += math.ceil(len(piece) / per)
        elif any(low <= ord(first) <= high for low, high in _COMMON):
            total += 1
        else:
            total += len(piece.encode("utf-8", "surrogatepass"))
    return total


class Counter(Protocol):
    """Counts the tokens of a text; `exact` says whether it used the model's tokenizer."""

    @property
    def exact(self) -> bool:
        """True for a real tokenizer's count, False for an estimate."""
        ...

    @property
    def label(self) -> str:
        """How counts are made, for display: `exact (mistral-common 1.12.0)` or `estimate`."""
        ...

    def count(self, text: str) -> int:
        """Tokens in `text` (no control tokens)."""
        ...


class EstimateCounter:
    """`estimate()` behind the Counter protocol."""

    exact = False
    label = "estimate"

    def count(self, text: str) -> int:
        """The conservative estimate."""
        return estimate(text)


@dataclass(frozen=True)
class ExactCounter:
    """A mistral-common tokenizer's encode (and decode, to cut text to a token budget)."""

    encode: Callable[[str], list[int]]
    decode: Callable[[list[int]], str]
    version: str

    exact = True

    @property
    def label(self) -> str:
        """`exact (mistral-common VERSION)`."""
        return f"exact (mistral-common {self.version})"

    def count(self, text: str) -> int:
        """The tokenizer's count."""
        return len(self.encode(text)) if text else 0


def exact_available() -> bool:
    """True when mistral-common is installed (the `tokens` extra); imports nothing."""
    try:
        return importlib.util.find_spec("mistral_common") is not None
    except ValueError:  # a module object without a spec (left by a test): treat as present
        return True


@functools.cache
def exact_counter() -> ExactCounter | None:
    """The Tekken tokenizer bundled with mistral-common, or None without the extra."""
    try:
        module = importlib.import_module(TOKENIZER_MODULE)  # lazy: heavy, and optional
    except ImportError:
        return None
    try:
        version = str(getattr(importlib.import_module("mistral_common"), "__version__", "?"))
    except ImportError:  # only the tokenizer module is importable (a stand-in in tests)
        version = "?"
    raw = module.MistralTokenizer.v3(is_tekken=True).instruct_tokenizer.tokenizer

    def encode(text: str) -> list[int]:
        return list(raw.encode(text, bos=False, eos=False))

    def decode(ids: list[int]) -> str:
        return str(raw.decode(ids))

    return ExactCounter(encode, decode, version)


def get_counter(mode: str = "auto") -> Counter | None:
    """The counter for `mode`; None only when `exact` was asked for and is not installed."""
    if mode == "estimate":
        return EstimateCounter()
    exact = exact_counter() if exact_available() else None
    if exact is not None:
        return exact
    return None if mode == "exact" else EstimateCounter()


@dataclass(frozen=True)
class LineCount:
    """One input line and its tokens."""

    number: int
    tokens: int


def count_lines(counter: Counter, lines: Iterable[str], first: int = 1) -> list[LineCount]:
    """Tokens per line (line endings not counted), numbered from `first`."""
    return [LineCount(n, counter.count(line.rstrip("\r\n"))) for n, line in enumerate(lines, first)]


# `mistral tokens` reads a file line by line and counts whole lines a chunk at a time, so a
# 200 MB file takes megabytes of memory, not gigabytes. A line longer than MAX_LINE_BYTES
# stops the count (exit 8): it could not fit any model's context anyway.
MAX_LINE_BYTES = 8 * 1024 * 1024
CHUNK_BYTES = 1024 * 1024


class LineTooLongError(DataValidationError):
    """A line over the cap (exit 8); the message names it."""


def count_stream(
    counter: Counter,
    stream: Iterable[bytes],
    *,
    on_lines: Callable[[list[LineCount]], None] | None = None,
    max_line: int | None = None,
) -> int:
    """Tokens of a binary stream read in bounded memory: the same total as counting it whole.

    Chunks of about CHUNK_BYTES of whole lines are counted one at a time, each cut before a
    line that starts with a non-blank character: no tokenizer piece spans that point (a piece
    ends at a newline unless more white space or newlines follow), so the sum is exact. Past
    4 chunks a cut before any line with text is taken (still exact for Tekken; the estimate
    may count one more), past 16 any line boundary (a run of blank lines). With `on_lines`,
    each line's own count is reported, a chunk at a time. Bytes that are not UTF-8 are
    counted as the lone surrogates Python keeps them as.
    """
    limit = MAX_LINE_BYTES if max_line is None else max_line
    total = size = 0
    first = 1  # the number of the chunk's first line
    chunk: list[str] = []
    for raw in _lines(stream, limit):
        line = raw.decode("utf-8", "surrogateescape")
        if chunk and _cut_here(line, size):
            total += _count_chunk(counter, chunk, first, on_lines)
            first, chunk, size = first + len(chunk), [], 0
        chunk.append(line)
        size += len(raw)
    if chunk:
        total += _count_chunk(counter, chunk, first, on_lines)
    return total


def _lines(stream: Iterable[bytes], limit: int) -> Iterator[bytes]:
    try:
        yield from bounded_lines(stream, limit)
    except LineTooLong as exc:
        raise LineTooLongError(
            f"line {exc.line} is longer than {size_text(limit)}, the most `mistral tokens` reads",
            hint="no model's context holds that much text; split the line",
        ) from None


def _cut_here(line: str, size: int) -> bool:
    if size >= 16 * CHUNK_BYTES:
        return True
    if size >= 4 * CHUNK_BYTES:
        return not line.isspace()
    return size >= CHUNK_BYTES and not line[:1].isspace()  # lines are never empty


def _count_chunk(
    counter: Counter,
    chunk: list[str],
    first: int,
    on_lines: Callable[[list[LineCount]], None] | None,
) -> int:
    if on_lines is not None:
        on_lines(count_lines(counter, chunk, first))
    return counter.count("".join(chunk))


@dataclass(frozen=True)
class TokenReport:
    """What `mistral tokens` shows: the count, how it was made, the context and the cost."""

    model: str
    tokens: int
    counter: str
    exact: bool
    context_length: int | None
    cost: str | None  # as input, formatted; None when the model has no known price
    as_of: str
    lines: list[LineCount]

    @property
    def fits(self) -> bool | None:
        """Whether the text fits the model's context (None when the length is unknown)."""
        return None if self.context_length is None else self.tokens <= self.context_length

    def fields(self) -> list[tuple[str, str]]:
        """Key/value pairs for the terminal."""
        pairs = [("model", self.model), ("tokens", f"{self.tokens} ({self.counter})")]
        if self.context_length is None:
            pairs.append(("context", "unknown"))
        else:
            share = 100 * self.tokens / self.context_length if self.context_length else 100.0
            verdict = "fits" if self.fits else "does NOT fit"
            pairs.append(("context", f"{verdict}: {share:.1f} % of {self.context_length}"))
        cost = f"{self.cost} (price as of {self.as_of})" if self.cost else "cost n/a"
        pairs.append(("input cost", cost))
        return pairs

    def as_json(self) -> dict[str, object]:
        """One JSON document."""
        document: dict[str, object] = {
            "model": self.model,
            "tokens": self.tokens,
            "exact": self.exact,
            "counter": self.counter,
            "max_context_length": self.context_length,
            "fits": self.fits,
            "input_cost": self.cost,
            "price_as_of": self.as_of or None,
        }
        if self.lines:
            document["lines"] = [{"line": ln.number, "tokens": ln.tokens} for ln in self.lines]
        return document
