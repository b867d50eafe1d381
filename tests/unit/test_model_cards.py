"""Cached cards read without pydantic are, field for field, what ModelCard makes of them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mistral_cli.api.schemas.models import ModelCard
from mistral_cli.services import models as svc
from mistral_cli.services.model_cards import CachedCard, cached_card, cached_cards
from tests.fakes.catalog import default_cards

FIELDS = (
    "id",
    "aliases",
    "type",
    "internal",
    "deprecation",
    "deprecation_replacement_model",
    "max_context_length",
    "embeddings",
)
FLAGS = ("completion_chat", "function_calling", "vision", "fine_tuning")


def server_cards() -> list[dict[str, Any]]:
    """The fake's catalogue plus the odd cases a real list carries."""
    return [
        *default_cards(),
        {"id": "bare", "capabilities": {}},  # every default
        {"id": "mistral-ocr-latest", "type": "base", "internal": True, "aliases": None},
        {"id": "old", "deprecation": "2026-01-01T00:00:00Z", "extra": {"kept": [1, 2]}},
        {"id": "ft:x", "type": "fine-tuned", "job": "j", "root": "r", "archived": False},
    ]


def saved(tmp_path: Path, cards: list[dict[str, Any]]) -> svc.ModelCache:
    cache = svc.ModelCache(tmp_path / "models.json", clock=lambda: 1000.0)
    cache.save(svc.parse_model_list({"data": cards}))  # as `models list` writes it
    return cache


def test_cards_as_written_are_read_without_pydantic(tmp_path: Path) -> None:
    cache = saved(tmp_path, server_cards())
    cheap = cache.load()
    assert cheap is not None
    assert all(isinstance(card, CachedCard) for card in cheap)
    data = json.loads(cache.path.read_text())["data"]
    exact = [ModelCard.model_validate(item) for item in data]  # what load() returned before
    assert len(cheap) == len(exact) == len(server_cards())
    for got, want in zip(cheap, exact, strict=True):
        for name in FIELDS:
            assert getattr(got, name) == getattr(want, name), (want.id, name)
        for flag in FLAGS:
            assert getattr(got.capabilities, flag) == getattr(want.capabilities, flag)
        assert got.model_dump(mode="json") == want.model_dump(mode="json")
        assert got.model_dump() == want.model_dump()
        assert svc.row(got) == svc.row(want)
    assert svc.visible(cheap, include_internal=True) == sorted(cheap, key=lambda c: c.id)
    assert [c.id for c in svc.visible(cheap)] == [c.id for c in svc.visible(exact)]
    assert svc.resolve("mistral-small", cheap, {}) == svc.resolve("mistral-small", exact, {})


ALL_OFF = dict.fromkeys(FLAGS, False)


@pytest.mark.parametrize(
    "odd",
    [
        {"id": "a", "capabilities": ALL_OFF},  # no type: ModelCard's default applies
        {"id": "a", "type": "base", "capabilities": {"vision": True}},  # flags missing
        {"id": "a", "type": "base", "capabilities": ALL_OFF, "max_context_length": 3.0},
        {"id": "a", "type": "base", "capabilities": ALL_OFF, "internal": 1},
        {"id": "a", "type": "base", "capabilities": ALL_OFF, "aliases": None},
        {"id": "", "type": "base", "capabilities": ALL_OFF},
    ],
)
def test_a_card_not_as_written_sends_the_list_through_modelcard(
    tmp_path: Path, odd: dict[str, Any]
) -> None:
    assert cached_card(odd) is None
    good = {"id": "b", "type": "base", "capabilities": dict.fromkeys(FLAGS, True)}
    assert isinstance(cached_card(good), CachedCard)
    assert cached_cards([good, odd]) is None
    cache = svc.ModelCache(tmp_path / "models.json", clock=lambda: 1000.0)
    cache.path.write_text(json.dumps({"fetched_at": 1000.0, "data": [good, odd]}))
    loaded = cache.load()
    assert loaded is not None
    assert [type(card) for card in loaded] == [ModelCard, ModelCard]
    assert loaded[1] == ModelCard.model_validate(odd)


def test_what_modelcard_rejects_is_still_a_miss(tmp_path: Path) -> None:
    cache = svc.ModelCache(tmp_path / "models.json", clock=lambda: 1000.0)
    rejected = (
        [{"id": None}],
        {"not": "a list"},
        [{"id": "a", "type": None}],
        [{"id": "a", "aliases": ["x", 2]}],
    )
    for data in rejected:
        cache.path.write_text(json.dumps({"fetched_at": 1000.0, "data": data}))
        assert cache.load() is None
    assert cached_cards("nope") is None
    assert cached_card(["not", "a", "card"]) is None
