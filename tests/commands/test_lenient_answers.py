"""Answers the spec allows but our fake never sends: read leniently, or one clean error line."""

from __future__ import annotations

import json
import os
import re
from typing import Any

import httpx

import tests.fakes.batch
import tests.fakes.finetune  # noqa: F401  # registers the fine-tuning routes
from tests.fakes import FakeMistral, Fault
from tests.fakes.catalog import default_cards
from tests.fakes.chat import Reply
from tests.fakes.files import FilesFake
from tests.fakes.finetune import FineTuneFake
from tests.fakes.rewrite import Rewrite
from tests.support import Sleeps, invoke, make_context
from tests.unit.mutations.scenarios import batch_job, spec_example

FT_MODEL = "ministral-8b-latest"
CLOCK = re.compile(r"^\[\d\d:\d\d:\d\d\] ", re.M)
DEBUG = {"MISTRAL_DEBUG": "1"}


def ctx(transport: object, **env: str) -> Any:  # an AppContext
    environ = {**os.environ, "MISTRAL_NO_DEPRECATION_NOTICE": "1", "MISTRAL_POLL_INTERVAL": "0"}
    return make_context(transport, env=env, environ=environ, sleep=Sleeps())


def debug_lines(stderr: str) -> list[str]:
    """The --debug notes about answers (not the request log)."""
    return [line for line in stderr.splitlines() if re.match(r"\[debug\] [A-Z]+ /", line)]


# ------------------------------------------------------------------ files


def test_files_list_reads_the_specs_own_example_with_null_bytes(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    example = spec_example("GET /v1/files")
    fake.inject("GET /v1/files", Fault.status(200, example))
    result = invoke(["files", "list"], ctx(fake_transport))
    assert (result.exit_code, result.stderr) == (0, "")
    row = "<your_file_id>\t<your_file_name>\tbatch\t?\t2025-10-03 11:46\n"
    assert result.stdout == row * 2


def test_files_json_keeps_what_the_server_sent(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    example = spec_example("GET /v1/files")
    fake.inject("GET /v1/files", Fault.status(200, example))
    result = invoke(["files", "list", "--json"], ctx(fake_transport))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == example  # nulls kept, nothing added


def test_an_unreadable_file_is_skipped_with_a_debug_note(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    good = fake.module(FilesFake).add("good.jsonl", b"{}\n")
    listing = {
        "object": "list",
        "data": [{"filename": "no-id.jsonl", "bytes": "12"}, good.schema()],
    }
    fake.inject("GET /v1/files", Fault.status(200, listing), times=2)
    quiet = invoke(["files", "list"], ctx(fake_transport))
    assert (quiet.exit_code, quiet.stderr) == (0, "")
    assert quiet.stdout.startswith(f"{good.id}\tgood.jsonl\tfine-tune\t3\t")
    traced = invoke(["files", "list"], ctx(fake_transport, **DEBUG))
    assert traced.stdout == quiet.stdout
    assert debug_lines(traced.stderr) == ["[debug] GET /v1/files: skipped data[0]: id is missing"]


def test_an_answer_lacking_what_the_command_needs_is_one_line_and_debug_shows_it(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    answer = {"object": "file", "filename": "x.jsonl", "secret": "sk-test-" + "0" * 32}
    fake.inject("GET /v1/files/{file_id}", Fault.status(200, answer), times=2)
    result = invoke(["files", "show", "f1"], ctx(fake_transport))
    assert result.exit_code == 1
    assert result.stderr == (
        "mistral: error: unexpected answer from the server (GET /v1/files/f1): id is missing\n"
        "hint: rerun with --debug to see the answer it sent\n"
    )
    traced = invoke(["files", "show", "f1"], ctx(fake_transport, **DEBUG))
    assert debug_lines(traced.stderr) == [
        '[debug] GET /v1/files/f1 answered: {"object":"file","filename":"x.jsonl","secret":"****"}'
    ]


# ------------------------------------------------------------------ models


def broken_cards(fake: FakeMistral) -> None:
    """Three odd cards among the good ones: a null capability, odd types, no id at all."""
    cards = fake.models.cards
    cards[0]["capabilities"]["completion_chat"] = None
    cards[0]["aliases"] = None
    cards[0]["max_context_length"] = "262144"
    cards[1].update(capabilities="all of them", created=1.5, new_field={"x": [1]})
    cards.append({"object": "model", "name": "card without an id"})


def test_model_resolution_survives_other_cards(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    broken_cards(fake)
    result = invoke(["chat", "-m", FT_MODEL, "hi"], ctx(fake_transport))
    assert (result.exit_code, result.stdout) == (0, "Echo: hi\n"), result.stderr


def test_models_list_marks_what_a_card_does_not_say(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    broken_cards(fake)
    result = invoke(["models", "list", "--refresh"], ctx(fake_transport, **DEBUG))
    assert result.exit_code == 0
    rows = {line.split("\t")[0]: line.split("\t")[1:] for line in result.stdout.splitlines()}
    assert rows["mistral-large-latest"] == ["256k", "unknown", "true", "true", "false", "false"]
    assert rows["mistral-medium-latest"] == [
        "256k",
        "unknown",
        "unknown",
        "unknown",
        "unknown",
        "false",
    ]
    good = len(default_cards())
    assert len(rows) == good  # the card without an id is skipped
    assert f"[debug] GET /v1/models: skipped data[{good}]: id is missing" in result.stderr


# ------------------------------------------------------------------ fine-tuning


def job_with(fake: FakeMistral, script: tuple[str, ...]) -> str:
    stored = fake.module(FilesFake).add("t.jsonl", b"{}\n")
    body = {"model": FT_MODEL, "training_files": [{"file_id": stored.id}], "hyperparameters": {}}
    job = fake.module(FineTuneFake).seed(body, script[0])
    job.follow(script)
    return job.id


def nulled(document: dict[str, Any]) -> dict[str, Any]:
    return {**document, "events": None, "checkpoints": None, "metadata": "soon", "integrations": 7}


def test_wait_reads_polls_with_null_events_checkpoints_and_odd_metadata(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    job_id = job_with(fake, ("QUEUED", "RUNNING", "SUCCESS"))
    fake.inject("GET /v1/fine_tuning/jobs/{job_id}", Rewrite(nulled, call=None), times=2)
    result = invoke(["finetune", "wait", job_id], ctx(fake_transport))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"ft:{FT_MODEL}:7d1e40aa::{job_id[:8]}\n"
    assert CLOCK.sub("", result.stderr) == (
        f"job {job_id} is RUNNING\nRUNNING → SUCCESS\n"
        f'next: mistral chat -m ft:{FT_MODEL}:7d1e40aa::{job_id[:8]} "Hello!"\n'
    )


def test_wait_polls_past_three_unreadable_answers_in_a_row(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    job_id = job_with(fake, ("QUEUED", "RUNNING", "SUCCESS"))
    fake.inject("GET /v1/fine_tuning/jobs/{job_id}", Fault.status(200, {"id": job_id}), times=3)
    result = invoke(["finetune", "wait", job_id], ctx(fake_transport))
    assert result.exit_code == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if line.startswith("mistral:")]
    where = f"GET /v1/fine_tuning/jobs/{job_id}"
    assert notes == [
        f"mistral: unreadable answer (unexpected answer from the server ({where}): status is "
        f"missing); {n} of 3 in a row tolerated, still waiting"
        for n in (1, 2, 3)
    ]


def test_wait_ends_with_exit_1_at_the_fourth_unreadable_answer(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    job_id = job_with(fake, ("QUEUED", "RUNNING", "SUCCESS"))
    fake.inject("GET /v1/fine_tuning/jobs/{job_id}", Fault.status(200, ["odd"]), times=4)
    result = invoke(["finetune", "status", "--wait", job_id], ctx(fake_transport))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-2:] == [
        f"mistral: error: unexpected answer from the server (GET /v1/fine_tuning/jobs/{job_id}): "
        "the answer is not an object (got a list) (4 polls in a row)",
        "hint: the job may still run; rerun with --debug to see the answers; "
        f"mistral finetune wait {job_id}",
    ]


def test_a_create_answered_with_an_estimate_shows_it_and_exits_1(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    stored = fake.module(FilesFake).add("t.jsonl", b"{}\n")
    estimate = {"object": "job.metadata", "cost": 1.25, "cost_currency": "EUR",
                "expected_duration_seconds": 600, "training_steps": 10}  # fmt: skip
    fake.inject("POST /v1/fine_tuning/jobs", Fault.status(200, estimate))
    argv = ["finetune", "create", "-m", FT_MODEL, "--train", stored.id, "--no-validate"]
    result = invoke(argv, ctx(fake_transport))
    assert result.exit_code == 1
    assert CLOCK.sub("", result.stderr) == (
        "estimate: cost €1.25, ~10 min\n"
        "mistral: error: unexpected answer from the server (POST /v1/fine_tuning/jobs): an "
        "estimate (object: job.metadata) came back instead of a job\n"
        "hint: no job id was given; `mistral finetune list --mine` shows whether one was made\n"
    )


def test_status_shows_unknown_values_as_question_marks(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    job_id = job_with(fake, ("RUNNING",))
    odd = {"id": job_id, "status": 3, "created_at": "soon", "hyperparameters": [1],
           "checkpoints": [{"step_number": "10", "metrics": {"train_loss": "0.5", "x": {}}},
                           {"metrics": {}}]}  # fmt: skip
    fake.inject("GET /v1/fine_tuning/jobs/{job_id}", Fault.status(200, odd))
    result = invoke(["finetune", "status", job_id], ctx(fake_transport))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"id\t{job_id}\nstatus\t3\nmodel\t?\njob type\tcompletion\nfine-tuned model\t-\n"
        "created\t?\ntraining files\t-\nhyperparameters\t-\n"
        "last checkpoint\tstep 10: train_loss 0.5\n"
    )


# ------------------------------------------------------------------ batch


def test_batch_status_with_odd_counts(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    job_id = batch_job(fake)["job"]
    odd = {"id": job_id, "status": "PAUSED", "total_requests": "2", "completed_requests": None,
           "errors": [{"message": None, "count": "x"}, "oops"], "input_files": "f1"}  # fmt: skip
    fake.inject("GET /v1/batch/jobs/{job_id}", Fault.status(200, odd))
    result = invoke(["batch", "status", job_id], ctx(fake_transport))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"id\t{job_id}\nstatus\tPAUSED\nmodel\t\nendpoint\t?\nrequests\t?/2\n"
        "input files\tf1\noutput file\t\nerror file\t\nerror\t? (x?)\n"
    )


# ------------------------------------------------------------------ chat


def last_usage(counts: object) -> Rewrite:
    def change(chunk: dict[str, Any]) -> dict[str, Any]:
        return {**chunk, "usage": counts}

    return Rewrite(change, event=-1)


def test_a_last_chunk_with_null_usage_counts_keeps_the_answer(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    fake.chat.replies.append(Reply(text="The whole answer.", chunk_size=5))
    nulls = {"prompt_tokens": None, "completion_tokens": None, "total_tokens": None}
    fake.inject("POST /v1/chat/completions", last_usage(nulls))
    result = invoke(["chat", "--usage", "hi"], ctx(fake_transport))
    assert (result.exit_code, result.stdout) == (0, "The whole answer.\n")
    assert re.fullmatch(r"mistral-small-latest · usage n/a · \d+\.\d\d s\n", result.stderr)


def test_json_keeps_the_usage_as_sent(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    nulls = {"prompt_tokens": 3, "completion_tokens": None}
    fake.inject("POST /v1/chat/completions", last_usage(nulls))
    result = invoke(["chat", "--json", "hi"], ctx(fake_transport))
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["usage"] == nulls
    assert document["choices"][0]["message"]["content"] == "Echo: hi"


def odd_stream(chunk: dict[str, Any]) -> dict[str, Any]:
    """The last chunk: chunk-list content with unknown types, an unknown finish_reason."""
    content = [{"type": "text", "text": "!"}, {"type": "audio", "data": "…"}, "?", 7, None]
    choice = {"index": 0, "delta": {"content": content}, "finish_reason": "paused_for_tea"}
    return {**chunk, "choices": [choice], "usage": {"prompt_tokens": "4", "completion_tokens": 2.0}}


def test_odd_chunks_never_lose_the_answer(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    fake.chat.replies.append(Reply(text="Hello there", chunk_size=5))
    fake.inject("POST /v1/chat/completions", Rewrite(odd_stream, event=-1))
    result = invoke(["chat", "--usage", "hi"], ctx(fake_transport))
    assert (result.exit_code, result.stdout) == (0, "Hello ther!?7\n"), result.stderr
    assert re.fullmatch(
        r"\[unsupported content: audio\]\n"
        r"mistral-small-latest · 4 in / 2 out tokens · \S+ · \S+ s\n",
        result.stderr,
    )


def test_a_usage_only_chunk_with_no_choices(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    def usage_only(chunk: dict[str, Any]) -> dict[str, Any]:
        return {"id": chunk["id"], "choices": [], "usage": {"prompt_tokens": 1}}

    fake.chat.replies.append(Reply(text="Hi", chunk_size=1))
    fake.inject("POST /v1/chat/completions", Rewrite(usage_only, event=-1))
    result = invoke(["chat", "--usage", "hi"], ctx(fake_transport))
    assert (result.exit_code, result.stdout) == (0, "H\n"), result.stderr  # the last piece was "i"
    assert re.fullmatch(r"mistral-small-latest · usage n/a · \d+\.\d\d s\n", result.stderr)


def test_a_whole_answer_with_null_usage_and_a_null_message(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    def odd(answer: dict[str, Any]) -> dict[str, Any]:
        choices = [{**answer["choices"][0], "finish_reason": 5}, {"message": None}]
        return {**answer, "choices": choices, "usage": {"prompt_tokens": None}}

    fake.inject("POST /v1/chat/completions", Rewrite(odd, call=None), times=2)
    result = invoke(["chat", "--no-stream", "--usage", "hi"], ctx(fake_transport))
    assert (result.exit_code, result.stdout) == (0, "Echo: hi\n"), result.stderr
    assert re.fullmatch(
        r"mistral: warning: choice 2: the answer is empty \(finish_reason: none\)\n"
        r"mistral-small-latest · usage n/a · \d+\.\d\d s\n",
        result.stderr,
    )
    as_json = invoke(["chat", "--no-stream", "--json", "hi"], ctx(fake_transport))
    assert json.loads(as_json.stdout)["usage"] == {"prompt_tokens": None}
