"""The installed `mistral batch` for chat against the loopback fake: create, follow, download."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.conftest import Run
from tests.fakes.batch import BatchFake
from tests.fakes.files import FilesFake
from tests.fakes.router import FakeMistral
from tests.fakes.server import FakeServer


def test_a_thousand_questions_come_back_in_order(
    run_mistral: Run, fake: FakeMistral, fake_server: FakeServer, tmp_path: Path
) -> None:
    questions = tmp_path / "work" / "questions.jsonl"
    questions.write_text(
        "".join(
            json.dumps({"messages": [{"role": "user", "content": f"question {n}"}]}) + "\n"
            for n in range(1, 1001)
        )
    )
    fake.module(BatchFake).failures["500"] = (500, "Internal error")

    def mistral(*argv: str) -> tuple[int, str, str]:
        done = run_mistral(*argv, server=fake_server, key=fake.api_key)
        return done.returncode, done.stdout, done.stderr

    code, job_id, err = mistral("batch", "create", "questions.jsonl", "-m", "mistral-small")
    assert code == 0, err
    job_id = job_id.strip()
    assert err.startswith(f"batch job {job_id} created: 1,000 requests from questions.jsonl (")
    for status in ("RUNNING", "SUCCESS"):  # each GET moves the fake one step
        code, out, err = mistral("batch", "status", job_id)
        assert (code, dict(line.split("\t") for line in out.splitlines())["status"]) == (0, status)
    code, out, err = mistral("batch", "download", job_id, "--format", "text")
    assert code == 1
    expected = [f"Echo: question {n}" if n != 500 else "" for n in range(1, 1001)]
    assert out.splitlines() == expected
    assert err == (
        "mistral: warning: line 500: HTTP 500: Internal error\n"
        "1,000 requests written\n"
        "mistral: error: 1 of 1,000 requests failed; their lines are empty\n"
        "hint: the lines above say why; `mistral batch status JOB` shows the job's errors\n"
    )
    code, out, err = mistral("batch", "download", job_id, "--raw", "-o", "raw.jsonl")
    assert code == 0, err
    (output,) = [f for f in fake.module(FilesFake).files.values() if f.filename.endswith(".jsonl")
                 and f.filename.startswith(job_id) and "error" not in f.filename]  # fmt: skip
    assert (tmp_path / "work" / "raw.jsonl").read_bytes() == output.content
