"""services/model_cards.py: the model list read without pydantic, as ModelList reads it."""

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
from mistral_cli.api.schemas.models import ModelCard
from mistral_cli.services import model_cards as cards_svc
from mistral_cli.services import model_names as names
from mistral_cli.services import models as svc
from mistral_cli.services.model_cards import CAP_NAMES, Card, read_card, read_cards
from tests.fakes.catalog import default_cards

FIELDS = (
    "id",
    "aliases",
    "type",
    "name",
    "owned_by",
    "description",
    "created",
    "max_context_length",
    "deprecation",
    "deprecation_replacement_model",
    "default_model_temperature",
    "internal",
    "archived",
    "job",
    "root",
    "embeddings",
)
CARD = {
    "id": "mistral-small-2506",
    "aliases": ["mistral-small-latest"],
    "deprecation": "2026-12-31T00:00:00Z",
    "deprecation_replacement_model": "mistral-medium-latest",
    "capabilities": {"completion_chat": True},
}


def reading(card: Card | ModelCard) -> tuple[Any, ...]:
    """Everything a command reads of a card: its fields, each capability, the document."""
    caps = tuple(getattr(card.caps, name) for name in CAP_NAMES)
    return (*(getattr(card, name) for name in FIELDS), caps, card.wire())


def by_pydantic(data: object) -> list[tuple[Any, ...]] | None:
    """What the pydantic ModelList makes of a list, or None where it fails."""
    try:
        return [reading(card) for card in svc.parse_model_list(data)]
    except UnexpectedAnswer:
        return None


def by_reader(data: object) -> list[tuple[Any, ...]] | None:
    read = read_cards(data)
    return None if read is None else [reading(card) for card in read]


ODD = (
    st.none()
    | st.booleans()
    | st.integers(-3, 10**12)
    | st.floats(allow_nan=False)
    | st.text(max_size=4)
    | st.sampled_from(["", "m", "mistral-small-latest", "3", "true", "3.0", "embed"])
)
VALUE = st.recursive(ODD, lambda inner: st.lists(inner, max_size=3), max_leaves=5)
CAPS = st.dictionaries(st.sampled_from([*CAP_NAMES, "new_flag"]), ODD, max_size=4)
CARDS = st.fixed_dictionaries(
    {},
    optional={
        **dict.fromkeys([name for name in FIELDS if name != "embeddings"], VALUE),
        "id": VALUE | st.sampled_from(["mistral-embed", "codestral-embed-2505"]),
        "capabilities": VALUE | CAPS,
        "object": VALUE,
        "extra_field": VALUE,
    },
)
LISTS = st.lists(CARDS | ODD, max_size=4)
DOCUMENTS = LISTS | st.fixed_dictionaries({"object": ODD}, optional={"data": LISTS | ODD}) | ODD


@settings(max_examples=1500, deadline=None)
@given(DOCUMENTS)
def test_the_cards_are_those_modellist_makes(document: object) -> None:
    assert by_reader(document) == by_pydantic(document)


def test_the_catalogue_and_its_odd_cards_read_alike() -> None:
    odd = [
        {"id": "bare", "capabilities": {}},
        {"id": "nulls", "type": None, "capabilities": None, "aliases": None, "internal": None},
        {"id": "old", "deprecation": "2026-01-01T00:00:00Z", "extra": {"kept": [1, 2]}},
        {"id": "ft:x", "type": "fine-tuned", "job": "j", "root": "r", "archived": "false"},
        {"id": 7, "max_context_length": "32768", "capabilities": ["chat"], "created": 1.0},
    ]
    document = {"object": "list", "data": [*default_cards(), *odd]}
    assert by_reader(document) == by_pydantic(document)
    read = read_cards(document)
    assert read is not None
    assert [svc.row(card) for card in read[-5:]] == [
        ["bare", "?", "?", "?", "?", "?", "·", ""],
        ["nulls", "?", "?", "?", "?", "?", "·", ""],
        ["old", "?", "?", "?", "?", "?", "·", "deprecated 2026-01-01"],
        ["ft:x", "?", "?", "?", "?", "?", "·", "fine-tuned"],
        ["7", "32k", "?", "?", "?", "?", "·", ""],
    ]
    assert read[-2].archived is False
    assert read[-1].wire() == odd[-1]  # re-emitted as sent: the id stays a number


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
    read = read_cards(document)
    assert (None if read is None else [c.id for c in read]) == expected


def test_fetched_cards_become_the_same_view() -> None:
    fetched = svc.parse_model_list([CARD, {"id": "mistral-embed", "capabilities": None}])
    cheap = cards_svc.from_models(fetched)
    assert cheap == read_cards([CARD, {"id": "mistral-embed", "capabilities": None}])
    assert [card.embeddings for card in cheap] == [False, True]
    assert cheap[0].wire() == CARD
    assert read_card(["not", "a", "card"]) is None


def test_resolving_works_on_the_cheap_cards() -> None:
    cards = read_cards([CARD, {"id": "mistral-large-latest", "aliases": "mistral-large"}])
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
        json.dumps({"fetched_at": 950.0, "data": "cards"}),
        json.dumps([1]),
    ],
)
def test_a_cache_that_cannot_be_used_is_a_miss(tmp_path: Path, content: str | None) -> None:
    path = tmp_path / "models.json"
    if content is not None:
        path.write_text(content)
    assert cache_at(path).load() is None


def test_a_saved_list_loads_as_cards_as_sent(tmp_path: Path) -> None:
    sent = [*default_cards(), CARD, {"id": None}, {"id": "nulls", "type": None, "internal": None}]
    cache = cache_at(tmp_path / "models.json", clock=950.0)
    cache.save(svc.parse_model_list({"data": sent}))  # as `models list` writes it
    loaded = cache.load()
    assert loaded is not None
    assert all(isinstance(card, Card) for card in loaded)
    assert [card.wire() for card in loaded] == [card for card in sent if card["id"] is not None]
    assert [reading(card) for card in loaded] == by_pydantic(sent)
    assert cache_at(cache.path, clock=2000.0).load() is None
    assert cache_at(cache.path, clock=2000.0).load(allow_stale=True) == loaded


def test_a_warm_list_builds_no_pydantic_model(tmp_path: Path) -> None:
    path = tmp_path / "models.json"
    path.write_text(json.dumps({"fetched_at": 950.0, "data": [CARD, {"id": "m"}]}))
    program = (
        "import sys\n"
        "from pathlib import Path\n"
        "from mistral_cli.services import models\n"
        f"cards = models.ModelCache(Path({str(path)!r}), ttl=100.0, clock=lambda: 1000.0).load()\n"
        "assert [c.id for c in models.visible(cards)] == ['m', 'mistral-small-2506'], cards\n"
        "assert models.resolve('mistral-small', cards, {}) == 'mistral-small-latest'\n"
        "heavy = ('pydantic', 'mistral_cli.api.schemas', 'httpx')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"
