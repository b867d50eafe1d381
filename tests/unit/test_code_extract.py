"""-x: the fenced code of an answer, each block whole, exactly as written, in order."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mistral_cli.output import Output
from mistral_cli.output.answer import AnswerWriter
from mistral_cli.output.markdown_stream import CodeExtractor

ANSWER = (
    "Run this:\n\n"
    "```bash\n"
    "for f in *.txt; do\n"
    '\techo "$f"  \n'  # a tab and trailing spaces, kept
    "done\n"
    "```\n\n"
    "Then, in a list:\n\n"
    "1. Install:\n"
    "   ```sh\n"
    "   pip install x\n"
    "     indented more\n"
    "   ```\n"
    "2. A quote:\n\n"
    "> ~~~\n"
    "> quoted\n"
    "> ~~~\n\n"
    "    indented code is not fenced code\n\n"
    "````md\n"
    "```\n"
    "a fence inside\n"
    "```\n"
    "````\n"
    "```\n"
    "```\n"
    "The end.\n"
)
BLOCKS = [
    'for f in *.txt; do\n\techo "$f"  \ndone\n',
    "pip install x\n  indented more\n",
    "quoted\n",
    "```\na fence inside\n```\n",
]


def extract(pieces: list[str]) -> tuple[list[str], bool]:
    extractor = CodeExtractor()
    found = [block for piece in pieces for block in extractor.feed(piece)]
    return [*found, *extractor.close()], extractor.unclosed


def test_every_fenced_block_in_order_exactly_as_written() -> None:
    assert extract([ANSWER]) == (BLOCKS, False)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=len(ANSWER)), max_size=30))
def test_how_the_answer_is_cut_into_pieces_changes_nothing(cuts: list[int]) -> None:
    edges = [0, *sorted(set(cuts)), len(ANSWER)]
    assert extract([ANSWER[a:b] for a, b in itertools.pairwise(edges)]) == (BLOCKS, False)


def test_a_block_is_given_when_its_closing_fence_line_ends_never_before() -> None:
    extractor = CodeExtractor()
    assert extractor.feed("```sh\necho one\n") == []
    assert extractor.feed("echo two\n```") == []  # the fence line is not finished yet
    assert extractor.feed("\nafter\n") == ["echo one\necho two\n"]
    assert extractor.close() == []


def test_the_last_line_of_the_answer_may_close_a_block() -> None:
    assert extract(["```\nls\n```"]) == (["ls\n"], False)


@pytest.mark.parametrize(
    "answer",
    [
        "Here:\n```sh\nrm -rf build\necho do",  # cut while writing code
        "1. Then:\n   ```sh\n   rm -rf build\n",  # cut inside a list item
    ],
)
def test_a_block_left_open_is_never_given(answer: str) -> None:
    assert extract([answer]) == ([], True)


def test_an_open_block_after_whole_ones_keeps_them() -> None:
    assert extract(["```\nok\n```\n```\nhalf"]) == (["ok\n"], True)


def test_prose_and_empty_blocks_give_nothing() -> None:
    assert extract(["Just words.\n\n```\n```\n\n`inline` code\n"]) == ([], False)


# ---------------------------------------------------------------- the writer


def test_streamed_each_block_is_printed_as_its_fence_closes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with AnswerWriter(Output(tty=False), extract="all") as writer:
        writer.text("Try:\n```sh\necho one\n")
        assert capsys.readouterr().out == ""
        writer.text("```\nand\n```py\nprint(2)\n```\n")
        assert capsys.readouterr().out == "echo one\nprint(2)\n"
        writer.text("Done.")
    assert capsys.readouterr().out == ""
    assert writer.extracted == 2


def test_extract_last_prints_the_last_block_once_the_answer_is_complete(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with AnswerWriter(Output(tty=False), extract="last") as writer:
        writer.text("```\nfirst\n```\n```\nsecond\n```\n")
        assert capsys.readouterr().out == ""
    assert capsys.readouterr().out == "second\n"
    assert writer.extracted == 1


def test_an_answer_cut_short_prints_no_last_block(capsys: pytest.CaptureFixture[str]) -> None:
    writer = AnswerWriter(Output(tty=False), extract="last")
    writer.text("```\nwhole\n```\n")
    writer.abort()
    assert capsys.readouterr().out == ""
    assert writer.extracted == 0


def test_on_a_terminal_code_is_plain_and_sanitised(capsys: pytest.CaptureFixture[str]) -> None:
    with AnswerWriter(Output(tty=True), extract="all") as writer:
        writer.text("# Title\n```python\nprint('\x1b]0;pwned\x07hi')\n```\n")
    assert capsys.readouterr().out == "print('^[]0;pwned^Ghi')\n"  # shown, never obeyed
