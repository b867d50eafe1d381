"""rich renderables for streamed markdown: bare code lines, blocks in context, the live tail."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, ClassVar

from pygments.lexers import get_lexer_by_name  # type: ignore[import-untyped]  # no stubs
from pygments.util import ClassNotFound  # type: ignore[import-untyped]  # pygments: no stubs
from rich.markdown import Markdown, MarkdownElement, TextElement, UnknownElement
from rich.segment import Segment
from rich.syntax import Syntax
from rich.text import Text

from mistral_cli.output.markdown_stream._blocks import PARSER

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from markdown_it.token import Token
    from rich.console import Console, ConsoleOptions, JustifyMethod, RenderableType, RenderResult
    from rich.style import Style

CODE_THEME = "ansi_dark"  # terminal palette colours, no background: readable on light and dark


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


class CodeBlock(TextElement):
    """A code block: bare lines at top level, wrapped text inside lists and quotes."""

    style_name = "none"

    @classmethod
    def create(cls, markdown: Markdown, token: Token) -> CodeBlock:
        """Build from a fence or indented-code token."""
        lexer = (token.info or "").strip().partition(" ")[0]
        return cls(lexer or "text", markdown.code_theme, nested=token.level > 0)

    def __init__(self, lexer_name: str, theme: str, *, nested: bool) -> None:
        self.lexer_name = lexer_name
        self.theme = theme
        self.nested = nested

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        code = self.text.plain.split("\n")
        if code[-1] == "":  # each line ends with a newline; an empty block has no lines
            code.pop()
        lines = [highlight(line, self.lexer_name, self.theme) for line in code]
        if self.nested:  # already indented by the list or quote: wrap rather than crop
            yield Text("\n", overflow="fold").join(lines)
        else:
            yield CodeLines(lines)


class CodeFriendlyMarkdown(Markdown):
    """rich Markdown whose code blocks print as bare highlighted lines (no box, padding or wrap)."""

    elements: ClassVar[dict[str, type[MarkdownElement]]] = {
        **Markdown.elements,
        "fence": CodeBlock,
        "code_block": CodeBlock,
    }

    def __init__(self, markup: str, code_theme: str = CODE_THEME) -> None:
        # rich's __init__ builds a new parser each time, the better part of a redraw: share one.
        self.markup = markup
        self.parsed = PARSER.parse(markup)
        self.code_theme = code_theme
        self.justify: JustifyMethod | None = None
        self.style: str | Style = "none"
        self.hyperlinks = True
        self.inline_code_lexer: str | None = None
        self.inline_code_theme = code_theme


def print_markdown(console: Console, text: str, *, code_theme: str = CODE_THEME) -> None:
    """Print a whole markdown document at once, exactly as MarkdownStream shows it streamed."""
    console.print(CodeFriendlyMarkdown(text, code_theme=code_theme), crop=False, soft_wrap=False)


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


class Lazy:
    """A renderable made when drawn, so the live area always shows the current block."""

    def __init__(self, make: Callable[[], RenderableType]) -> None:
        self.make = make

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.make()


class Tail:
    """The last lines of a renderable that fit on screen: a taller live area can't be cleared."""

    def __init__(self, renderable: RenderableType) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = console.render_lines(self.renderable, options, pad=False)
        for line in lines[-max(1, options.size.height - 1) :]:
            yield from line
            yield Segment.line()
