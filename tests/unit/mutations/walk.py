"""Every one-field mutation of a JSON answer: delete it, null it, an unknown enum value, another
JSON type, an unknown field. Lists are walked through their first item (the others are alike).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

Path = tuple[str | int, ...]
UNKNOWN_ENUM = "SOMETHING_NEW_FROM_THE_SERVER"
EXTRA = ("x_field_from_a_newer_server", {"nested": [1, "two", None], "flag": True})
_OBJECT = {"unexpected": "object"}
_LIST = ["unexpected", "list"]


@dataclass(frozen=True)
class Mutation:
    """One change at one place of a document."""

    path: Path
    kind: str
    value: Any = None  # the new value (unused by "deleted" and "extra-field")

    def __str__(self) -> str:
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in self.path)
        return f"{where or '<root>'} {self.kind}"

    def apply(self, document: Any) -> Any:  # any JSON document
        """A changed copy of `document`."""
        if not self.path:
            return self._changed(copy.deepcopy(document))
        changed = copy.deepcopy(document)
        parent = changed
        for part in self.path[:-1]:
            parent = parent[part]
        last = self.path[-1]
        if self.kind == "deleted":
            del parent[last]
        else:
            parent[last] = self._changed(parent[last])
        return changed

    def _changed(self, value: Any) -> Any:  # any JSON value
        if self.kind == "extra-field":
            return {**value, EXTRA[0]: EXTRA[1]}
        return self.value


def mutations(document: Any, path: Path = ()) -> Iterator[Mutation]:
    """The mutations of `document` and of everything inside it (lists: their first item)."""
    if path:
        yield Mutation(path, "deleted")
    yield from _retyped(document, path)
    if isinstance(document, dict):
        yield Mutation(path, "extra-field")
        for key, value in document.items():
            yield from mutations(value, (*path, key))
    elif isinstance(document, list) and document:
        yield from mutations(document[0], (*path, 0))


def _retyped(value: Any, path: Path) -> Iterator[Mutation]:
    """null, the other JSON types, and the odd values of the same type."""
    if value is not None:
        yield Mutation(path, "null", None)
    if isinstance(value, str):
        yield Mutation(path, "unknown-enum", UNKNOWN_ENUM)
    if not isinstance(value, str):
        yield Mutation(path, "to-string", "n/a")
    if isinstance(value, int | float) and not isinstance(value, bool):
        yield Mutation(path, "numeric-string", str(value))
        if isinstance(value, int):
            yield Mutation(path, "to-fraction", value + 0.5)
    elif not isinstance(value, bool):
        yield Mutation(path, "to-number", 12345)
    if isinstance(value, bool):
        yield Mutation(path, "to-number", 2)
    if not isinstance(value, dict):
        yield Mutation(path, "to-object", _OBJECT)
    if not isinstance(value, list):
        yield Mutation(path, "to-list", _LIST)
