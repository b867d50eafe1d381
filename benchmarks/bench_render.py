"""CPU time per token of the streaming markdown renderer, and the first token's latency.

Run: /work/venv/bin/python benchmarks/bench_render.py

Answers of ~1k and ~10k tokens (a token taken as ~4 characters) are fed in 4-character deltas
to a MarkdownStream on a terminal console that writes to memory. The clock is simulated at 50
tokens/s, so the live area redraws as on a real terminal (at most 30 times a second); a second
run redraws after every token (min_redraw_interval=0), the worst case. A flat renderer shows a
10k/1k ratio near 1. On a terminal each piece is also written with Ctrl-C held back
(AnswerWriter: a redraw is never cut in half); that hold's own cost is measured apart.
"""

from __future__ import annotations

import io
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.console import Console

from mistral_cli.output.answer import SignalHold
from mistral_cli.output.markdown_stream import MarkdownStream

WIDTH, HEIGHT = 100, 40
TOKEN_RATE = 50.0  # tokens per second, for the simulated clock


class _FirstWrite(io.StringIO):
    """Remembers when the first token's text was written (not the cursor-hiding code before it)."""

    first_write: float | None = None

    def write(self, text: str) -> int:
        if self.first_write is None and "Hello" in text:
            self.first_write = time.perf_counter()
        return super().write(text)


def _console(file: io.StringIO) -> Console:
    return Console(
        file=file,
        force_terminal=True,
        force_interactive=True,
        width=WIDTH,
        height=HEIGHT,
        color_system="truecolor",
        markup=False,
        emoji=False,
        highlight=False,
    )


def _words(rng: random.Random, count: int) -> str:
    vocabulary = ["the", "a", "model", "token", "stream", "**bold**", "`code`", "terminal", "list"]
    return " ".join(rng.choice(vocabulary) for _ in range(count))


def mixed_answer(tokens: int, seed: int = 1) -> str:
    """An answer like a chat model's: headings, paragraphs, lists and code, ~4 chars a token."""
    rng = random.Random(seed)
    parts: list[str] = []
    while sum(map(len, parts)) < tokens * 4:
        kind = rng.randrange(5)
        if kind == 0:
            parts.append(f"## {_words(rng, 4)}\n\n")
        elif kind == 1:
            parts.append("\n".join(f"- {_words(rng, 12)}" for _ in range(5)) + "\n\n")
        elif kind == 2:
            parts.append("\n".join(f"{n}. {_words(rng, 10)}" for n in range(1, 5)) + "\n\n")
        elif kind == 3:
            code = "\n".join(f"    value_{n} = compute({n}, 'x')" for n in range(12))
            parts.append(f"```python\ndef f():\n{code}\n```\n\n")
        else:
            parts.append(_words(rng, 70) + "\n\n")
    return "".join(parts)


def paragraphs_answer(tokens: int) -> str:
    """Only paragraphs of ~70 words."""
    rng = random.Random(2)
    return "".join(_words(rng, 70) + "\n\n" for _ in range(tokens * 4 // 420 + 1))


def code_answer(tokens: int) -> str:
    """One long code fence."""
    lines = (f"    result_{n} = transform(items[{n}])" for n in range(tokens * 4 // 36 + 1))
    return "```python\n" + "\n".join(lines) + "\n```\n"


def cpu_per_token(text: str, interval: float) -> tuple[float, int]:
    """CPU seconds per token feeding `text` in 4-char deltas, and the number of tokens."""
    deltas = [text[i : i + 4] for i in range(0, len(text), 4)]
    now = [0.0]
    stream = MarkdownStream(
        _console(io.StringIO()), min_redraw_interval=interval, clock=lambda: now[0]
    )
    start = time.process_time()
    for delta in deltas:
        now[0] += 1 / TOKEN_RATE
        stream.feed(delta)
    stream.close()
    return (time.process_time() - start) / len(deltas), len(deltas)


def first_token_latency() -> float:
    """Seconds from feed() of the first token to its text being written to the terminal."""
    file = _FirstWrite()
    stream = MarkdownStream(_console(file))
    start = time.perf_counter()
    stream.feed("Hello")
    assert file.first_write is not None
    stream.close()
    return file.first_write - start


def held_signals_cost(rounds: int = 20000) -> float:
    """Seconds to hold Ctrl-C and SIGTERM back around one piece, and let them go."""
    hold = SignalHold()
    hold.install()
    try:
        start = time.perf_counter()
        for _ in range(rounds):
            with hold:
                pass
        return (time.perf_counter() - start) / rounds
    finally:
        hold.uninstall()


def main(argv: list[str] | None = None) -> list[tuple[str, str, str]]:
    """Print the figures; return the table rows for run_all.py."""
    rows: list[tuple[str, str, str]] = []
    latency = first_token_latency()  # first: nothing rendered yet in this process
    print(f"first token: feed() to first write {latency * 1000:.2f} ms (cold, imports excluded)")
    print(f"second stream: {first_token_latency() * 1000:.2f} ms")
    for name, make in (("mixed", mixed_answer), ("paragraphs", paragraphs_answer),
                       ("one code fence", code_answer)):  # fmt: skip
        for label, interval in (("redraw ≤30/s", 1 / 30), ("redraw every token", 0.0)):
            small, small_n = cpu_per_token(make(1000), interval)
            large, large_n = cpu_per_token(make(10000), interval)
            print(
                f"{name:15} {label:19} {small_n:6} tokens: {small * 1e6:6.1f} µs/token   "
                f"{large_n:6} tokens: {large * 1e6:6.1f} µs/token   ratio {large / small:.2f}"
            )
            rows.append((f"render CPU/token 10k vs 1k, {name}, {label}", f"{large / small:.2f}x",
                         "<= 2x"))  # fmt: skip
    held = held_signals_cost()
    print(f"Ctrl-C held around a piece: {held * 1e6:.1f} µs")
    rows.insert(0, ("first token on screen after its arrival", f"{latency * 1000:.2f} ms",
                    "<= 15 ms"))  # fmt: skip
    rows.append(("Ctrl-C held around each piece on a terminal", f"{held * 1e6:.1f} µs", "<= 2 µs"))
    return rows


if __name__ == "__main__":
    main()
