"""Attachments (-a/--attach, the REPL's /attach): images, PDFs and text files, by their bytes.

A file's kind is read from its first bytes, never its name: PNG, JPEG, WebP and GIF images
become `image_url` chunks (a data URL), PDFs are uploaded (purpose `ocr`, an identical earlier
upload reused) and sent as `document_url` chunks by a signed URL, UTF-8 text is inlined under
its name. An http(s) URL is passed through: a path ending in `.pdf` as a document, else as an
image. Every limit is checked before anything is sent (exit 2 naming it).
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from mistral_cli.api.chat import DocumentPart, ImagePart, Part, TextPart
from mistral_cli.bounded import NotRegularFile, read_regular, size_text
from mistral_cli.errors import UsageError
from mistral_cli.values import counted

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from pathlib import Path

    from mistral_cli.services.files import FilesClient, SignedUrlClient

    class DocumentsClient(FilesClient, SignedUrlClient, Protocol):
        """Uploads and signed URLs: the API client."""


# Mistral's vision docs (docs.mistral.ai, "Vision"): at most 8 images a request, 10 MB each.
IMAGES_PER_REQUEST = 8
IMAGE_MAX_BYTES = 10 * 1024 * 1024
# Mistral's Document AI docs (docs.mistral.ai, "Document AI / OCR"): 50 MB and 1,000 pages.
PDF_MAX_BYTES = 50 * 1024 * 1024
PDF_MAX_PAGES = 1000
# Ours: a text file inlined whole; 512 KiB is ~130k tokens, half a 256k context.
TEXT_MAX_BYTES = 512 * 1024
ACCEPTED = "images (PNG, JPEG, WebP, GIF), PDFs, UTF-8 text files or http(s) URLs"
SIGNED_URL_HOURS = 24  # how long a signed URL is asked to last (1-168)
SIGNED_URL_MARGIN = 600.0  # seconds: a URL closer than this to its end is fetched again
SNIFF = 1024  # a PDF's %PDF- may follow up to 1 KiB of junk
PDF = "application/pdf"

Kind = Literal["image", "pdf", "text"]
_IMAGES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")


@dataclass(frozen=True)
class Attachment:
    """One -a value, read and checked; nothing sent yet (a local PDF is uploaded later)."""

    source: str  # as given
    kind: Kind
    part: Part | None  # ready to send; None for a local PDF until uploaded
    path: Path | None = None
    size: int = 0
    pages: int | None = None  # a PDF's page count, when it could be counted


def load(source: str, *, flag: str = "--attach") -> Attachment:
    """Read and check one attachment: a local file (by its bytes) or an http(s) URL.

    Errors name it as `{flag} {source}` (the REPL passes `/attach`).
    """
    from pathlib import Path

    label = f"{flag} {source}"
    if re.match(r"(?i)https?://", source):
        return _remote(source)
    if re.match(r"[A-Za-z][\w+.-]*://", source):
        raise UsageError(f"{label}: only http(s) URLs are passed on", hint=ACCEPTED)
    path = Path(source).expanduser()
    head = _read(path, label, SNIFF - 1)
    kind, mime = sniff(head)
    if kind is None:
        raise UsageError(f"{label}: not an image, a PDF or UTF-8 text", hint=ACCEPTED)
    cap = {"image": IMAGE_MAX_BYTES, "pdf": PDF_MAX_BYTES, "text": TEXT_MAX_BYTES}[kind]
    data = head if len(head) < SNIFF else _read(path, label, cap)
    if len(data) > cap:
        raise UsageError(
            f"{label}: over the {size_text(cap)} limit for {_plural(kind)}",
            hint=_limit_hint(kind),
        )
    if not data:
        raise UsageError(f"{label}: the file is empty")
    name = source
    if kind == "image":
        sha = hashlib.sha256(data).hexdigest()
        part = ImagePart(name, mime=mime, data=data, sha256=sha)
        return Attachment(source, "image", part, path, len(data))
    if kind == "text":
        return Attachment(source, "text", TextPart(name, _text(data, label)), path, len(data))
    return _pdf(source, label, path, data)


def _remote(url: str) -> Attachment:
    if url.split("?", 1)[0].lower().endswith(".pdf"):
        return Attachment(url, "pdf", DocumentPart(_url_name(url), url=url))
    return Attachment(url, "image", ImagePart(_url_name(url), url=url))


def _url_name(url: str) -> str:
    path = url.split("?", 1)[0].rstrip("/")
    return path.rsplit("/", 1)[-1] or url


def _pdf(source: str, label: str, path: Path, data: bytes) -> Attachment:
    pages = len(_PAGE.findall(data)) or None  # pages in compressed object streams: unknown
    if pages is not None and pages > PDF_MAX_PAGES:
        raise UsageError(
            f"{label}: {pages:,} pages, over the {PDF_MAX_PAGES:,}-page limit for PDFs",
            hint=_limit_hint("pdf"),
        )
    return Attachment(source, "pdf", None, path, len(data), pages)


def sniff(head: bytes) -> tuple[Kind | None, str | None]:
    """The kind (and an image's media type) a file's first bytes show; (None, None): neither."""
    for magic, mime in _IMAGES:
        if head.startswith(magic):
            return "image", mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image", "image/webp"
    if b"%PDF-" in head[:SNIFF]:
        return "pdf", PDF
    if b"\x00" not in head and _utf8_start(head):
        return "text", "text/plain"
    return None, None


def _utf8_start(head: bytes) -> bool:
    """UTF-8 as far as it goes (a character cut at the end of the sniffed bytes is fine)."""
    for cut in range(4):
        try:
            head[: len(head) - cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
        return True
    return False


def _read(path: Path, label: str, limit: int) -> bytes:
    try:
        return read_regular(path, limit)
    except NotRegularFile:
        raise UsageError(f"{label}: not a regular file", hint=ACCEPTED) from None
    except OSError as exc:
        raise UsageError(f"{label}: cannot read it ({exc.strerror or exc})") from None


def _text(data: bytes, label: str) -> str:
    """The file's text: UTF-8 without NUL bytes (a BOM dropped), else not a text file."""
    try:
        if b"\x00" not in data:
            return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    raise UsageError(f"{label}: not an image, a PDF or UTF-8 text", hint=ACCEPTED)


def _plural(kind: Kind) -> str:
    return {"image": "images", "pdf": "PDFs", "text": "text files"}[kind]


def _limit_hint(kind: Kind) -> str:
    return {
        "image": "Mistral takes images up to 10 MB; scale it down or save it as JPEG",
        "pdf": "Mistral reads PDFs up to 50 MB and 1,000 pages; split it",
        "text": f"text files are inlined up to {size_text(TEXT_MAX_BYTES)}; attach a part of it",
    }[kind]


def check_images(count: int) -> None:
    """At most IMAGES_PER_REQUEST images in one request (the history's included): else exit 2."""
    if count > IMAGES_PER_REQUEST:
        raise UsageError(
            f"{count} images in one request, over the limit of {IMAGES_PER_REQUEST} "
            "(the conversation's earlier images are sent again)",
            hint="attach fewer images, or start a new conversation",
        )


def check_vision(model: str, cards: Iterable[Any]) -> None:
    """Exit 2 when `model` cannot read images, naming the models that can (from `cards`)."""
    listed = list(cards)
    card = next((c for c in listed if c.id == model or model in c.aliases), None)
    if card is None or card.caps.vision is not False:
        return  # a model the list does not know, or does not say: the API decides
    able = sorted(
        c.id for c in listed if c.caps.vision and not c.deprecation and c.type in (None, "base")
    )
    latest = [name for name in able if name.endswith("-latest")] or able
    raise UsageError(
        f"{model} cannot read images (no vision capability)",
        hint=f"use -m with one that can: {', '.join(latest[:6]) or 'none is listed'}",
    )


@dataclass
class Documents:
    """PDFs uploaded for chat (purpose `ocr`, reused by hash) and their signed URLs.

    A signed URL is kept until SIGNED_URL_MARGIN before it ends, then fetched again. A file
    gone from the server (404) is left out of the request: `on_gone` hears of it once.
    """

    client: DocumentsClient
    cache_file: Path | None = None  # the upload cache (services/files.py), per server
    scope: str = ""
    on_gone: Callable[[DocumentPart], None] = lambda part: None  # the default
    clock: Callable[[], float] = time.time
    hours: int = SIGNED_URL_HOURS
    _urls: dict[str, tuple[str, float]] = field(default_factory=dict)  # file id → (url, until)
    _gone: set[str] = field(default_factory=set)

    def upload(self, attachment: Attachment) -> tuple[DocumentPart, bool]:
        """Upload a local PDF (or find an identical earlier upload); (part, reused)."""
        from mistral_cli.services import files

        assert attachment.path is not None, "only a local PDF is uploaded"
        cache = None if self.cache_file is None else files.UploadCache(self.cache_file, self.scope)
        done = files.upload(
            self.client, attachment.path, purpose="ocr", cache=cache, content_type=PDF
        )
        part = DocumentPart(attachment.source, file_id=done.file.id, sha256=done.sha256)
        return part, done.reused

    def link(self, part: DocumentPart) -> str | None:
        """Where the document can be read now; None when it is gone from the server."""
        from mistral_cli.api.errors import RequestRejected
        from mistral_cli.services import files

        if part.file_id is None:
            return part.url
        kept = self._urls.get(part.file_id)
        now = self.clock()
        if kept is not None and kept[1] - SIGNED_URL_MARGIN > now:
            return kept[0]
        try:
            url = files.signed_url(self.client, part.file_id, hours=self.hours)
        except RequestRejected as exc:
            if exc.status != 404:
                raise
            if part.file_id not in self._gone:
                self._gone.add(part.file_id)
                self.on_gone(part)
            return None
        self._urls[part.file_id] = (url, now + self.hours * 3600)
        return url


def images_in(parts: Sequence[Part]) -> int:
    """How many of these parts are images."""
    return sum(1 for part in parts if isinstance(part, ImagePart))


def describe(attachment: Attachment) -> str:
    """`photo.png (image, 1.2 MB)`: one pending attachment, as /attach lists it."""
    if attachment.path is None:
        return f"{attachment.source} ({'PDF' if attachment.kind == 'pdf' else attachment.kind} URL)"
    kind = "PDF" if attachment.kind == "pdf" else attachment.kind
    pages = f", {attachment.pages:,} pages" if attachment.pages else ""
    return f"{attachment.source} ({kind}, {_size(attachment.size)}{pages})"


def _size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    if size >= 1_000:
        return f"{size / 1_000:.1f} kB"
    return counted(size, "byte")
