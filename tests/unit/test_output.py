from __future__ import annotations

import io
import re
import sys

import pytest

from mistral_cli.errors import PipeClosed
from mistral_cli.output import Output
from mistral_cli.output.progress import ProgressReporter


class BrokenStdout(io.StringIO):
    def write(self, s: str) -> int:
        raise BrokenPipeError

    def fileno(self) -> int:
        raise ValueError("no fd in tests")


def test_table_is_tsv_without_header_when_piped(capsys: pytest.CaptureFixture[str]) -> None:
    Output(tty=False).table(("A", "B"), [["x", "y\tz"], ["1", "2"]])
    assert capsys.readouterr().out == "x\ty z\n1\t2\n"


def test_table_has_header_on_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    Output(tty=True).table(("ID", "CONTEXT"), [["mistral-small-latest", "128k"]])
    out = re.sub(r"\x1b\[[0-9;]*m", "", capsys.readouterr().out)
    assert out.splitlines()[0].split() == ["ID", "CONTEXT"]
    assert "mistral-small-latest" in out


def test_raw_forces_plain_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert not Output(raw=True, tty=True).is_tty


def test_fields_aligned_or_tsv(capsys: pytest.CaptureFixture[str]) -> None:
    Output(tty=True).fields([("id", "x"), ("context", "8k")])
    assert capsys.readouterr().out == "id       x\ncontext  8k\n"
    Output(tty=False).fields([("id", "x")])
    assert capsys.readouterr().out == "id\tx\n"


def test_json_and_jsonl(capsys: pytest.CaptureFixture[str]) -> None:
    out = Output()
    out.jsonl({"a": "é"})
    out.json({"b": 1})
    assert capsys.readouterr().out == '{"a":"é"}\n{\n  "b": 1\n}\n'


def test_notices_go_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    out = Output(tty=False)
    out.notice("retrying")
    out.warn("careful")
    out.warn("mistral: warning: already prefixed")
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "retrying\nmistral: warning: careful\nmistral: warning: already prefixed\n"
    )


def test_broken_pipe_becomes_pipe_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", BrokenStdout())
    with pytest.raises(PipeClosed):
        Output().line("x")


def test_plain_progress_lines_only_when_forced() -> None:
    now = [0.0]
    stream = io.StringIO()
    with ProgressReporter("embedding", total=10, plain=stream, clock=lambda: now[0]) as bar:
        bar.advance(3)
        now[0] = 2.5
        bar.advance(2, note="5/s")
    assert stream.getvalue() == "embedding: 5/10 · 5/s\nembedding: 5/10 · 5/s\n"
    assert Output(tty=False).progress("x")._plain is None


def test_progress_bar_on_a_terminal_console() -> None:
    from rich.console import Console

    console = Console(file=io.StringIO(), force_terminal=True, width=80)
    with ProgressReporter("uploading", total=4, console=console) as bar:
        bar.advance(4)
        bar.set_total(4)
    assert "uploading" in console.file.getvalue()  # type: ignore[attr-defined]
