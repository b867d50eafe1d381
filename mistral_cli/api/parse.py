"""Reading answers: lenient schemas in, a model or one UnexpectedAnswer line out (API.md §9).

The one place where a pydantic error becomes text (`data[0].id is missing`). Notes the lenient
types leave in the validation context (a skipped list item, an ignored odd value) and, on
failure, the body itself go to the `note` callback: the client's --debug trace.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from mistral_cli.api.errors import ApiError, UnexpectedAnswer

if TYPE_CHECKING:  # pydantic loads with the first model read: the chat path reads none
    from pydantic import BaseModel, ValidationError, ValidationInfo

M = TypeVar("M", bound="BaseModel")
Note = Callable[[str], None]
NOTES = "notes"  # the validation-context key holding the list of notes
PREVIEW = 2000  # characters of an unexpected body shown with --debug
_WHAT = {
    "string": "a string",
    "int": "an integer",
    "float": "a number",
    "bool": "true or false",
    "list": "a list",
    "dict": "an object",
    "model": "an object",
}


class AnswerClient(Protocol):
    """The part of ApiClient that services reading typed answers need."""

    def send(
        self,
        method: str,
        path: str,
        *,
        into: type[M],
        body: BaseModel | Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        files: Mapping[str, Any] | None = None,
        data: Mapping[str, str] | None = None,
        read_timeout: float | None = None,
    ) -> M:
        """Send a request and read the answer into `into`."""
        ...


def answer(into: type[M], data: object, *, where: str, note: Note | None = None) -> M:
    """`data` read into `into`; what it lacks raises UnexpectedAnswer naming `where`."""
    from pydantic import ValidationError

    notes: list[str] = []
    try:
        model = into.model_validate(data, context={NOTES: notes})
    except ValidationError as exc:
        if note is not None:
            note(f"{where} answered: {preview(data)}")
        raise UnexpectedAnswer(where, problem(exc), answer=data) from None
    if note is not None:
        for text in notes:
            note(f"{where}: {text}")
    return model


def remember(info: ValidationInfo, text: str) -> None:
    """Leave a note for answer()'s caller (nothing happens outside answer())."""
    context = info.context
    notes = context.get(NOTES) if isinstance(context, dict) else None
    if isinstance(notes, list):
        notes.append(text)


def problem(exc: ValidationError, *, skip: int = 0, subject: str = "the answer") -> str:
    """The first error as `path problem` (`data[0].id is missing`).

    `skip` drops leading location parts; `subject` names what an empty location is.
    """
    errors = exc.errors(include_url=False)
    first = errors[0]
    loc = tuple(first["loc"])[skip:]
    complaint = _complaint(first)
    if not loc and first.get("input") is None and complaint == "is null":
        complaint = "is empty or null"
    text = f"{location(loc) or subject} {complaint}"
    return text if len(errors) == 1 else f"{text} (and {len(errors) - 1} more)"


def location(loc: tuple[str | int, ...]) -> str:
    """`('data', 0, 'id')` → `data[0].id`; the empty location is the empty string."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def got(value: object) -> str:
    """A short description of a JSON value for messages: null, 3.5, "abc", a list, an object."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value if len(value) <= 40 else value[:39] + "…", ensure_ascii=False)
    return "a list" if isinstance(value, list) else "an object"


def _complaint(error: Any) -> str:  # noqa: ANN401  # pydantic's ErrorDetails
    kind = str(error["type"])
    if kind == "missing":
        return "is missing"
    if kind == "unreadable":  # our own lenient types' wording
        return str(error["msg"])
    value = error.get("input")
    if value is None:
        return "is null"
    for prefix, what in _WHAT.items():
        if kind.startswith(prefix):
            return f"is not {what} (got {got(value)})"
    return f"is not usable ({str(error['msg']).lower()})"


def preview(data: object) -> str:
    """The decoded body as compact JSON, cut to PREVIEW characters."""
    try:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    except ValueError:
        text = repr(data)
    return text if len(text) <= PREVIEW else text[: PREVIEW - 1] + "…"


@dataclass
class PollTolerance:
    """Unreadable polls in a row: up to `limit` are let through, the next one is raised (exit 1)."""

    limit: int = 3
    count: int = 0

    def failed(self, exc: ApiError, *, where: str, resume: str) -> int:
        """Count one unreadable poll of `where`; past the limit raise it, saying how to resume."""
        self.count += 1
        if self.count > self.limit:
            problem = exc.problem if isinstance(exc, UnexpectedAnswer) else exc.message
            raise UnexpectedAnswer(
                where,
                f"{problem} ({self.count} polls in a row)",
                hint=f"the job may still run; rerun with --debug to see the answers; {resume}",
            ) from None
        return self.count

    def note(self, exc: ApiError) -> str:
        """The line shown for a tolerated unreadable poll."""
        return (
            f"mistral: unreadable answer ({exc.message}); "
            f"{self.count} of {self.limit} in a row tolerated, still waiting"
        )

    def ok(self) -> None:
        """A readable poll: start counting again."""
        self.count = 0
