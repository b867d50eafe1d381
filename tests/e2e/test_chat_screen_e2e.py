"""What a person sees: the installed `mistral chat` on a 24x80 pseudo-terminal, read off a screen.

The pty's bytes go through pyte, a VT100 screen model, so the assertions are on the rows the
terminal shows after every redraw, wrap and erase: a poem keeps its lines, a code block sits
under its language, list numbers stay as written, a table has one blank line around it, and
Ctrl-C in the middle of an answer leaves its partial line once.
"""

from __future__ import annotations

from pathlib import Path

import pexpect
import pyte
import pytest

from tests.e2e.conftest import base_env, mistral_executable
from tests.fakes.chat import Reply
from tests.fakes.faults import Fault
from tests.fakes.router import FakeMistral
from tests.fakes.server import FakeServer
from tests.unit.test_markdown_stream import rows_of

pytestmark = pytest.mark.e2e
ROWS, COLUMNS = 24, 80
CHAT = "POST /v1/chat/completions"
ANSWER = (
    "Roses are red,\nviolets are blue,\nsugar is sweet.\n\n"
    'Try it:\n```python\nprint("and so are you")\n```\n\n'
    "3. third\n4. fourth\n\n"
    "| name | size |\n|------|-----:|\n| a | 1 |\n| bb | 22 |\n\n"
    "The end.\n"
)


class Terminal:
    """`mistral ARGV` on a pty of ROWS x COLUMNS, its output kept on a pyte screen."""

    def __init__(self, server: FakeServer, key: str, tmp_path: Path, *argv: str) -> None:
        env = {**base_env(tmp_path, server, key), "TERM": "xterm-256color"}
        self.child = pexpect.spawn(
            mistral_executable(), list(argv), env=env, dimensions=(ROWS, COLUMNS), timeout=30
        )
        self.screen = pyte.Screen(COLUMNS, ROWS)
        self._stream = pyte.ByteStream(self.screen)

    def wait_for(self, text: str) -> None:
        """Read until `text` is on the screen."""
        while text not in "\n".join(self.rows()):
            self._stream.feed(self.child.read_nonblocking(4096, timeout=30))

    def finish(self) -> int:
        """Read to the end; the exit status (128 + signal number when killed by one)."""
        self._stream.feed(self.child.read())
        self.child.close()
        status = self.child.exitstatus
        return status if status is not None else 128 + self.child.signalstatus

    def rows(self) -> list[str]:
        """The screen's rows, trailing blanks and blank rows at the bottom dropped."""
        return rows_of(self.screen)


def test_an_answer_looks_as_in_a_chat_ui(
    fake: FakeMistral, fake_server: FakeServer, tmp_path: Path
) -> None:
    fake.chat.replies.append(Reply(text=ANSWER, chunk_size=3))
    shell = Terminal(fake_server, fake.api_key, tmp_path, "chat", "--no-save", "a poem")
    assert shell.finish() == 0
    rows = shell.rows()
    assert rows[-1].startswith("mistral-small-latest · ")  # the usage line, on stderr
    assert rows[:-1] == [
        "Roses are red,",
        "violets are blue,",
        "sugar is sweet.",
        "",
        "Try it:",
        "",
        "python",
        'print("and so are you")',
        "",
        " 3. third",
        " 4. fourth",
        "",
        "name  size",
        "──────────",
        "a        1",
        "bb      22",
        "",
        "The end.",
    ]


def test_ctrl_c_mid_answer_leaves_the_partial_line_once(
    fake: FakeMistral, fake_server: FakeServer, tmp_path: Path
) -> None:
    text = "A finished paragraph.\n\n" + "The quick brown fox jumps over the lazy dog. " * 6
    fake.chat.replies.append(Reply(text=text, chunk_size=4))
    fake.inject(CHAT, Fault.slow(0.2))
    shell = Terminal(fake_server, fake.api_key, tmp_path, "chat", "--no-save", "go")
    shell.wait_for("The quick brown")
    shell.child.sendintr()
    assert shell.finish() == 130
    rows = shell.rows()
    assert rows[0] == "A finished paragraph."
    assert rows[1] == ""
    assert rows[2].startswith("The quick brown")
    assert sum("The quick" in row for row in rows) == 1
    assert "^C" not in "\n".join(rows)
