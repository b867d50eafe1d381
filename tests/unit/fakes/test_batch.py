"""The batch fake runs chat batches: each line checked against the spec, answered or failed."""

import json
from typing import Any

import httpx
import pytest

from tests.fakes import FakeMistral
from tests.fakes.batch import BatchFake
from tests.fakes.files import FilesFake
from tests.unit.fakes.helpers import CHAT


def run_job(fake: FakeMistral, client: httpx.Client, lines: list[dict[str, Any]]) -> str:
    content = "".join(json.dumps(line) + "\n" for line in lines).encode()
    stored = fake.module(FilesFake).add("in.jsonl", content, "batch")
    body = {"input_files": [stored.id], "endpoint": CHAT, "model": "mistral-small-latest"}
    created = client.post("/v1/batch/jobs", json=body)
    assert created.status_code == 200, created.text
    job_id: str = created.json()["id"]
    for _ in range(2):  # RUNNING, then SUCCESS (the requests run)
        assert client.get(f"/v1/batch/jobs/{job_id}").status_code == 200
    return job_id


def results(fake: FakeMistral, file_id: str | None) -> list[dict[str, Any]]:
    assert file_id is not None
    content = fake.module(FilesFake).files[file_id].content.decode()
    return [json.loads(line) for line in content.splitlines()]


def test_chat_lines_are_answered_checked_or_failed_as_scripted(
    fake: FakeMistral, client: httpx.Client
) -> None:
    fake.module(BatchFake).failures["c"] = (500, "Internal error")
    lines = [
        {"custom_id": "a", "body": {"messages": [{"role": "user", "content": "one"}]}},
        {"custom_id": "b", "body": {"messages": [{"role": "bot", "content": "x"}]}},
        {"custom_id": "c", "body": {"messages": [{"role": "user", "content": "two"}]}},
        {"custom_id": "d", "body": {"messages": [{"role": "user", "content": "three"}]}},
    ]
    job = fake.module(BatchFake).jobs[run_job(fake, client, lines)]
    assert (job.status, job.succeeded_requests, job.failed_requests) == ("SUCCESS", 2, 2)
    answers = results(fake, job.output_file)
    assert [a["custom_id"] for a in answers] == ["d", "a"]  # any order: here reversed
    message = answers[1]["response"]["body"]["choices"][0]["message"]
    assert (answers[1]["response"]["status_code"], message["content"]) == (200, "Echo: one")
    failed = {r["custom_id"]: r["response"] for r in results(fake, job.error_file)}
    assert failed["b"]["status_code"] == 422
    assert failed["b"]["body"]["detail"][0]["loc"][:3] == ["body", "messages", 0]
    assert failed["c"] == {
        "status_code": 500,
        "body": {
            "object": "error",
            "message": "Internal error",
            "type": "fake_error",
            "code": None,
        },
    }


def test_a_scripted_failure_no_line_meets_is_a_fake_error(
    fake: FakeMistral, client: httpx.Client
) -> None:
    fake.module(BatchFake).failures["zz"] = (500, "never")
    line = {"custom_id": "a", "body": {"messages": [{"role": "user", "content": "one"}]}}
    content = (json.dumps(line) + "\n").encode()
    stored = fake.module(FilesFake).add("in.jsonl", content, "batch")
    body = {"input_files": [stored.id], "endpoint": CHAT, "model": "mistral-small-latest"}
    job_id = client.post("/v1/batch/jobs", json=body).json()["id"]
    client.get(f"/v1/batch/jobs/{job_id}")
    assert client.get(f"/v1/batch/jobs/{job_id}").status_code == 500
    assert "scripted batch failures never met: ['zz']" in repr(fake.errors)
    fake.errors.clear()


@pytest.mark.parametrize("endpoint", ["/v1/fim/completions", "/v1/ocr"])
def test_an_endpoint_the_fake_cannot_run_is_a_fake_error(
    fake: FakeMistral, client: httpx.Client, endpoint: str
) -> None:
    stored = fake.module(FilesFake).add("in.jsonl", b"{}\n", "batch")
    body = {"input_files": [stored.id], "endpoint": endpoint, "model": "codestral-latest"}
    assert client.post("/v1/batch/jobs", json=body).status_code == 500
    assert f"the fake runs no {endpoint} batch" in repr(fake.errors)
    fake.errors.clear()
