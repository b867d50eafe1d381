"""The REPL's /attach: files checked when attached, sent with the next message, then gone."""

from __future__ import annotations

import base64
from pathlib import Path

import httpx
import pytest

from mistral_cli.commands._chat_ui import ChatOptions
from mistral_cli.context import AppContext
from tests.fakes.router import FakeMistral
from tests.support import make_context
from tests.unit.test_repl_commands import CHAT, HEADER, repl, saved

PNG = b"\x89PNG\r\n\x1a\n" + bytes(8)


@pytest.fixture
def actx(fake_transport: httpx.MockTransport) -> AppContext:
    return make_context(fake_transport)


@pytest.fixture
def work(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    (folder / "a photo.png").write_bytes(PNG)
    (folder / "notes.txt").write_text("n", encoding="utf-8")
    return folder


def contents(fake: FakeMistral) -> list[object]:
    return [request.json()["messages"][-1]["content"] for request in fake.requests_to(CHAT)]


def test_attached_files_go_with_the_next_message_only(
    fake: FakeMistral, actx: AppContext, work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repl(actx, "/attach", "/attach 'a photo.png' notes.txt", "/attach",
         "What is it?", "And now?")  # fmt: skip
    image = "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert contents(fake) == [
        [
            {"type": "text", "text": "What is it?"},
            {"type": "image_url", "image_url": image},
            {"type": "text", "text": "notes.txt:\n```\nn\n```"},
        ],
        "And now?",
    ]
    err = capsys.readouterr().err
    assert err == (
        HEADER + "nothing attached; /attach PATH adds a file to your next message\n"
        "attached: a photo.png (image, 16 bytes)\n"
        "attached: notes.txt (text, 1 byte)\n"
        "they go with your next message (/attach clear drops them)\n"
        "attached: a photo.png (image, 16 bytes)\n"
        "attached: notes.txt (text, 1 byte)\n" + saved(actx)
    )


def test_clear_drops_them_and_a_bad_file_is_said_at_once(
    fake: FakeMistral, actx: AppContext, work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (work / "blob.bin").write_bytes(b"\x00\x01")
    repl(actx, "/attach notes.txt", "/attach clear", "/attach clear",
         "/attach blob.bin", "/attach 'open", "hi")  # fmt: skip
    assert contents(fake) == ["hi"]
    err = capsys.readouterr().err
    assert err == (
        HEADER + "attached: notes.txt (text, 1 byte)\n"
        "they go with your next message (/attach clear drops them)\n"
        "attachments cleared\n"
        "nothing was attached\n"
        "mistral: error: /attach blob.bin: not an image, a PDF or UTF-8 text\n"
        "hint: images (PNG, JPEG, WebP, GIF), PDFs, UTF-8 text files or http(s) URLs\n"
        "mistral: error: /attach: No closing quotation\n"
        "hint: quote a name with spaces\n" + saved(actx)
    )


def test_a_refused_turn_keeps_the_attachments(
    fake: FakeMistral, actx: AppContext, work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    opts = ChatOptions(model="codestral-latest")
    repl(actx, "/attach 'a photo.png'", "Look", "/model mistral-small", "Look", opts=opts)
    assert len(contents(fake)) == 1
    assert contents(fake)[0][1]["type"] == "image_url"  # type: ignore[index]
    out, err = capsys.readouterr()
    assert out == "Echo: Look [image]\n"
    assert err == (
        "codestral-latest · new conversation · /help for commands, Ctrl-D to leave\n"
        "attached: a photo.png (image, 16 bytes)\n"
        "they go with your next message (/attach clear drops them)\n"
        "mistral: error: codestral-latest cannot read images (no vision capability)\n"
        "hint: use -m with one that can: "
        "mistral-large-latest, mistral-medium-latest, mistral-small-latest\n"
        "model: mistral-small-latest\n" + saved(actx)
    )
