"""Files API wire models: the upload form, file documents, lists and deletions."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from mistral_cli.api.schemas import Page, Request, Response
from mistral_cli.api.schemas.lenient import Flag, Id, Int, Items, Text


class UploadForm(Request):
    """The non-file fields of POST /v1/files (sent as multipart form fields)."""

    purpose: Literal["fine-tune", "batch", "ocr"] = "fine-tune"
    visibility: Literal["workspace", "user"] | None = None
    expiry: int | None = Field(default=None, ge=1)

    def fields(self) -> dict[str, str]:
        """The form fields as strings, unset ones left out."""
        dumped = self.model_dump(mode="json", exclude_none=True)
        return {key: str(value) for key, value in dumped.items()}


class FileOut(Response):
    """An uploaded file as the API describes it (upload, get and list answers)."""

    id: Id
    object: Text = "file"
    bytes: Int = None  # null in the spec's own examples (batch result files)
    created_at: Int = None
    filename: Text = None
    purpose: Text = None
    sample_type: Text = None
    num_lines: Int = None
    mimetype: Text = None
    source: Text = None
    expires_at: Int = None
    visibility: Text = None
    deleted: Flag = None


class FileList(Page):
    """GET /v1/files: one page of files and the total."""

    data: Items[FileOut]
    object: Text = "list"
    total: Int = None


class FileDeleted(Response):
    """DELETE /v1/files/{id}."""

    id: Id
    object: Text = "file"
    deleted: Flag = None
