"""AnswerWriter: a streamed answer on stdout (live markdown or raw text), thinking on stderr."""

from __future__ import annotations

import contextlib
import signal
import threading
from typing import TYPE_CHECKING, Literal

from mistral_cli.textsafe import StreamSanitizer

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import FrameType, TracebackType

    from mistral_cli.output import Output
    from mistral_cli.output.markdown_stream import CodeExtractor, MarkdownStream, ThinkingStream

    Handler = Callable[[int, FrameType | None], object] | int | None
    Extract = Literal["all", "last"]

_HELD = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM") if hasattr(signal, name))


class SignalHold:
    """Holds Ctrl-C and SIGTERM back while used as a context manager, between install/uninstall.

    A live area cut mid-write no longer matches what the renderer thinks is on screen, and the
    next redraw would leave a copy of it: so each piece is written whole. A signal outside a
    hold goes at once to the handler that was in place (the CLI's: exit 130 or 143); inside, as
    the hold ends; a second one inside, at once (a write blocked by a stopped terminal).
    Installed once per answer, a hold costs two attribute writes, not four sigaction calls.
    """

    def __init__(self) -> None:
        self._before: dict[int, Handler] = {}
        self._held = False
        self._caught: tuple[int, FrameType | None] | None = None

    def install(self) -> None:
        """Take over the handlers (once; only the main thread gets Python's signal handlers)."""
        if self._before or threading.current_thread() is not threading.main_thread():
            return
        for signum in _HELD:
            self._before[signum] = signal.signal(signum, self._handle)

    def uninstall(self) -> None:
        """Put the handlers back."""
        for signum, handler in self._before.items():
            signal.signal(signum, handler)
        self._before.clear()

    def __enter__(self) -> None:
        self._held = True

    def __exit__(self, *exc: object) -> None:
        self._held = False
        caught, self._caught = self._caught, None
        if caught is not None:
            self._deliver(*caught)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self._held and self._caught is None:
            self._caught = (signum, frame)
        else:
            self._caught = None
            self._deliver(signum, frame)

    def _deliver(self, signum: int, frame: FrameType | None) -> None:
        handler = self._before.get(signum)
        if callable(handler):
            handler(signum, frame)
        elif handler == signal.SIG_DFL:  # the default action: with our handler out of the way
            self.uninstall()
            signal.raise_signal(signum)


class AnswerWriter:
    """Writes one answer as it arrives; use as a context manager (abort on any exception).

    On a terminal (and without --raw) the text is rendered as live markdown; otherwise it is
    written exactly as received, flushed per piece, then ended with a newline if it lacks one.
    Thinking goes to stderr, dimmed on a terminal, or nowhere when `show_thinking` is False.
    Thinking, and the answer on a terminal (rendered or --raw), are sanitised as they stream:
    a control sequence split across pieces is caught too. Piped, the answer is byte-exact.
    With `extract` (-x), only fenced code is printed, plain: each block once its closing fence
    arrives ("all"), or the last block once the answer is complete ("last").
    """

    def __init__(
        self,
        out: Output,
        *,
        markdown: bool | None = None,
        show_thinking: bool = True,
        extract: Extract | None = None,
    ) -> None:
        self._out = out
        self._extract: CodeExtractor | None = None
        self._extract_last = extract == "last"
        self._held = ""  # --extract-last: the latest block, printed once the answer is complete
        self.extracted = 0  # code blocks printed (-x)
        if extract is not None:
            from mistral_cli.output.markdown_stream import CodeExtractor

            self._extract = CodeExtractor()
            markdown = False  # code is printed plain, on a terminal too
        self._markdown = out.is_tty if markdown is None else markdown
        self._show_thinking = show_thinking
        self._signals = SignalHold()  # on a terminal: each piece is drawn whole
        self._stream: MarkdownStream | None = None
        self._thinking: ThinkingStream | None = None
        terminal = self._markdown or out.stdout_is_terminal
        self._safe = StreamSanitizer() if terminal else None  # the answer's
        self._safe_thinking = StreamSanitizer()  # stderr: always
        self._last = ""  # the last character written to stdout (plain mode)
        self._done = False

    def text(self, piece: str) -> None:
        """Write the next piece of the answer."""
        if not piece:
            return
        if self._markdown:
            self._signals.install()
        with self._signals if self._markdown else contextlib.nullcontext():
            self._end_thinking()
            if self._extract is not None:
                self._code(self._extract.feed(piece))
                return
            if self._safe is not None:
                piece = self._safe.feed(piece)
            self._show(piece)

    def _code(self, blocks: list[str]) -> None:
        """-x: print each whole block (or, with --extract-last, keep the latest)."""
        if self._extract_last:
            self._held = blocks[-1] if blocks else self._held
            return
        for block in blocks:
            self._out.write(block)  # sanitised on a terminal
            self.extracted += 1

    @property
    def unclosed_code(self) -> bool:
        """-x: the answer had a code block without its closing fence (not printed)."""
        return self._extract is not None and self._extract.unclosed

    def _show(self, piece: str) -> None:
        if not piece:
            return
        if not self._markdown:
            self._out.write(piece)
            self._last = piece[-1]
            return
        if self._stream is None:
            from mistral_cli.output.markdown_stream import MarkdownStream

            self._stream = MarkdownStream(self._out.console())
        with self._out._pipe_guard():
            self._stream.feed(piece)

    def thinking(self, piece: str) -> None:
        """Write the next piece of thinking to stderr (unless hidden)."""
        if not (piece and self._show_thinking):
            return
        self._show_thinking_text(self._safe_thinking.feed(piece))

    def _show_thinking_text(self, piece: str) -> None:
        if not (piece and self._show_thinking):
            return
        if self._thinking is None:
            from mistral_cli.output.markdown_stream import ThinkingStream

            self._thinking = ThinkingStream(self._out.console(stderr=True))
        try:
            self._thinking.feed(piece)
        except (BrokenPipeError, ValueError):
            self._show_thinking = False  # nobody reads stderr: stop writing there

    def close(self) -> None:
        """The answer is complete: end it cleanly."""
        self._finish(abort=False)

    def abort(self) -> None:
        """The answer was cut short: keep what was shown and end the line."""
        self._finish(abort=True)

    def __enter__(self) -> AnswerWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._finish(abort=kind is not None)

    def _finish(self, *, abort: bool) -> None:
        if self._done:
            return
        self._done = True
        try:
            with self._signals if self._markdown else contextlib.nullcontext():
                self._end(abort=abort)
        finally:
            self._signals.uninstall()

    def _end(self, *, abort: bool) -> None:
        self._end_thinking()
        if self._extract is not None:
            if not abort:  # a cut answer has no last block, and never a half one
                self._code(self._extract.close())
                if self._held:
                    self._out.write(self._held)
                    self.extracted = 1
            return
        if self._safe is not None:
            self._show(self._safe.flush())
        if self._stream is not None:
            with self._out._pipe_guard():
                if abort:
                    self._stream.abort()
                else:
                    self._stream.close()
        elif self._last and self._last != "\n":
            self._out.write("\n")

    def _end_thinking(self) -> None:
        self._show_thinking_text(self._safe_thinking.flush())
        if self._thinking is not None:
            with contextlib.suppress(BrokenPipeError, ValueError):
                self._thinking.close()
            self._thinking = None


def usage_line(
    model: str,
    prompt_tokens: int | None,
    completion_tokens: int | None,
    seconds: float,
    *,
    cost: str | None = None,
) -> str:
    """`mistral-small-latest · 12 in / 7 out tokens · $0.0000033 · 0.41 s`.

    "usage n/a" without counts; "cost n/a" when the model has no known price.
    """
    if prompt_tokens is None or completion_tokens is None:
        return f"{model} · usage n/a · {seconds:.2f} s"
    tokens = f"{prompt_tokens} in / {completion_tokens} out tokens"
    return f"{model} · {tokens} · {cost or 'cost n/a'} · {seconds:.2f} s"
