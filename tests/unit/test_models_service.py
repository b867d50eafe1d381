from __future__ import annotations

from pathlib import Path

import pytest

from mistral_cli.api.schemas.models import ModelCard
from mistral_cli.services import models as svc

CARDS = [
    ModelCard(id="mistral-small-2506", aliases=["mistral-small-latest"]),
    ModelCard(id="mistral-small-latest", aliases=["mistral-small-2506"]),
    ModelCard(id="mistral-large-latest"),
    ModelCard(id="ministral-8b-latest"),
    ModelCard(id="mistral-embed"),
]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("mistral-small-latest", "mistral-small-latest"),
        ("mistral-small-2506", "mistral-small-2506"),
        ("mistral-small", "mistral-small-latest"),
        ("mistral-large", "mistral-large-latest"),
        (" mistral-embed ", "mistral-embed"),
        ("fast", "ministral-8b-latest"),
        ("big", "mistral-large-latest"),
    ],
)
def test_resolve_order(name: str, expected: str) -> None:
    aliases = {"fast": "ministral-8b-latest", "big": "mistral-large"}
    assert svc.resolve(name, CARDS, aliases) == expected


def test_exact_alias_of_a_card() -> None:
    cards = [ModelCard(id="codestral-2508", aliases=["codestral-latest"])]
    assert svc.resolve("codestral-latest", cards, {}) == "codestral-latest"
    assert svc.find("codestral-latest", cards) is cards[0]


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("mistral-tiny", "ministral-8b-latest"),
        ("open-mixtral-8x7b", "mistral-small-latest"),
        ("pixtral-large-2411", "mistral-medium-latest"),
        ("magistral-medium-latest", "mistral-medium-latest"),
    ],
)
def test_retired_names_get_a_current_choice(name: str, suggestion: str) -> None:
    with pytest.raises(svc.UnknownModel) as caught:
        svc.resolve(name, CARDS, {})
    assert "retired" in caught.value.message
    assert suggestion in (caught.value.hint or "")
    assert caught.value.exit_code == 2


def test_unknown_without_close_match() -> None:
    with pytest.raises(svc.UnknownModel) as caught:
        svc.resolve("zzz", CARDS, {})
    assert caught.value.hint == "`mistral models list` shows the models your key can use"


def test_parse_both_list_shapes() -> None:
    card = {"id": "m", "capabilities": {"completion_chat": True, "new_flag": True}, "aliases": None}
    for data in ({"object": "list", "data": [card]}, [card]):
        parsed = svc.parse_model_list(data)
        assert parsed[0].id == "m"
        assert parsed[0].aliases == []
        assert parsed[0].capabilities.completion_chat


def test_cache_ttl_and_ids_file(tmp_path: Path) -> None:
    now = [1000.0]
    cache = svc.ModelCache(tmp_path / "models.json", ttl=60, clock=lambda: now[0])
    assert cache.load() is None
    cache.save(CARDS)
    assert [c.id for c in cache.load() or []] == [c.id for c in CARDS]
    assert "mistral-small-latest" in (tmp_path / "model-ids.txt").read_text().split()
    now[0] += 61
    assert cache.load() is None
    assert cache.load(allow_stale=True) is not None


def test_cache_per_account_never_stores_the_key(tmp_path: Path) -> None:
    one = svc.ModelCache.for_account(tmp_path, "https://api.mistral.ai", "sk-secret-1")
    two = svc.ModelCache.for_account(tmp_path, "https://api.mistral.ai", "sk-secret-2")
    assert one.path != two.path
    one.save(CARDS)
    assert "sk-secret" not in one.path.read_text() + one.path.name


def test_corrupt_cache_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "models.json"
    path.write_text("{not json")
    assert svc.ModelCache(path).load() is None


def test_context_labels() -> None:
    assert svc.context_label(262144) == "256k"
    assert svc.context_label(8192) == "8k"
    assert svc.context_label(32000) == "32k"
    assert svc.context_label(None) == "?"
    assert svc.context_label(512) == "512"
