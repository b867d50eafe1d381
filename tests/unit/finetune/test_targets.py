"""Classifier targets from the data: per target its labels, single- or multi-label; --target."""

from __future__ import annotations

import json

import pytest

from mistral_cli.errors import DataValidationError, UsageError
from mistral_cli.services.ftdata.report import ClassTarget
from mistral_cli.services.ftdata.validate import choose_targets, parse_target
from tests.unit.finetune.conftest import CLEAN, Writer, check


def lines(*labels: dict[str, object]) -> list[str]:
    return [json.dumps({"text": f"sample {n}", "labels": lab}) for n, lab in enumerate(labels)]


def test_targets_derived_from_the_training_file(write: Writer) -> None:
    path = write(
        "train.jsonl",
        lines(
            {"mood": "sad", "topics": ["billing"]},
            {"mood": "happy", "topics": ["shipping", "billing"]},
            {"mood": "sad"},
        ),
    )
    assert check(path).targets == [
        ClassTarget("mood", ("happy", "sad"), multi=False),
        ClassTarget("topics", ("billing", "shipping"), multi=True),
    ]


def test_validation_file_labels_are_not_targets(write: Writer) -> None:
    train = write("train.jsonl", lines({"mood": "sad"}, {"mood": "happy"}))
    val = write("val.jsonl", lines({"mood": "angry", "extra": "x"}))
    assert check(train, val=val).targets == [ClassTarget("mood", ("happy", "sad"), multi=False)]


def test_chat_data_has_no_targets() -> None:
    assert check(CLEAN / "chat.jsonl").targets == []


def test_more_labels_than_tallied_is_incomplete(write: Writer, monkeypatch) -> None:
    from mistral_cli.services.ftdata import rules_classifier

    monkeypatch.setattr(rules_classifier, "MAX_CLASSES", 2)
    path = write("train.jsonl", lines({"x": "a"}, {"x": "b"}, {"x": "c"}))
    assert check(path).targets == [ClassTarget("x", ("a", "b"), multi=False, complete=False)]


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("sentiment", ("sentiment", None)),
        ("topics:multi", ("topics", True)),
        ("topics:single", ("topics", False)),
        ("a:b", ("a:b", None)),  # a colon that is part of the name
    ],
)
def test_parse_target(text: str, parsed: tuple[str, bool | None]) -> None:
    assert parse_target(text) == parsed


def test_parse_target_refuses_an_empty_name() -> None:
    with pytest.raises(UsageError, match=r"--target expects NAME\[:multi\], got ':multi'"):
        parse_target(":multi")


MOOD = ClassTarget("mood", ("happy", "sad"), multi=False)
TOPICS = ClassTarget("topics", ("billing",), multi=True)


def test_all_targets_of_every_file_with_their_labels_merged() -> None:
    other = ClassTarget("mood", ("angry", "sad"), multi=False)
    assert choose_targets([("a.jsonl", [MOOD, TOPICS]), ("b.jsonl", [other])]) == [
        ClassTarget("mood", ("angry", "happy", "sad"), multi=False),
        TOPICS,
    ]


def test_named_targets_in_the_order_given_and_multi_on_request() -> None:
    chosen = choose_targets([("a.jsonl", [MOOD, TOPICS])], ["topics", "mood:multi"])
    assert chosen == [TOPICS, ClassTarget("mood", ("happy", "sad"), multi=True)]


def test_a_named_target_the_data_lacks_is_exit_8_naming_it() -> None:
    with pytest.raises(DataValidationError) as caught:
        choose_targets([("a.jsonl", [MOOD, TOPICS])], ["intent"])
    assert caught.value.message == (
        "--target 'intent': the training data has no such target (it has: 'mood', 'topics')"
    )
    assert caught.value.exit_code == 8


def test_single_label_asked_for_list_labels_is_exit_8() -> None:
    with pytest.raises(DataValidationError, match=r"a\.jsonl gives 'topics' lists of labels"):
        choose_targets([("a.jsonl", [TOPICS])], ["topics:single"])


def test_one_target_single_in_one_file_and_multi_in_another() -> None:
    listed = ClassTarget("mood", ("sad",), multi=True)
    with pytest.raises(DataValidationError) as caught:
        choose_targets([("a.jsonl", [MOOD]), ("b.jsonl", [listed])])
    assert caught.value.message == (
        "target 'mood' is single-label in a.jsonl and multi-label in b.jsonl"
    )
