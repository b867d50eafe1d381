"""`mistral batch create` and chat `batch download` on 10,000 and 100,000 requests.

Run: /work/venv/bin/python benchmarks/bench_batch_chat.py [--sizes 10000 100000]
create: every line checked against the spec (jsonschema), staged, uploaded to the loopback fake
(the job is created, not run). download: a finished job whose output file the fake holds, one
answer a request in reverse order, written in input order to a file: with the manifest
`batch create` keeps, and without one (custom_ids that are line numbers give the order).
Each run is the installed executable in a fresh process (peak RSS from wait4). Target:
100,000 requests' peak RSS within 1.5x of 10,000's (bounded memory), for every command.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # sibling modules, not a package
    cli_env,
    fake_server,
    load_average,
    measure,
    mistral_exe,
    rss_growth_row,
    workdir,
)

TARGET_RATIO = 1.5
MODEL = "mistral-small-latest"


def requests_file(path: Path, count: int) -> None:
    """`count` chat requests of a few sentences each, one a line."""
    text = "Summarise in one line: the quick brown fox jumps over the lazy dog. " * 4
    with path.open("w") as out:
        for n in range(1, count + 1):
            body = {"messages": [{"role": "user", "content": f"{n}. {text}"}], "max_tokens": 64}
            out.write(json.dumps(body) + "\n")


def finished_job(fake: object, count: int, manifests: Path | None) -> str:
    """A SUCCESS chat job whose output file holds `count` answers, in reverse order.

    With `manifests` (the data dir's batch folder), the job's manifest is written there.
    """
    from tests.fakes.batch import BatchFake, FakeJob
    from tests.fakes.files import FilesFake

    answer = "A fox jumps over a dog, quickly. " * 6
    lines = []
    for n in range(count, 0, -1):
        message = {"role": "assistant", "content": f"{n}: {answer}"}
        choice = {"index": 0, "message": message, "finish_reason": "stop"}
        usage = {"prompt_tokens": 60, "completion_tokens": 40, "total_tokens": 100}
        body = {"id": "x", "object": "chat.completion", "model": MODEL, "created": 1,
                "choices": [choice], "usage": usage}  # fmt: skip
        result = {"id": "r", "custom_id": str(n), "response": {"status_code": 200, "body": body}}
        lines.append(json.dumps(result) + "\n")
    files = fake.module(FilesFake)  # type: ignore[attr-defined]  # the FakeMistral
    output = files.add("out.jsonl", "".join(lines).encode(), "batch")
    name = f"bench-{count}-{'manifest' if manifests else 'ids'}"
    if manifests is not None:
        manifests.mkdir(parents=True, exist_ok=True)
        with (manifests / f"{name}.manifest.jsonl").open("w") as manifest:
            manifest.write(json.dumps({"endpoint": "/v1/chat/completions", "model": MODEL}) + "\n")
            for n in range(1, count + 1):
                manifest.write(json.dumps({"custom_id": str(n), "line": n}) + "\n")
    job = FakeJob(name, [], "/v1/chat/completions", MODEL, None, "SUCCESS",
                  status="SUCCESS", total_requests=count, succeeded_requests=count,
                  output_file=output.id)  # fmt: skip
    fake.module(BatchFake).jobs[job.id] = job  # type: ignore[attr-defined]
    return job.id


def main(argv: list[str] | None = None) -> list[tuple[str, str, str]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args(argv)
    exe = mistral_exe()
    rows: list[tuple[str, str, str]] = []
    with workdir() as work, fake_server(validate=False) as (url, key, fake):
        env = cli_env(work, url, key)
        for verb in ("create", "download", "download (no manifest)"):
            rss = []
            for count in args.sizes:
                if verb == "create":
                    path = work / f"q{count}.jsonl"
                    requests_file(path, count)
                    command = ["batch", "create", str(path), "-m", MODEL]
                else:
                    manifests = None if "no manifest" in verb else work / "data" / "batch"
                    job = finished_job(fake, count, manifests)
                    target = work / f"answers-{count}.jsonl"
                    command = ["batch", "download", job, "-o", str(target), "--force"]
                figure = measure([exe, *command], env, args.runs, warmup=0)
                rss.append(figure.rss_mb)
                print(f"mistral batch {verb:23} {count:7,} requests  wall {figure.wall:6.2f} s  "
                      f"cpu {figure.cpu:6.2f} s  peak RSS {figure.rss_mb:6.1f} MB")  # fmt: skip
            label = (f"`mistral batch {verb}` (chat) peak RSS, "
                     f"{args.sizes[0]:,} → {args.sizes[1]:,} requests")  # fmt: skip
            rows.append(rss_growth_row(label, rss, TARGET_RATIO))
    print(f"load average {load_average()}")
    return rows


if __name__ == "__main__":
    main()
