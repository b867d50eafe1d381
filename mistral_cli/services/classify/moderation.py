"""Moderation: the default model, `--fail-on` categories, and the flagged-inputs tally.

`--fail-on` names categories as the answers carry them (checked against the first answer,
before anything is written) or `any`. Every result is counted as it is written; the summary
(`3 of 120 inputs flagged: hate_and_discrimination (2), violence_and_threats (1)`) covers the
`--fail-on` categories, or all of them. A result whose flag for a gated category cannot be read
stops the run (exit 1): a CI gate never passes on an answer it could not read.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from mistral_cli.api.errors import UnexpectedAnswer
from mistral_cli.api.schemas.lenient import as_flag
from mistral_cli.errors import Flagged, UsageError

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from mistral_cli.services.classify.backend import Result
    from mistral_cli.services.classify.writers import ResultsWriter
    from mistral_cli.services.embed.inputs import Item
    from mistral_cli.services.model_cards import Card

ANY = "any"


def default_model(cards: Iterable[Card]) -> str:
    """The first card with the `moderation` capability (a current `-latest` one preferred)."""
    found = [card for card in cards if card.caps.moderation]
    if not found:
        raise UsageError(
            "no model in the model list has the moderation capability",
            hint="name one with -m MODEL (`mistral models list` shows them)",
        )
    ranked = sorted(
        enumerate(found),
        key=lambda pair: (bool(pair[1].deprecation), not pair[1].id.endswith("-latest"), pair[0]),
    )
    return ranked[0][1].id


def parse_fail_on(value: str | None) -> tuple[str, ...] | None:
    """`hate_and_discrimination,pii` → the names; `any` → ("any",); None when not given."""
    if value is None:
        return None
    names = tuple(dict.fromkeys(name.strip() for name in value.split(",") if name.strip()))
    if not names:
        raise UsageError("--fail-on needs a category (or any)", hint="e.g. --fail-on any")
    return (ANY,) if ANY in names else names


class FlagTally:
    """A ResultsWriter wrapper counting flagged inputs (and checking --fail-on) as it writes."""

    def __init__(self, writer: ResultsWriter, fail_on: tuple[str, ...] | None, where: str) -> None:
        self._writer = writer
        self.fail_on = fail_on
        self._where = where
        self._checked = False
        self.inputs = 0
        self.flagged = 0
        self.by_category: Counter[str] = Counter()

    def write(self, items: Sequence[Item], results: Sequence[Result]) -> None:
        """Check (the first time), count, then write through."""
        if not self._checked and results:
            self._check(results[0])
        for item, result in zip(items, results, strict=True):
            self._count(item, result)
        self._writer.write(items, results)

    def close(self) -> None:
        """Close the wrapped writer."""
        self._writer.close()

    def _check(self, first: Result) -> None:
        self._checked = True
        if self.fail_on is None or self.fail_on == (ANY,):
            return
        categories = first.get("categories")
        known = sorted(categories) if isinstance(categories, dict) else []
        unknown = [name for name in self.fail_on if name not in known]
        if unknown and known:
            raise UsageError(
                f"--fail-on: unknown categor{'y' if len(unknown) == 1 else 'ies'} "
                f"{', '.join(unknown)}; the answers carry: {', '.join(known)}",
                hint="name categories as listed, or use --fail-on any",
            )

    def _count(self, item: Item, result: Result) -> None:
        self.inputs += 1
        categories = result.get("categories")
        if not isinstance(categories, dict):
            if self.fail_on is not None:
                raise self._unreadable(item, "categories is missing or not an object")
            return
        scope = list(categories) if self.fail_on in (None, (ANY,)) else list(self.fail_on)
        hits = []
        for name in scope:
            flag = as_flag(categories.get(name))
            if flag is None and self.fail_on is not None:
                raise self._unreadable(item, f"categories.{name} is not true or false")
            if flag:
                hits.append(name)
        self.by_category.update(hits)
        self.flagged += bool(hits)

    def _unreadable(self, item: Item, problem: str) -> UnexpectedAnswer:
        return UnexpectedAnswer(
            self._where,
            f"the result for {item.where()}: {problem}",
            hint="--fail-on cannot judge an answer it cannot read; rerun with --debug to see it",
        )

    def summary(self) -> str:
        """`3 of 120 inputs flagged: hate_and_discrimination (2), violence_and_threats (1)`."""
        head = f"{self.flagged:,} of {self.inputs:,} input{'' if self.inputs == 1 else 's'} flagged"
        ranked = sorted(self.by_category.items(), key=lambda pair: (-pair[1], pair[0]))
        if not ranked:
            return head
        return f"{head}: " + ", ".join(f"{name} ({count:,})" for name, count in ranked)

    def verdict(self) -> Flagged | None:
        """The exit-12 error when --fail-on was given and an input was flagged, else None."""
        if self.fail_on is None or not self.flagged:
            return None
        return Flagged(
            self.summary(),
            hint="the results name each input's line and the categories it was flagged in",
        )
