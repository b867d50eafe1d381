"""Live markdown for streamed answers: finished blocks print once, only the last one redraws."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.console import Group, NewLine
from rich.live import Live
from rich.text import Text

from mistral_cli.output.markdown_stream import _render
from mistral_cli.output.markdown_stream._blocks import (
    Block,
    Blocks,
    CodeLine,
    Event,
    FenceOpen,
    bullet_item,
    dedent,
)
from mistral_cli.output.markdown_stream._render import CODE_THEME

if TYPE_CHECKING:
    from collections.abc import Callable

    from rich.console import Console, RenderableType


class MarkdownStream:
    """Streams an answer as markdown on a terminal: finished blocks print once, above a live area.

    Only the block in progress is re-rendered, at most every `min_redraw_interval` seconds
    (the first text at once), so the work per token depends on that block, not on the answer.
    Lines of a top-level code fence print as they end. Call close() at the end of the answer,
    abort() when it is cut short; what stays on screen is what print_markdown() gives for the
    text received.
    """

    def __init__(
        self,
        console: Console,
        *,
        min_redraw_interval: float = 1 / 30,
        clock: Callable[[], float] = time.monotonic,
        code_theme: str = CODE_THEME,
    ) -> None:
        self._console = console
        self._interval = min_redraw_interval
        self._clock = clock
        self._theme = code_theme
        self._blocks = Blocks()
        self._out: list[RenderableType] = []  # finished output not yet printed
        self._lexer = "text"  # of the open top-level fence
        self._after_break = False  # the next top-level element gets a blank line before it
        self._bullet: str | None = None  # the output so far ends with a list of these bullets
        self._live: Live | None = None
        self._last_draw: float | None = None
        self._closed = False

    def feed(self, text: str) -> None:
        """Take the next piece of the answer."""
        if self._closed:
            raise ValueError("feed() after close()")
        if not text:
            return
        now = self._clock()
        self._take(self._blocks.feed(text))
        self._draw(now)

    def close(self) -> None:
        """End of the answer: print the block in progress for good and remove the live area."""
        if self._closed:
            return
        self._closed = True
        self._take(self._blocks.flush())
        live, self._live = self._live, None
        try:
            self._print()  # nothing is in progress now: the live area shrinks to nothing
        finally:
            if live is not None:
                live.stop()

    def abort(self) -> None:
        """The answer was cut short (Ctrl-C, stream error): keep what came, as it stands."""
        self.close()

    def _take(self, events: list[Event]) -> None:
        for event in events:
            if isinstance(event, CodeLine):
                line = _render.highlight(event.text, self._lexer, self._theme)
                last = self._out[-1] if self._out else None
                if isinstance(last, _render.CodeLines):
                    last.lines.append(line)
                else:
                    self._out.append(_render.CodeLines([line]))
            elif isinstance(event, FenceOpen):
                if self._after_break:
                    self._out.append(NewLine())
                if event.label:
                    self._out.append(_render.code_label(event.label))
                self._lexer = event.lexer
                self._after_break = _render.CodeBlock.new_line
                self._bullet = None
            elif isinstance(event, Block):
                chunk = self._chunk(event.text)
                self._after_break = chunk.breaks_after(self._after_break)
                if chunk.last is not None:
                    self._bullet = chunk.bullet
                self._out.append(_render.Unpadded(chunk))  # code lines and labels have none

    def _chunk(self, text: str) -> _render.Chunk:
        continues = self._bullet is not None and bullet_item(text) == self._bullet
        return _render.Chunk(
            text, after_break=self._after_break, continues_list=continues, theme=self._theme
        )

    def _draw(self, now: float) -> None:
        due = self._last_draw is None or now - self._last_draw >= self._interval
        if not (self._out or due):
            return
        if self._live is None:
            self._live = Live(
                _render.LiveArea(self._preview),
                console=self._console,
                transient=True,
                auto_refresh=False,
                redirect_stdout=False,
                redirect_stderr=False,
                vertical_overflow="crop",
            )
            self._live.start()
        if self._out:
            self._print()  # printing above the live area redraws it too
        else:
            self._live.refresh()
        self._last_draw = now

    def _print(self) -> None:
        if self._out:
            self._console.print(Group(*self._out), crop=False, soft_wrap=False)
            self._out.clear()  # not before: after Ctrl-C mid-render, abort() prints it again

    def _preview(self) -> RenderableType:
        partial = self._blocks.partial
        if self._blocks.in_code:  # plain until the line ends: highlighting costs a lexer run
            line = Text(dedent(partial, self._blocks.code_indent), tab_size=4)
            line.expand_tabs()  # the live area must measure its lines right to clear them
            return _render.CodeLines([line]) if partial else Text()
        text = self._blocks.preview(partial)
        if not text.strip():
            return Text()
        return self._chunk(text)


class ThinkingStream:
    """Writes a reasoning model's thinking as it arrives: dim, unformatted, to the given console."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._line_open = False  # something written since the last newline

    def feed(self, text: str) -> None:
        """Write the next piece of thinking."""
        if text:
            self._console.print(
                text,
                style="dim",
                end="",
                soft_wrap=True,
                markup=False,
                highlight=False,
                emoji=False,
            )
            self._line_open = not text.endswith("\n")

    def close(self) -> None:
        """End the thinking on a fresh line, so the answer starts cleanly."""
        if self._line_open:
            self._console.print()
            self._line_open = False
