"""The fenced code of streamed markdown, block by block, for `mistral chat -x` (no rich)."""

from __future__ import annotations

import re

from mistral_cli.output.markdown_stream._blocks import (
    PARSER,
    Block,
    Blocks,
    CodeLine,
    Event,
    FenceClose,
    FenceOpen,
)

# A closing fence, possibly inside a blockquote: only its characters and their count matter.
_CLOSER = re.compile(r"[ \t>]*(`{3,}|~{3,})[ \t]*")


class CodeExtractor:
    """Takes an answer piece by piece; returns each fenced code block once it is whole.

    A block is whole when its closing fence arrives: its text is returned exactly as written
    (each line with its newline, the fence's own indentation removed as CommonMark does), never
    half of it. A fence inside a list item or a quote is returned when markdown-it has the whole
    item. A fence the answer leaves open (cut by --max-tokens, say) is never returned: `unclosed`
    says so after `close()`. Indented code (no fence) is not fenced code: left out. Empty
    blocks have nothing to print: left out too.
    """

    def __init__(self) -> None:
        self._blocks = Blocks()
        self._code: list[str] | None = None  # the lines of the open top-level fence
        self.unclosed = False

    def feed(self, text: str) -> list[str]:
        """The next piece of the answer; the blocks it completed, in order."""
        return self._take(self._blocks.feed(text))

    def close(self) -> list[str]:
        """The end of the answer: the blocks completed by its last line."""
        found = self._take(self._blocks.flush())
        if self._code is not None:  # flush() never closes a fence: the answer ended inside it
            self.unclosed = True
            self._code = None
        return found

    def _take(self, events: list[Event]) -> list[str]:
        found: list[str] = []
        for event in events:
            if isinstance(event, FenceOpen):
                self._code = []
            elif isinstance(event, CodeLine):
                if self._code is not None:
                    self._code.append(event.text + "\n")
            elif isinstance(event, FenceClose):
                code, self._code = "".join(self._code or ()), None
                if code:
                    found.append(code)
            elif isinstance(event, Block):
                found.extend(self._nested(event.text))
        return found

    def _nested(self, text: str) -> list[str]:
        """The fences markdown-it finds in a finished block (in lists and quotes)."""
        if "```" not in text and "~~~" not in text:  # most blocks: no parse
            return []
        lines = text.split("\n")
        found: list[str] = []
        for token in PARSER.parse(text):
            if token.type != "fence" or token.map is None:
                continue
            start, end = token.map
            closer = _CLOSER.fullmatch(lines[end - 1]) if end - 1 > start else None
            if closer is None or not closer.group(1).startswith(token.markup):
                self.unclosed = True  # it ran to the end of its item or of the answer
            elif token.content:
                found.append(token.content)
        return found
