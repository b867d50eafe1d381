"""Benchmark `mistral embed` against the in-process fake server.

(a) the fake's own ceiling for this workload: 4 threads posting the CLI's 512-input requests
    directly with httpx (JSON float vectors, as the CLI asks by default), lines/s;
(b) `mistral embed` as a subprocess on 5,000 and 50,000 short lines (stdout to /dev/null),
    lines/s, its ratio to (a), and the requests it used;
(c) the subprocess's peak RSS for each size (a fresh process each). A small launcher forks and
    execs `mistral` and reads RUSAGE_CHILDREN: measured straight from this (large) process,
    ru_maxrss would include this process's own RSS, inherited across vfork/exec.

Run: /work/venv/bin/python benchmarks/bench_embed.py [--sizes 5000,50000] [--repeat 2]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import tests.fakes  # noqa: F401  # registers the embeddings and models routes
from tests.fakes.router import FakeMistral
from tests.fakes.server import FakeServer

BATCH = 512
PEER_RATE = (
    183  # lines/s: `llm embed-multi` with llm-mistral on 5,000 short lines (the figure)
)
TARGET_RATE = 10 * PEER_RATE
TARGET_SHARE = 0.90
TARGET_RSS_MB = 60


def sentences(count: int) -> list[str]:
    return [f"sentence {i}" for i in range(1, count + 1)]


def server_ceiling(server: FakeServer, key: str, lines: int, threads: int = 4) -> float:
    """Lines/s the fake serves to a tight client loop sending the CLI's requests."""
    texts = sentences(lines)
    bodies = [
        {"model": "mistral-embed", "input": texts[i : i + BATCH]} for i in range(0, lines, BATCH)
    ]
    local = threading.local()

    def post(body: dict[str, object]) -> int:
        if not hasattr(local, "client"):
            local.client = httpx.Client(
                base_url=server.base_url, headers={"Authorization": f"Bearer {key}"}, timeout=60
            )
        answer = local.client.post("/v1/embeddings", json=body)
        answer.raise_for_status()
        return len(answer.content)

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(post, bodies[:threads]))  # warm connections and caches
        started = time.perf_counter()
        list(pool.map(post, bodies))
        elapsed = time.perf_counter() - started
    return lines / elapsed


LAUNCHER = """
import os, resource, sys, time
report, argv = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execv(argv[0], argv)
_, status = os.waitpid(pid, 0)
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(report, "w") as fh:
    fh.write(f"{elapsed} {peak}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_cli(server: FakeServer, key: str, source: Path, work: Path) -> tuple[float, float]:
    """Run `mistral embed < source > /dev/null`; return (seconds, peak RSS in MB)."""
    env = {
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
        "HOME": str(work),
        "LANG": "C.UTF-8",
        "MISTRAL_API_KEY": key,
        "MISTRAL_BASE_URL": server.base_url,
        "MISTRAL_CONFIG_DIR": str(work / "config"),
        "MISTRAL_CACHE_DIR": str(work / "cache"),
        "MISTRAL_DATA_DIR": str(work / "data"),
    }
    if "MISTRAL_TOKENIZER" in os.environ:  # e.g. `estimate`: leave mistral-common out
        env["MISTRAL_TOKENIZER"] = os.environ["MISTRAL_TOKENIZER"]
    exe = shutil.which("mistral", path=env["PATH"])
    assert exe is not None, "install the package first (pip install -e .)"
    measured = work / "rusage.txt"
    with source.open("rb") as stdin:
        done = subprocess.run(
            [sys.executable, "-c", LAUNCHER, str(measured), exe, "embed"],
            stdin=stdin, stdout=subprocess.DEVNULL, env=env, cwd=work, check=False,
        )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"mistral embed failed with exit {done.returncode}")
    elapsed, peak_kb = measured.read_text().split()
    return float(elapsed), int(peak_kb) / 1024


def main(argv: list[str] | None = None) -> list[tuple[str, str, str]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,50000")
    parser.add_argument("--repeat", type=int, default=2, help="runs per size; the best is kept")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    fake = FakeMistral()
    with FakeServer(fake) as server, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        ceiling = max(server_ceiling(server, fake.api_key, 20 * BATCH) for _ in range(2))
        rows = []
        for size in sizes:
            source = work / f"in-{size}.txt"
            source.write_text("".join(f"{text}\n" for text in sentences(size)))
            best = None
            for _ in range(args.repeat):
                before = len(fake.embeddings.batches)
                elapsed, rss = run_cli(server, fake.api_key, source, work)
                requests = len(fake.embeddings.batches) - before
                if best is None or elapsed < best[0]:
                    best = (elapsed, rss, requests)
            assert best is not None
            rows.append((size, *best))
    report(ceiling, rows)
    return table_rows(ceiling, rows)


def tokenizer_mode() -> str:
    """How the runs count tokens: MISTRAL_TOKENIZER, and whether the `tokens` extra is there."""
    mode = os.environ.get("MISTRAL_TOKENIZER", "auto")
    extra = importlib.util.find_spec("mistral_common") is not None
    return f"MISTRAL_TOKENIZER={mode}, tokens extra {'installed' if extra else 'absent'}"


def table_rows(
    ceiling: float, rows: list[tuple[int, float, float, int]]
) -> list[tuple[str, str, str]]:
    """Rows for run_all.py's table: rate vs the peer and the server, RSS growth."""
    table = []
    for size, elapsed, _rss, _requests in rows:
        rate = size / elapsed
        table.append((
            f"`mistral embed`, {size:,} lines ({tokenizer_mode()})",
            f"{rate:,.0f} lines/s ({rate / PEER_RATE:.0f}x llm, {rate / ceiling:.0%} of server)",
            f">= {TARGET_RATE:,} lines/s, >= {TARGET_SHARE:.0%}",
        ))  # fmt: skip
    if len(rows) >= 2:
        small, large = rows[0][2], rows[-1][2]
        table.append((
            f"`mistral embed` peak RSS, {rows[0][0]:,} → {rows[-1][0]:,} lines",
            f"{small:.0f} → {large:.0f} MB ({large / small:.2f}x)",
            f"<= 1.2x, < {TARGET_RSS_MB} MB",
        ))  # fmt: skip
    return table


def report(ceiling: float, rows: list[tuple[int, float, float, int]]) -> None:
    print(f"(a) fake server ceiling, 4 threads x 512-input requests: {ceiling:,.0f} lines/s")
    print(f"token counts: {tokenizer_mode()}")
    print()
    print(
        f"{'lines':>8} {'seconds':>8} {'lines/s':>9} {'of (a)':>7} {'requests':>9} {'peak RSS':>9}"
    )
    for size, elapsed, rss, requests in rows:
        rate = size / elapsed
        print(
            f"{size:>8,} {elapsed:>8.2f} {rate:>9,.0f} {rate / ceiling:>7.0%} {requests:>9} "
            f"{rss:>6.1f} MB"
        )
    print()
    print(
        f"targets: >= {TARGET_RATE:,} lines/s, >= {TARGET_SHARE:.0%} of (a), <= 10 requests for "
        f"5,000 lines, peak RSS flat and < {TARGET_RSS_MB} MB"
    )


if __name__ == "__main__":
    main()
