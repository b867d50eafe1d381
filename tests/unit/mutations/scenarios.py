"""Every command that reads an answer, with the state the fake needs and the answer to mutate.

A scenario's baseline is the fake's own answer, or (`example`) the official spec's example for
the route; `call` picks which request to that route (polls), `event` which SSE event. `keep`
marks the paths whose mutation must change nothing the user relies on: exit 0, same stdout.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.fakes import FakeMistral, spec
from tests.fakes.batch import BatchFake
from tests.fakes.batch import FakeJob as FakeBatchJob
from tests.fakes.chat import FakeCall, Reply
from tests.fakes.files import FilesFake
from tests.fakes.finetune import FineTuneFake
from tests.unit.mutations.walk import Path

Setup = Callable[[FakeMistral], dict[str, str]]
FT_MODEL = "ministral-8b-latest"


@dataclass(frozen=True)
class Scenario:
    """A command run against the fake, and which of its answers is mutated."""

    name: str
    argv: tuple[str, ...]
    route: str
    setup: Setup = lambda fake: {}  # the default: nothing to seed
    call: int = 0
    event: int | None = None
    example: str | None = None  # a spec example replaces the fake's answer ("GET /v1/files")
    keep: Callable[[Path], bool] = lambda path: False
    env: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # written into {dir} before the run


def files(fake: FakeMistral) -> dict[str, str]:
    """Two uploaded files; `file` is the first."""
    store = fake.module(FilesFake)
    first = store.add("train.3f2a9c1b7d4e.jsonl", b'{"messages": []}\n')
    store.add("results.jsonl", b"{}\n{}\n", "batch")
    return {"file": first.id}


def jobs(script: tuple[str, ...]) -> Setup:
    """A fine-tuning job following `script` (each GET one step), plus an older finished one."""

    def setup(fake: FakeMistral) -> dict[str, str]:
        stored = fake.module(FilesFake).add("t.jsonl", b"{}\n")
        body = {
            "model": FT_MODEL,
            "training_files": [{"file_id": stored.id}],
            "hyperparameters": {},
        }
        fine_tune = fake.module(FineTuneFake)
        fine_tune.seed(dict(body, suffix="old"), "SUCCESS")
        job = fine_tune.seed(body, script[0])
        job.follow(script)
        return {"job": job.id, "file": stored.id}

    return setup


def batch_job(fake: FakeMistral) -> dict[str, str]:
    """A queued embeddings batch job over a one-request input file (GETs run it to SUCCESS)."""
    line = b'{"custom_id": "1", "body": {"input": ["a", "b"]}}\n'
    stored = fake.module(FilesFake).add("in.jsonl", line, "batch")
    job = FakeBatchJob("b7c1e0aa-1111-4222-8333-944455556666", [stored.id], "/v1/embeddings",
                       "mistral-embed", None, "SUCCESS", total_requests=1)  # fmt: skip
    fake.module(BatchFake).jobs[job.id] = job
    return {"job": job.id}


def chat_batch_job(fake: FakeMistral) -> dict[str, str]:
    """A chat batch job about to end (its next GET runs it): three requests, answered."""
    lines = b"".join(
        b'{"custom_id": "%d", "body": {"messages": [{"role": "user", "content": "q%d"}]}}\n'
        % (n, n)
        for n in (1, 2, 3)
    )
    stored = fake.module(FilesFake).add("chat.jsonl", lines, "batch")
    job = FakeBatchJob("c7c1e0aa-1111-4222-8333-944455556666", [stored.id], CHAT_ROUTE,
                       "mistral-small-latest", None, "SUCCESS", status="RUNNING",
                       total_requests=3)  # fmt: skip
    fake.module(BatchFake).jobs[job.id] = job
    return {"job": job.id}


def thinking_reply(fake: FakeMistral) -> dict[str, str]:
    """A streamed answer with thinking chunks before the text."""
    fake.chat.replies.append(Reply(text="The answer is 42.", thinking="Let me see", chunk_size=6))
    return {}


def tool_call_reply(fake: FakeMistral) -> dict[str, str]:
    """An answer with text and two tool calls (arguments as text, then as an object)."""
    calls = (FakeCall("get_weather", '{"city": "Paris"}', "call_1"), FakeCall("f", {"a": 1}))
    fake.chat.replies.append(Reply(text="Checking.", tool_calls=calls, chunk_size=20))
    return {}


def choices_reply(fake: FakeMistral) -> dict[str, str]:
    """Two choices (the request asks for n=2)."""
    fake.chat.replies.append(Reply(text="One.", choices=("Two.",), chunk_size=20))
    return {}


def references_reply(fake: FakeMistral) -> dict[str, str]:
    """Text with a reference chunk between two text chunks."""
    content = [
        {"type": "text", "text": "Paris"},
        {"type": "reference", "reference_ids": [0, "doc-1"], "title": "Atlas"},
        {"type": "text", "text": "."},
    ]
    fake.chat.replies.append(Reply(content=content))
    return {}


def under(*prefix: str | int) -> Callable[[Path], bool]:
    """Paths at or below `prefix`."""
    return lambda path: path[: len(prefix)] == prefix


def chat_meta(path: Path) -> bool:
    """What a chunk or answer may lack without losing the answer: usage, ids, finish_reason."""
    return path[:1] in (("usage",), ("id",), ("model",), ("created",), ("object",)) or (
        len(path) == 3 and path[:2] == ("choices", 0) and path[2] in ("finish_reason", "index")
    )


CHAT = ("chat", "-m", "mistral-large-latest", "--usage", "hi")
FT_CREATE = ("finetune", "create", "-m", FT_MODEL, "--train", "{file}", "--no-validate")
WAIT = ("QUEUED", "RUNNING", "SUCCESS")
EMBED = ("embed", "-m", "codestral-embed", "--output-dimension", "8", "a", "b")
FT_ID = "ft:ministral-8b-latest:7d1e40aa:20260801:a1b2c3d4"
CLASSIFIER = ("classify", "-m", "ft:ministral-3b-latest:7d1e40aa:20260802:c1a55f13")
ARCHIVE = "/v1/fine_tuning/models/{model_id}/archive"
CONVERSATION = {"conversation.jsonl": '{"messages": [{"role": "user", "content": "hi"}]}\n'}
CHAT_ROUTE = "/v1/chat/completions"
QUESTIONS = {
    "q.jsonl": '{"messages": [{"role": "user", "content": "hi"}], "max_tokens": 9}\n'
    '{"custom_id": "b", "body": {"messages": [{"role": "user", "content": "yo"}]}}\n'
}
BATCH_CREATE = ("batch", "create", "{dir}/q.jsonl", "-m", "mistral-small-latest")
CONTENT = "GET /v1/files/{file_id}/content"

SCENARIOS: tuple[Scenario, ...] = (
    Scenario("models list", ("models", "list"), "GET /v1/models"),
    Scenario("models list --json", ("models", "list", "--json"), "GET /v1/models"),
    Scenario("models list (spec)", ("models", "list"), "GET /v1/models", example="GET /v1/models"),
    Scenario(
        "models show", ("models", "show", "mistral-large-latest"), "GET /v1/models/{model_id}"
    ),
    Scenario(
        "models show --json (spec)",
        ("models", "show", "--json", "mistral-large-latest"),
        "GET /v1/models/{model_id}",
        example="GET /v1/models/{model_id}",
    ),
    Scenario("auth status --check", ("auth", "status", "--check"), "GET /v1/models"),
    Scenario(
        "chat -m (another card)",
        ("chat", "-m", FT_MODEL, "hi"),
        "GET /v1/models",
        keep=under("data", 0),
    ),
    Scenario("chat stream: role", CHAT, "POST /v1/chat/completions", thinking_reply, event=0),
    Scenario("chat stream: thinking", CHAT, "POST /v1/chat/completions", thinking_reply, event=1),
    Scenario("chat stream: text", CHAT, "POST /v1/chat/completions", thinking_reply, event=3),
    Scenario(
        "chat stream: last",
        CHAT,
        "POST /v1/chat/completions",
        thinking_reply,
        event=-1,
        keep=chat_meta,
    ),
    Scenario(
        "chat --json stream: last",
        ("chat", "--json", "-m", "mistral-large-latest", "hi"),
        "POST /v1/chat/completions",
        event=-1,
    ),
    Scenario(
        "chat --no-stream",
        ("chat", "--no-stream", *CHAT[1:]),
        "POST /v1/chat/completions",
        thinking_reply,
        keep=chat_meta,
    ),
    Scenario(
        "chat --no-stream --json",
        ("chat", "--no-stream", "--json", *CHAT[1:]),
        "POST /v1/chat/completions",
    ),
    Scenario("chat stream: tool call", CHAT, "POST /v1/chat/completions", tool_call_reply, event=2),
    Scenario(
        "chat --no-stream: tool calls",
        ("chat", "--no-stream", *CHAT[1:]),
        "POST /v1/chat/completions",
        tool_call_reply,
    ),
    Scenario(
        "chat --json stream: tool calls",
        ("chat", "--json", *CHAT[1:]),
        "POST /v1/chat/completions",
        tool_call_reply,
        event=3,
    ),
    Scenario(
        "chat stream: second choice",
        (*CHAT[:-1], "--param", "n=2", "hi"),
        "POST /v1/chat/completions",
        choices_reply,
        event=3,
    ),
    Scenario(
        "chat --no-stream: several choices",
        ("chat", "--no-stream", *CHAT[1:-1], "--param", "n=2", "hi"),
        "POST /v1/chat/completions",
        choices_reply,
    ),
    Scenario(
        "chat stream: reference",
        CHAT,
        "POST /v1/chat/completions",
        references_reply,
        event=2,
    ),
    Scenario(
        "chat --no-stream: references",
        ("chat", "--no-stream", *CHAT[1:]),
        "POST /v1/chat/completions",
        references_reply,
    ),
    Scenario("embed", EMBED, "POST /v1/embeddings"),
    Scenario("embed --encoding base64", (*EMBED, "--encoding", "base64"), "POST /v1/embeddings"),
    Scenario(
        "embed (spec)",
        ("embed", "-m", "mistral-embed", "a", "b"),
        "POST /v1/embeddings",
        example="POST /v1/embeddings",
    ),
    Scenario("embed -m (another card)", EMBED, "GET /v1/models", keep=under("data", 0)),
    Scenario("files list", ("files", "list"), "GET /v1/files", files),
    Scenario("files list --json", ("files", "list", "--json"), "GET /v1/files", files),
    Scenario("files list (spec)", ("files", "list"), "GET /v1/files", example="GET /v1/files"),
    Scenario("files show", ("files", "show", "{file}"), "GET /v1/files/{file_id}", files),
    Scenario(
        "files show --json (spec)",
        ("files", "show", "--json", "{file}"),
        "GET /v1/files/{file_id}",
        files,
        example="GET /v1/files/{file_id}",
    ),
    Scenario("files rm", ("files", "rm", "--yes", "{file}"), "DELETE /v1/files/{file_id}", files),
    Scenario(
        "files download",
        ("files", "download", "{file}", "-o", "{dir}/out.jsonl"),
        "GET /v1/files/{file_id}",
        files,
    ),
    Scenario("finetune create: preflight", FT_CREATE, "GET /v1/models/{model_id}", files),
    Scenario("finetune create", FT_CREATE, "POST /v1/fine_tuning/jobs", files),
    Scenario(
        "finetune create --dry-run", (*FT_CREATE, "--dry-run"), "POST /v1/fine_tuning/jobs", files
    ),
    Scenario(
        "finetune start",
        ("finetune", "start", "{job}"),
        "POST /v1/fine_tuning/jobs/{job_id}/start",
        jobs(("VALIDATED",)),
    ),
    Scenario(
        "finetune status",
        ("finetune", "status", "--events", "{job}"),
        "GET /v1/fine_tuning/jobs/{job_id}",
        jobs(WAIT),
    ),
    Scenario(
        "finetune status --json",
        ("finetune", "status", "--json", "{job}"),
        "GET /v1/fine_tuning/jobs/{job_id}",
        jobs(WAIT),
    ),
    Scenario(
        "finetune status --wait: first poll",
        ("finetune", "status", "--wait", "{job}"),
        "GET /v1/fine_tuning/jobs/{job_id}",
        jobs(WAIT),
    ),
    Scenario(
        "finetune wait: last poll",
        ("finetune", "wait", "--jsonl", "{job}"),
        "GET /v1/fine_tuning/jobs/{job_id}",
        jobs(WAIT),
        call=1,
    ),
    Scenario("finetune list", ("finetune", "list"), "GET /v1/fine_tuning/jobs", jobs(("RUNNING",))),
    Scenario(
        "finetune list --json",
        ("finetune", "list", "--json"),
        "GET /v1/fine_tuning/jobs",
        jobs(("RUNNING",)),
    ),
    Scenario(
        "finetune cancel",
        ("finetune", "cancel", "{job}"),
        "POST /v1/fine_tuning/jobs/{job_id}/cancel",
        jobs(("RUNNING",)),
    ),
    Scenario(
        "batch status", ("batch", "status", "{job}"), "GET /v1/batch/jobs/{job_id}", batch_job
    ),
    Scenario(
        "batch status --json",
        ("batch", "status", "--json", "{job}"),
        "GET /v1/batch/jobs/{job_id}",
        batch_job,
    ),
    Scenario("batch list", ("batch", "list"), "GET /v1/batch/jobs", batch_job),
    Scenario(
        "batch wait: first poll",
        ("batch", "wait", "{job}"),
        "GET /v1/batch/jobs/{job_id}",
        batch_job,
    ),
    Scenario(
        "batch wait: last poll",
        ("batch", "wait", "{job}"),
        "GET /v1/batch/jobs/{job_id}",
        batch_job,
        call=1,
    ),
    Scenario("batch create", BATCH_CREATE, "POST /v1/batch/jobs", files=QUESTIONS),
    Scenario(
        "batch create --wait: last poll",
        (*BATCH_CREATE, "--wait"),
        "GET /v1/batch/jobs/{job_id}",
        call=1,
        files=QUESTIONS,
    ),
    Scenario(
        "batch create --wait: results",
        (*BATCH_CREATE, "--wait", "--format", "text"),
        CONTENT,
        files=QUESTIONS,
    ),
    Scenario(
        "batch download (chat): job",
        ("batch", "download", "{job}"),
        "GET /v1/batch/jobs/{job_id}",
        chat_batch_job,
    ),
    Scenario(
        "batch download (chat): results",
        ("batch", "download", "{job}"),
        CONTENT,
        chat_batch_job,
    ),
    Scenario(
        "batch download (chat) --format text: results",
        ("batch", "download", "{job}", "--format", "text"),
        CONTENT,
        chat_batch_job,
    ),
    Scenario(
        "batch download --raw (chat)",
        ("batch", "download", "--raw", "{job}"),
        "GET /v1/batch/jobs/{job_id}",
        chat_batch_job,
    ),
    Scenario("models list --owned", ("models", "list", "--owned"), "GET /v1/models"),
    Scenario(
        "models list --owned --json", ("models", "list", "--owned", "--json"), "GET /v1/models"
    ),
    Scenario("models archive: resolve", ("models", "archive", FT_ID), "GET /v1/models"),
    Scenario("models archive", ("models", "archive", FT_ID), f"POST {ARCHIVE}"),
    Scenario("models archive --json", ("models", "archive", "--json", FT_ID), f"POST {ARCHIVE}"),
    Scenario("models unarchive", ("models", "unarchive", FT_ID), f"DELETE {ARCHIVE}"),
    Scenario(
        "models update --json",
        ("models", "update", "--json", FT_ID, "--name", "bot"),
        "PATCH /v1/fine_tuning/models/{model_id}",
    ),
    Scenario("models rm", ("models", "rm", "--yes", FT_ID), "DELETE /v1/models/{model_id}"),
    Scenario(
        "models rm --json (spec)",
        ("models", "rm", "--yes", "--json", FT_ID),
        "DELETE /v1/models/{model_id}",
        example="DELETE /v1/models/{model_id}",
    ),
    Scenario("classify", (*CLASSIFIER, "a", "b"), "POST /v1/classifications"),
    Scenario(
        "classify --format csv",
        (*CLASSIFIER, "--format", "csv", "a", "b"),
        "POST /v1/classifications",
    ),
    Scenario(
        "classify --chat",
        (*CLASSIFIER, "--chat", "{dir}/conversation.jsonl"),
        "POST /v1/chat/classifications",
        files=CONVERSATION,
    ),
    Scenario("classify: resolve", (*CLASSIFIER, "a"), "GET /v1/models"),
    Scenario("moderate", ("moderate", "a", "b"), "POST /v1/moderations"),
    Scenario(
        "moderate (spec)",
        ("moderate", "a", "b"),
        "POST /v1/moderations",
        example="POST /v1/moderations",
    ),
    Scenario(
        "moderate --fail-on any (spec)",
        ("moderate", "--fail-on", "any", "a", "b"),
        "POST /v1/moderations",
        example="POST /v1/moderations",
    ),
    Scenario(
        "moderate --fail-on CATEGORY",
        ("moderate", "--fail-on", "hate_and_discrimination,pii", "a", "b"),
        "POST /v1/moderations",
    ),
    Scenario(
        "moderate --chat (spec)",
        ("moderate", "--chat", "{dir}/conversation.jsonl"),
        "POST /v1/chat/moderations",
        example="POST /v1/chat/moderations",
        files=CONVERSATION,
    ),
    Scenario("moderate: default model", ("moderate", "a"), "GET /v1/models"),
    Scenario(
        "files list --debug",
        ("files", "list"),
        "GET /v1/files",
        files,
        env={"MISTRAL_DEBUG": "1"},
    ),
)


@functools.cache
def spec_example(route: str) -> Any:  # a JSON document
    """The official spec's 200 example for `METHOD /template` (the public spec, parsed once)."""
    method, template = route.split(" ", 1)
    operation = _public_spec()["paths"][template][method.lower()]
    answer = operation["responses"]["200"]["content"]["application/json"]
    return answer["examples"]["userExample"]["value"]


@functools.cache
def _public_spec() -> dict[str, Any]:
    return spec.load_spec(spec.PUBLIC_SPEC)
