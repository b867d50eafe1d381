"""Fine-tuned models: archive, unarchive, rename, delete, the owned list, the cache after a change.

Only fine-tuned models can be changed: a base model is refused before any request (exit 2). A
404 (the model is gone, or belongs to another workspace) keeps exit 4 and names the command
that lists what the account owns.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from mistral_cli import fsio
from mistral_cli.api.errors import RequestRejected, UnexpectedAnswer
from mistral_cli.api.schemas.model_admin import (
    ArchiveAnswer,
    DeleteAnswer,
    FineTunedModel,
    UpdateModelRequest,
)
from mistral_cli.errors import UsageError
from mistral_cli.services.cells import time_text
from mistral_cli.services.models import NO, YES

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from mistral_cli.api.parse import AnswerClient
    from mistral_cli.services.model_cards import Card
    from mistral_cli.services.models import ModelCache

OWNED_COLUMNS = ("ID", "BASE", "JOB", "ARCHIVED", "CREATED", "NAME")
OWNED_HINT = "`mistral models list --owned` shows your fine-tuned models"
IDS_FILE = "model-ids.txt"  # beside the cache, written by ModelCache.save for completion


def is_fine_tuned(card: Card) -> bool:
    """A model of the account's own (type `fine-tuned`, or an `ft:` id when the type is unsaid)."""
    return card.type == "fine-tuned" or card.id.startswith("ft:")


def owned(cards: Iterable[Card]) -> list[Card]:
    """The account's fine-tuned models, sorted by id."""
    return sorted((card for card in cards if is_fine_tuned(card)), key=lambda card: card.id)


def owned_row(card: Card, *, glyphs: bool = True) -> list[str]:
    """One `models list --owned` row (see OWNED_COLUMNS); `?` where the card does not say.

    The archived flag is ✓/· on a terminal, `true`/`false` (`unknown`) piped, as `row` does.
    """
    yes, no, unsure = (YES, NO, "?") if glyphs else ("true", "false", "unknown")
    archived = unsure if card.archived is None else yes if card.archived else no
    created = time_text(card.created)[:10]  # the day: `?` stays `?`
    name = "" if card.name in (None, card.id) else card.name
    return [card.id, card.root or "?", card.job or "?", archived, created, name or ""]


def check_target(model_id: str, card: Card | None, action: str) -> None:
    """Refuse (exit 2, before any request) a model that is not one of the account's own."""
    if card is None and model_id.startswith("ft:"):
        return
    if card is None or not is_fine_tuned(card):
        raise UsageError(
            f"{model_id} is a base model: only fine-tuned models can be {action}",
            hint=OWNED_HINT,
        )


def archive(client: AnswerClient, model_id: str) -> ArchiveAnswer:
    """POST /v1/fine_tuning/models/{id}/archive."""
    with _not_found():
        return client.send("POST", _archive_path(model_id), into=ArchiveAnswer)


def unarchive(client: AnswerClient, model_id: str) -> ArchiveAnswer:
    """DELETE /v1/fine_tuning/models/{id}/archive."""
    with _not_found():
        return client.send("DELETE", _archive_path(model_id), into=ArchiveAnswer)


def update(
    client: AnswerClient, model_id: str, *, name: str | None, description: str | None
) -> FineTunedModel:
    """PATCH /v1/fine_tuning/models/{id} with the fields given (at least one: else exit 2)."""
    if name is None and description is None:
        raise UsageError("nothing to update", hint="pass --name NAME and/or --description TEXT")
    body = UpdateModelRequest(name=name, description=description)
    with _not_found():
        return client.send(
            "PATCH", f"/v1/fine_tuning/models/{model_id}", body=body, into=FineTunedModel
        )


def delete(client: AnswerClient, model_id: str) -> DeleteAnswer:
    """DELETE /v1/models/{id}; an answer saying `deleted: false` is an error (exit 1)."""
    path = f"/v1/models/{model_id}"
    with _not_found():
        answer = client.send("DELETE", path, into=DeleteAnswer)
    if answer.deleted is False:
        raise UnexpectedAnswer(
            f"DELETE {path}", "deleted is false: the model was not deleted", answer=answer.wire()
        )
    return answer


def _archive_path(model_id: str) -> str:
    return f"/v1/fine_tuning/models/{model_id}/archive"


@contextlib.contextmanager
def _not_found() -> Iterator[None]:
    """A 404 stays exit 4, with a hint naming the list of the account's own models."""
    try:
        yield
    except RequestRejected as exc:
        if exc.status == 404:
            exc.hint = f"it may be deleted, or another workspace's; {OWNED_HINT}"
        raise


def forget_cached(cache: ModelCache, *, removed: str | None = None) -> None:
    """After a change the cached list is stale: drop it (the next use fetches it again).

    A deleted id also leaves the completion file. Failures are not errors: a cache is a cache.
    """
    with contextlib.suppress(OSError):
        cache.path.unlink(missing_ok=True)
    if removed is None:
        return
    ids_file = cache.path.parent / IDS_FILE
    with contextlib.suppress(OSError, UnicodeDecodeError):
        kept = [i for i in ids_file.read_text(encoding="utf-8").split() if i != removed]
        fsio.atomic_write(ids_file, "".join(f"{i}\n" for i in kept))
