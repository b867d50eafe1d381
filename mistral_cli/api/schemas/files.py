"""Files API wire models: the upload form, file documents, lists and deletions."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from mistral_cli.api.schemas import Request, Response


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

    id: str
    object: str = "file"
    bytes: int = 0
    created_at: int = 0
    filename: str = ""
    purpose: str = ""
    sample_type: str | None = None
    num_lines: int | None = None
    mimetype: str | None = None
    source: str | None = None
    expires_at: int | None = None
    visibility: str | None = None
    deleted: bool | None = None


class FileList(Response):
    """GET /v1/files: one page of files and the total."""

    data: list[FileOut] = Field(default_factory=list)
    object: str = "list"
    total: int | None = None


class FileDeleted(Response):
    """DELETE /v1/files/{id}."""

    id: str
    object: str = "file"
    deleted: bool = False
