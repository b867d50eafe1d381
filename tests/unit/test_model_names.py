"""services/model_names.py: -m resolved from the names of the cheap cards."""

from __future__ import annotations

import pytest

from mistral_cli.services import model_names as names
from mistral_cli.services.model_cards import read_cards

CARD = {
    "id": "mistral-small-2506",
    "aliases": ["mistral-small-latest"],
    "deprecation": "2026-12-31T00:00:00Z",
    "deprecation_replacement_model": "mistral-medium-latest",
    "capabilities": {"completion_chat": True},
}


def test_resolving_works_on_names_alone() -> None:
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
