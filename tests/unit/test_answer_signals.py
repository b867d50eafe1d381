"""Ctrl-C during a redraw is handled once the redraw is written: the screen never shows a copy."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

import pytest

from mistral_cli.errors import Interrupted
from mistral_cli.output import Output, answer
from mistral_cli.output.answer import AnswerWriter, SignalHold
from mistral_cli.output.markdown_stream import _render
from tests.unit.test_markdown_stream import terminal


@contextlib.contextmanager
def held() -> Iterator[SignalHold]:
    """A hold installed over the current handlers, in force for the block."""
    hold = SignalHold()
    hold.install()
    try:
        with hold:
            yield hold
    finally:
        hold.uninstall()


@pytest.fixture
def log() -> Iterator[list[str]]:
    """What happened, in order; SIGINT is the CLI's handler (raises Interrupted) meanwhile."""
    happened: list[str] = []

    def interrupted(signum: int, frame: FrameType | None) -> None:
        happened.append("signal")
        raise Interrupted

    before = signal.signal(signal.SIGINT, interrupted)
    yield happened
    signal.signal(signal.SIGINT, before)


def test_ctrl_c_in_the_middle_of_a_redraw_waits_for_its_end(
    log: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    draw = _render.LiveArea.__rich_console__

    def drawing(self: _render.LiveArea, console: Any, options: Any) -> Any:
        log.append("draw")
        if log.count("draw") == 1:
            signal.raise_signal(signal.SIGINT)  # Ctrl-C now, half-way through
        yield from draw(self, console, options)
        log.append("drawn")

    monkeypatch.setattr(_render.LiveArea, "__rich_console__", drawing)
    with pytest.raises(Interrupted), AnswerWriter(Output(tty=True)) as writer:
        writer.text("First.\n\nThe partial li")
    assert log[:3] == ["draw", "drawn", "signal"]
    assert terminal(capsys.readouterr().out) == ["First.", "", "The partial li"]


def test_a_second_ctrl_c_acts_at_once(log: list[str]) -> None:
    def twice() -> None:
        with held():
            signal.raise_signal(signal.SIGINT)
            log.append("held")
            signal.raise_signal(signal.SIGINT)
            log.append("not reached")

    with pytest.raises(Interrupted):
        twice()
    assert log == ["held", "signal"]
    assert getattr(signal.getsignal(signal.SIGINT), "__name__", None) == "interrupted"  # put back


def test_outside_a_hold_a_signal_acts_at_once(log: list[str]) -> None:
    hold = SignalHold()
    hold.install()
    try:
        with pytest.raises(Interrupted):
            signal.raise_signal(signal.SIGINT)
        assert log == ["signal"]
    finally:
        hold.uninstall()


def test_nothing_held_nothing_delivered(log: list[str]) -> None:
    with held():
        log.append("quiet")
    assert log == ["quiet"]


def test_an_ignored_signal_stays_ignored() -> None:
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with held():
            signal.raise_signal(signal.SIGINT)
        assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before)


def test_a_default_action_is_taken_once_the_block_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    raised: list[tuple[int, object]] = []
    before = signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        with held():
            signal.raise_signal(signal.SIGTERM)  # held: our handler is in place
            monkeypatch.setattr(
                signal,
                "raise_signal",
                lambda signum: raised.append((signum, signal.getsignal(signum))),
            )
        assert raised == [(signal.SIGTERM, signal.SIG_DFL)]  # raised again, ours out of the way
    finally:
        signal.signal(signal.SIGTERM, before)


def test_other_threads_hold_nothing() -> None:
    seen: list[object] = []

    def run() -> None:
        with held():
            seen.append(signal.getsignal(signal.SIGINT))

    before = signal.getsignal(signal.SIGINT)
    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert seen == [before]


def test_piped_answers_hold_no_signal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def forbidden(self: SignalHold) -> None:
        raise AssertionError("held")

    monkeypatch.setattr(answer.SignalHold, "install", forbidden)
    monkeypatch.setattr(answer.SignalHold, "__enter__", forbidden)
    with AnswerWriter(Output(tty=False)) as writer:
        writer.text("plain")
    assert capsys.readouterr().out == "plain\n"


def test_the_handlers_are_put_back_after_the_answer(log: list[str]) -> None:
    before = signal.getsignal(signal.SIGINT)
    with AnswerWriter(Output(tty=True)) as writer:
        writer.text("x")
        assert signal.getsignal(signal.SIGINT) != before
    assert signal.getsignal(signal.SIGINT) == before
