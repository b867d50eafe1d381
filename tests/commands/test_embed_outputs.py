"""`mistral embed` and the local disk: safe -o files, capped input lines, interruption, resume."""

from __future__ import annotations

import errno
import gc
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from mistral_cli.cli import main
from mistral_cli.services.embed import inputs, job
from tests.fakes.faults import Fault
from tests.fakes.router import FakeMistral
from tests.fakes.server import FakeServer
from tests.fakes.wire import FakeRequest, Response
from tests.support import invoke, make_context

if TYPE_CHECKING:
    from sys import UnraisableHookArgs

SMALL = ["-m", "codestral-embed", "--output-dimension", "8"]


@pytest.fixture(autouse=True)
def estimated_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pin the estimate, with or without the `tokens` extra installed."""
    monkeypatch.setenv("MISTRAL_TOKENIZER", "estimate")


def lines_of(path: Path) -> list[int]:
    return [json.loads(line)["line"] for line in path.read_text().splitlines()]


# ---------------------------------------------------------------- -o FILE


def test_an_existing_output_needs_force_and_nothing_is_sent_first(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text("my notes\n")
    refused = invoke(["embed", "-o", str(target), "a", "b"], make_context(fake_transport))
    assert refused.exit_code == 2
    assert refused.stderr == (
        f"mistral: error: {target} already exists\n"
        "hint: pass --force to overwrite it, or --resume to continue it\n"
    )
    assert fake.requests == []  # nothing paid for, then not written
    assert target.read_text() == "my notes\n"

    forced = invoke(["embed", "-o", str(target), "--force", "a", "b"], make_context(fake_transport))
    assert forced.exit_code == 0, forced.stderr
    assert lines_of(target) == [1, 2]


def test_batch_embed_checks_the_output_before_uploading(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text("keep\n")
    argv = ["embed", "--batch", "--wait", "-o", str(target), "a"]
    refused = invoke(argv, make_context(fake_transport))
    assert refused.exit_code == 2
    assert refused.stderr.endswith("hint: pass --force to overwrite it\n")  # no --resume here
    assert fake.requests == []


def test_dash_means_stdout(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    result = invoke(["embed", *SMALL, "-o", "-", "a", "b"], make_context(fake_transport))
    assert result.exit_code == 0, result.stderr
    assert [json.loads(line)["line"] for line in result.stdout.splitlines()] == [1, 2]
    assert not Path("-").exists()


def test_a_symlink_planted_at_the_output_is_never_followed(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    target = tmp_path / "out.jsonl"
    target.symlink_to(victim)
    refused = invoke(["embed", *SMALL, "-o", str(target), "a"], make_context(fake_transport))
    assert refused.exit_code == 2
    forced = invoke(
        ["embed", *SMALL, "-o", str(target), "--force", "a"], make_context(fake_transport)
    )
    assert forced.exit_code == 0, forced.stderr
    assert victim.read_text() == "precious\n"
    assert not target.is_symlink()
    assert lines_of(target) == [1]


def test_a_link_to_a_device_is_written_directly_and_kept(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    link = tmp_path / "sink"
    link.symlink_to("/dev/null")
    result = invoke(["embed", *SMALL, "-o", str(link), "a"], make_context(fake_transport))
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink()
    assert os.readlink(link) == "/dev/null"


def test_a_fifo_output_is_written_directly(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = invoke(["embed", *SMALL, "-o", str(fifo), "a", "b"], make_context(fake_transport))
    reader.join()
    assert result.exit_code == 0, result.stderr
    assert [json.loads(line)["line"] for line in received[0].splitlines()] == [1, 2]


def test_disk_full_is_exit_1_naming_the_file_and_keeps_whole_records(
    fake: FakeMistral,
    fake_transport: httpx.MockTransport,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "out.jsonl"
    written: list[str] = []
    real_write = job.Utf8Sink.write

    def fill_up(sink: job.Utf8Sink, text: str) -> None:
        if written:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(text)
        real_write(sink, text)

    monkeypatch.setattr(job.Utf8Sink, "write", fill_up)
    argv = ["embed", *SMALL, "--batch-size", "2", "--concurrency", "1", "-o", str(target)]
    result = invoke([*argv, "a", "b", "c", "d"], make_context(fake_transport))
    assert result.exit_code == 1
    assert result.stderr == (
        f"mistral: error: cannot write {target}: no space left on device\n"
        "hint: free some space or choose another location\n"
    )
    assert lines_of(target) == [1, 2]


def test_a_missing_output_folder_is_refused_before_any_request(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    target = tmp_path / "typo" / "out.jsonl"
    result = invoke(["embed", "-o", str(target), "a"], make_context(fake_transport))
    assert result.exit_code == 2
    assert result.stderr == (
        f"mistral: error: cannot write {target}: there is no folder {target.parent}\n"
    )
    assert fake.requests == []


# ---------------------------------------------------------------- bounded input


def test_an_overlong_input_line_is_exit_8_naming_it(
    fake: FakeMistral, fake_transport: httpx.MockTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inputs, "MAX_LINE_BYTES", 1024)  # the 8 MiB cap, scaled down
    text = "one\ntwo\n" + "w " * 4000 + "\nfour\n"
    result = invoke(["embed", *SMALL], make_context(fake_transport), input=text)
    assert result.exit_code == 8
    assert result.stderr == (
        "mistral: error: line 3: longer than 1 KiB, the most one input line may hold\n"
        "hint: an embedding input is at most ~8k tokens (~32 KB): split the line; the 2 inputs "
        "before line 3 are written; fix the input, then rerun with -o FILE --resume to continue "
        "from there\n"
    )
    assert [json.loads(line)["line"] for line in result.stdout.splitlines()] == [1, 2]
    assert [b.inputs for b in fake.embeddings.batches] == [2]


@pytest.mark.parametrize("model", ["", "  "])
def test_an_empty_model_is_a_usage_error(
    fake: FakeMistral, fake_transport: httpx.MockTransport, model: str
) -> None:
    for extra in ([], ["--dry-run"], ["--batch"]):
        result = invoke(["embed", "-m", model, *extra, "a"], make_context(fake_transport))
        assert result.exit_code == 2
        assert result.stderr == (
            "mistral: error: -m/--model is empty\n"
            "hint: name a model; `mistral models list` shows them\n"
        )
    assert fake.requests == []


# ---------------------------------------------------------------- resume


def test_resume_cuts_a_damaged_record_and_redoes_it(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    target = tmp_path / "out.jsonl"
    text = "".join(f"line {i}\n" for i in range(1, 11))
    argv = ["embed", *SMALL, "-o", str(target)]
    assert invoke(argv, make_context(fake_transport), input=text).exit_code == 0
    whole = target.read_bytes()
    kept = whole.splitlines(keepends=True)
    target.write_bytes(
        b"".join([*kept[:6], b'{"line": 7, "embedding": [0.1, \x00\x00\n', *kept[7:]])
    )

    sent = len(fake.embeddings.batches)
    result = invoke([*argv, "--resume"], make_context(fake_transport), input=text)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        f"mistral: {target}:7 is not a whole record (not valid JSON): cut it and the 3 after "
        "it off; those inputs are embedded again\n"
        "resuming after line 6 (6 already embedded)\n"
    )
    assert target.read_bytes() == whole
    assert [b.inputs for b in fake.embeddings.batches[sent:]] == [4]


def test_resume_refuses_a_symlinked_output(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.jsonl"
    argv = ["embed", *SMALL, "-o", str(victim)]
    assert invoke(argv, make_context(fake_transport), input="a\nb\n").exit_code == 0
    before = victim.read_bytes()
    link = tmp_path / "out.jsonl"
    link.symlink_to(victim)
    result = invoke(
        ["embed", *SMALL, "-o", str(link), "--resume"], make_context(fake_transport), input="a\n"
    )
    assert result.exit_code == 2
    assert result.stderr == (
        f"mistral: error: {link} is a symbolic link; it is not followed\n"
        "hint: name the file itself, or write to a new file\n"
    )
    assert victim.read_bytes() == before


# ---------------------------------------------------------------- interrupted


class SignalOnArrival(Fault):
    """Sends the process `signum` when the request arrives (the loopback server's thread)."""

    def __init__(self, signum: int) -> None:
        self.signum = signum

    def before(self, request: FakeRequest) -> Response | None:
        os.kill(os.getpid(), self.signum)
        return None


@pytest.fixture
def in_process_main(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run main() in this process: put pytest's signal handlers back afterwards, and reclaim
    the API client's sockets, which main() leaves to the process exit (and the request in
    flight at the interruption, to its worker thread), without a ResourceWarning.
    """
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    default_hook = sys.unraisablehook

    def hook(unraisable: UnraisableHookArgs) -> None:
        if not isinstance(unraisable.exc_value, ResourceWarning):
            default_hook(unraisable)

    monkeypatch.setattr(sys, "unraisablehook", hook)
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)
    for thread in threading.enumerate():
        if thread.name.startswith("embed"):
            thread.join(timeout=30)
    gc.collect()


@pytest.mark.usefixtures("in_process_main")
@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupted_run_says_how_to_resume_and_resuming_finishes(
    fake: FakeMistral,
    fake_server: FakeServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    signum: int,
    code: int,
) -> None:
    monkeypatch.setenv("MISTRAL_BASE_URL", fake_server.base_url)
    monkeypatch.setenv("MISTRAL_API_KEY", fake.api_key)
    source = Path("in put.txt")  # the working folder; a space to quote
    source.write_text("".join(f"sentence {i}\n" for i in range(1, 101)))
    argv = ["embed", *SMALL, "--batch-size", "10", "--concurrency", "1", "-o", "out.jsonl"]
    fake.inject("POST /v1/embeddings", Fault.slow(0), times=3)
    fake.inject("POST /v1/embeddings", SignalOnArrival(signum))
    monkeypatch.setattr(sys, "argv", ["mistral", *argv])
    with source.open(encoding="utf-8") as stdin:
        monkeypatch.setattr(sys, "stdin", stdin)
        assert main(argv) == code
    kept = lines_of(Path("out.jsonl"))
    assert len(kept) in (20, 30, 40)  # whole batches only; how many, the race decides
    assert kept == list(range(1, len(kept) + 1))
    command = " ".join(argv)
    assert capsys.readouterr().err == (
        f"interrupted: {len(kept)} of 100 lines written to out.jsonl; "
        f"resume with: mistral {command} --resume < 'in put.txt'\n"
    )

    monkeypatch.setattr(sys, "argv", ["mistral", *argv, "--resume"])
    with source.open(encoding="utf-8") as stdin:
        monkeypatch.setattr(sys, "stdin", stdin)
        assert main([*argv, "--resume"]) == 0
    assert capsys.readouterr().err == (
        f"resuming after line {len(kept)} ({len(kept)} already embedded)\n"
    )
    assert lines_of(Path("out.jsonl")) == list(range(1, 101))


@pytest.mark.usefixtures("in_process_main")
def test_an_interrupted_run_with_text_arguments_and_csv(
    fake: FakeMistral,
    fake_server: FakeServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("MISTRAL_BASE_URL", fake_server.base_url)
    monkeypatch.setenv("MISTRAL_API_KEY", fake.api_key)
    texts = [f"t{i}" for i in range(1, 7)]
    argv = ["embed", *SMALL, "--batch-size", "1", "--concurrency", "1", "-o", "v.csv", *texts]
    fake.inject("POST /v1/embeddings", Fault.slow(0), times=2)
    fake.inject("POST /v1/embeddings", SignalOnArrival(signal.SIGINT))
    monkeypatch.setattr(sys, "argv", ["mistral", *argv])
    assert main(argv) == 130
    rows = Path("v.csv").read_text().splitlines()[1:]
    assert capsys.readouterr().err == (
        f"interrupted: {len(rows)} of 6 lines written to v.csv "
        "(only --format jsonl can be resumed)\n"
    )
