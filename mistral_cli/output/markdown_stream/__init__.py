"""Streamed answers on a terminal: live markdown and thinking.

The names load on first use: the block cutter (_blocks) and the code extractor (_code) can be
used without importing rich.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mistral_cli.output.markdown_stream._code import CodeExtractor
    from mistral_cli.output.markdown_stream._render import (
        CODE_THEME,
        CodeFriendlyMarkdown,
        print_markdown,
    )
    from mistral_cli.output.markdown_stream._stream import MarkdownStream, ThinkingStream

__all__ = [
    "CODE_THEME",
    "CodeExtractor",
    "CodeFriendlyMarkdown",
    "MarkdownStream",
    "ThinkingStream",
    "print_markdown",
]

_HOMES = {
    "CODE_THEME": "_render",
    "CodeExtractor": "_code",
    "CodeFriendlyMarkdown": "_render",
    "MarkdownStream": "_stream",
    "ThinkingStream": "_stream",
    "print_markdown": "_render",
}


def __getattr__(name: str) -> Any:  # noqa: ANN401  # PEP 562: any of the names above
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
