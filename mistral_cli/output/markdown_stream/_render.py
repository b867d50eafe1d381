"""rich renderables for streamed markdown: bare code lines, blocks in context, the live area.

Markdown is shown as chat UIs show it, not as rich's defaults: single line breaks are kept,
code blocks carry their language above them, list numbers stay as written, tables get one blank
line around them, and no line is padded to the terminal's width.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, ClassVar

from pygments.lexers import get_lexer_by_name  # type: ignore[import-untyped]  # no stubs
from pygments.util import ClassNotFound  # type: ignore[import-untyped]  # pygments: no stubs
from rich.markdown import (
    ListElement,
    ListItem,
    Markdown,
    MarkdownElement,
    TableElement,
    TextElement,
    UnknownElement,
)
from rich.segment import Segment
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from mistral_cli.output.markdown_stream._blocks import PARSER

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from markdown_it.token import Token
    from rich.console import Console, ConsoleOptions, JustifyMethod, RenderableType, RenderResult
    from rich.style import Style

CODE_THEME = "ansi_dark"  # terminal palette colours, no background: readable on light and dark
LABEL_STYLE = "dim"  # a code block's language


# ---------------------------------------------------------------- code: bare lines


@functools.lru_cache(maxsize=32)
def _syntax(lexer_name: str, theme: str) -> Syntax:
    try:
        lexer = get_lexer_by_name(lexer_name, stripnl=False, ensurenl=True)
    except ClassNotFound:
        lexer = get_lexer_by_name("text", stripnl=False, ensurenl=True)
    return Syntax("", lexer, theme=theme, background_color="default", word_wrap=False)


def highlight(line: str, lexer_name: str, theme: str) -> Text:
    """One code line, highlighted on its own (so lines can print as soon as they end)."""
    text = _syntax(lexer_name, theme).highlight(line)
    if text.plain.endswith("\n"):  # the lexer ends every input with a newline
        text.right_crop(1)
    return text


class CodeLines:
    """Code lines as bare segments: never wrapped, padded or boxed, so copy-paste gives the code."""

    def __init__(self, lines: list[Text]) -> None:
        self.lines = lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.lines:
            yield from line.render(console)
            yield Segment.line()


def code_label(label: str) -> Text:
    """The language of a code block, dim on its own line above it (not part of the code)."""
    return Text(label, style=LABEL_STYLE, end="\n")


class CodeBlock(TextElement):
    """A code block under its language: bare lines at top level, wrapped in lists and quotes."""

    style_name = "none"

    @classmethod
    def create(cls, markdown: Markdown, token: Token) -> CodeBlock:
        """Build from a fence or indented-code token."""
        label = (token.info or "").strip().partition(" ")[0]
        return cls(label, markdown.code_theme, nested=token.level > 0)

    def __init__(self, label: str, theme: str, *, nested: bool) -> None:
        self.label = label  # as written after the fence; "" when none (or indented code)
        self.lexer_name = label or "text"
        self.theme = theme
        self.nested = nested

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        code = self.text.plain.split("\n")
        if code[-1] == "":  # each line ends with a newline; an empty block has no lines
            code.pop()
        lines = [highlight(line, self.lexer_name, self.theme) for line in code]
        if self.label:
            yield code_label(self.label)
        if self.nested:  # already indented by the list or quote: wrap rather than crop
            yield Text("\n", overflow="fold").join(lines)
        else:
            yield CodeLines(lines)


class NumberedItem(ListItem):
    """A list item that remembers its marker as written (`3.`, `1)`), for ordered lists."""

    marker: str | None = None

    @classmethod
    def create(cls, markdown: Markdown, token: Token) -> NumberedItem:
        """Build from a list_item_open token: markdown-it keeps the number as written in info."""
        item = cls()
        if token.info:
            item.marker = token.info + token.markup
        return item

    def render_marker(
        self, console: Console, options: ConsoleOptions, marker: str, width: int
    ) -> RenderResult:
        """The item's lines, its marker right-aligned in `width` columns before the first."""
        lines = console.render_lines(
            self.elements, options.update(width=options.max_width - width), style=self.style
        )
        style = console.get_style("markdown.item.number", default="none")
        first, rest = Segment(marker.rjust(width - 1) + " ", style), Segment(" " * width, style)
        for index, line in enumerate(lines):
            yield first if index == 0 else rest
            yield from line
            yield Segment.line()


class NumberedList(ListElement):
    """Lists as rich draws them, but ordered items keep their numbers as the model wrote them.

    `3.` stays `3.`, `1. 1. 1.` stays so (as in the text piped, not renumbered), `1)` keeps its
    parenthesis; numbers are right-aligned so that items line up.
    """

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if self.list_type == "bullet_list_open":
            yield from super().__rich_console__(console, options)
            return
        start = 1 if self.list_start is None else self.list_start
        markers = [
            getattr(item, "marker", None) or f"{start + index}."
            for index, item in enumerate(self.items)
        ]
        width = max(map(len, markers), default=0) + 2
        for item, marker in zip(self.items, markers, strict=True):
            if isinstance(item, NumberedItem):
                yield from item.render_marker(console, options, marker, width)


class PlainTable(TableElement):
    """rich's markdown table without its blank top and bottom edges: one blank line around it."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for table in super().__rich_console__(console, options):
            if isinstance(table, Table):
                table.show_edge = False  # the SIMPLE box's edges are blank lines
            yield table


def _hard_breaks(tokens: list[Token]) -> list[Token]:
    """Single line breaks in paragraphs stay breaks, as in chat UIs (not CommonMark's space)."""
    for token in tokens:
        for child in token.children or ():
            if child.type == "softbreak":
                child.type = "hardbreak"
    return tokens


class CodeFriendlyMarkdown(Markdown):
    """rich Markdown shown as chat UIs show it (see the module docstring).

    Code blocks print as bare highlighted lines (no box, padding or wrap) under their language.
    """

    elements: ClassVar[dict[str, type[MarkdownElement]]] = {
        **Markdown.elements,
        "fence": CodeBlock,
        "code_block": CodeBlock,
        "bullet_list_open": NumberedList,
        "ordered_list_open": NumberedList,
        "list_item_open": NumberedItem,
        "table_open": PlainTable,
    }

    def __init__(self, markup: str, code_theme: str = CODE_THEME) -> None:
        # rich's __init__ builds a new parser each time, the better part of a redraw: share one.
        self.markup = markup
        self.parsed = _hard_breaks(PARSER.parse(markup))
        self.code_theme = code_theme
        self.justify: JustifyMethod | None = None
        self.style: str | Style = "none"
        self.hyperlinks = True
        self.inline_code_lexer: str | None = None
        self.inline_code_theme = code_theme


def print_markdown(console: Console, text: str, *, code_theme: str = CODE_THEME) -> None:
    """Print a whole markdown document at once, exactly as MarkdownStream shows it streamed."""
    markdown = CodeFriendlyMarkdown(text, code_theme=code_theme)
    console.print(Unpadded(markdown), crop=False, soft_wrap=False)


# ---------------------------------------------------------------- rendering a block in context


def _drop_first_line(segments: Iterable[Segment]) -> Iterator[Segment]:
    it = iter(segments)
    for segment in it:
        _, newline, rest = segment.text.partition("\n")
        if newline:
            if rest:
                yield Segment(rest, segment.style, segment.control)
            break
    yield from it


class Chunk:
    """Markdown text rendered as it appears at its place in the whole answer.

    rich puts a blank line before a top-level element when the element closed just before it
    asks for one. Rendered alone, a block starts without that state; so after an element that
    asks for a break, the block is rendered behind a one-line paragraph that is then dropped.
    A block that continues a bullet list drops the blank line the list opens with instead.
    """

    _PROBE = "x\n\n"

    def __init__(self, text: str, *, after_break: bool, continues_list: bool, theme: str) -> None:
        probe = after_break and not continues_list
        markup = self._PROBE + text if probe else text
        self.markdown = CodeFriendlyMarkdown(markup, code_theme=theme)
        self.drop_first_line = probe or continues_list
        self.last: Token | None = None  # the last top-level token
        for token in self.markdown.parsed:
            if token.level == 0:
                self.last = token

    def breaks_after(self, before: bool) -> bool:
        """Whether the element after this block gets a blank line before it."""
        if self.last is None:
            return before
        element = self.markdown.elements.get(self.last.type.replace("_close", "_open"))
        return (element or UnknownElement).new_line

    @property
    def bullet(self) -> str | None:
        """The bullet of the list the block ends with, which the next block may continue."""
        last = self.last
        return last.markup if last is not None and last.type == "bullet_list_close" else None

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        segments = console.render(self.markdown, options)
        yield from _drop_first_line(segments) if self.drop_first_line else segments


def _shows_on_blank(style: Style | None) -> bool:
    """Whether a space in this style can be seen: a background, reverse or a line through it."""
    return style is not None and bool(
        style.bgcolor or style.reverse or style.underline or style.strike or style.overline
    )


def trim(line: list[Segment]) -> list[Segment]:
    """One rendered line without the blank padding rich adds to fill the width."""
    end = len(line)
    while end:
        last = line[end - 1]
        if last.control or _shows_on_blank(last.style):
            break
        text = last.text.rstrip(" ")
        if text:
            return [*line[: end - 1], Segment(text, last.style)]
        end -= 1
    return line[:end]


class Unpadded:
    """A renderable's lines without trailing padding (never cropped: code lines stay whole).

    rich pads most lines to the console's width; on a terminal narrower than it thinks, or with
    the cursor left at the right margin, padding wraps and the screen no longer matches.
    """

    def __init__(self, renderable: RenderableType) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in Segment.split_lines(console.render(self.renderable, options)):
            yield from trim(line)
            yield Segment.line()


class LiveArea:
    """The block in progress, made when drawn: its last lines that fit, unpadded, then a blank line.

    A taller area could not be cleared. The cursor rests at the start of the blank line below
    the text, so what the terminal echoes there (`^C` on Ctrl-C) never wraps a line, and the next
    redraw, or the end of the answer, clears exactly what was drawn: no line is shown twice.
    """

    def __init__(self, make: Callable[[], RenderableType]) -> None:
        self.make = make

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = [trim(line) for line in console.render_lines(self.make(), options, pad=False)]
        if not any(lines):
            return
        for line in lines[-max(1, options.size.height - 1) :]:
            yield from line
            yield Segment.line()
        yield Segment.line()  # the cursor's line
