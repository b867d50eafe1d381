"""The fake's classifier, moderation and fine-tuned-model routes: spec shapes, limits, state."""

import httpx
import pytest

from tests.fakes import FakeMistral
from tests.fakes.catalog import CLASSIFIER_ID, FINE_TUNED_ID
from tests.fakes.classifiers import CATEGORIES, ClassifierBatch, ClassifiersFake, classification
from tests.unit.fakes.helpers import component_validator

USER = [{"role": "user", "content": "where is my parcel?"}]
MODERATION = "mistral-moderation-latest"


def assert_shape(answer: httpx.Response, schema: str) -> dict[str, object]:
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert list(component_validator(schema).iter_errors(body)) == []
    return body


def test_classifications_follow_the_spec_one_result_per_input(client: httpx.Client) -> None:
    body = {"model": CLASSIFIER_ID, "input": ["great", "late parcel"]}
    answer = assert_shape(client.post("/v1/classifications", json=body), "ClassificationResponse")
    assert answer["model"] == CLASSIFIER_ID
    assert answer["results"] == [classification("great"), classification("late parcel")]
    sentiment = classification("great")["sentiment"]["scores"]
    assert set(sentiment) == {"negative", "neutral", "positive"}
    assert abs(sum(sentiment.values()) - 1) < 1e-5  # single_class: a softmax


def test_chat_classifications_take_one_or_several_conversations(client: httpx.Client) -> None:
    one = {"model": CLASSIFIER_ID, "input": {"messages": USER}}
    answer = assert_shape(
        client.post("/v1/chat/classifications", json=one), "ClassificationResponse"
    )
    assert answer["results"] == [classification("where is my parcel?")]
    many = {"model": CLASSIFIER_ID, "input": [{"messages": USER}, {"messages": USER}]}
    answer = assert_shape(
        client.post("/v1/chat/classifications", json=many), "ClassificationResponse"
    )
    assert len(answer["results"]) == 2


def test_moderations_flag_trigger_words(client: httpx.Client) -> None:
    body = {"model": MODERATION, "input": ["hello", "I will kill you"]}
    answer = assert_shape(client.post("/v1/moderations", json=body), "ModerationResponse")
    calm, violent = answer["results"]
    assert list(calm["categories"]) == list(CATEGORIES)
    assert not any(calm["categories"].values())
    assert [c for c, flagged in violent["categories"].items() if flagged] == [
        "violence_and_threats"
    ]
    assert violent["category_scores"]["violence_and_threats"] > 0.9


def test_chat_moderations_take_one_conversation_or_a_list(client: httpx.Client) -> None:
    one = {"model": MODERATION, "input": USER}
    assert (
        len(
            assert_shape(client.post("/v1/chat/moderations", json=one), "ModerationResponse")[
                "results"
            ]
        )
        == 1
    )
    many = {"model": MODERATION, "input": [USER, [{"role": "user", "content": "bomb"}]]}
    results = assert_shape(client.post("/v1/chat/moderations", json=many), "ModerationResponse")[
        "results"
    ]
    assert [r["categories"]["dangerous_and_criminal_content"] for r in results] == [False, True]


@pytest.mark.parametrize(
    ("path", "model"),
    [
        ("/v1/classifications", "mistral-small-latest"),
        ("/v1/classifications", MODERATION),
        ("/v1/moderations", CLASSIFIER_ID),
        ("/v1/moderations", "no-such-model"),
    ],
)
def test_a_model_without_the_capability_is_a_400(
    client: httpx.Client, path: str, model: str
) -> None:
    answer = client.post(path, json={"model": model, "input": ["x"]})
    assert answer.status_code == 400
    assert (answer.json()["message"], answer.json()["code"]) == (f"Invalid model: {model}", "1500")


def test_limits_answer_too_many_and_every_batch_is_recorded(
    fake: FakeMistral, client: httpx.Client
) -> None:
    module = fake.module(ClassifiersFake)
    module.max_inputs, module.max_tokens = 2, 5
    over = client.post("/v1/moderations", json={"model": MODERATION, "input": ["a", "b", "c"]})
    assert (over.status_code, over.json()["message"]) == (
        400,
        "Too many inputs in request, split into more batches.",
    )
    heavy = client.post("/v1/moderations", json={"model": MODERATION, "input": ["x" * 40]})
    assert (heavy.status_code, heavy.json()["code"]) == (400, "3210")
    client.post("/v1/moderations", json={"model": MODERATION, "input": "ok"})
    assert module.batches == [
        ClassifierBatch("/v1/moderations", MODERATION, 3, 3, 400),
        ClassifierBatch("/v1/moderations", MODERATION, 1, 10, 400),
        ClassifierBatch("/v1/moderations", MODERATION, 1, 1, 200),
    ]


def test_requests_are_checked_against_the_spec(client: httpx.Client) -> None:
    extra = client.post("/v1/moderations", json={"model": MODERATION, "input": ["x"], "n": 2})
    assert extra.status_code == 422
    assert extra.json()["message"]["detail"][0]["type"] == "extra_forbidden"
    bare = client.post("/v1/chat/classifications", json={"model": CLASSIFIER_ID, "input": [USER]})
    assert bare.status_code == 422


# ------------------------------------------------------------------ fine-tuned models


def test_update_answers_the_fine_tuned_model_by_its_type(
    fake: FakeMistral, client: httpx.Client
) -> None:
    path = f"/v1/fine_tuning/models/{FINE_TUNED_ID}"
    answer = client.patch(path, json={"name": "support-bot"})
    body = assert_shape(answer, "CompletionFineTunedModel")
    assert (body["name"], body["model_type"]) == ("support-bot", "completion")
    assert fake.models.get(FINE_TUNED_ID)["name"] == "support-bot"
    classifier = client.patch(f"/v1/fine_tuning/models/{CLASSIFIER_ID}", json={"description": "v2"})
    body = assert_shape(classifier, "ClassifierFineTunedModel")
    assert [t["name"] for t in body["classifier_targets"]] == ["sentiment", "topics"]


def test_archive_unarchive_and_delete(fake: FakeMistral, client: httpx.Client) -> None:
    path = f"/v1/fine_tuning/models/{FINE_TUNED_ID}/archive"
    archived = assert_shape(client.post(path), "ArchiveModelResponse")
    assert archived == {"id": FINE_TUNED_ID, "object": "model", "archived": True}
    assert fake.models.get(FINE_TUNED_ID)["archived"] is True
    back = assert_shape(client.delete(path), "UnarchiveModelResponse")
    assert back["archived"] is False
    gone = assert_shape(client.delete(f"/v1/models/{FINE_TUNED_ID}"), "DeleteModelResponse")
    assert gone == {"id": FINE_TUNED_ID, "object": "model", "deleted": True}
    assert fake.models.find(FINE_TUNED_ID) is None
    assert client.delete(f"/v1/models/{FINE_TUNED_ID}").status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PATCH", "/v1/fine_tuning/models/{}"),
        ("POST", "/v1/fine_tuning/models/{}/archive"),
        ("DELETE", "/v1/fine_tuning/models/{}/archive"),
        ("DELETE", "/v1/models/{}"),
    ],
)
@pytest.mark.parametrize("model", ["mistral-small-latest", "ft:unknown", "mistral-small"])
def test_base_or_unknown_models_are_404(
    client: httpx.Client, method: str, path: str, model: str
) -> None:
    body = {"name": "x"} if method == "PATCH" else None
    answer = client.request(method, path.format(model), json=body)
    assert answer.status_code == 404
    assert answer.json()["message"] == f"Model not found: {model}"


def test_update_body_is_checked_against_the_spec(client: httpx.Client) -> None:
    answer = client.patch(f"/v1/fine_tuning/models/{FINE_TUNED_ID}", json={"name": 3})
    assert answer.status_code == 422
