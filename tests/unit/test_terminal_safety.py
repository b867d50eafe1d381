"""Server text never drives the terminal: Output, AnswerWriter, progress, describe() and _stderr.

stderr is always sanitised; stdout only when it is a terminal (--raw or not); piped stdout is
byte-exact. The CLI's own styling (dim notices, rich's colours and live redraws) stays.
"""

from __future__ import annotations

import io
import json
import re

import pytest
from rich.console import Console

from mistral_cli import cli
from mistral_cli.errors import CliError, describe
from mistral_cli.output import Output
from mistral_cli.output.answer import AnswerWriter
from mistral_cli.output.progress import ProgressReporter

TITLE = "\x1b]0;pwned\x07"  # OSC 0: retitles the terminal
CLEAR = "\x1b[2J"  # CSI 2J: clears the screen
CLIP = "\x1b]52;c;ZXZpbA==\x1b\\"  # OSC 52: writes the clipboard
EVIL = f"a{TITLE}b{CLEAR}c{CLIP}d\x9b31m\u202ee"
SHOWN = "a^[]0;pwned^Gb^[[2Jc^[]52;c;ZXZpbA==^[\\d<U+009B>31m<U+202E>e"
# what rich itself writes on a terminal: SGR styling, live-area cursor moves, \r
RICH_OWN = re.compile(r"\x1b\[[0-9;?]*[mAKlh]|\r")


def _no_raw_controls(text: str) -> None:
    """Nothing hostile survived: once rich's own codes are removed, no control is left."""
    for sequence in (TITLE, CLEAR, CLIP, "\x1b]", "\x9b", "\u202e"):
        assert sequence not in text
    rest = RICH_OWN.sub("", text)
    assert re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", rest) is None


# ------------------------------------------------------------------ stdout: data


def test_stdout_on_a_terminal_is_sanitised(capsys: pytest.CaptureFixture[str]) -> None:
    Output(tty=True).line(EVIL)
    Output(tty=True, raw=True).line(EVIL)  # --raw on a terminal: plain, but still safe
    assert capsys.readouterr().out == f"{SHOWN}\n{SHOWN}\n"


def test_piped_stdout_is_byte_exact(capsys: pytest.CaptureFixture[str]) -> None:
    out = Output(tty=False)
    out.write(EVIL + "\r\n")
    out.table(("ID",), [[EVIL]])
    out.fields([("id", EVIL)])
    out.jsonl({"id": EVIL})
    assert capsys.readouterr().out == (
        f"{EVIL}\r\n{EVIL}\nid\t{EVIL}\n"
        + json.dumps({"id": EVIL}, ensure_ascii=False, separators=(",", ":"))
        + "\n"
    )


def test_table_cells_on_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    Output(tty=True).table(("ID", "NAME"), [["ok", EVIL]])
    out = capsys.readouterr().out
    _no_raw_controls(out)
    assert "a^[]0;pwned^Gb^[[2Jc" in out.replace("\n", "")


def test_fields_on_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    Output(tty=True).fields([("id", "x"), ("name", EVIL)])
    assert capsys.readouterr().out == f"id    x\nname  {SHOWN}\n"


def test_json_on_a_terminal_is_the_same_json_without_controls(
    capsys: pytest.CaptureFixture[str],
) -> None:
    document = {"id": EVIL, "tags": ["\u2066x\u2069"]}
    out = Output(tty=True)
    out.json(document)
    out.jsonl(document)
    lines = capsys.readouterr().out
    _no_raw_controls(lines)
    pretty, compact = lines[: lines.rindex("{")], lines[lines.rindex("{") :]
    assert json.loads(pretty) == json.loads(compact) == document
    assert "\\u009b31m\\u202ee" in compact


# ------------------------------------------------------------------ stderr: always


def test_stderr_is_sanitised_even_when_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    out = Output(tty=False)
    out.info(EVIL)
    out.notice(EVIL)
    out.warn(EVIL)
    out.debug(EVIL)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"{SHOWN}\n{SHOWN}\nmistral: warning: {SHOWN}\n[debug] {SHOWN}\n"


def test_a_notice_keeps_its_own_dim_styling(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR")
    Output(tty=True).notice(f"model {TITLE}x")
    assert capsys.readouterr().err == "\x1b[2mmodel ^[]0;pwned^Gx\x1b[0m\n"


def test_describe_sanitises_message_hint_and_traceback() -> None:
    error = CliError(f"Invalid model: {TITLE}", hint=f"try {CLEAR}")
    assert describe(error) == "mistral: error: Invalid model: ^[]0;pwned^G\nhint: try ^[[2J"
    try:
        raise ValueError(EVIL)
    except ValueError as bug:
        shown = describe(bug, debug=True)
    _no_raw_controls(shown)
    assert f"ValueError: {SHOWN}" in shown


def test_cli_stderr_is_sanitised(capsys: pytest.CaptureFixture[str]) -> None:
    cli._stderr(f"mistral: error: {CLIP}")
    assert capsys.readouterr().err == "mistral: error: ^[]52;c;ZXZpbA==^[\\\n"


# ------------------------------------------------------------------ streamed answers


def _pieces(text: str, size: int = 3) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def test_raw_answer_on_a_terminal_is_sanitised_across_pieces(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with AnswerWriter(Output(tty=True, raw=True)) as writer:
        for piece in [*_pieces(EVIL), "\r", "\nnext\r"]:
            writer.text(piece)
    assert capsys.readouterr().out == f"{SHOWN}\nnext^M\n"


def test_piped_answer_is_byte_exact(capsys: pytest.CaptureFixture[str]) -> None:
    with AnswerWriter(Output(tty=False)) as writer:
        for piece in [*_pieces(EVIL), "\r", "\nnext\r"]:
            writer.text(piece)
    assert capsys.readouterr().out == f"{EVIL}\r\nnext\r\n"


def test_rendered_answer_is_sanitised(capsys: pytest.CaptureFixture[str]) -> None:
    with AnswerWriter(Output(tty=True)) as writer:
        for piece in _pieces(f"# Title {TITLE}\n\nText {EVIL} end.\n\n```\n{CLEAR}code\n```\n"):
            writer.text(piece)
    out = capsys.readouterr().out
    _no_raw_controls(out)
    assert "Text a^[]0;pwned^Gb^[[2Jc" in out
    assert "^[[2Jcode" in out


def test_thinking_is_sanitised_across_pieces(capsys: pytest.CaptureFixture[str]) -> None:
    with AnswerWriter(Output(tty=False)) as writer:
        for piece in _pieces(EVIL + "\r"):
            writer.thinking(piece)
        writer.text("ok")
    captured = capsys.readouterr()
    assert captured.err == f"{SHOWN}^M\n"
    assert captured.out == "ok\n"


# ------------------------------------------------------------------ progress labels


def test_progress_label_and_note_are_sanitised_and_not_markup() -> None:
    console = Console(file=io.StringIO(), force_terminal=True, width=100)
    with ProgressReporter(f"[/x]{TITLE}.jsonl", total=2, console=console) as bar:
        bar.advance(1, note=f"{CLEAR}[bold]")
    shown = console.file.getvalue()  # type: ignore[attr-defined]  # the StringIO above
    _no_raw_controls(shown)
    assert "[/x]^[]0;pwned^G.jsonl" in shown
    assert "^[[2J[bold]" in shown


def test_plain_progress_lines_are_sanitised() -> None:
    stream = io.StringIO()
    with ProgressReporter(f"up {TITLE}", total=1, plain=stream) as bar:
        bar.advance(1, note=CLEAR)
    assert stream.getvalue() == "up ^[]0;pwned^G: 1/1 · ^[[2J\n"
