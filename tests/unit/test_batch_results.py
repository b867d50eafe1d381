"""Reading a batch job's results: each line's outcome, the index, and chat answers in order."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from mistral_cli.api.schemas.batch import BatchJob
from mistral_cli.errors import CliError
from mistral_cli.services.batchio import Failure, Results, index, outcome
from mistral_cli.services.chat import batchresults
from mistral_cli.services.chat.batchresults import Entry, Summary, write


def result(
    custom_id: str, status: int | None, body: object, error: object = None
) -> dict[str, Any]:
    response = None if status is None else {"status_code": status, "body": body}
    return {"id": "r", "custom_id": custom_id, "response": response, "error": error}


def completion(content: object) -> dict[str, Any]:
    return {"choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (None, Failure(None, "the job has no result for it")),
        (result("1", 400, {"object": "error", "message": "Bad"}), Failure(400, "Bad")),
        (
            result("1", 422, {"detail": [{"loc": ["body", "messages"], "msg": "Field required"}]}),
            Failure(422, "messages: Field required"),
        ),
        (result("1", None, None, {"message": "Timed out"}), Failure(None, "Timed out")),
        (result("1", 500, None, "Internal error"), Failure(500, "Internal error")),
        (result("1", 500, None), Failure(500, "no message")),
        ({}, Failure(None, "no message")),
        ({"response": {"status_code": "503", "body": {"message": "busy"}}}, Failure(503, "busy")),
    ],
)  # fmt: skip
def test_why_a_request_failed(line: dict[str, Any] | None, expected: Failure) -> None:
    assert outcome(line) == (None, expected)


def test_an_answer_is_status_200() -> None:
    assert outcome(result("1", 200, {"x": 1})) == ({"x": 1}, None)
    assert str(Failure(404, "gone")) == "HTTP 404: gone"
    assert str(Failure(None, "gone")) == "gone"


def test_results_are_found_by_custom_id_in_either_file(tmp_path: Path) -> None:
    out, errors = tmp_path / "out.jsonl", tmp_path / "err.jsonl"
    out.write_text(
        json.dumps(result('a"1', 200, {"n": 1})) + "\n" + "not json\n" + "[1]\n"
        + json.dumps(result("b", 200, {"n": 2})) + "\n"
    )  # fmt: skip
    errors.write_text(json.dumps(result("c", 400, {"message": "no"})) + "\n")
    assert set(index([out, errors])) == {'a"1', "b", "c"}
    with Results([out, errors]) as results:
        assert results.get("b") == result("b", 200, {"n": 2})
        assert results.get('a"1') == result('a"1', 200, {"n": 1})
        assert results.get("c") == result("c", 400, {"message": "no"})
        assert results.get("missing") is None


def written(
    entries: list[Entry], lines: list[dict[str, Any]], fmt: str, tmp_path: Path
) -> tuple[str, Summary]:
    path = tmp_path / "results.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    sink = io.StringIO()
    with Results([path]) as results:
        summary = write(entries, results, sink, fmt)
    return sink.getvalue(), summary  # fmt: skip


THINKING = {"type": "thinking", "thinking": [{"type": "text", "text": "hm"}]}


def test_text_is_one_line_a_request_thinking_left_out(tmp_path: Path) -> None:
    entries = [Entry("1", 1), Entry("x", 2), Entry("3", 3), Entry("4", 4), Entry("5", 5)]
    lines = [
        result("1", 200, completion("a\nb\\c\r")),
        result("x", 200, completion([THINKING, {"type": "text", "text": "yes"}])),
        result("3", 200, "not an object"),
        result("4", 200, completion(None)),
    ]  # fmt: skip
    text, summary = written(entries, lines, "text", tmp_path)
    assert text == "a\\nb\\\\c\\r\nyes\n\n\n\n"
    assert (summary.written, summary.failed) == (5, 2)
    assert summary.notes() == [
        "line 3: HTTP 200: the answer is not a chat completion (not a JSON object)",
        "line 5: the job has no result for it",
    ]


def test_jsonl_records_keep_the_answer_as_the_api_sent_it(tmp_path: Path) -> None:
    lines = [result("q", 200, completion("hi")), result("2", 429, {"message": "slow down"})]
    text, summary = written([Entry("q", 1), Entry("2", 2)], lines, "jsonl", tmp_path)
    assert [json.loads(line) for line in text.splitlines()] == [
        {"custom_id": "q", "line": 1, "response": completion("hi")},
        {
            "custom_id": "2",
            "line": 2,
            "response": None,
            "error": {"status_code": 429, "message": "slow down"},
        },
    ]
    error = summary.error()
    assert error is not None
    assert error.message == '1 of 2 requests failed; their records hold "error"'


def test_many_failures_are_counted_past_the_ones_shown(tmp_path: Path) -> None:
    entries = [Entry(str(n), n) for n in range(1, 26)]
    _text, summary = written(entries, [], "jsonl", tmp_path)
    notes = summary.notes()
    assert len(notes) == batchresults.SHOWN + 1
    assert notes[-1] == "… and 5 more failed requests"
    assert Summary("text").error() is None


def test_entries_say_their_custom_id_when_it_is_not_the_line() -> None:
    assert Entry("7", 7).where() == "line 7"
    assert Entry("q-7", 7).where() == 'line 7 (custom_id "q-7")'


def job(**fields: Any) -> BatchJob:
    return BatchJob.model_validate({"id": "job-1", "endpoint": "/v1/chat/completions", **fields})


class Downloads:
    """A FilesClient over a dict of file id → bytes."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files

    def send(self, method: str, path: str, **_: Any) -> Any:
        from mistral_cli.api.schemas.files import FileOut

        file_id = path.rsplit("/", 1)[1]
        return FileOut.model_validate({"id": file_id, "bytes": len(self.files[file_id])})

    def download(self, path: str) -> Any:
        import contextlib

        content = self.files[path.split("/")[3]]
        return contextlib.nullcontext(iter([content]))


def test_without_a_manifest_line_number_ids_give_the_order(tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    lines = [result(str(n), 200, completion(f"answer {n}")) for n in (10, 2, 1)]
    client = Downloads({"out": "".join(json.dumps(line) + "\n" for line in lines).encode()})
    sink = io.StringIO()
    summary = batchresults.collect(client, job(output_file="out"), folder, sink, "text")
    assert sink.getvalue() == "answer 1\nanswer 2\nanswer 10\n"
    assert summary.written == 3
    assert list(folder.iterdir()) == []  # the downloaded results are removed


@pytest.mark.parametrize("ids", [("1", "02"), ("1", "x"), ()])
def test_without_a_manifest_other_ids_cannot_be_ordered(
    tmp_path: Path, ids: tuple[str, ...]
) -> None:
    lines = [result(custom_id, 200, completion("a")) for custom_id in ids]
    client = Downloads({"out": "".join(json.dumps(line) + "\n" for line in lines).encode()})
    with pytest.raises(CliError) as caught:
        batchresults.collect(client, job(output_file="out"), tmp_path, io.StringIO(), "text")
    assert caught.value.message == f"no manifest for batch job job-1 in {tmp_path}"


def test_a_damaged_manifest_is_named(tmp_path: Path) -> None:
    (tmp_path / "job-1.manifest.jsonl").write_text(
        '{"endpoint": "x"}\n{"custom_id": "1", "line": 1}\n{"custom_id": "2"}\n'
    )
    lines = [result("1", 200, completion("a"))]
    client = Downloads({"out": (json.dumps(lines[0]) + "\n").encode()})
    sink = io.StringIO()
    with pytest.raises(CliError) as caught:
        batchresults.collect(client, job(output_file="out"), tmp_path, sink, "text")
    assert (
        caught.value.message
        == f"the manifest {tmp_path / 'job-1.manifest.jsonl'} is damaged at line 3"
    )
    assert sink.getvalue() == "a\n"  # written up to the damage
