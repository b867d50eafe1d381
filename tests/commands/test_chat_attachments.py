"""`chat -a/--attach`: images, PDFs and text files in, their limits, and resending them on -c."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import httpx
import pytest

from mistral_cli.services import attachments
from mistral_cli.services.conversations import ConversationStore
from tests.fakes.files import FilesFake
from tests.fakes.router import FakeMistral
from tests.support import Result, invoke, make_context

CHAT = "POST /v1/chat/completions"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(24)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Page >> endobj\n2 0 obj << /Type /Pages >> endobj\n%%EOF\n"
PNG_URL = "data:image/png;base64," + base64.b64encode(PNG).decode()


def chat(fake_transport: httpx.MockTransport, *argv: str) -> Result:
    return invoke(["chat", *argv], make_context(fake_transport))


def bodies(fake: FakeMistral) -> list[dict[str, object]]:
    return [request.json() for request in fake.requests_to(CHAT)]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def uploads(fake: FakeMistral) -> int:
    return len(fake.requests_to("POST /v1/files"))


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """A folder with one file of each kind (and one of none)."""
    folder = tmp_path / "work"
    (folder / "photo.png").write_bytes(PNG)
    (folder / "report.pdf").write_bytes(PDF)
    (folder / "notes.txt").write_text("one\n```two```\n", encoding="utf-8")
    (folder / "blob.bin").write_bytes(b"\x00\x01\x02binary")
    return folder


def store(tmp_path: Path) -> ConversationStore:
    return ConversationStore.open(tmp_path / "home" / "data")


# ---------------------------------------------------------------- each kind


def test_an_image_goes_as_a_data_url_after_the_prompt(
    fake: FakeMistral, fake_transport: httpx.MockTransport, files: Path
) -> None:
    result = chat(fake_transport, "-a", "photo.png", "What is this?")
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        "Echo: What is this? [image]\n",
        "",
    )
    (body,) = bodies(fake)
    assert body["messages"] == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is this?"},
                {"type": "image_url", "image_url": PNG_URL},
            ],
        }
    ]


def test_a_text_file_is_inlined_under_its_name_in_a_fence_longer_than_its_backticks(
    fake: FakeMistral, fake_transport: httpx.MockTransport, files: Path
) -> None:
    result = chat(fake_transport, "--attach", "notes.txt", "Summarise.")
    assert result.exit_code == 0, result.stderr
    assert bodies(fake)[0]["messages"] == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Summarise."},
                {"type": "text", "text": "notes.txt:\n````\none\n```two```\n````"},
            ],
        }
    ]


def test_a_pdf_is_uploaded_for_ocr_and_sent_by_its_signed_url_then_reused(
    fake: FakeMistral, fake_transport: httpx.MockTransport, files: Path
) -> None:
    first = chat(fake_transport, "-a", "report.pdf", "Key figures?")
    assert (first.exit_code, first.stdout) == (0, "Echo: Key figures? [document report.pdf]\n")
    (stored_file,) = fake.module(FilesFake).files.values()
    assert (stored_file.purpose, stored_file.content) == ("ocr", PDF)
    assert stored_file.filename == f"report.{sha256(PDF)[:12]}.pdf"  # found again by its hash
    short = stored_file.id[:8]
    assert first.stderr == f"uploaded report.pdf (file {short}…)\n"
    (chunk,) = [c for c in bodies(fake)[0]["messages"][0]["content"] if c["type"] != "text"]  # type: ignore[index]
    assert chunk["document_name"] == "report.pdf"
    assert chunk["document_url"].startswith(f"https://files.fake.test/{stored_file.id}?")
    assert fake.requests_to(f"GET /v1/files/{stored_file.id}/url")[0].query == {"expiry": ["24"]}

    again = chat(fake_transport, "--no-save", "-a", "report.pdf", "And the totals?")
    assert again.exit_code == 0, again.stderr
    assert again.stderr == f"report.pdf: identical file already uploaded (file {short}…), reused\n"
    assert uploads(fake) == 1


def test_urls_are_passed_through(fake: FakeMistral, fake_transport: httpx.MockTransport) -> None:
    result = chat(
        fake_transport,
        "-a", "https://example.com/cat.jpg",
        "-a", "https://example.com/paper.PDF?dl=1",
        "Compare.",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert bodies(fake)[0]["messages"][0]["content"] == [  # type: ignore[index]
        {"type": "text", "text": "Compare."},
        {"type": "image_url", "image_url": "https://example.com/cat.jpg"},
        {
            "type": "document_url",
            "document_url": "https://example.com/paper.PDF?dl=1",
            "document_name": "paper.PDF",
        },
    ]
    assert uploads(fake) == 0


# ---------------------------------------------------------------- refusals, before anything is sent


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["-a", "blob.bin"],
            f"--attach blob.bin: not an image, a PDF or UTF-8 text\nhint: {attachments.ACCEPTED}",
        ),
        (["-a", "missing.png"], "--attach missing.png: cannot read it (No such file or directory)"),
        (["-a", "ftp://example.com/x.png"], "--attach ftp://example.com/x.png: only http(s) URLs"),
        (["-a", "."], "--attach .: not a regular file"),
        (
            ["-a", "photo.png"] * 9,
            "9 images in one request, over the limit of 8 (the conversation's earlier images "
            "are sent again)\nhint: attach fewer images, or start a new conversation",
        ),
        (
            ["-m", "codestral-latest", "-a", "report.pdf", "-a", "photo.png"],
            "codestral-latest cannot read images (no vision capability)\n"
            "hint: use -m with one that can: mistral-large-latest, mistral-medium-latest, "
            "mistral-small-latest",
        ),
    ],
)
def test_what_cannot_be_sent_is_refused_before_any_request_or_upload(
    fake: FakeMistral,
    fake_transport: httpx.MockTransport,
    files: Path,
    argv: list[str],
    message: str,
) -> None:
    result = chat(fake_transport, *argv, "Look.")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"mistral: error: {message}"), result.stderr
    assert (bodies(fake), uploads(fake)) == ([], 0)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "big.png",
            PNG + bytes(attachments.IMAGE_MAX_BYTES),
            "--attach big.png: over the 10 MiB limit for images\n"
            "hint: Mistral takes images up to 10 MB; scale it down or save it as JPEG",
        ),
        (
            "long.txt",
            b"x" * (attachments.TEXT_MAX_BYTES + 1),
            "--attach long.txt: over the 512 KiB limit for text files",
        ),
        (
            "thick.pdf",
            b"%PDF-1.7\n" + b"<< /Type /Page >>\n" * 1001,
            "--attach thick.pdf: 1,001 pages, over the 1,000-page limit for PDFs\n"
            "hint: Mistral reads PDFs up to 50 MB and 1,000 pages; split it",
        ),
        ("empty.txt", b"", "--attach empty.txt: the file is empty"),
        ("latin1.txt", "café".encode("latin-1"), "--attach latin1.txt: not an image"),
    ],
)
def test_limits_are_checked_locally(
    fake: FakeMistral,
    fake_transport: httpx.MockTransport,
    files: Path,
    name: str,
    data: bytes,
    message: str,
) -> None:
    (files / name).write_bytes(data)
    result = chat(fake_transport, "-a", name, "Look.")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"mistral: error: {message}"), result.stderr
    assert fake.requests == []  # not even the model list: the file is read first


def test_a_pdf_over_50_mb_is_refused_without_reading_on(
    fake: FakeMistral, fake_transport: httpx.MockTransport, files: Path
) -> None:
    with (files / "huge.pdf").open("wb") as handle:
        handle.write(PDF)
        handle.truncate(attachments.PDF_MAX_BYTES + 1)
    result = chat(fake_transport, "-a", "huge.pdf", "Look.")
    assert result.exit_code == 2
    assert "--attach huge.pdf: over the 50 MiB limit for PDFs" in result.stderr
    assert fake.requests == []


def test_images_already_in_the_conversation_count_and_need_vision(
    fake: FakeMistral, fake_transport: httpx.MockTransport, files: Path
) -> None:
    assert chat(fake_transport, *["-a", "photo.png"] * 5, "Five.").exit_code == 0
    too_many = chat(fake_transport, "-c", *["-a", "photo.png"] * 4, "Four more.")
    assert too_many.exit_code == 2
    assert "9 images in one request, over the limit of 8" in too_many.stderr
    blind = chat(fake_transport, "-c", "-m", "ministral-8b-latest", "And now?")
    assert blind.exit_code == 2
    assert "ministral-8b-latest cannot read images" in blind.stderr
    assert len(bodies(fake)) == 1


# ---------------------------------------------------------------- saved and sent again


def test_continuing_resends_the_same_image_and_a_fresh_url_for_the_pdf(
    fake: FakeMistral, fake_transport: httpx.MockTransport, files: Path, tmp_path: Path
) -> None:
    first = chat(fake_transport, "-a", "photo.png", "-a", "report.pdf", "-a", "notes.txt", "Q1")
    assert first.exit_code == 0, first.stderr
    fake.module(FilesFake).clock = lambda: 4_000_000_000.0  # the first URL has expired since
    second = chat(fake_transport, "-c", "Q2")
    assert second.exit_code == 0, second.stderr
    one, two = bodies(fake)
    asked_first = one["messages"][0]["content"]  # type: ignore[index]
    resent = two["messages"][0]["content"]  # type: ignore[index]
    assert [c["type"] for c in resent] == ["text", "image_url", "document_url", "text"]
    assert resent[1] == asked_first[1] == {"type": "image_url", "image_url": PNG_URL}
    assert resent[3] == asked_first[3]
    assert resent[2]["document_url"] != asked_first[2]["document_url"]  # fetched again
    assert fake.module(FilesFake).signed == 2
    assert uploads(fake) == 1

    saved = store(tmp_path)
    (conversation,) = saved.summaries()
    question = saved.messages(conversation.id)[0]
    assert question.content == "Q1"
    assert saved.blob(sha256(PNG)) is not None
    assert saved._db.execute("SELECT COUNT(*) FROM blobs").fetchone() == (1,)
    assert PNG_URL.split(",")[1] not in (question.parts or "")  # the bytes are kept once


def test_a_pdf_gone_from_the_server_is_left_out_with_a_warning(
    fake: FakeMistral, fake_transport: httpx.MockTransport, files: Path
) -> None:
    assert chat(fake_transport, "-a", "report.pdf", "Q1").exit_code == 0
    (stored_file,) = fake.module(FilesFake).files.values()
    fake.module(FilesFake).expire(stored_file.id)
    result = chat(fake_transport, "-c", "Q2")
    assert (result.exit_code, result.stdout) == (0, "Echo: Q2\n")
    assert result.stderr == (
        f"mistral: warning: report.pdf (file {stored_file.id}) is no longer on the server; "
        "it was left out of the conversation sent\n"
    )
    assert bodies(fake)[1]["messages"][0]["content"] == [{"type": "text", "text": "Q1"}]  # type: ignore[index]


def test_deleting_the_conversation_forgets_the_image_bytes(
    fake: FakeMistral, fake_transport: httpx.MockTransport, files: Path, tmp_path: Path
) -> None:
    assert chat(fake_transport, "-a", "photo.png", "Q1").exit_code == 0
    assert chat(fake_transport, "--no-save", "-a", "photo.png", "Q").exit_code == 0
    saved = store(tmp_path)
    (conversation,) = saved.summaries()
    saved.delete([conversation.id])
    assert saved._db.execute("SELECT COUNT(*) FROM blobs").fetchone() == (0,)


def test_max_cost_counts_an_inlined_text_file_before_anything_is_sent(
    fake: FakeMistral, fake_transport: httpx.MockTransport, files: Path
) -> None:
    (files / "long.txt").write_text("lorem ipsum dolor sit amet " * 500, encoding="utf-8")
    cheap = chat(fake_transport, "--max-cost", "0.0001", "Short?")
    assert cheap.exit_code == 0, cheap.stderr
    result = chat(fake_transport, "--max-cost", "0.0001", "-a", "long.txt", "Short?")
    assert result.exit_code == 11
    assert result.stderr.startswith("mistral: error: the prompt would cost about $0.0")
    assert len(bodies(fake)) == 1
