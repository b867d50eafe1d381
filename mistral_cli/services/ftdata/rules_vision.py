"""Vision rule FT401: content chunks, images only in user turns, image URLs and data URIs."""

from __future__ import annotations

import binascii
from typing import Any
from urllib.parse import urlsplit

from mistral_cli.services.ftdata.report import ERROR, Collector, quote, type_name

MAX_IMAGE_BYTES = 20 * 1024 * 1024
SUPPORTED = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
_ALIASES = {"image/jpg": "image/jpeg"}
_UNSUPPORTED_EXT = {
    ".bmp": "image/bmp",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".svg": "image/svg+xml",
    ".heic": "image/heic",
    ".ico": "image/x-icon",
    ".avif": "image/avif",
}


def check_chunks(chunks: list[Any], role: str, path: str, out: Collector) -> tuple[list[str], int]:
    """Check a content array; return its texts and how many images it holds."""
    texts: list[str] = []
    images = 0
    for index, chunk in enumerate(chunks):
        where = f"{path}/{index}"
        if not isinstance(chunk, dict):
            out.emit("FT401", ERROR, where, f"chunk must be an object, got {type_name(chunk)}")
            continue
        kind = chunk.get("type")
        if kind == "text":
            text = chunk.get("text")
            if isinstance(text, str):
                texts.append(text)
            else:
                out.emit("FT401", ERROR, where, "text chunk lacks a string 'text'")
        elif kind == "image_url":
            images += 1
            if role != "user":
                out.emit(
                    "FT401", ERROR, where, f"image in role {role!r}; only user turns take images"
                )
            _image(chunk.get("image_url"), f"{where}/image_url", out)
        else:
            out.emit("FT401", ERROR, where, f"unknown chunk type {quote(kind)}")
    return texts, images


def _image(value: object, path: str, out: Collector) -> None:
    url = value.get("url") if isinstance(value, dict) else value
    if isinstance(value, dict):
        path += "/url"
    if not isinstance(url, str):
        out.emit("FT401", ERROR, path, "image_url needs a URL string or {'url': …}")
        return
    problem = data_uri_problem(url) if url[:5].lower() == "data:" else _url_problem(url)
    if problem is not None:
        out.emit("FT401", ERROR, path, problem)


def _url_problem(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return "image URL must be http(s):// or a data: URI"
    dot = parts.path.rfind(".")
    mime = _UNSUPPORTED_EXT.get(parts.path[dot:].lower()) if dot != -1 else None
    return f"{mime} not supported" if mime else None


def data_uri_problem(url: str) -> str | None:
    """Why a data: URI is not a supported, well-formed, small enough base64 image, or None."""
    header, comma, payload = url.partition(",")
    if not comma:
        return "data URI lacks ','"
    params = header[5:].split(";")
    mime = _ALIASES.get(params[0].lower(), params[0].lower())
    if "base64" not in (param.lower() for param in params[1:]):
        return "data URI must be base64"
    if mime not in SUPPORTED:
        return f"{mime or 'untyped data'} not supported"
    if len(payload) * 3 // 4 > MAX_IMAGE_BYTES + 3:
        return f"image {len(payload) * 3 / 4 / 1024 / 1024:.0f} MB > 20 MB"
    try:
        data = binascii.a2b_base64(payload, strict_mode=True)
    except binascii.Error:
        return "invalid base64 in data URI"
    actual = sniff(data)
    if actual is None:
        return "image data is not PNG, JPEG, GIF or WEBP"
    return None if actual == mime else f"data is {actual}, declared {mime}"


def sniff(data: bytes) -> str | None:
    """The image type from magic bytes, or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None
