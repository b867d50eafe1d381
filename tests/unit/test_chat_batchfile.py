"""services/chat/batchfile.py: a chat request file checked line by line, staged with a manifest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mistral_cli.errors import BudgetExceeded, DataValidationError
from mistral_cli.services.chat import batchfile
from mistral_cli.services.chat.batchfile import BadLines, Prepared, prepare
from mistral_cli.services.tokens import estimate

MODEL = "mistral-small-latest"
HI = {"messages": [{"role": "user", "content": "hi"}]}


def staged(tmp_path: Path, *lines: object, raw: bytes | None = None) -> Prepared:
    source = tmp_path / "in.jsonl"
    text = "".join(json.dumps(line) + "\n" for line in lines)
    source.write_bytes(raw if raw is not None else text.encode())
    return prepare(source, MODEL, tmp_path / "batch")


def problems(tmp_path: Path, *lines: object, raw: bytes | None = None) -> list[str]:
    with pytest.raises(BadLines) as caught:
        staged(tmp_path, *lines, raw=raw)
    folder = tmp_path / "batch"
    assert not list(folder.iterdir())  # nothing staged stays
    assert caught.value.exit_code == 8
    return [problem.split(": ", 1)[1] for problem in caught.value.problems]


def jsonl(path: Path) -> list[Any]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_the_request_file_and_manifest(tmp_path: Path) -> None:
    prepared = staged(tmp_path, HI, {"custom_id": "b", "body": {**HI, "model": MODEL}}, HI)
    assert jsonl(prepared.requests_path) == [
        {"custom_id": "1", "body": HI},
        {"custom_id": "b", "body": HI},
        {"custom_id": "3", "body": HI},
    ]
    assert jsonl(prepared.manifest_path) == [
        {"endpoint": "/v1/chat/completions", "model": MODEL, "source": str(tmp_path / "in.jsonl")},
        {"custom_id": "1", "line": 1},
        {"custom_id": "b", "line": 2},
        {"custom_id": "3", "line": 3},
    ]
    assert (prepared.requests, prepared.blank, prepared.unbounded) == (3, 0, 1)
    assert prepared.requests_path.stat().st_mode & 0o777 == 0o600


OTHER_MODEL = (
    "model is 5, but the job's model is mistral-small-latest "
    "(-m sets it for every request: leave model out)"
)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ({"max_tokens": 5}, 'the request is missing "messages"'),
        (
            {"body": {"messages": []}, "custom_id": None, "x": 1},
            'has "x" beside "body" (only custom_id may be there)',
        ),
        ({"body": {"messages": [{"role": "user"}]}}, 'body.messages[0] is missing "content"'),
        ({"custom_id": "", "body": HI}, "custom_id is empty"),
        ({"body": "hi"}, 'body must be a JSON object, not "hi"'),
        (None, "must be a JSON object (a request body), not null"),
        ({**HI, "max_tokens": -1}, "max_tokens must be >= 0, not -1"),
        ({**HI, "model": 5}, OTHER_MODEL),
        ({"body": {**HI, "stream": True}}, "body.stream is true; a batch request cannot stream"),
    ],
)
def test_each_problem_names_the_field(tmp_path: Path, line: object, problem: str) -> None:
    assert problems(tmp_path, line) == [problem]


def test_a_generated_id_and_a_given_one_may_not_meet(tmp_path: Path) -> None:
    taken = problems(tmp_path, HI, {"custom_id": "1", "body": HI}, {"custom_id": "3", "body": HI})
    assert taken == ['custom_id "1" (given) is taken by line 1']


def test_bytes_that_are_not_utf8_or_json(tmp_path: Path) -> None:
    raw = b'{"messages": "\xff"}\n{"messages": [}\n'
    assert problems(tmp_path, raw=raw) == [
        "not valid UTF-8 (byte 15)",
        "not valid JSON (unexpected character, expected a JSON value at character 15)",
    ]


def test_one_problem_is_the_error_and_many_are_listed(tmp_path: Path) -> None:
    with pytest.raises(BadLines) as one:
        staged(tmp_path, HI, None)
    assert one.value.message == (
        f"{tmp_path / 'in.jsonl'}:2: must be a JSON object (a request body), not null; "
        "nothing was uploaded"
    )
    assert one.value.listed == []
    with pytest.raises(BadLines) as many:
        staged(tmp_path, *([None] * 12))
    assert many.value.message.endswith("in.jsonl: 12 of 12 lines do not fit; nothing was uploaded")
    assert len(many.value.listed) == batchfile.SHOWN


def test_an_overlong_line_is_refused_after_reading_its_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batchfile, "MAX_LINE_BYTES", 64)
    with pytest.raises(DataValidationError) as caught:
        staged(tmp_path, HI, {"messages": [{"role": "user", "content": "x" * 100}]})
    assert caught.value.message == (
        f"{tmp_path / 'in.jsonl'}:2: longer than 64 bytes; nothing was uploaded"
    )


def test_progress_is_reported_in_steps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batchfile, "PROGRESS_EVERY", 2)
    source = tmp_path / "in.jsonl"
    source.write_text((json.dumps(HI) + "\n") * 5)
    seen: list[int] = []
    prepare(source, MODEL, tmp_path / "batch", on_progress=seen.append)
    assert seen == [2, 2]


def test_tokens_count_text_other_content_tools_and_every_answer(tmp_path: Path) -> None:
    image = {"type": "image_url", "image_url": "https://example.com/a.png"}
    body = {
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": [{"type": "text", "text": "What is it?"}, image]},
        ],
        "tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}],
        "max_tokens": 100,
        "n": 3,
    }
    prepared = staged(tmp_path, body)
    expected = (
        estimate("Be brief.")
        + estimate("What is it?")
        + estimate(json.dumps(image, separators=(",", ":")))
        + estimate(json.dumps(body["tools"], separators=(",", ":")))
        + 2 * 4  # the control tokens around each message
    )
    assert (prepared.prompt_tokens, prepared.completion_tokens) == (expected, 300)
    assert batchfile.bounded(prepared, Path("in.jsonl")) == (expected, 300)


def test_a_request_without_max_tokens_leaves_the_cost_unbounded(tmp_path: Path) -> None:
    prepared = staged(tmp_path, {**HI, "max_tokens": 5}, {**HI, "max_tokens": None}, HI)
    assert (prepared.unbounded, prepared.completion_tokens) == (2, 5)
    with pytest.raises(BudgetExceeded) as caught:
        batchfile.bounded(prepared, Path("in.jsonl"))
    assert "in.jsonl:2 has none" in caught.value.message


def test_skipped_names_blank_lines(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(HI) + "\n\n   \n")
    prepared = prepare(source, MODEL, tmp_path / "batch")
    assert batchfile.skipped(prepared) == " · 2 blank lines skipped"
    assert batchfile.skipped(staged(tmp_path, HI)) == ""
