"""The streaming markdown renderer: streamed output equals the whole text rendered once."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pyte
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.markdown import Markdown

from mistral_cli.output import markdown_stream as ms
from mistral_cli.output.markdown_stream import _render

WIDTH, HEIGHT = 80, 24

SAMPLES = [
    "Hello **world**, this is `code` and *emphasis*.\n\nSecond paragraph\nwith a soft break.\n",
    "# Title\nIntro right under the title.\n\n## Section\n\nText.\n\n### Deeper\nMore text",
    "- apples\n- pears\n  - williams\n  - conference\n- plums\n\nAfter the list.\n",
    "- loose one\n\n- loose two\n\n  second paragraph of two\n- three\n* new list\n\nEnd.",
    "1. one\n2. two\n\n3. three, loose\n\n   still three\n10. ten\n\nText after.\n",
    "Code:\n```python\ndef f(x):\n\n    return x * 2  # blank line above\n```\nAfter code.\n",
    "~~~\nplain tilde fence\n```\nnot a close\n~~~\n\n```js\nlet a = 1\n```",
    "| name | size |\n|------|-----:|\n| a    | 1    |\n| b    | 22   |\n\nBelow the table.\n",
    "> a quote\n> on two lines\n\n> another quote\n\n>> nested\n\nPlain.\n",
    "Steps:\n\n1. Install:\n   ```bash\n   pip install x\n\n   x --help\n   ```\n2. Run it.\n",
    "one\n\n---\n\ntwo\n***\nthree\n\nSetext\n======\n\nSub\n---\n",
    "text\n<!-- a comment\n\nwith a blank line -->\n\nafter\n\n<div>\n# not a heading\n</div>\n",
    "    indented code\n\n    more of it\n\nparagraph\n",
    "```\nan unclosed fence\n\nruns to the end",
    "Windows\r\nline ends\r\n\r\n- a\r\n- b\r\n",
    "- item\n```\ntop-level fence right after a list\n```\n- next list\n",
    "\tx = 1 (tab-indented code)\n\n```make\nall:\n\techo tab\n```\n",
    "Roses are red,\nviolets are blue.\nSugar is sweet  \nand so\\\nare you.\n\nNext.\n",
    "Install:\n```bash title=x\npip install x\n```\n```\nno label\n```\n~~~python\n~~~\n",
    "3. three\n4. four\n   1) nested\n   2) nested\n\n1. one\n1. one\n\n- a\n- b\n",
    "Sizes:\n| a | b |\n|---|---|\n| 1 | 2 |\n## After\n| c |\n|---|\n| 3 |\n",
]

# Lines for generated documents: the constructs whose boundaries are subtle.
LINES = [
    "Some text",
    "more *text* and `code`",
    "",
    "",
    "- item",
    "* star",
    "+ plus",
    "  - nested",
    "   cont",
    "    deep",
    "1. one",
    "2. two",
    "3) paren",
    "```",
    "```python",
    "~~~",
    "   ```",
    "  ```bash",
    "# Head",
    "## Sub",
    "---",
    "***",
    "===",
    "> quote",
    "> - in quote",
    "| a | b |",
    "|---|---|",
    "| 1 | 2 |",
    "<!--",
    "-->",
    "<div>",
    "\tx = 1",
    "-",
    "1.",
]


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _console(*, interactive: bool = True, file: io.StringIO | None = None) -> Console:
    return Console(
        file=file or io.StringIO(),
        force_terminal=True,
        force_interactive=interactive,
        width=WIDTH,
        height=HEIGHT,
        color_system="standard",
        no_color=False,
        legacy_windows=False,
        markup=False,
        emoji=False,
        highlight=False,
    )


def _output(console: Console) -> str:
    file = console.file
    assert isinstance(file, io.StringIO)
    # OSC 8 hyperlinks get a random id per render
    return re.sub(r"id=\d+;", "", file.getvalue())


def whole(text: str) -> str:
    """The text rendered at once: what must stay on screen."""
    console = _console()
    ms.print_markdown(console, text)
    return _output(console)


def _pieces(text: str, size: int) -> Iterator[str]:
    return (text[i : i + size] for i in range(0, len(text), size))


def streamed(
    pieces: Iterator[str] | list[str],
    *,
    interactive: bool = True,
    abort: bool = False,
    tick: float = 0.01,
    **kw: Any,
) -> str:
    clock = Clock()
    console = _console(interactive=interactive)
    stream = ms.MarkdownStream(console, clock=clock, **kw)
    for piece in pieces:
        clock.now += tick
        stream.feed(piece)
    if abort:
        stream.abort()
    else:
        stream.close()
    return _output(console)


def printed(output: str) -> str:
    """What a console without a live area wrote: the blocks printed for good."""
    if not output:
        return output
    assert output.startswith("\x1b[?25l")  # the live area hides the cursor, then shows it
    assert output.endswith("\x1b[?25h")
    return output.removeprefix("\x1b[?25l").removesuffix("\x1b[?25h")


_CONTROL = re.compile(
    r"\x1b\[([0-9;?]*)([A-Za-z])|\x1b\][^\x07\x1b]*\x1b\\|([\r\n])|([^\x1b\r\n]+)"
)


def screen(data: str) -> list[str]:
    """Replay terminal output; returns the rows (styles dropped) up to the cursor."""
    rows: list[list[str]] = [[]]
    row = col = 0
    for match in _CONTROL.finditer(data):
        params, final, control, text = match.groups()
        if final == "A":
            row -= int(params or 1)
            assert row >= len(rows) - HEIGHT, "the cursor went above the screen"
        elif final == "K":
            assert params == "2"
            rows[row] = []
        elif final:
            assert final in "mhl", f"unexpected control {match.group(0)!r}"
        elif control == "\r":
            col = 0
        elif control == "\n":
            row, col = row + 1, 0
            rows.extend([] for _ in range(row + 1 - len(rows)))
        elif text:
            line = rows[row]
            line.extend(" " * (col - len(line)))
            line[col : col + len(text)] = text
            col += len(text)
    lines = ["".join(cells).rstrip() for cells in rows]
    assert not any(lines[row + 1 :]), "text left below the cursor"
    return [*lines[: row + 1], f"cursor at column {col}"]


def terminal(data: str, *, rows: int = HEIGHT) -> list[str]:
    """A real screen model (pyte, WIDTH columns): its rows, blank ones at the end dropped.

    Lines wrap at the right margin as on a terminal; "\n" is sent as "\r\n", as a tty does.
    """
    shown = pyte.Screen(WIDTH, rows)
    pyte.Stream(shown).feed(data.replace("\n", "\r\n"))
    return rows_of(shown)


def rows_of(shown: pyte.Screen) -> list[str]:
    """A screen's rows without trailing blanks, and without the blank rows at the bottom."""
    lines = [line.rstrip() for line in shown.display]
    while lines and not lines[-1]:
        lines.pop()
    return lines


_SGR = re.compile(r"\x1b\[[0-9;?]*[a-zA-Z]|\x1b\]8;[^\x1b]*\x1b\\")


def plain(output: str) -> str:
    """The text of some output, without colours, cursor codes or hyperlinks."""
    return _SGR.sub("", output)


# ---------------------------------------------------------------- same output as the whole text


@pytest.mark.parametrize("size", [1, 3, 1000])
@pytest.mark.parametrize("text", SAMPLES, ids=range(len(SAMPLES)))
def test_printed_output_equals_whole_render(text: str, size: int) -> None:
    assert printed(streamed(_pieces(text, size), interactive=False)) == whole(text)


@pytest.mark.parametrize("size", [1, 3])
@pytest.mark.parametrize("text", SAMPLES, ids=range(len(SAMPLES)))
def test_screen_after_live_redraws_equals_whole_render(text: str, size: int) -> None:
    assert screen(streamed(_pieces(text, size))) == screen(whole(text))


@settings(derandomize=True, max_examples=60, deadline=None)
@given(st.data())
def test_any_split_of_a_sample_gives_the_same_screen(data: st.DataObject) -> None:
    text = data.draw(st.sampled_from(SAMPLES))
    cuts = sorted(data.draw(st.sets(st.integers(0, len(text)), max_size=40)))
    pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    assert screen(streamed(pieces)) == screen(whole(text))


@settings(derandomize=True, max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(LINES), min_size=1, max_size=25), st.sampled_from([1, 2, 5, 13]))
def test_generated_documents_print_as_a_whole(lines: list[str], size: int) -> None:
    text = "\n".join(lines)
    assert printed(streamed(_pieces(text, size), interactive=False)) == whole(text)


def test_abort_keeps_finished_blocks_and_the_partial_one_once() -> None:
    text = "First paragraph.\n\n- item one\n- item tw"
    out = streamed(_pieces(text, 3), interactive=False, abort=True)
    assert printed(out) == whole(text)
    assert out.count("First paragraph.") == 1
    assert out.count("item tw") == 1
    assert screen(streamed(_pieces(text, 3), abort=True)) == screen(whole(text))


def test_abort_inside_a_code_fence_keeps_the_partial_line() -> None:
    text = "```python\nx = 1\ny = 2 +"
    assert printed(streamed(_pieces(text, 2), interactive=False, abort=True)) == whole(text)
    assert screen(streamed(_pieces(text, 2), abort=True)) == screen(whole(text))


def test_close_without_text_prints_nothing() -> None:
    console = _console()
    stream = ms.MarkdownStream(console)
    stream.feed("")
    stream.close()
    stream.close()
    assert _output(console) == ""


def test_feed_after_close_is_an_error() -> None:
    stream = ms.MarkdownStream(_console())
    stream.close()
    with pytest.raises(ValueError, match="after close"):
        stream.feed("late")


# ---------------------------------------------------------------- as chat UIs show it


def test_single_line_breaks_are_kept() -> None:
    text = "Roses are red,\nviolets are blue.\n\n- Step 1: open\n  Step 2: close\n"
    assert (
        plain(whole(text))
        == "Roses are red,\nviolets are blue.\n\n • Step 1: open\n   Step 2: close\n"
    )


def test_code_blocks_are_labelled_with_their_language_in_dim() -> None:
    text = "Run:\n```bash title=x\npip install x\n```\n```\nno language, no label\n```\n"
    output = whole(text)
    assert plain(output) == "Run:\n\nbash\npip install x\n\nno language, no label\n"
    assert "\x1b[2mbash\x1b[0m\n" in output


def test_a_code_block_in_a_list_is_labelled_inside_the_item() -> None:
    text = "1. Install:\n   ```sh\n   pip install x\n   ```\n2. Run it.\n"
    assert plain(whole(text)) == "\n 1. Install:\n    sh\n    pip install x\n 2. Run it.\n"


def test_ordered_lists_keep_their_numbers_as_written() -> None:
    # one list (blank lines between items do not end it): not renumbered, numbers aligned
    text = "3. three\n4. four\n   1) nested\n   2) nested\n\n1. one\n1. one\n\n9. nine\n10. ten\n"
    assert plain(whole(text)).splitlines() == [
        "",
        "  3. three",
        "  4. four",
        "      1) nested",
        "      2) nested",
        "  1. one",
        "  1. one",
        "  9. nine",
        " 10. ten",
    ]


def test_a_table_gets_one_blank_line_before_and_after() -> None:
    text = "Sizes:\n\n| name | size |\n|------|-----:|\n| a | 1 |\n| bb | 22 |\n\nBelow.\n"
    assert plain(whole(text)).splitlines() == [
        "Sizes:",
        "",
        "name  size",
        "──────────",
        "a        1",
        "bb      22",
        "",
        "Below.",
    ]


@pytest.mark.parametrize("text", SAMPLES, ids=range(len(SAMPLES)))
def test_no_line_is_padded_to_the_width(text: str) -> None:
    lines = plain(whole(text)).split("\n")
    assert [line for line in lines if line != line.rstrip(" ")] == []


def test_the_live_area_is_not_padded_and_leaves_the_cursor_below_it() -> None:
    console = _console()
    stream = ms.MarkdownStream(console)
    stream.feed("- Hello wor")
    assert plain(_output(console)) == "\n • Hello wor\n"  # then the cursor, at column 0
    stream.close()


# ---------------------------------------------------------------- Ctrl-C


def _interrupted(pieces: list[str], echo: str) -> str:
    """Stream the pieces, each drawn; the terminal echoes `echo` at the cursor; then abort."""
    clock = Clock()
    console = _console()
    stream = ms.MarkdownStream(console, clock=clock)
    for piece in pieces:
        clock.now += 1
        stream.feed(piece)
    console.file.write(echo)
    stream.abort()
    return _output(console)


@pytest.mark.parametrize(
    "text",
    [
        "A first paragraph.\n\nThe quick brown fox jumps over the lazy dog, again and ag",
        "Done.\n\n" + "x" * WIDTH,  # a partial line as wide as the terminal
        "word " * 40,  # wrapped over lines, the last one partial
        "- item one\n- item tw",
        "```python\nx = 1\ny = 2 +",
        "Done.\n\n",  # nothing in progress
    ],
)
def test_ctrl_c_echo_never_leaves_a_line_twice(text: str) -> None:
    output = _interrupted(list(_pieces(text, 7)), "^C")
    assert terminal(output) == terminal(whole(text))


# ---------------------------------------------------------------- live area


def test_first_text_is_drawn_at_once_then_redraws_are_spaced() -> None:
    clock = Clock()
    console = _console()
    stream = ms.MarkdownStream(console, clock=clock, min_redraw_interval=0.05)
    stream.feed("Hel")
    assert "Hel" in _output(console)
    size = len(_output(console))
    clock.now = 0.03
    stream.feed("lo")
    assert len(_output(console)) == size  # too soon: not drawn
    clock.now = 0.06
    stream.feed(" there")
    assert "Hello there" in _output(console)
    stream.close()


def test_finished_blocks_are_printed_once_and_not_redrawn() -> None:
    clock = Clock()
    console = _console()
    stream = ms.MarkdownStream(console, clock=clock, min_redraw_interval=0)
    stream.feed("A finished paragraph.\n\n")
    for _ in range(200):
        clock.now += 0.01
        stream.feed("more ")
    stream.close()
    assert _output(console).count("A finished paragraph.") == 1


def test_a_block_taller_than_the_screen_shows_its_latest_lines() -> None:
    clock = Clock()
    console = _console()
    stream = ms.MarkdownStream(console, clock=clock)
    for n in range(600):
        clock.now += 0.01 if n < 599 else 1  # the last word comes late: it is drawn
        stream.feed(f" w{n}")
    rows = screen(_output(console))
    assert "w599" in rows[-3]  # the last line of text, then the cursor's blank line
    assert rows[-2:] == ["", "cursor at column 0"]
    assert not any("w0 " in row for row in rows)  # the start scrolled out of the live area
    stream.close()
    assert screen(_output(console)) == screen(whole("".join(f" w{n}" for n in range(600))))


def test_code_lines_stay_copy_pasteable() -> None:
    long_line = "    print('" + "x" * 150 + "')"
    text = f"```python\ndef f():\n{long_line}\n\tindented_with_tab()\n```\n"
    out = printed(streamed(_pieces(text, 4), interactive=False))
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
    # the language on a line of its own; the code not wrapped, padded or boxed
    assert plain == f"python\ndef f():\n{long_line}\n\tindented_with_tab()\n"
    assert out == whole(text)


def test_code_in_a_list_item_wraps_inside_the_item() -> None:
    text = "- item:\n\n  ```\n  " + "y" * 100 + "\n  ```\n"
    plain = re.sub(r"\x1b\[[0-9;]*m", "", whole(text))
    assert "y" * 100 not in plain  # folded to the width, not cropped
    assert plain.count("y") == 100


def test_code_friendly_markdown_sets_what_rich_markdown_sets() -> None:
    # It skips rich's __init__ (a new parser each time): it must keep every attribute.
    assert vars(ms.CodeFriendlyMarkdown("x")).keys() == vars(Markdown("x")).keys()


# ---------------------------------------------------------------- work per token stays flat


def _paragraphs(tokens: int) -> str:
    sentence = "The quick model streams one more token of a long answer. "
    return "".join(f"{sentence * 7}\n\n" for _ in range(tokens * 4 // (len(sentence) * 7) + 1))


def _code(tokens: int) -> str:  # no language: the lexer's speed is not what is measured
    lines = (f"    total_{n} = add(total, {n})" for n in range(tokens * 4 // 30 + 1))
    return "```\n" + "\n".join(lines) + "\n```\n"


def _mixed(tokens: int) -> str:
    unit = (
        "## Part\n\nSome words about it, **bold** and `code`.\n\n- one\n- two\n\n"
        "1. first\n2. second\n\n```\nx = 1\ny = 2\n```\n\n"
    )
    return unit * (tokens * 4 // len(unit) + 1)


class _Work:
    """Counts the characters given to the markdown parser and to the code highlighter.

    Blocks are parsed where they are made: drawing them (the slow part of a test run, and
    proportional to what was parsed) is skipped.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.chars = 0
        work = self
        highlight = _render.highlight

        class Counting(ms.CodeFriendlyMarkdown):
            def __init__(self, markup: str, code_theme: str = ms.CODE_THEME) -> None:
                work.chars += len(markup)
                super().__init__(markup, code_theme)

        def counting_highlight(line: str, lexer: str, theme: str) -> Any:
            work.chars += len(line)
            return highlight(line, lexer, theme)

        monkeypatch.setattr(_render, "CodeFriendlyMarkdown", Counting)
        monkeypatch.setattr(_render.Chunk, "__rich_console__", lambda *_: iter(()))
        monkeypatch.setattr(_render, "highlight", counting_highlight)

    def per_token(self, text: str, **kw: Any) -> float:
        self.chars = 0
        pieces = list(_pieces(text, 4))
        streamed(pieces, tick=0.005, **kw)  # 200 tokens/s: a redraw every 7 tokens
        return self.chars / len(pieces)


@pytest.mark.parametrize("make", [_paragraphs, _code, _mixed])
def test_work_per_token_does_not_grow_with_the_answer(
    make: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = _Work(monkeypatch)
    short, long = work.per_token(make(1_000)), work.per_token(make(10_000))
    assert short > 0
    assert long <= 2 * short, (short, long)


def test_work_per_token_is_flat_even_when_redrawing_every_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    work = _Work(monkeypatch)
    short = work.per_token(_paragraphs(300), min_redraw_interval=0)
    long = work.per_token(_paragraphs(3_000), min_redraw_interval=0)
    assert long <= 2 * short, (short, long)


# ---------------------------------------------------------------- thinking


def test_thinking_streams_dim_and_ends_on_a_fresh_line() -> None:
    console = _console()
    thinking = ms.ThinkingStream(console)
    thinking.feed("Let me think")
    thinking.feed(" about [it].")
    thinking.close()
    thinking.close()
    assert _output(console) == "\x1b[2mLet me think\x1b[0m\x1b[2m about [it].\x1b[0m\n"


def test_thinking_that_ends_with_a_newline_gets_no_extra_one() -> None:
    console = _console()
    thinking = ms.ThinkingStream(console)
    thinking.feed("done\n")
    thinking.feed("")
    thinking.close()
    assert _output(console) == "\x1b[2mdone\x1b[0m\n"
