"""textsafe: server text made harmless for a terminal, whole or streamed in pieces."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mistral_cli.textsafe import StreamSanitizer, sanitize, sanitize_json

# what must never reach a terminal: C0 but \n and \t, DEL, C1, bidi overrides and isolates
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
SETTINGS = settings(derandomize=True, max_examples=300, deadline=None)

# the hostile samples of issue 12, and each kind of sequence a terminal acts on
HOSTILE = {
    "OSC 0 title, BEL": ("\x1b]0;pwned\x07", "^[]0;pwned^G"),
    "OSC 52 clipboard, ST": ("\x1b]52;c;Y3VybCBldmlsfHNo\x1b\\", "^[]52;c;Y3VybCBldmlsfHNo^[\\"),
    "CSI clear screen": ("\x1b[2J\x1b[H", "^[[2J^[[H"),
    "CSI colour": ("\x1b[31mred\x1b[0m", "^[[31mred^[[0m"),
    "DCS": ("\x1bP1$r0m\x1b\\", "^[P1$r0m^[\\"),
    "APC": ("\x1b_Gf=100;AAAA\x1b\\", "^[_Gf=100;AAAA^[\\"),
    "PM": ("\x1b^private\x1b\\", "^[^private^[\\"),
    "SOS": ("\x1bXstring\x1b\\", "^[Xstring^[\\"),
    "lone ESC": ("a\x1bb", "a^[b"),
    "8-bit CSI": ("\x9b2J", "<U+009B>2J"),
    "8-bit OSC, 8-bit ST": ("\x9d0;t\x9c", "<U+009D>0;t<U+009C>"),
    "NUL, backspace, DEL": ("\x00a\x08b\x7f", "^@a^Hb^?"),
    "vertical tab, form feed": ("\x0b\x0c", "^K^L"),
    "bidi override (Trojan Source)": (
        "if x\u202e } \u2066y\u2069",
        "if x<U+202E> } <U+2066>y<U+2069>",
    ),
    "every bidi control": (
        "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
        "<U+202A><U+202B><U+202C><U+202D><U+202E><U+2066><U+2067><U+2068><U+2069>",
    ),
    "lone CR overwrites a line": ("rm -rf ~\rls", "rm -rf ~^Mls"),
    "CRLF is a line end": ("one\r\ntwo\r\n", "one\ntwo\n"),
    "CR before CRLF": ("a\r\r\nb", "a^M\nb"),
}

PLAIN = [
    "",
    "Hello, world.\n\tindented\n",
    "emoji 😀 👩‍👩‍👧 🇫🇷 and a skin tone 👍🏽",
    "CJK 日本語のテキスト 中文 한국어",
    "combining e\u0301 a\u0308 and Zalgo z\u0336\u0338",
    "RTL text without overrides: שלום עולם, مرحبا بالعالم, with marks \u200e\u200f",
    "box ─│┌ and maths ∑ ≤ ∞, nbsp\u00a0and soft\u00adhyphen",
    "markdown: `code`, **bold**, [link](https://example.com), ^[ written by hand",
]


@pytest.mark.parametrize(("raw", "shown"), HOSTILE.values(), ids=HOSTILE.keys())
def test_every_kind_of_control_is_shown_visibly(raw: str, shown: str) -> None:
    assert sanitize(raw) == shown
    assert FORBIDDEN.search(sanitize(raw)) is None


def test_each_c0_control_in_caret_notation() -> None:
    controls = "".join(chr(code) for code in range(0x20) if chr(code) not in "\n\t\r")
    assert sanitize(controls) == "^@^A^B^C^D^E^F^G^H^K^L^N^O^P^Q^R^S^T^U^V^W^X^Y^Z^[^\\^]^^^_"


def test_each_c1_control_as_a_code_point() -> None:
    controls = "".join(chr(code) for code in range(0x80, 0xA0))
    assert sanitize(controls) == "".join(f"<U+{code:04X}>" for code in range(0x80, 0xA0))


@pytest.mark.parametrize("text", PLAIN)
def test_ordinary_unicode_passes_untouched(text: str) -> None:
    assert sanitize(text) == text
    assert sanitize(text) is text  # no copy on the common path


@SETTINGS
@given(st.text())
def test_output_never_carries_a_control(text: str) -> None:
    assert FORBIDDEN.search(sanitize(text)) is None


@SETTINGS
@given(st.text())
def test_sanitising_twice_is_sanitising_once(text: str) -> None:
    once = sanitize(text)
    assert sanitize(once) == once


@SETTINGS
@given(st.text(alphabet=st.characters(exclude_categories=("Cc", "Cs"))))
def test_text_without_controls_is_unchanged(text: str) -> None:
    clean = FORBIDDEN.sub("", text)  # drops the bidi controls (category Cf) too
    assert sanitize(clean) == clean


@SETTINGS
@given(st.text(), st.text())
def test_only_controls_change(before: str, after: str) -> None:
    """Safe text around a control is kept as it was: the stand-in is inserted, nothing lost."""
    left, right = FORBIDDEN.sub("", before), FORBIDDEN.sub("", after)
    assert sanitize(left + "\x1b" + right) == left + "^[" + right


# ------------------------------------------------------------------ streamed in pieces


def _streamed(pieces: list[str]) -> str:
    safe = StreamSanitizer()
    return "".join(safe.feed(piece) for piece in pieces) + safe.flush()


@pytest.mark.parametrize(("raw", "shown"), HOSTILE.values(), ids=HOSTILE.keys())
def test_a_sequence_split_anywhere_is_caught(raw: str, shown: str) -> None:
    text = f"before {raw} after"
    for cut in range(len(text) + 1):
        assert _streamed([text[:cut], text[cut:]]) == sanitize(text), cut
    assert _streamed(list(text)) == sanitize(text)  # one character per piece


def test_crlf_split_between_pieces_is_one_line_end() -> None:
    safe = StreamSanitizer()
    assert safe.feed("one\r") == "one"  # the \r waits to see what follows
    assert safe.feed("\ntwo\r") == "\ntwo"
    assert safe.flush() == "^M"  # nothing followed: a lone \r
    assert safe.flush() == ""


@SETTINGS
@given(st.text(), st.lists(st.integers(min_value=0), max_size=8))
def test_pieces_give_what_the_whole_text_gives(text: str, cuts: list[int]) -> None:
    points = sorted({cut % (len(text) + 1) for cut in cuts})
    pieces = [text[a:b] for a, b in zip([0, *points], [*points, len(text)], strict=True)]
    assert _streamed(pieces) == sanitize(text)


# ------------------------------------------------------------------ JSON on a terminal


JSON_DOCS = st.recursive(
    st.none() | st.text(),
    lambda inner: st.dictionaries(st.text(), inner, max_size=3) | st.lists(inner, max_size=3),
    max_leaves=6,
)


@settings(derandomize=True, max_examples=150, deadline=None)
@given(JSON_DOCS)
def test_json_stays_the_same_json_without_controls(document: object) -> None:
    text = sanitize_json(json.dumps(document, ensure_ascii=False))
    assert FORBIDDEN.search(text) is None
    assert json.loads(text) == document


def test_json_escapes_c1_and_bidi_as_unicode_escapes() -> None:
    text = json.dumps({"id": "a\x9bb\u202ec\x7f é"}, ensure_ascii=False)
    assert sanitize_json(text) == '{"id": "a\\u009bb\\u202ec\\u007f é"}'
