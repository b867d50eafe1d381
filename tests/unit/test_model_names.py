"""services/model_names.py: the names of the cached cards, read as ModelList reads them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mistral_cli.api.errors import UnexpectedAnswer
from mistral_cli.services import model_names as names
from mistral_cli.services import models as svc

CARD = {
    "id": "mistral-small-2506",
    "aliases": ["mistral-small-latest"],
    "deprecation": "2026-12-31T00:00:00Z",
    "deprecation_replacement_model": "mistral-medium-latest",
    "capabilities": {"completion_chat": True},
}


def as_cards(data: object) -> list[tuple[Any, ...]] | None:
    """What the pydantic ModelList keeps of each card, or None where it fails."""
    try:
        cards = svc.parse_model_list(data)
    except UnexpectedAnswer:
        return None
    return [(c.id, c.aliases, c.deprecation, c.deprecation_replacement_model) for c in cards]


def as_names(data: object) -> list[tuple[Any, ...]] | None:
    read = names.read_names(data)
    if read is None:
        return None
    return [(c.id, c.aliases, c.deprecation, c.deprecation_replacement_model) for c in read]


ODD = (
    st.none()
    | st.booleans()
    | st.integers(-3, 10**12)
    | st.floats(allow_nan=False)
    | st.text(max_size=4)
    | st.sampled_from(["", "m", "mistral-small-latest", "3"])
)
VALUE = st.recursive(ODD, lambda inner: st.lists(inner, max_size=3), max_leaves=5)
CARDS = st.fixed_dictionaries(
    {},
    optional={
        "id": VALUE,
        "aliases": VALUE,
        "deprecation": VALUE,
        "deprecation_replacement_model": VALUE,
        "capabilities": VALUE | st.just({"completion_chat": "yes"}),
        "max_context_length": VALUE,
    },
)
LISTS = st.lists(CARDS | ODD, max_size=4)
DOCUMENTS = LISTS | st.fixed_dictionaries({"object": ODD}, optional={"data": LISTS | ODD}) | ODD


@settings(max_examples=1500, deadline=None)
@given(DOCUMENTS)
def test_the_names_are_those_of_the_cards_modellist_keeps(document: object) -> None:
    assert as_names(document) == as_cards(document)


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (
            [CARD, {"id": ""}, {"id": None}, {"aliases": ["x"]}, "card", {"id": 7}],
            ["mistral-small-2506", "7"],
        ),
        ({"object": "list", "data": None}, []),
        ({"object": "list", "data": "x"}, []),
        ({"object": "list"}, None),
        ("x", None),
    ],
)
def test_which_cards_count(document: object, expected: list[str] | None) -> None:
    read = names.read_names(document)
    assert (None if read is None else [c.id for c in read]) == expected


def test_resolving_works_on_names_alone() -> None:
    cards = names.read_names([CARD, {"id": "mistral-large-latest", "aliases": "mistral-large"}])
    assert cards is not None
    assert names.resolve("mistral-small", cards, {}) == "mistral-small-latest"
    assert names.resolve("big", cards, {"big": "mistral-large"}) == "mistral-large"
    found = names.find("mistral-small-latest", cards)
    assert found is not None
    assert found.deprecation_replacement_model == "mistral-medium-latest"
    with pytest.raises(names.UnknownModel) as caught:
        names.resolve("mistral-smal-latest", cards, {})
    assert caught.value.hint == (
        "did you mean mistral-small-latest? (`mistral models list` shows all)"
    )


def cache_at(path: Path, clock: float = 1000.0) -> svc.ModelCache:
    return svc.ModelCache(path, ttl=100.0, clock=lambda: clock)


@pytest.mark.parametrize(
    "content",
    [
        None,  # no file
        "{not json",
        json.dumps({"data": [CARD]}),  # no fetched_at
        json.dumps({"fetched_at": "soon", "data": [CARD]}),
        json.dumps({"fetched_at": 800.0, "data": [CARD]}),  # older than the TTL
        json.dumps({"fetched_at": 950.0}),
        json.dumps({"fetched_at": 950.0, "data": {"object": "list"}}),
        json.dumps([1]),
    ],
)
def test_the_names_cache_fails_where_the_card_cache_fails(
    tmp_path: Path, content: str | None
) -> None:
    path = tmp_path / "models.json"
    if content is not None:
        path.write_text(content)
    cache = cache_at(path)
    assert cache.load() is None
    assert cache.load_names() is None


def test_a_fresh_cache_gives_the_same_cards_both_ways(tmp_path: Path) -> None:
    path = tmp_path / "models.json"
    path.write_text(json.dumps({"fetched_at": 950.0, "data": [CARD, {"id": None}]}))
    cache = cache_at(path)
    loaded = cache.load()
    assert loaded is not None
    assert [c.id for c in loaded] == ["mistral-small-2506"]
    assert cache.load_names() == [
        names.CardNames(
            "mistral-small-2506",
            ["mistral-small-latest"],
            "2026-12-31T00:00:00Z",
            "mistral-medium-latest",
        )
    ]
    assert cache_at(path, clock=2000.0).load(allow_stale=True) is not None


def test_reading_names_builds_no_pydantic_model() -> None:
    program = (
        "import sys\n"
        "from mistral_cli.services import model_names, models\n"
        "model_names.read_names([{'id': 'm'}])\n"
        "heavy = ('pydantic', 'mistral_cli.api.schemas')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"
