"""Throughput of the terminal sanitiser, whole and per streamed delta.

Run: /work/venv/bin/python benchmarks/bench_textsafe.py

Whole texts of ~1 MB (clean ASCII, clean CJK and emoji, one control every 20 characters) go
through sanitize(); a ~100k-character answer goes through StreamSanitizer in 4-character
deltas (the size of a streamed token), the way AnswerWriter feeds it. Best of 5 runs.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mistral_cli.textsafe import StreamSanitizer, sanitize

if TYPE_CHECKING:
    from collections.abc import Callable

RUNS = 5


def best(work: Callable[..., object], *args: object) -> float:
    """Best wall time of RUNS calls of work(*args), seconds."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        work(*args)
        times.append(time.perf_counter() - start)
    return min(times)


def streamed(pieces: list[str]) -> None:
    """Feed every piece through one StreamSanitizer."""
    safe = StreamSanitizer()
    for piece in pieces:
        safe.feed(piece)
    safe.flush()


def main() -> list[tuple[str, str]]:
    """Print and return (case, figure) rows."""
    texts = {
        "clean ASCII": "The model streams plain text, mostly.\n" * 26_000,
        "clean CJK + emoji": "日本語のテキストと絵文字😀 ok\n" * 50_000,
        "a control every 20 chars": "nineteen characters\x1b" * 50_000,
    }
    rows = []
    for name, text in texts.items():
        size = len(text.encode())
        seconds = best(sanitize, text)
        rows.append((f"sanitize, {name}", f"{size / seconds / 1e6:,.0f} MB/s"))
    answer = "Tokens of an answer, " * 5_000
    pieces = [answer[i : i + 4] for i in range(0, len(answer), 4)]
    seconds = best(streamed, pieces)
    rows.append(("StreamSanitizer, 4-char deltas", f"{seconds / len(pieces) * 1e9:,.0f} ns/delta"))
    for case, figure in rows:
        print(f"{case:45} {figure}")
    return rows


if __name__ == "__main__":
    main()
