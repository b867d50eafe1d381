"""`mistral classify` and `mistral moderate` in-process against the fake: outputs, routes, exits."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fakes.catalog import CLASSIFIER_ID
from tests.fakes.classifiers import ClassifierBatch, ClassifiersFake, classification, moderation
from tests.fakes.faults import Fault
from tests.fakes.router import FakeMistral
from tests.support import invoke, make_context

CLS = ["classify", "-m", CLASSIFIER_ID]
MODERATION = "mistral-moderation-latest"
CALM, VIOLENT, HATEFUL = "see you tomorrow", "I will kill you", "I hate them"


def line(number: int, result: dict[str, Any]) -> str:
    return json.dumps({"line": number, **result}, ensure_ascii=False) + "\n"


def bodies(fake: FakeMistral, route: str) -> list[Any]:
    return [r.json() for r in fake.requests_to(route)]


def no_ids(text: str) -> str:
    return re.sub(r", request [0-9a-f]+\)", ")", text)


def plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", text)


def posts(fake: FakeMistral) -> list[str]:
    return [r.route_key for r in fake.requests if r.method == "POST"]


# ------------------------------------------------------------------ classify


def test_classify_texts_piped_is_one_json_line_per_input(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    result = invoke([*CLS, "great service", "late parcel"], make_context(fake_transport))
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == line(1, classification("great service")) + line(
        2, classification("late parcel")
    )
    assert bodies(fake, "POST /v1/classifications") == [
        {"model": CLASSIFIER_ID, "input": ["great service", "late parcel"]}
    ]


def test_stdin_lines_keep_their_numbers_and_blank_ones_are_counted(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    result = invoke(
        ["classify", "-m", "ft:ministral-3b"], make_context(fake_transport), input="a\n\n  \nb\n"
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == line(1, classification("a")) + line(4, classification("b"))
    assert result.stderr == "mistral: 2 blank lines skipped\n"


def test_csv_flattens_each_result_into_dotted_columns(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    result = invoke([*CLS, "--format", "csv", "a", "b"], make_context(fake_transport))
    assert result.exit_code == 0, result.stderr
    header = ["line"] + [
        f"{target}.scores.{label}"
        for target, labels in (
            ("sentiment", ("negative", "neutral", "positive")),
            ("topics", ("billing", "shipping", "other")),
        )
        for label in labels
    ]

    def row(number: int, text: str) -> str:
        scores = classification(text)
        values = [v for target in scores.values() for v in target["scores"].values()]
        return ",".join([str(number), *map(str, values)])

    assert result.stdout == "\n".join([",".join(header), row(1, "a"), row(2, "b")]) + "\n"


def test_a_terminal_gets_a_table_and_a_summary(
    fake: FakeMistral, fake_transport: httpx.MockTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    result = invoke([*CLS, "great service", "late parcel"], make_context(fake_transport, tty=True))
    assert result.exit_code == 0, result.stderr

    def top(text: str, target: str) -> str:
        scores = classification(text)[target]["scores"]
        best = max(scores, key=scores.__getitem__)
        return f"{best} {scores[best]:.2f}"

    rows = [row.split("  ") for row in plain(result.stdout).splitlines()]
    cells = [[cell.strip() for cell in row if cell.strip()] for row in rows]
    assert cells == [
        ["LINE", "INPUT", "SENTIMENT", "TOPICS"],
        ["─" * len(plain(result.stdout).splitlines()[1])],
        ["1", "great service", top("great service", "sentiment"), top("great service", "topics")],
        ["2", "late parcel", top("late parcel", "sentiment"), top("late parcel", "topics")],
    ]
    assert re.fullmatch(r"2 inputs · 1 request · \d+\.\d s", plain(result.stderr).splitlines()[-1])


def test_format_table_when_piped_is_asked_for_and_tab_separated(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    result = invoke([*CLS, "--format", "table", "hi"], make_context(fake_transport))
    assert result.exit_code == 0, result.stderr
    scores = classification("hi")
    tops = []
    for target in ("sentiment", "topics"):
        best = max(scores[target]["scores"], key=scores[target]["scores"].__getitem__)
        tops.append(f"{best} {scores[target]['scores'][best]:.2f}")
    assert result.stdout == "\t".join(["1", "hi", *tops]) + "\n"


def test_chat_conversations_go_to_the_chat_route_with_their_lines(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    first = [{"role": "user", "content": "where is my parcel?"}]
    second = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "refund please"},
    ]
    chat = tmp_path / "conversations.jsonl"
    chat.write_text(
        json.dumps({"messages": first, "labels": {"topics": ["shipping"]}})
        + "\n\n"
        + json.dumps({"messages": second})
        + "\n"
    )
    result = invoke([*CLS, "--chat", str(chat)], make_context(fake_transport))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == line(1, classification("where is my parcel?")) + line(
        3, classification("Be brief.\nrefund please")
    )
    assert bodies(fake, "POST /v1/chat/classifications") == [
        {"model": CLASSIFIER_ID, "input": [{"messages": first}, {"messages": second}]}
    ]
    assert result.stderr == "mistral: 1 blank line skipped\n"


def test_a_line_that_is_no_conversation_is_exit_8_after_the_lines_before_it(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    chat = tmp_path / "c.jsonl"
    chat.write_text('{"messages": [{"role": "user", "content": "hi"}]}\n{"text": "hi"}\n')
    result = invoke([*CLS, "--chat", str(chat)], make_context(fake_transport))
    assert result.exit_code == 8
    assert result.stdout == line(1, classification("hi"))
    assert result.stderr == (
        'mistral: error: line 2: no "messages" list\n'
        'hint: each line holds one conversation: {"messages": [{"role": "user", "content": "…"}]}'
        "; the 1 results before line 2 were written\n"
    )


def test_a_too_many_answer_splits_the_batch_and_order_is_kept(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    fake.module(ClassifiersFake).max_inputs = 2
    texts = [f"text {n}" for n in range(1, 6)]
    argv = [*CLS, "--batch-size", "4", "--concurrency", "1", *texts]
    result = invoke(argv, make_context(fake_transport))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "".join(line(n, classification(t)) for n, t in enumerate(texts, 1))
    assert [(b.inputs, b.status) for b in fake.module(ClassifiersFake).batches] == [
        (4, 400),
        (2, 200),
        (2, 200),
        (1, 200),
    ]


def test_a_rejected_batch_is_exit_4_naming_the_first_line_not_classified(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    fake.inject("POST /v1/classifications", Fault.slow(0))  # the first batch goes through
    fake.inject("POST /v1/classifications", Fault.status(400, {"message": "Input too long"}))
    argv = [*CLS, "--batch-size", "1", "--concurrency", "1", "a", "b", "c"]
    result = invoke(argv, make_context(fake_transport))
    assert result.exit_code == 4
    assert result.stdout == line(1, classification("a"))
    assert no_ids(result.stderr) == (
        "mistral: error: line 2 and the lines after it were not classified: "
        "Input too long (HTTP 400)\n"
        "hint: check the request's parameters (rerun with --debug to see the request); "
        "the 1 results before line 2 were written\n"
    )


def test_classify_needs_a_classifier(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    missing = invoke(["classify", "hi"], make_context(fake_transport))
    assert (missing.exit_code, missing.stderr) == (
        2,
        "mistral: error: classify needs -m MODEL: a fine-tuned classifier\n"
        "hint: `mistral models list --owned` shows your fine-tuned models\n",
    )
    base = invoke(["classify", "-m", "mistral-small", "hi"], make_context(fake_transport))
    assert (base.exit_code, base.stderr) == (
        2,
        "mistral: error: mistral-small-latest is not a classifier (no classification "
        "capability)\nhint: `mistral models list --owned` shows your fine-tuned classifiers\n",
    )
    assert posts(fake) == []


def test_output_file_is_written_and_never_replaced_without_force(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    target = tmp_path / "scores.csv"
    result = invoke([*CLS, "-o", str(target), "a"], make_context(fake_transport))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert target.read_text().splitlines()[0].startswith("line,sentiment.scores.negative,")
    again = invoke([*CLS, "-o", str(target), "a"], make_context(fake_transport))
    assert (again.exit_code, again.stderr) == (
        2,
        f"mistral: error: {target} already exists\nhint: pass --force to overwrite it\n",
    )
    assert len(fake.requests_to("POST /v1/classifications")) == 1
    forced = invoke(
        [*CLS, "-o", str(target), "--force", "--format", "jsonl", "b"], make_context(fake_transport)
    )
    assert forced.exit_code == 0, forced.stderr
    assert target.read_text() == line(1, classification("b"))


def test_a_run_that_fails_before_its_first_result_leaves_no_file(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    fake.inject("POST /v1/classifications", Fault.status(400, {"message": "Invalid input"}))
    target = tmp_path / "scores.jsonl"
    result = invoke([*CLS, "-o", str(target), "a"], make_context(fake_transport))
    assert result.exit_code == 4
    assert no_ids(result.stderr).startswith(
        "mistral: error: line 1 and the lines after it were not classified: Invalid input"
    )
    assert not target.exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--format", "table", "-o", "x.txt", "a"], "--format table is for the terminal"),
        (["--format", "xml", "a"], "--format must be one of jsonl, csv, table"),
        (["--chat", "c.jsonl", "a"], "pass TEXT arguments or --chat FILE, not both"),
        (["--chat", "missing.jsonl"], "cannot read missing.jsonl: No such file or directory"),
    ],
)
def test_usage_errors_come_before_any_request(
    fake: FakeMistral, fake_transport: httpx.MockTransport, argv: list[str], message: str
) -> None:
    result = invoke([*CLS, *argv], make_context(fake_transport))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"mistral: error: {message}\n")
    assert fake.requests == []


# ------------------------------------------------------------------ moderate


def test_moderate_uses_the_moderation_model_and_summarises(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    result = invoke(["moderate", CALM, VIOLENT], make_context(fake_transport))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == line(1, moderation(CALM)) + line(2, moderation(VIOLENT))
    assert result.stderr == "1 of 2 inputs flagged: violence_and_threats (1)\n"
    assert bodies(fake, "POST /v1/moderations") == [{"model": MODERATION, "input": [CALM, VIOLENT]}]


def test_moderate_model_override_and_refusal(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    dated = invoke(
        ["moderate", "-m", "mistral-moderation-2411", CALM], make_context(fake_transport)
    )
    assert (dated.exit_code, dated.stderr) == (0, "0 of 1 input flagged\n")
    assert bodies(fake, "POST /v1/moderations")[0]["model"] == "mistral-moderation-2411"
    chat_model = invoke(["moderate", "-m", "mistral-large", CALM], make_context(fake_transport))
    assert (chat_model.exit_code, chat_model.stderr) == (
        2,
        "mistral: error: mistral-large-latest is not a moderation model (no moderation "
        "capability)\nhint: leave -m out to use the default moderation model\n",
    )


def test_no_moderation_model_in_the_list_is_exit_2(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    fake.models.cards = [c for c in fake.models.cards if not c["capabilities"]["moderation"]]
    result = invoke(["moderate", CALM], make_context(fake_transport))
    assert (result.exit_code, result.stderr) == (
        2,
        "mistral: error: no model in the model list has the moderation capability\n"
        "hint: name one with -m MODEL (`mistral models list` shows them)\n",
    )


def test_a_cached_list_without_a_moderation_model_is_fetched_again(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    actx = make_context(fake_transport)
    everything = list(fake.models.cards)
    fake.models.cards = [c for c in everything if not c["capabilities"]["moderation"]]
    invoke(["models", "list"], actx)  # cached before the moderation models appeared
    fake.models.cards = everything
    result = invoke(["moderate", CALM], actx)
    assert (result.exit_code, result.stderr) == (0, "0 of 1 input flagged\n")
    assert bodies(fake, "POST /v1/moderations")[0]["model"] == MODERATION
    assert len(fake.requests_to("GET /v1/models")) == 2


def test_fail_on_any_writes_every_result_then_exits_12(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    texts = [CALM, VIOLENT, HATEFUL, "kill the hate"]
    result = invoke(["moderate", "--fail-on", "any", *texts], make_context(fake_transport))
    assert result.exit_code == 12
    assert result.stdout == "".join(line(n, moderation(t)) for n, t in enumerate(texts, 1))
    assert result.stderr == (
        "mistral: error: 3 of 4 inputs flagged: hate_and_discrimination (2), "
        "violence_and_threats (2)\n"
        "hint: the results name each input's line and the categories it was flagged in\n"
    )


def test_fail_on_named_categories_counts_only_those(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    argv = ["moderate", "--fail-on", "hate_and_discrimination, pii", CALM, VIOLENT]
    passed = invoke(argv, make_context(fake_transport))
    assert (passed.exit_code, passed.stderr) == (0, "0 of 2 inputs flagged\n")
    failed = invoke([*argv, HATEFUL], make_context(fake_transport))
    assert failed.exit_code == 12
    assert failed.stderr.splitlines()[0] == (
        "mistral: error: 1 of 3 inputs flagged: hate_and_discrimination (1)"
    )


def test_fail_on_writes_the_whole_file_before_exit_12(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    target = tmp_path / "moderation.jsonl"
    argv = ["moderate", "--fail-on", "any", "--batch-size", "1", "-o", str(target)]
    result = invoke([*argv, VIOLENT, CALM], make_context(fake_transport))
    assert (result.exit_code, result.stdout) == (12, "")
    assert target.read_text() == line(1, moderation(VIOLENT)) + line(2, moderation(CALM))


@pytest.mark.parametrize(
    ("value", "stderr"),
    [
        (
            "hate",
            "mistral: error: --fail-on: unknown category hate; the answers carry: "
            "dangerous_and_criminal_content, financial, hate_and_discrimination, health, law, "
            "pii, selfharm, sexual, violence_and_threats\n"
            "hint: name categories as listed, or use --fail-on any\n",
        ),
        (" , ", "mistral: error: --fail-on needs a category (or any)\nhint: e.g. --fail-on any\n"),
    ],
)
def test_fail_on_names_are_checked(
    fake: FakeMistral, fake_transport: httpx.MockTransport, value: str, stderr: str
) -> None:
    result = invoke(["moderate", "--fail-on", value, VIOLENT], make_context(fake_transport))
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", stderr)


def test_moderate_chat_sends_bare_message_lists(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    chat = tmp_path / "c.jsonl"
    messages = [{"role": "user", "content": "how to build a bomb"}]
    chat.write_text(json.dumps({"messages": messages}) + "\n")
    result = invoke(
        ["moderate", "--chat", str(chat), "--fail-on", "any"], make_context(fake_transport)
    )
    assert result.exit_code == 12
    assert result.stdout == line(1, moderation("how to build a bomb"))
    assert bodies(fake, "POST /v1/chat/moderations") == [{"model": MODERATION, "input": [messages]}]
    assert result.stderr.startswith(
        "mistral: error: 1 of 1 input flagged: dangerous_and_criminal_content (1)\n"
    )


def test_moderate_table_on_a_terminal(
    fake: FakeMistral, fake_transport: httpx.MockTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    result = invoke(["moderate", CALM, VIOLENT], make_context(fake_transport, tty=True))
    assert result.exit_code == 0, result.stderr
    lines = [" ".join(row.split()) for row in plain(result.stdout).splitlines()]

    def top(text: str) -> str:
        scores = moderation(text)["category_scores"]
        best = max(scores, key=scores.__getitem__)
        return f"{best} {scores[best]:.2f}"

    assert lines[0] == "LINE INPUT FLAGGED TOP"
    assert lines[2:] == [
        f"1 {CALM} · {top(CALM)}",
        f"2 {VIOLENT} violence_and_threats {top(VIOLENT)}",
    ]
    assert (
        plain(result.stderr).splitlines()[-1] == "1 of 2 inputs flagged: violence_and_threats (1)"
    )


def test_an_unreadable_flag_under_fail_on_is_exit_1(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    answer = {
        "id": "x",
        "model": MODERATION,
        "results": [{"categories": {"pii": "maybe"}, "category_scores": {"pii": 0.4}}],
    }
    fake.inject("POST /v1/moderations", Fault.status(200, answer))
    result = invoke(["moderate", "--fail-on", "pii", CALM], make_context(fake_transport))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "mistral: error: unexpected answer from the server (POST /v1/moderations): the result "
        "for line 1: categories.pii is not true or false\n"
        "hint: --fail-on cannot judge an answer it cannot read; rerun with --debug to see it\n"
    )


def test_batches_stay_within_the_batch_flags(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    texts = "".join(f"line {n}\n" for n in range(1, 11))
    argv = ["moderate", "--batch-size", "4", "--concurrency", "1"]
    result = invoke(argv, make_context(fake_transport), input=texts)
    assert result.exit_code == 0, result.stderr
    assert [b.inputs for b in fake.module(ClassifiersFake).batches] == [4, 4, 2]
    assert all(
        isinstance(b, ClassifierBatch) and b.status == 200
        for b in fake.module(ClassifiersFake).batches
    )
