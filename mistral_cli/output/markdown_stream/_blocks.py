"""Cutting streamed markdown, line by line, into blocks that render alone as in the whole text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markdown_it import MarkdownIt

if TYPE_CHECKING:
    from markdown_it.token import Token

PARSER = MarkdownIt().enable("strikethrough").enable("table")  # as rich's Markdown parses
_FENCE = re.compile(r"( *)(`{3,}|~{3,})(.*)")
_FENCE_END = re.compile(r"( *)(`{3,}|~{3,})[ \t]*")
_HEADING = re.compile(r" {0,3}#{1,6}(?:[ \t]|$)")
_MARKER = re.compile(r" {0,3}(?:([-*+])|\d{1,9}([.)]))(?:[ \t]|$)")
_RULE = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_DASHES = re.compile(r" {0,3}-+[ \t]*$")
_ITEM = re.compile(r"([-*+])[ \t]+\S")  # a bullet item with text at the left margin
# HTML blocks that run past blank lines (CommonMark types 1-5): start pattern, end pattern.
_RAW_HTML = tuple(
    (re.compile(start, re.IGNORECASE), re.compile(end, re.IGNORECASE))
    for start, end in (
        (r" {0,3}<(?:script|pre|style|textarea)(?:[\s>]|$)", r"</(?:script|pre|style|textarea)>"),
        (r" {0,3}<!--", r"-->"),
        (r" {0,3}<\?", r"\?>"),
        (r" {0,3}<![a-z]", r">"),
        (r" {0,3}<!\[CDATA\[", r"\]\]>"),
    )
)
_INSIDE = " " * 80 + "x"  # a probe line that any open fence would take in


@dataclass(frozen=True)
class Block:
    """Finished markdown: one or more whole top-level blocks."""

    text: str


@dataclass(frozen=True)
class FenceOpen:
    """A top-level code fence starts; its lines follow as CodeLine events, then a FenceClose."""

    label: str  # the first word after the fence, as written: "" when there is none

    @property
    def lexer(self) -> str:
        """The name to highlight the code with."""
        return self.label or "text"


@dataclass(frozen=True)
class FenceClose:
    """The closing fence of a top-level code fence (never sent for one the answer leaves open)."""


@dataclass(frozen=True)
class CodeLine:
    """One finished line of a top-level code fence, its indentation as markdown leaves it."""

    text: str


Event = Block | FenceOpen | CodeLine | FenceClose


@dataclass
class _Fence:
    char: str
    length: int
    indent: int
    label: str
    top: bool = False
    start: int = 0  # its line in the block, when the fence sits inside a list item

    def closed_by(self, line: str) -> bool:
        match = _FENCE_END.fullmatch(line)
        return (
            match is not None
            and match.group(2)[0] == self.char
            and len(match.group(2)) >= self.length
            and (not self.top or len(match.group(1)) <= 3)
        )


def _open_fence(line: str) -> _Fence | None:
    match = _FENCE.fullmatch(line)
    if match is None or (match.group(2)[0] == "`" and "`" in match.group(3)):
        return None
    label = match.group(3).strip().partition(" ")[0]
    return _Fence(match.group(2)[0], len(match.group(2)), len(match.group(1)), label)


def _indent(line: str) -> int:
    width = 0
    for char in line:
        if char == " ":
            width += 1
        elif char == "\t":
            width += 4 - width % 4
        else:
            break
    return width


def _marker(line: str) -> str | None:
    """The list marker a line starts with: its bullet, or the delimiter after its number."""
    match = _MARKER.match(line)
    if match is None or _RULE.match(line):
        return None
    return match.group(1) or match.group(2)


def bullet_item(text: str) -> str | None:
    """The bullet of the item `text` starts with, if it starts with one at the left margin.

    Such a line always starts a top-level block: a new item of the bullet list before it
    when that list ends with the same bullet, else a new list.
    """
    match = _ITEM.match(text)
    return match.group(1) if match is not None and not _RULE.match(text) else None


def dedent(line: str, indent: int) -> str:
    """Remove up to `indent` columns of indentation, as CommonMark does for fence content."""
    width = 0
    for index, char in enumerate(line):
        if width >= indent or char not in " \t":
            return line[index:]
        width = width + 1 if char == " " else width + 4 - width % 4
        if width > indent:  # a tab reaching past the fence's indentation leaves spaces
            return " " * (width - indent) + line[index + 1 :]
    return ""


def _token_at(lines: list[str], index: int) -> Token | None:
    """The block markdown-it starts at line `index`: asked only where lists make it subtle."""
    for token in PARSER.parse("\n".join(lines) + "\n"):
        if token.map is not None and token.map[0] == index and token.nesting >= 0:
            return token
    return None


class Blocks:
    """Cuts markdown, line by line, into blocks that render alone as they do in the whole text.

    A cut is made only where CommonMark ends a top-level block: a blank line (held back while
    a list may go on), a fence or ATX heading at the left margin, a bullet item there (a new
    list, or more items of the last one). Inside lists, where indentation decides, markdown-it
    itself is asked about fences and HTML. When unsure, lines stay in one block: that costs
    redraw time, never output.
    Each line is looked at once, so the work per line does not grow with the answer.
    """

    def __init__(self) -> None:
        self.fence: _Fence | None = None
        self._partial: list[str] = []  # pieces of the unfinished line
        self._start_block()

    def _start_block(self) -> None:
        self.lines: list[str] = []
        self._blanks = 0  # blank lines held back: inside a list they may sit within an item
        self._in_list = False
        self._raw_end: re.Pattern[str] | None = None  # inside HTML that runs past blank lines
        self._html = False  # an HTML block: nothing but a blank line ends it

    @property
    def in_code(self) -> bool:
        """True inside a top-level fence, whose lines are printed as they end."""
        return self.fence is not None and self.fence.top

    @property
    def code_indent(self) -> int:
        """The indentation of the open top-level fence, removed from its lines."""
        return self.fence.indent if self.fence is not None else 0

    def preview(self, partial: str) -> str:
        """The markdown of the block in progress, with the unfinished line."""
        return "\n".join([*self.lines, *[""] * self._blanks, partial])

    @property
    def partial(self) -> str:
        """The unfinished last line."""
        return "".join(self._partial)

    def feed(self, text: str) -> list[Event]:
        """Take the next piece of text; return what its complete lines finished."""
        events: list[Event] = []
        start = 0
        while (end := text.find("\n", start)) != -1:
            self._partial.append(text[start:end])
            line = "".join(self._partial)
            self._partial.clear()
            events.extend(self.push(line.removesuffix("\r")))
            start = end + 1
        if start < len(text):
            self._partial.append(text[start:])
        return events

    def push(self, line: str) -> list[Event]:
        """Take one complete line (without its newline); return what is now finished."""
        events: list[Event] = []
        if self.fence is not None:
            self._in_fence(self.fence, line, events)
        elif self._raw_end is not None:
            self.lines.append(line)
            if self._raw_end.search(line):
                self._raw_end = None
        elif not line.strip():
            if self._in_list:
                self._blanks += 1
            else:
                self._finish(events)
        else:
            self._content(line, events)
        return events

    def flush(self) -> list[Event]:
        """End of the answer: whatever is in progress is finished, the unfinished line too."""
        partial = self.partial
        self._partial.clear()
        events = self.push(partial.removesuffix("\r")) if partial else []
        self._finish(events)
        self.fence = None
        return events

    def _finish(self, events: list[Event]) -> None:
        if self.lines:
            events.append(Block("\n".join(self.lines) + "\n"))
        self._start_block()

    def _in_fence(self, fence: _Fence, line: str, events: list[Event]) -> None:
        if fence.top:
            if fence.closed_by(line):
                self.fence = None
                events.append(FenceClose())
            else:
                events.append(CodeLine(dedent(line, fence.indent)))
            return
        if not fence.closed_by(line) and (not line.strip() or _indent(line) >= fence.indent):
            self.lines.append(line)
            return
        # In a list item: the line may close the fence, end the item (and the fence), or neither.
        token = _token_at([*self.lines, line, _INSIDE], fence.start)
        end = token.map[1] if token is not None and token.map is not None else 0
        if end > len(self.lines):
            self.lines.append(line)
            if end == len(self.lines):
                self.fence = None
        else:
            self.fence = None
            self._content(line, events)

    def _content(self, line: str, events: list[Event]) -> None:
        indent, marker = _indent(line), _marker(line)
        if not self._html and bullet_item(line):
            self._finish(events)
        elif self._blanks and (indent > 0 or marker is not None):  # the list may go on: keep it
            self.lines.extend([""] * self._blanks)
            self._blanks = 0
        elif self._blanks:
            self._finish(events)
        if self._html or not self._starts_block(line, indent, events):
            self.lines.append(line)
            self._note(line, indent, marker is not None)

    def _starts_block(self, line: str, indent: int, events: list[Event]) -> bool:
        """Open a top-level fence or print a heading; note a fence inside a list item."""
        top = indent == 0 if self._in_list else indent <= 3
        fence = _open_fence(line)
        if fence is not None and self._in_list and not top:
            token = _token_at([*self.lines, line], len(self.lines))
            if token is None or token.type != "fence":
                fence = None
            elif token.level == 0:
                top = True
        if fence is not None and top:
            self._finish(events)
            fence.top = True
            self.fence = fence
            events.append(FenceOpen(fence.label))
            return True
        if fence is not None and self._in_list:
            fence.start = len(self.lines)
            self.fence = fence
        elif top and _HEADING.match(line):
            self._finish(events)
            events.append(Block(line + "\n"))
            return True
        return False

    def _note(self, line: str, indent: int, marker: bool) -> None:
        raw = next((end for start, end in _RAW_HTML if start.match(line)), None)
        if raw is not None:  # it ends at its end marker, not at a blank line
            self._raw_end = None if raw.search(line) else raw
        elif self._html:
            return
        elif indent <= 3 and line.lstrip().startswith("<"):
            token = _token_at(self.lines, len(self.lines) - 1)
            if token is not None and token.type == "html_block" and token.level == 0:
                self._html, self._in_list = True, False
                return
        if marker or _DASHES.match(line):  # a lone dash may be an empty item
            self._in_list = True
