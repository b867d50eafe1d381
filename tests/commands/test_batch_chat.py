"""`mistral batch create` (chat requests checked against the spec) and chat `batch download`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from mistral_cli.cli import app
from mistral_cli.services.chat import batchfile
from tests.fakes.batch import BatchFake
from tests.fakes.batch import FakeJob as FakeBatchJob
from tests.fakes.files import FilesFake
from tests.fakes.router import FakeMistral
from tests.support import Result, Sleeps, invoke, make_context

MODEL = "mistral-small-latest"
QUESTIONS = (
    '{"messages": [{"role": "user", "content": "one"}], "max_tokens": 50}\n'
    "\n"
    '{"custom_id": "q3", "body": {"messages": [{"role": "user", "content": "two\\nlines"}]}}\n'
    '{"messages": [{"role": "user", "content": "three"}], "model": "mistral-small-latest"}\n'
)


def write(name: str, text: str) -> Path:
    path = Path.cwd() / name
    path.write_text(text, encoding="utf-8")
    return path


def create(transport: httpx.MockTransport, *argv: str, text: str = QUESTIONS) -> Result:
    write("q.jsonl", text)
    actx = make_context(transport, sleep=Sleeps())
    return invoke(["batch", "create", "q.jsonl", "-m", "mistral-small", *argv], actx)


def uploaded(fake: FakeMistral) -> list[dict[str, object]]:
    (stored,) = fake.module(FilesFake).files.values()
    return [json.loads(line) for line in stored.content.decode().splitlines()]


def answer(custom_id: str, line: int, text: str) -> dict[str, object]:
    """The parts of a record the fake's echo fixes (ids and times vary)."""
    return {"custom_id": custom_id, "line": line, "content": text}


def records(stdout: str) -> list[dict[str, object]]:
    found = []
    for raw in stdout.splitlines():
        record = json.loads(raw)
        if record["response"] is None:
            found.append(record)
        else:
            content = record["response"]["choices"][0]["message"]["content"]
            found.append(answer(record["custom_id"], record["line"], content))
    return found


def batch_folder() -> Path:
    return Path(os.environ["MISTRAL_DATA_DIR"]) / "batch"


def data_files() -> list[str]:
    folder = batch_folder()
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_create_checks_uploads_and_prints_the_job_id(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    result = create(fake_transport, "--metadata", "project=faq", "--timeout-hours", "6")
    assert result.exit_code == 0, result.stderr
    job_id = result.stdout.strip()
    assert result.stdout == f"{job_id}\n"
    job = fake.module(BatchFake).jobs[job_id]
    assert (job.endpoint, job.model, job.total_requests) == ("/v1/chat/completions", MODEL, 3)
    assert job.metadata == {"source": "mistral-cli batch create", "project": "faq"}
    (sent,) = fake.requests_to("POST /v1/batch/jobs")
    assert sent.json()["timeout_hours"] == 6
    one, two, three = (
        [{"role": "user", "content": text}] for text in ("one", "two\nlines", "three")
    )
    assert uploaded(fake) == [  # custom_ids filled in with line numbers, the model left out
        {"custom_id": "1", "body": {"messages": one, "max_tokens": 50}},
        {"custom_id": "q3", "body": {"messages": two}},
        {"custom_id": "4", "body": {"messages": three}},
    ]
    first, second = result.stderr.splitlines()
    assert first.startswith(f"batch job {job_id} created: 3 requests from q.jsonl (")
    assert first.endswith(" s) · 1 blank line skipped")
    assert second == (
        f"follow it with `mistral batch wait {job_id}`, then `mistral batch download {job_id}`"
    )
    assert data_files() == [f"{job_id}.manifest.jsonl"]  # the request file is not kept


def test_create_wait_writes_answers_in_input_order_and_names_failures(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    fake.module(BatchFake).failures["q3"] = (500, "Internal error")
    result = create(fake_transport, "--wait")
    assert result.exit_code == 1
    assert records(result.stdout) == [
        answer("1", 1, "Echo: one"),
        {
            "custom_id": "q3",
            "line": 3,
            "response": None,
            "error": {"status_code": 500, "message": "Internal error"},
        },
        answer("4", 4, "Echo: three"),
    ]
    job_id = next(iter(fake.module(BatchFake).jobs))
    assert result.stderr.splitlines()[1:] == [
        f"batch job {job_id}: RUNNING · 0/3 requests",
        f"batch job {job_id}: SUCCESS · 3/3 (1 failed) requests",
        'mistral: warning: line 3 (custom_id "q3"): HTTP 500: Internal error',
        "3 requests written",
        'mistral: error: 1 of 3 requests failed; their records hold "error"',
        "hint: the lines above say why; `mistral batch status JOB` shows the job's errors",
    ]


def test_download_text_writes_one_answer_a_line(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    text = QUESTIONS.replace('"three"', '"th\\\\ree\\r\\nfour"')
    job_id = create(fake_transport, text=text).stdout.strip()
    invoke(["batch", "wait", job_id], make_context(fake_transport))
    result = invoke(["batch", "download", job_id, "--format", "text"], make_context(fake_transport))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Echo: one\nEcho: two\\nlines\nEcho: th\\\\ree\\r\\nfour\n"
    assert result.stderr == "3 requests written\n"
    target = tmp_path / "answers.txt"  # the suffix names the format
    done = invoke(["batch", "download", job_id, "-o", str(target)], make_context(fake_transport))
    assert done.exit_code == 0, done.stderr
    assert (done.stdout, target.read_text()) == ("", result.stdout)


def test_download_text_leaves_a_failed_request_empty(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    fake.module(BatchFake).failures["1"] = (400, "Prompt contains 40000 tokens, too large")
    job_id = create(fake_transport).stdout.strip()
    invoke(["batch", "wait", job_id], make_context(fake_transport))
    result = invoke(["batch", "download", job_id, "--format", "text"], make_context(fake_transport))
    assert result.exit_code == 1
    assert result.stdout == "\nEcho: two\\nlines\nEcho: three\n"
    assert result.stderr == (
        "mistral: warning: line 1: HTTP 400: Prompt contains 40000 tokens, too large\n"
        "3 requests written\n"
        "mistral: error: 1 of 3 requests failed; their lines are empty\n"
        "hint: the lines above say why; `mistral batch status JOB` shows the job's errors\n"
    )


def test_download_output_needs_force_and_a_failure_still_writes_the_file(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    fake.module(BatchFake).failures["4"] = (503, "Service unavailable")
    job_id = create(fake_transport).stdout.strip()
    invoke(["batch", "wait", job_id], make_context(fake_transport))
    target = tmp_path / "answers.jsonl"
    target.write_text("mine\n")
    asked = len(fake.requests)
    argv = ["batch", "download", job_id, "-o", str(target)]
    refused = invoke(argv, make_context(fake_transport))
    assert (refused.exit_code, refused.stderr) == (
        2,
        f"mistral: error: {target} already exists\nhint: pass --force to overwrite it\n",
    )
    assert len(fake.requests) == asked  # refused before asking the API anything
    done = invoke([*argv, "--force"], make_context(fake_transport))
    assert done.exit_code == 1  # one request failed: said, yet every record is written
    assert [r["line"] for r in records(target.read_text())] == [1, 3, 4]
    assert records(target.read_text())[2]["error"] == {
        "status_code": 503,
        "message": "Service unavailable",
    }


def test_a_bad_line_names_its_file_line_and_field_and_nothing_is_uploaded(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    text = '{"messages": [{"role": "user", "content": "ok"}]}\n' + (
        '{"custom_id": "b", "body": {"messages": [{"role": "bot", "content": "x"}]}}\n'
    )
    result = create(fake_transport, text=text)
    assert result.exit_code == 8
    assert result.stdout == ""
    assert result.stderr == (
        "mistral: error: q.jsonl:2: body.messages[0].role must be one of system, user, "
        "assistant, tool, not 'bot'; nothing was uploaded\n"
        'hint: each line is a chat request body, or {"custom_id": …, "body": {…}}, as the API '
        "spec describes it\n"
    )
    assert fake.requests_to("POST /v1/files") == []
    assert fake.module(BatchFake).jobs == {}
    assert data_files() == []  # no request file or manifest left behind


def test_every_bad_line_is_listed_before_the_error(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    text = (
        '{"messages": [{"role": "user", "content": "ok"}], "stream_options": {}}\n'
        "[1]\n"
        '{"messages": [{"role": "user", "content": "ok"}], "model": "mistral-large-latest"}\n'
        "not json\n"
        '{"custom_id": "10", "body": {"messages": [{"role": "user", "content": "ok"}]}}\n'
        '{"custom_id": 7, "body": {}}\n'
        '{"body": {"messages": [{"role": "user"}]}, "url": "/v1/chat/completions"}\n'
        '{"messages": [{"role": "user", "content": "ok"}], "stream": true}\n'
        '{"messages": [{"role": "user", "content": "ok"}], "temperature": 3}\n'
        '{"messages": [{"role": "user", "content": "ok"}]}\n'
        '{"body": []}\n'
        '{"max_tokens": 5}\n'
        '{"custom_id": "1", "body": {"messages": [{"role": "user", "content": "ok"}]}}\n'
    )
    result = create(fake_transport, text=text)
    assert result.exit_code == 8
    assert result.stderr.splitlines() == [  # the first ten problems, then the count
        'q.jsonl:1: the request has an unknown field "stream_options"',
        "q.jsonl:2: must be a JSON object (a request body), not a list",
        'q.jsonl:3: model is "mistral-large-latest", but the job\'s model is '
        "mistral-small-latest (-m sets it for every request: leave model out)",
        "q.jsonl:4: not valid JSON (invalid literal, expected 'null' at character 1)",
        "q.jsonl:6: custom_id must be a string, not 7",
        'q.jsonl:7: has "url" beside "body" (only custom_id may be there)',
        "q.jsonl:8: stream is true; a batch request cannot stream",
        "q.jsonl:9: temperature must be >= 0 and <= 1.5, not 3",
        'q.jsonl:10: custom_id "10" (its line number) is taken by line 5',
        "q.jsonl:11: body must be a JSON object, not a list",
        "mistral: error: q.jsonl: 12 of 13 lines do not fit; nothing was uploaded",
        'hint: each line is a chat request body, or {"custom_id": …, "body": {…}}, as the API '
        "spec describes it",
    ]
    assert fake.requests_to("POST /v1/files") == []


def test_a_file_with_no_request_is_refused(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    result = create(fake_transport, text="\n\n")
    assert (result.exit_code, result.stderr) == (
        8,
        "mistral: error: q.jsonl holds no request\n"
        'hint: each line is a chat request body: {"messages": [{"role": "user", …}]}\n',
    )


def test_a_byte_order_mark_and_blank_lines_are_fine(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    text = '\ufeff{"messages": [{"role": "user", "content": "hi"}]}\n  \n'
    result = create(fake_transport, text=text)
    assert result.exit_code == 0, result.stderr
    assert uploaded(fake) == [
        {"custom_id": "1", "body": {"messages": [{"role": "user", "content": "hi"}]}}
    ]


@pytest.mark.parametrize(
    ("argv", "stderr"),
    [
        (
            ["--endpoint", "/v1/chat"],
            "mistral: error: --endpoint '/v1/chat' is not a Batch API endpoint\n"
            "hint: the API runs /v1/chat/completions, /v1/embeddings, /v1/fim/completions, "
            "/v1/moderations, /v1/chat/moderations, /v1/ocr, /v1/classifications, "
            "/v1/chat/classifications, /v1/conversations, /v1/audio/transcriptions\n",
        ),
        (
            ["--endpoint", "/v1/embeddings"],
            "mistral: error: --endpoint /v1/embeddings: batch create checks and sends "
            "/v1/chat/completions requests only\n"
            "hint: `mistral embed --batch` builds embedding batch jobs\n",
        ),
        (
            ["--endpoint", "/v1/ocr"],
            "mistral: error: --endpoint /v1/ocr: batch create checks and sends "
            "/v1/chat/completions requests only\n"
            "hint: its requests cannot be checked here yet\n",
        ),
        (
            ["--metadata", "project"],
            "mistral: error: --metadata 'project': expected KEY=VALUE\n"
            "hint: e.g. --metadata project=faq\n",
        ),
        (
            ["--metadata", "a=1", "--metadata", "a=2"],
            "mistral: error: --metadata 'a' is given twice\n",
        ),
        (
            ["--metadata", f"{'k' * 33}=v"],
            f"mistral: error: --metadata '{'k' * 33}': keys are 1-32 characters, values 1-512\n",
        ),
        (
            ["--metadata", "empty="],
            "mistral: error: --metadata 'empty': keys are 1-32 characters, values 1-512\n",
        ),
        (
            ["-o", "answers.jsonl"],
            "mistral: error: -o, --format and --force write the answers: they go with --wait\n",
        ),
        (
            ["--wait", "--format", "csv"],
            "mistral: error: --format must be one of jsonl, text\n",
        ),
        (
            ["--max-cost", "5EUR"],
            "mistral: error: --max-cost '5EUR': estimates are in USD; give the amount in USD\n"
            "hint: e.g. --max-cost 5 or --max-cost 0.50 (US dollars)\n",
        ),
    ],
)
def test_flags_are_checked_before_anything_is_sent(
    fake: FakeMistral, fake_transport: httpx.MockTransport, argv: list[str], stderr: str
) -> None:
    result = create(fake_transport, *argv)
    assert (result.exit_code, result.stderr) == (2, stderr)
    assert fake.requests == []


def test_timeout_hours_is_bounded_as_the_spec_bounds_it(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    result = create(fake_transport, "--timeout-hours", "169")
    assert result.exit_code == 2
    assert "169 is not in the range 1<=x<=168" in result.stderr
    assert fake.requests == []


def test_max_cost_needs_max_tokens_in_every_request(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    result = create(fake_transport, "--max-cost", "5")
    assert (result.exit_code, result.stderr) == (
        11,
        "mistral: error: --max-cost needs max_tokens in every request; q.jsonl:3 has none, so "
        "its answer's cost has no bound\n"
        'hint: set "max_tokens" in each request body (or drop --max-cost)\n',
    )
    assert fake.requests_to("POST /v1/files") == []
    assert data_files() == []


def test_max_cost_counts_prompts_and_max_tokens_at_batch_price(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    line = '{"messages": [{"role": "user", "content": "hello"}], "max_tokens": 1000, "n": 2}\n'
    refused = create(fake_transport, "--max-cost", "0.0005", text=line * 3)
    assert refused.exit_code == 11
    # 3 requests x (4 control + 2 text) in, 3 x 2 x 1000 out, at half of $0.1 / $0.3 a million
    assert refused.stderr.splitlines()[0] == (
        "mistral: error: this batch job would cost about $0.0009 (18 in / 6000 out tokens), "
        "more than --max-cost $0.0005"
    )
    assert fake.requests_to("POST /v1/files") == []
    submitted = create(fake_transport, "--max-cost", "0.001", text=line * 3)
    assert submitted.exit_code == 0, submitted.stderr


def test_limits_on_requests_and_bytes_stop_early(
    fake: FakeMistral, fake_transport: httpx.MockTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    line = '{"messages": [{"role": "user", "content": "hello"}]}\n'
    monkeypatch.setattr(batchfile, "MAX_REQUESTS", 2)
    result = create(fake_transport, text=line * 3)
    assert (result.exit_code, result.stderr) == (
        8,
        "mistral: error: q.jsonl:3: request 3; a batch job takes at most 2; nothing was "
        "uploaded\nhint: split the file (split -l 2 FILE part-) and create one job a part\n",
    )
    monkeypatch.setattr(batchfile, "MAX_REQUESTS", 100_000)
    monkeypatch.setattr(batchfile, "MAX_FILE_BYTES", 150)
    result = create(fake_transport, text=line * 3)
    assert result.exit_code == 8
    assert result.stderr.startswith(
        "mistral: error: q.jsonl:3: the request file passes 150 bytes here; nothing was uploaded"
    )
    assert fake.requests_to("POST /v1/files") == []
    assert data_files() == []


def test_download_without_a_manifest_orders_line_number_ids(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    text = "".join(f'{{"messages": [{{"role": "user", "content": "{word}"}}]}}\n' for word in "abc")
    job_id = create(fake_transport, text=text).stdout.strip()
    invoke(["batch", "wait", job_id], make_context(fake_transport))
    (manifest,) = batch_folder().glob("*.manifest.jsonl")
    manifest.unlink()
    result = invoke(["batch", "download", job_id, "--format", "text"], make_context(fake_transport))
    assert (result.exit_code, result.stdout) == (0, "Echo: a\nEcho: b\nEcho: c\n")


def test_download_without_a_manifest_or_line_ids_points_to_raw(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    text = '{"custom_id": "x", "body": {"messages": [{"role": "user", "content": "a"}]}}\n'
    job_id = create(fake_transport, text=text).stdout.strip()
    invoke(["batch", "wait", job_id], make_context(fake_transport))
    (manifest,) = batch_folder().glob("*.manifest.jsonl")
    manifest.unlink()
    result = invoke(["batch", "download", job_id], make_context(fake_transport))
    assert result.exit_code == 1
    assert result.stderr.endswith(
        "`mistral batch download JOB --raw` writes the output file as it is\n"
    )


def test_raw_download_is_byte_exact(fake: FakeMistral, fake_transport: httpx.MockTransport) -> None:
    job_id = create(fake_transport).stdout.strip()
    invoke(["batch", "wait", job_id], make_context(fake_transport))
    job = fake.module(BatchFake).jobs[job_id]
    content = b'{"custom_id": "1", "x": "caf\xc3\xa9 \xff\xfe"}\n' * 3
    assert job.output_file is not None
    fake.module(FilesFake).files[job.output_file].content = content
    argv = ["batch", "download", job_id, "--raw"]
    result = CliRunner().invoke(app, argv, obj=make_context(fake_transport))
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == content  # not decoded: invalid bytes stay as they were


def test_raw_download_on_a_terminal_is_made_safe(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    job_id = create(fake_transport).stdout.strip()
    invoke(["batch", "wait", job_id], make_context(fake_transport))
    job = fake.module(BatchFake).jobs[job_id]
    assert job.output_file is not None
    fake.module(FilesFake).files[job.output_file].content = b"caf\xc3\xa9 \x1b[31mred\n"
    result = invoke(["batch", "download", job_id, "--raw"], make_context(fake_transport, tty=True))
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout
    assert result.stdout.startswith("café ")


def test_create_on_a_regional_host_is_refused(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    write("q.jsonl", QUESTIONS)
    actx = make_context(fake_transport, env={"MISTRAL_BASE_URL": "https://api.eu.mistral.ai"})
    result = invoke(["batch", "create", "q.jsonl"], actx)
    assert result.exit_code == 2
    assert fake.requests == []


def test_an_unreadable_file_is_a_usage_error(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    actx = make_context(fake_transport)
    result = invoke(["batch", "create", "missing.jsonl", "-m", "mistral-small"], actx)
    assert (result.exit_code, result.stderr) == (
        2,
        "mistral: error: cannot read missing.jsonl: No such file or directory\n",
    )


@pytest.mark.parametrize(("outcome", "code"), [("FAILED", 7), ("TIMEOUT_EXCEEDED", 7)])
def test_create_wait_exits_with_the_jobs_end(
    fake: FakeMistral, fake_transport: httpx.MockTransport, outcome: str, code: int
) -> None:
    fake.module(BatchFake).outcome = outcome
    result = create(fake_transport, "--wait")
    assert result.exit_code == code
    assert result.stdout == ""


def test_download_of_a_running_job_says_to_wait(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    job_id = create(fake_transport).stdout.strip()
    result = invoke(["batch", "download", job_id], make_context(fake_transport))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"mistral: error: batch job {job_id} is still RUNNING: it has no results yet\n"
        f"hint: `mistral batch wait {job_id}` waits for it to end\n"
    )
    assert fake.requests_to("GET /v1/files") == []


def test_download_of_a_job_made_elsewhere_on_a_fresh_machine(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    line = b'{"custom_id": "%d", "body": {"messages": [{"role": "user", "content": "q%d"}]}}\n'
    stored = fake.module(FilesFake).add(
        "in.jsonl", b"".join(line % (n, n) for n in (2, 1)), "batch"
    )
    job = FakeBatchJob("job-made-elsewhere", [stored.id], "/v1/chat/completions", MODEL, None,
                       "SUCCESS", status="RUNNING", total_requests=2)  # fmt: skip
    fake.module(BatchFake).jobs[job.id] = job
    assert not batch_folder().exists()
    result = invoke(["batch", "download", job.id, "--format", "text"], make_context(fake_transport))
    assert (result.exit_code, result.stdout) == (0, "Echo: q1\nEcho: q2\n")
    assert data_files() == []  # the downloaded results are not kept
