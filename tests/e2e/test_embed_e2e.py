"""The installed `mistral embed` against the loopback fake: limits, order, faults, resume."""

from __future__ import annotations

import json
import os
import pty
import signal
import subprocess
import time
from pathlib import Path

import pytest

import tests.fakes.batch  # noqa: F401  # registers the batch (and files) routes
from tests.e2e.conftest import Run, base_env, mistral_executable
from tests.fakes.faults import Fault
from tests.fakes.router import FakeMistral
from tests.fakes.server import FakeServer

SMALL = ["-m", "codestral-embed", "--output-dimension", "16"]  # small vectors, same packing


def lines_of(path_or_text: Path | str) -> list[int]:
    text = path_or_text.read_text() if isinstance(path_or_text, Path) else path_or_text
    return [json.loads(line)["line"] for line in text.splitlines()]


def assert_within_limits(fake: FakeMistral) -> None:
    limits = fake.embeddings
    for batch in fake.embeddings.batches:
        assert batch.inputs <= limits.max_inputs
        assert batch.largest_input_tokens <= limits.max_input_tokens


def test_short_and_long_lines_embed_in_order_within_limits(
    run_mistral: Run, fake: FakeMistral, fake_server: FakeServer
) -> None:
    short = [f"sentence {i}" for i in range(1, 5001)]
    long = [f"{i} " + "lorem ipsum dolor sit amet " * 40 for i in range(1, 601)]
    # the fake counts tokens as the estimate does: exact counts (the tokens extra) pack fuller
    estimate = {"MISTRAL_TOKENIZER": "estimate"}
    done = run_mistral(
        "embed", input="\n".join(short) + "\n", server=fake_server, key=fake.api_key, env=estimate
    )
    assert done.returncode == 0, done.stderr
    assert lines_of(done.stdout) == list(range(1, 5001))
    first = json.loads(done.stdout.splitlines()[0])
    assert len(first["embedding"]) == 1024
    assert len(fake.embeddings.batches) <= 10
    assert done.stderr == ""

    before = len(fake.embeddings.batches)
    text = "\n".join(long) + "\n"
    done = run_mistral(
        "embed", *SMALL, input=text, server=fake_server, key=fake.api_key, env=estimate
    )
    assert done.returncode == 0, done.stderr
    assert lines_of(done.stdout) == list(range(1, 601))
    sent = fake.embeddings.batches[before:]
    assert sum(b.tokens for b in sent) > 16_384 * 3
    assert all(b.status == 200 and b.tokens <= 16_384 for b in sent)
    assert_within_limits(fake)


def test_twenty_thousand_piped_lines(
    run_mistral: Run, fake: FakeMistral, fake_server: FakeServer, tmp_path: Path
) -> None:
    small = " ".join(SMALL)  # the same pipeline; 16-value vectors keep the test quick
    script = (
        f"seq 1 20000 | sed 's/^/sentence /' | {mistral_executable()} embed {small} > out.jsonl"
    )
    env = base_env(tmp_path, fake_server, fake.api_key)
    done = subprocess.run(
        ["bash", "-c", script], env=env, cwd=tmp_path, capture_output=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert lines_of(tmp_path / "out.jsonl") == list(range(1, 20001))
    assert len(fake.embeddings.batches) == 40


def test_server_3210_is_recovered_by_splitting(
    run_mistral: Run, fake: FakeMistral, fake_server: FakeServer
) -> None:
    fake.embeddings.max_tokens = 3_000
    text = "".join(f"{'word ' * 20}{i}\n" for i in range(1, 1501))
    done = run_mistral("embed", *SMALL, input=text, server=fake_server, key=fake.api_key)
    assert done.returncode == 0, done.stderr
    assert lines_of(done.stdout) == list(range(1, 1501))
    assert any(b.status == 400 for b in fake.embeddings.batches)
    assert all(b.tokens <= 3_000 for b in fake.embeddings.batches if b.status == 200)


def test_429_and_5xx_mid_job_lose_nothing(
    run_mistral: Run, fake: FakeMistral, fake_server: FakeServer
) -> None:
    fake.inject("POST /v1/embeddings", Fault.slow(0), times=3)
    fake.inject("POST /v1/embeddings", Fault.rate_limited("0"))
    fake.inject("POST /v1/embeddings", Fault.status(502))
    fake.inject("POST /v1/embeddings", Fault.html(503))
    text = "".join(f"line {i}\n" for i in range(1, 3001))
    argv = ["embed", *SMALL, "--batch-size", "200"]
    done = run_mistral(*argv, input=text, server=fake_server, key=fake.api_key)
    assert done.returncode == 0, done.stderr
    assert lines_of(done.stdout) == list(range(1, 3001))
    assert done.stderr.count("mistral: retrying in") == 3


def test_resume_after_a_killed_run_does_not_re_embed(
    fake: FakeMistral, fake_server: FakeServer, tmp_path: Path
) -> None:
    source = tmp_path / "in.txt"
    source.write_text("".join(f"sentence {i}\n" for i in range(1, 3001)))
    target = tmp_path / "out.jsonl"
    argv = [mistral_executable(), "embed", *SMALL, "--batch-size", "100", "--concurrency", "1"]
    argv += ["-o", str(target)]
    env = base_env(tmp_path, fake_server, fake.api_key)
    # every request slow; the resumed run sends at least the requests the killed one did not
    fake.inject("POST /v1/embeddings", Fault.slow(0.05), times=30)
    with source.open("rb") as stdin:
        proc = subprocess.Popen(argv, stdin=stdin, env=env, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while len(fake.embeddings.batches) < 8 and time.monotonic() < deadline:
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert proc.stderr is not None
        proc.stderr.close()
    kept = lines_of(target)
    assert 0 < len(kept) < 3000
    assert kept == list(range(1, len(kept) + 1))

    before = [b.inputs for b in fake.embeddings.batches]
    with source.open("rb") as stdin:
        done = subprocess.run(
            [*argv, "--resume"], stdin=stdin, env=env, capture_output=True, text=True, timeout=60,
            check=False,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == f"resuming after line {len(kept):,} ({len(kept):,} already embedded)\n"
    assert lines_of(target) == list(range(1, 3001))
    resent = sum(b.inputs for b in fake.embeddings.batches[len(before) :])
    assert resent == 3000 - len(kept)


def test_failure_on_a_later_batch_then_resume(
    run_mistral: Run, fake: FakeMistral, fake_server: FakeServer, tmp_path: Path
) -> None:
    text = "".join(f"line {i}\n" for i in range(1, 1001))
    fake.inject("POST /v1/embeddings", Fault.slow(0), times=2)
    fake.inject("POST /v1/embeddings", Fault.status(500), times=3)
    argv = ["embed", *SMALL, "--batch-size", "100", "--concurrency", "1", "-o", "out.jsonl"]
    failed = run_mistral(*argv, input=text, server=fake_server, key=fake.api_key)
    assert failed.returncode == 1
    assert "line 201 and the lines after it were not embedded" in failed.stderr
    out = tmp_path / "work" / "out.jsonl"
    assert lines_of(out) == list(range(1, 201))
    resumed = run_mistral(*argv, "--resume", input=text, server=fake_server, key=fake.api_key)
    assert resumed.returncode == 0, resumed.stderr
    assert lines_of(out) == list(range(1, 1001))


def test_terminal_stdin_without_text_is_a_usage_error(
    fake: FakeMistral, fake_server: FakeServer, tmp_path: Path
) -> None:
    parent, child = pty.openpty()
    try:
        done = subprocess.run(
            [mistral_executable(), "embed"], stdin=child, capture_output=True, text=True,
            env=base_env(tmp_path, fake_server, fake.api_key), timeout=20, check=False,
        )  # fmt: skip
    finally:
        os.close(parent)
        os.close(child)
    assert done.returncode == 2
    assert done.stderr == (
        "mistral: error: no input: pass TEXT arguments or pipe one text per line on stdin\n"
    )
    assert fake.requests == []


def test_dry_run_without_a_key(run_mistral: Run, fake_server: FakeServer) -> None:
    done = run_mistral(
        "embed",
        "--dry-run",
        input="a\nb\n",
        server=fake_server,
        env={"MISTRAL_TOKENIZER": "estimate"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        "2 inputs · 4 tokens (estimated) · 1 request · ~$0.0000004 (prices as of 2026-11-25) · "
        "nothing sent\n"
    )


@pytest.mark.parametrize("wait", [False, True])
def test_batch_api_end_to_end(
    run_mistral: Run, fake: FakeMistral, fake_server: FakeServer, wait: bool
) -> None:
    argv = ["embed", "--batch", *SMALL, *(["--wait"] if wait else [])]
    done = run_mistral(*argv, input="a\nb\n\nc\n", server=fake_server, key=fake.api_key)
    assert done.returncode == 0, done.stderr
    if wait:
        assert lines_of(done.stdout) == [1, 2, 4]
        return
    job_id = done.stdout.strip()
    waited = run_mistral("batch", "wait", job_id, server=fake_server, key=fake.api_key)
    assert waited.returncode == 0, waited.stderr
    got = run_mistral("batch", "download", job_id, server=fake_server, key=fake.api_key)
    assert lines_of(got.stdout) == [1, 2, 4]


def wait_for_lines(path: Path, count: int, proc: subprocess.Popen[str]) -> None:
    """Block until `path` holds `count` whole lines (the run's output is the clock)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if path.exists() and path.read_bytes().count(b"\n") >= count:
            return
        time.sleep(0.01)
    pytest.fail(f"{path} never reached {count} lines")


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupted_embed_says_how_to_resume_and_that_command_finishes(
    fake: FakeMistral, fake_server: FakeServer, tmp_path: Path, signum: int, code: int
) -> None:
    work = tmp_path / "work"  # the autouse isolation made it
    (work / "my input.txt").write_text("".join(f"sentence {i}\n" for i in range(1, 1001)))
    target = work / "out.jsonl"
    argv = ["embed", *SMALL, "--batch-size", "50", "--concurrency", "1", "-o", "out.jsonl"]
    env = base_env(tmp_path, fake_server, fake.api_key)
    fake.inject("POST /v1/embeddings", Fault.slow(0.05), times=20)  # every request slow
    with (work / "my input.txt").open("rb") as stdin:
        proc = subprocess.Popen(
            [mistral_executable(), *argv], stdin=stdin, env=env, cwd=work,
            stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        wait_for_lines(target, 100, proc)
        proc.send_signal(signum)
        _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == code
    kept = lines_of(target)
    assert len(kept) >= 100
    assert kept == list(range(1, len(kept) + 1))  # whole records, in order
    resume = f"mistral {' '.join(argv)} --resume < 'my input.txt'"
    assert stderr == (
        f"interrupted: {len(kept):,} of 1,000 lines written to out.jsonl; resume with: {resume}\n"
    )

    done = subprocess.run(
        ["bash", "-c", stderr.split("resume with: ", 1)[1]], env=env, cwd=work,
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == f"resuming after line {len(kept):,} ({len(kept):,} already embedded)\n"
    assert lines_of(target) == list(range(1, 1001))


def test_non_utf8_arguments_are_a_usage_error_naming_the_byte(
    fake: FakeMistral, fake_server: FakeServer, tmp_path: Path
) -> None:
    env = base_env(tmp_path, fake_server, fake.api_key)
    done = subprocess.run(
        [mistral_executable().encode(), b"embed", b"fine", b"caf\xe9 cr\xe8me"], env=env,
        capture_output=True, timeout=30, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr == (
        b"mistral: error: argument 3 is not valid UTF-8 (byte 4): caf\\xe9 cr\\xe8me\n"
        b"hint: pass text as UTF-8 (e.g. iconv -f latin1 -t utf-8), or pipe it on stdin\n"
    )
    assert fake.requests == []


def test_a_dev_stdout_output_follows_the_shell_redirection(
    fake: FakeMistral, fake_server: FakeServer, tmp_path: Path
) -> None:
    env = base_env(tmp_path, fake_server, fake.api_key)
    script = f"{mistral_executable()} embed {' '.join(SMALL)} -o /dev/stdout a b > out.jsonl"
    done = subprocess.run(
        ["bash", "-c", script], env=env, cwd=tmp_path, capture_output=True, timeout=60,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert lines_of(tmp_path / "out.jsonl") == [1, 2]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_a_full_disk_behind_stdout_is_exit_1_not_a_bug(
    fake: FakeMistral, fake_server: FakeServer, tmp_path: Path
) -> None:
    env = base_env(tmp_path, fake_server, fake.api_key)
    script = f"{mistral_executable()} embed {' '.join(SMALL)} a b > /dev/full"
    done = subprocess.run(
        ["bash", "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr == (
        "mistral: error: cannot write stdout: no space left on device\n"
        "hint: free some space or choose another location\n"
    )
