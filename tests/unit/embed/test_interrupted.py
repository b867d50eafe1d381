"""An interrupted embed: whole records only, a count that matches the file, the resume command."""

from __future__ import annotations

import io
import signal
from pathlib import Path

import pytest

from mistral_cli.services.embed.batching import Limits
from mistral_cli.services.embed.inputs import Item, read_lines
from mistral_cli.services.embed.interrupted import Watch, interrupted_message, stdin_note
from mistral_cli.services.embed.job import Destination, Source
from mistral_cli.services.embed.runner import run_embed
from mistral_cli.services.embed.writers import JsonlWriter, Tally
from tests.unit.embed.fakes import FakeBackend, text_lines


class SignalledSink(io.StringIO):
    """A sink that receives SIGINT in the middle of the second batch's write."""

    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def write(self, text: str, /) -> int:
        self.writes += 1
        if self.writes == 2:
            signal.raise_signal(signal.SIGINT)
        return super().write(text)


def test_ctrl_c_during_a_write_waits_for_whole_records_and_the_count() -> None:
    sink = SignalledSink()
    tally = Tally(JsonlWriter(sink))
    items = read_lines(text_lines(200))
    with pytest.raises(KeyboardInterrupt):
        run_embed(items, FakeBackend(), tally, limits=Limits(max_inputs=CHUNK_RECORDS * 2))
    lines = sink.getvalue().splitlines(keepends=True)
    assert all(line.endswith("}\n") for line in lines)  # nothing torn
    assert len(lines) == tally.records == CHUNK_RECORDS * 2  # the batch finished, then Ctrl-C
    assert tally.last_line == CHUNK_RECORDS * 2


CHUNK_RECORDS = 32  # JsonlWriter joins this many records per sink write


def test_the_message_for_a_piped_input() -> None:
    said = interrupted_message(
        Path("out.jsonl"), 4200, None, ["embed", "-o", "out.jsonl", "--progress"],
        resumable=True, stdin=", with the same input on stdin",
    )  # fmt: skip
    assert said == (
        "interrupted: 4,200 lines written to out.jsonl; resume with: "
        "mistral embed -o out.jsonl --progress --resume, with the same input on stdin"
    )


def test_the_message_quotes_the_command_and_keeps_one_resume() -> None:
    command = ["embed", "-o", "my out.jsonl", "--resume", "it's"]
    said = interrupted_message(Path("my out.jsonl"), 3, 10, command, resumable=True, stdin="")
    assert said == (
        "interrupted: 3 of 10 lines written to my out.jsonl; resume with: "
        "mistral embed -o 'my out.jsonl' --resume 'it'\"'\"'s'"
    )


def test_nothing_written_is_said_plainly() -> None:
    said = interrupted_message(Path("o.jsonl"), 0, 5, ["embed"], resumable=True, stdin="")
    assert said == "interrupted: nothing was written to o.jsonl"


def test_stdin_note_names_a_redirected_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "in put.txt"
    source.write_text("a\n")
    monkeypatch.chdir(tmp_path)
    with source.open("rb") as stream:
        assert stdin_note(stream) == " < 'in put.txt'"
    monkeypatch.chdir(tmp_path / "work")
    with source.open("rb") as stream:
        assert stdin_note(stream) == f" < '{source}'"
    assert stdin_note(io.BytesIO(b"a\n")) == ", with the same input on stdin"


def test_watch_counts_the_whole_input_and_the_resumed_part(tmp_path: Path) -> None:
    source = tmp_path / "in.txt"
    source.write_text("a\nb\nc\nd\n")
    with source.open("rb") as stream:
        watch = Watch(Source(stream=stream), Destination(path=tmp_path / "o.jsonl"), ["embed"])
        assert watch.message() is None  # before the run began: nothing to say
        stream.read()  # the run reads on; the count starts where it started
        tally = Tally(JsonlWriter(io.StringIO()))
        watch.start(None, tally)
        tally.write([Item(2, None, "b")], [[1.0]])
        assert watch.message() == (
            f"interrupted: 2 of 4 lines written to {tmp_path / 'o.jsonl'}; resume with: "
            f"mistral embed --resume < {source}"
        )
    assert Watch(Source(["x"]), Destination(), ["embed"]).message() is None  # stdout
