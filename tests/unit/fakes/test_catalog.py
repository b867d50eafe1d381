"""The model catalogue: realistic, spec-conforming cards, both list shapes, lookups by alias."""

import httpx
import pytest

from tests.fakes import FakeMistral
from tests.fakes.catalog import FINE_TUNED_ID, default_cards
from tests.unit.fakes.helpers import component_validator

RETIRED = (
    "open-mistral-7b",
    "open-mixtral",
    "mistral-tiny",
    "pixtral",
    "magistral",
    "devstral",
    "-2410",
)


def test_cards_follow_the_spec() -> None:
    validator = component_validator("ModelList")
    assert list(validator.iter_errors({"object": "list", "data": default_cards()})) == []


def test_catalogue_has_the_expected_ids_and_no_retired_ones() -> None:
    cards = {card["id"]: card for card in default_cards()}
    for model in (
        "mistral-large-latest",
        "mistral-medium-latest",
        "mistral-medium-2508",
        "mistral-small-latest",
        "mistral-small-2506",
        "ministral-8b-latest",
        "ministral-3b-latest",
        "codestral-latest",
        "mistral-embed",
        "codestral-embed",
        FINE_TUNED_ID,
    ):
        assert model in cards
    names = [card["id"] for card in cards.values()] + [
        a for c in cards.values() for a in c["aliases"]
    ]
    assert not [name for name in names if any(retired in name for retired in RETIRED)]
    assert "mistral-small" not in names
    assert "mistral-medium" not in names
    dated = cards["mistral-medium-2508"]
    assert "mistral-medium-latest" in dated["aliases"]
    assert (dated["deprecation"], dated["deprecation_replacement_model"]) == (
        "2026-08-31T12:00:00Z",
        "mistral-medium-latest",
    )
    assert cards[FINE_TUNED_ID]["type"] == "fine-tuned"
    assert {card["type"] for card in cards.values()} == {"base", "fine-tuned"}


def test_list_shapes(fake: FakeMistral, client: httpx.Client) -> None:
    listed = client.get("/v1/models").json()
    assert listed["object"] == "list"
    assert [card["id"] for card in listed["data"]] == [card["id"] for card in default_cards()]
    fake.models.list_shape = "list"
    assert client.get("/v1/models").json() == listed["data"]


def test_cards_are_editable_per_test(fake: FakeMistral, client: httpx.Client) -> None:
    fake.models.cards = [card for card in fake.models.cards if card["id"] == "mistral-embed"]
    assert [card["id"] for card in client.get("/v1/models").json()["data"]] == ["mistral-embed"]
    assert len(FakeMistral().models.cards) == len(default_cards())


@pytest.mark.parametrize(
    ("requested", "served"),
    [
        ("mistral-small-latest", "mistral-small-latest"),
        ("mistral-small-2506", "mistral-small-2506"),
        ("mistral-embed-2312", "mistral-embed"),
        ("mistral-medium-latest", "mistral-medium-latest"),  # an id wins over another card's alias
        (FINE_TUNED_ID, FINE_TUNED_ID),
    ],
)
def test_get_by_id_or_alias(client: httpx.Client, requested: str, served: str) -> None:
    answer = client.get(f"/v1/models/{requested}")
    assert (answer.status_code, answer.json()["id"]) == (200, served)


def test_get_unknown_model_is_404(client: httpx.Client) -> None:
    answer = client.get("/v1/models/mistral-tiny")
    assert answer.status_code == 404
    assert answer.json() == {
        "object": "error",
        "message": "Model not found: mistral-tiny",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
        "request_id": answer.headers["x-request-id"],
    }


def test_catalog_get_raises_for_unknown(fake: FakeMistral) -> None:
    assert fake.models.get("mistral-embed-2312")["id"] == "mistral-embed"
    with pytest.raises(KeyError):
        fake.models.get("nope")
