from __future__ import annotations

import json
import re
from array import array
from pathlib import Path

import httpx
import pytest

from tests.fakes.embeddings import embedding_vector, vector_json
from tests.fakes.faults import Fault
from tests.fakes.router import FakeMistral
from tests.support import invoke, make_context


@pytest.fixture(autouse=True)
def estimated_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests pin the estimate's figures, with or without the `tokens` extra installed."""
    monkeypatch.setenv("MISTRAL_TOKENIZER", "estimate")


def vec(text: str, dims: int = 1024) -> list[float]:
    """The fake's vector as the API sends it (JSON numbers)."""
    return list(embedding_vector(text, dims))


def vec32(text: str, dims: int = 1024) -> list[float]:
    """The fake's vector as float32 values (what base64 carries, what .npy stores)."""
    return array("f", embedding_vector(text, dims)).tolist()


def no_ids(text: str) -> str:
    return re.sub(r", request [0-9a-f]+\)", ")", text)


def records(stdout: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.splitlines()]


SMALL = ["-m", "codestral-embed", "--output-dimension", "8"]  # small vectors keep big runs fast


def embed_bodies(fake: FakeMistral) -> list[dict[str, object]]:
    return [r.json() for r in fake.requests_to("POST /v1/embeddings")]


def test_text_arguments_give_ordered_jsonl_records(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    result = invoke(["embed", "hello", "world"], make_context(fake_transport))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    got = records(result.stdout)
    assert [(r["line"], r["embedding"]) for r in got] == [(1, vec("hello")), (2, vec("world"))]
    assert [r["sha"] for r in got] == ["2cf24dba5fb0", "486ea46224d1"]
    assert result.stdout.startswith('{"line": 1, "embedding": [')
    assert embed_bodies(fake) == [{"model": "mistral-embed", "input": ["hello", "world"]}]


def test_vectors_are_written_as_the_api_sent_them(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    result = invoke(["embed", "hello"], make_context(fake_transport))
    assert result.exit_code == 0, result.stderr
    sent = vector_json("hello", 1024)
    written = result.stdout.split('"embedding": ', 1)[1].rsplit(', "sha"', 1)[0]
    assert json.loads(written) == json.loads(sent)  # the same doubles, not float32 ones
    # and the same digits (-0.05, not -0.05000000074505806), whatever the exponent notation
    assert [digits(t) for t in written.split(",")] == [digits(t) for t in sent.split(",")]


def digits(number: str) -> str:
    """The significant digits of a JSON number's text (`-1.5e-05` and `-0.000015` → `15`)."""
    return number.strip("[]").split("e")[0].replace("-", "").replace(".", "").strip("0")


def test_base64_encoding_decodes_to_the_float_answer_as_float32(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    packed = invoke(["embed", "--encoding", "base64", "hi", "yo"], make_context(fake_transport))
    plain = invoke(["embed", "hi", "yo"], make_context(fake_transport))
    assert packed.exit_code == plain.exit_code == 0, packed.stderr + plain.stderr
    as_float32 = [array("f", r["embedding"]).tolist() for r in records(plain.stdout)]
    assert [r["embedding"] for r in records(packed.stdout)] == as_float32
    assert as_float32 == [vec32("hi"), vec32("yo")]
    bodies = embed_bodies(fake)
    assert bodies[0]["encoding_format"] == "base64"
    assert "encoding_format" not in bodies[1]


def test_base64_encoding_is_for_float_vectors_only(fake_transport: httpx.MockTransport) -> None:
    argv = ["embed", "--encoding", "base64", "--output-dtype", "int8", "hi"]
    refused = invoke(argv, make_context(fake_transport))
    assert (refused.exit_code, refused.stderr) == (
        2,
        "mistral: error: --encoding base64 is for float vectors (--output-dtype float)\n",
    )
    odd = invoke(["embed", "--encoding", "hex", "hi"], make_context(fake_transport))
    assert (odd.exit_code, odd.stderr) == (
        2,
        "mistral: error: unknown --encoding 'hex'; choose float or base64\n",
    )


def test_stdin_lines_blank_lines_skipped_and_counted(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    result = invoke(["embed"], make_context(fake_transport), input="a\n\n  \nb\r\nc")
    assert result.exit_code == 0, result.stderr
    assert [(r["line"], r["embedding"]) for r in records(result.stdout)] == [
        (1, vec("a")),
        (4, vec("b")),
        (5, vec("c")),
    ]
    assert result.stderr == "mistral: 2 blank lines skipped\n"


def test_jsonl_input_carries_the_id_field(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    lines = '{"id": "a7", "body": "first"}\n{"id": 9, "body": "second"}\n'
    argv = ["embed", "--input-format", "jsonl", "--field", "body", "--id-field", "id"]
    result = invoke(argv, make_context(fake_transport), input=lines)
    assert result.exit_code == 0, result.stderr
    got = [(r["id"], r["embedding"]) for r in records(result.stdout)]
    assert got == [("a7", vec("first")), (9, vec("second"))]


def test_jsonl_input_errors_name_the_line(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    result = invoke(
        ["embed", "--input-format", "jsonl"], make_context(fake_transport), input='{"x": 1}\n'
    )
    assert result.exit_code == 8
    assert result.stderr == (
        'mistral: error: line 1: no "text" field\nhint: choose the text field with --field\n'
    )
    assert fake.requests_to("POST /v1/embeddings") == []


def test_json_and_csv_formats(fake: FakeMistral, fake_transport: httpx.MockTransport) -> None:
    as_json = invoke(["embed", "--format", "json", "x", "y"], make_context(fake_transport))
    document = json.loads(as_json.stdout)
    assert document == {
        "object": "list",
        "data": [{"line": 1, "embedding": vec("x")}, {"line": 2, "embedding": vec("y")}],
    }
    as_csv = invoke(["embed", "--format", "csv", "x"], make_context(fake_transport))
    header, row = as_csv.stdout.splitlines()
    assert header.split(",")[:3] == ["line", "e0", "e1"]
    assert len(header.split(",")) == 1025
    assert [float(v) for v in row.split(",")[1:]] == vec("x")


def test_npy_needs_a_file_and_loads_with_numpy(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    numpy = pytest.importorskip("numpy")
    refused = invoke(["embed", "--format", "npy", "x"], make_context(fake_transport))
    assert refused.exit_code == 2
    assert refused.stderr == "mistral: error: --format npy is binary: pass -o FILE.npy\n"
    target = tmp_path / "v.npy"
    done = invoke(["embed", "-o", str(target), "x", "y"], make_context(fake_transport))
    assert done.exit_code == 0, done.stderr
    assert done.stdout == ""
    matrix = numpy.load(target)
    assert matrix.shape == (2, 1024)
    assert matrix.dtype == numpy.float32
    assert matrix.tolist() == [vec32("x"), vec32("y")]


def test_codestral_dimension_and_int8(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    argv = ["embed", "-m", "codestral-embed", "--output-dimension", "256", "hi"]
    result = invoke(argv, make_context(fake_transport))
    assert result.exit_code == 0, result.stderr
    assert records(result.stdout)[0]["embedding"] == vec("hi", 256)
    ints = invoke(["embed", "--output-dtype", "int8", "hi"], make_context(fake_transport))
    assert records(ints.stdout)[0]["embedding"] == embedding_vector("hi", 1024, "int8")
    bodies = embed_bodies(fake)
    assert bodies[0]["output_dimension"] == 256
    assert bodies[1] == {"model": "mistral-embed", "input": ["hi"], "output_dtype": "int8"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--output-dimension", "256"], "mistral-embed has no --output-dimension"),
        (["--output-dtype", "float64"], "unknown --output-dtype 'float64'"),
        (["--resume"], "--resume continues a JSON-lines file"),
        (["--resume", "-o", "x.csv"], "--resume continues a JSON-lines file"),
        (["--format", "xml"], "--format must be one of jsonl, json, csv, npy"),
        (["--input-format", "yaml"], "--input-format must be one of text, jsonl"),
        (["--id-field", "id"], "--id-field needs --input-format jsonl"),
    ],
)
def test_usage_errors_exit_2_before_any_request(
    fake: FakeMistral, fake_transport: httpx.MockTransport, argv: list[str], message: str
) -> None:
    result = invoke(["embed", *argv, "x"], make_context(fake_transport))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"mistral: error: {message}")
    assert fake.requests == []


def test_dry_run_needs_no_key_and_sends_nothing(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    text = "".join(f"sentence {i}\n" for i in range(1, 1201)) + "\n"
    actx = make_context(fake_transport, env={"MISTRAL_API_KEY": ""})
    result = invoke(["embed", "--dry-run", "--batch-size", "500"], actx, input=text)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "1,200 inputs · 6.2k tokens (estimated) · 3 requests · "
        "~$0.00062 (prices as of 2026-11-25) · 1 blank line skipped · nothing sent\n"
    )
    assert fake.requests == []


def test_over_long_input_exits_8_naming_the_line_unless_truncated(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    text = "short\n" + "word " * 6000 + "\n"
    refused = invoke(["embed"], make_context(fake_transport), input=text)
    assert refused.exit_code == 8
    assert refused.stderr.startswith(
        "mistral: error: line 2: input has ~10,001 tokens, over the per-input limit of 8,192\n"
    )
    assert [r["line"] for r in records(refused.stdout)] == [1]  # the line before it is kept
    cut = invoke(["embed", "--truncate"], make_context(fake_transport), input=text)
    assert cut.exit_code == 0, cut.stderr
    assert [r["line"] for r in records(cut.stdout)] == [1, 2]
    assert cut.stderr == "mistral: 1 input truncated\n"


def test_progress_flag_prints_the_summary_line(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    text = "".join(f"line {i}\n" for i in range(1, 1001))
    argv = ["embed", *SMALL, "--progress", "--batch-size", "300"]
    result = invoke(argv, make_context(fake_transport), input=text)
    assert result.exit_code == 0, result.stderr
    *_, summary = result.stderr.splitlines()
    assert re.fullmatch(r"1,000 inputs · 4k tokens \(estimated\) · 4 requests · \d+\.\d s", summary)
    assert len(records(result.stdout)) == 1000


def test_terminal_shows_progress_and_summary(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    result = invoke(["embed", "a", "b"], make_context(fake_transport, tty=True))
    assert result.exit_code == 0, result.stderr
    assert "embedding" in result.stderr
    assert re.search(r"2 inputs · 4 tokens \(estimated\) · 1 request · \d+\.\d s\n$", result.stderr)


def test_token_overflow_3210_splits_and_loses_nothing(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    fake.embeddings.max_tokens = 2_000  # below what the client packs (16,384)
    text = "".join(f"{'x' * 60} {i}\n" for i in range(1, 1001))
    result = invoke(["embed", *SMALL], make_context(fake_transport), input=text)
    assert result.exit_code == 0, result.stderr
    assert [r["line"] for r in records(result.stdout)] == list(range(1, 1001))
    statuses = [b.status for b in fake.embeddings.batches]
    assert 400 in statuses
    accepted = [b for b in fake.embeddings.batches if b.status == 200]
    assert sum(b.inputs for b in accepted) == 1000
    assert all(b.tokens <= 2_000 for b in accepted)


def test_rate_limits_and_5xx_mid_job_lose_nothing(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    fake.inject("POST /v1/embeddings", Fault.rate_limited("0"))
    fake.inject("POST /v1/embeddings", Fault.status(503), times=2)
    text = "".join(f"line {i}\n" for i in range(1, 2001))
    argv = ["embed", *SMALL, "--batch-size", "100"]
    result = invoke(argv, make_context(fake_transport), input=text)
    assert result.exit_code == 0, result.stderr
    assert [r["line"] for r in records(result.stdout)] == list(range(1, 2001))
    assert result.stderr.count("mistral: retrying in") == 3


def test_failure_writes_the_lines_before_it_and_resume_finishes(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    text = "".join(f"line {i}\n" for i in range(1, 501))
    target = tmp_path / "out.jsonl"
    fake.inject("POST /v1/embeddings", Fault.slow(0))  # the first request passes unharmed
    fake.inject("POST /v1/embeddings", Fault.status(503), times=3)  # the second never does
    argv = ["embed", *SMALL, "--batch-size", "100", "--concurrency", "1", "-o", str(target)]
    actx = make_context(fake_transport, env={"MISTRAL_MAX_RETRIES": "2"})
    first = invoke(argv, actx, input=text)
    assert first.exit_code == 1
    assert no_ids(first.stderr).splitlines()[-2:] == [
        "mistral: error: line 101 and the lines after it were not embedded: "
        "Service unavailable (HTTP 503)",
        "hint: gave up after 3 attempts; the service may be having trouble, try again shortly; "
        "the 100 inputs before line 101 are written; rerun with -o FILE --resume to continue "
        "from there",
    ]
    assert [r["line"] for r in records(target.read_text())] == list(range(1, 101))

    sent_before = len(fake.embeddings.batches)
    second = invoke([*argv, "--resume"], make_context(fake_transport), input=text)
    assert second.exit_code == 0, second.stderr
    assert second.stderr == "resuming after line 100 (100 already embedded)\n"
    assert [r["line"] for r in records(target.read_text())] == list(range(1, 501))
    assert [b.inputs for b in fake.embeddings.batches[sent_before:]] == [100, 100, 100, 100]


def test_a_failing_first_batch_has_no_resume_hint(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    fake.inject("POST /v1/embeddings", Fault.status(403))
    result = invoke(["embed", "x"], make_context(fake_transport))
    assert result.exit_code == 3
    assert no_ids(result.stderr) == (
        "mistral: error: line 1 and the lines after it were not embedded: Forbidden (HTTP 403)\n"
        "hint: this key may not use that model or feature (tier, workspace or guardrail)\n"
    )
    assert result.stdout == ""


def test_resume_refuses_a_file_from_other_input(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    target = tmp_path / "out.jsonl"
    invoke(["embed", "-o", str(target)], make_context(fake_transport), input="a\nb\n")
    result = invoke(
        ["embed", "-o", str(target), "--resume"], make_context(fake_transport), input="a\nc\n"
    )
    assert (result.exit_code, result.stdout, result.stderr) == (
        8,
        "",
        f"mistral: error: line 2 differs from the text embedded in {target}:2 "
        "(the input changed since that run)\n"
        "hint: resume with the same input, or write to a new -o file\n",
    )
