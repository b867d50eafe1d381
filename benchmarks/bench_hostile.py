"""Peak RSS of `mistral` against hostile answers: a gzip bomb, an endless SSE line.

Run: .venv/bin/python benchmarks/bench_hostile.py [--bomb-mib 1024] [--line-mb 200]
Each case is the installed executable in a fresh process (peak RSS from wait4, as
`/usr/bin/time -v` reports it) against the loopback fake server in this process:
  - `models list` and `chat --no-stream` answered by a ~1 MB gzip body that expands to 1 GiB;
  - `chat` (streamed) answered by two events, then a 200 MB `data:` line with no line break.
A normal `models list` is the reference. Target: the documented exit code (1 for the bomb, 6
for the stream), and a peak within 16 MB of the reference plus the cap being read (64 MiB for
a JSON answer, 8 MiB for an SSE line): memory bounded by the caps, not by what is sent.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # sibling module, not a package
    LAUNCHER,
    cli_env,
    fake_server,
    load_average,
    mistral_exe,
    verdict,
    workdir,
)

from mistral_cli.api.limits import JSON_BODY, SSE_LINE

TARGET_SLACK_MB = 16.0  # above the normal run's peak and the cap of what is being read


def run(argv: list[str], env: dict[str, str]) -> tuple[int, float, str]:
    """Exit code, peak RSS in MB, and the last line of stderr, of one fresh process."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "rusage"
        done = subprocess.run(
            [sys.executable, "-S", "-c", LAUNCHER, str(report), *argv],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            env=env, cwd=env["HOME"], check=False, timeout=600,
        )  # fmt: skip
        peak_kb = int(report.read_text().split()[2])
    lines = done.stderr.decode(errors="replace").strip().splitlines()
    error = next((line for line in lines if line.startswith("mistral: ")), "")
    return done.returncode, peak_kb / 1024, error


def main(argv: list[str] | None = None) -> list[tuple[str, str, str]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bomb-mib", type=int, default=1024)
    parser.add_argument("--line-mb", type=int, default=200)
    parser.add_argument(
        "--checkout", type=Path, help="run `python -m mistral_cli` from this source tree instead"
    )
    args = parser.parse_args(argv)
    from tests.fakes import hostile
    from tests.fakes.faults import Fault
    from tests.fakes.wire import gzip_bomb

    bomb = gzip_bomb(args.bomb_mib)
    gzipped = Fault.status(200, bomb, {"content-encoding": "gzip"})
    chat = "POST /v1/chat/completions"
    cases = [
        ("models list (normal answer)", ["models", "list", "--refresh"], None, None, 0),
        (f"models list, gzip bomb {len(bomb) / 2**20:.1f} MiB → {args.bomb_mib} MiB",
         ["models", "list", "--refresh"], "GET /v1/models", gzipped, 1),
        (f"chat --no-stream, gzip bomb {len(bomb) / 2**20:.1f} MiB → {args.bomb_mib} MiB",
         ["chat", "--no-stream", "--no-save", "hi"], chat, gzipped, 1),
        (f"chat (stream), one {args.line_mb} MB SSE line",
         ["chat", "--no-save", "hi"], chat, hostile.long_line(size=args.line_mb * 10**6), 6),
    ]  # fmt: skip
    rows: list[tuple[str, str, str]] = []
    with workdir() as work, fake_server(validate=False) as (url, key, fake):
        env = {**cli_env(work, url, key), "MISTRAL_MAX_RETRIES": "0"}
        exe = [mistral_exe()]
        if args.checkout is not None:
            exe = [sys.executable, "-m", "mistral_cli"]
            env["PYTHONPATH"] = str(args.checkout.resolve())
        run([*exe, "models", "list"], env)  # warm: bytecode, model cache
        reference = 0.0
        for name, command, route, fault, expected in cases:
            if fault is not None:
                fake.inject(route, fault)  # type: ignore[attr-defined]
            code, rss, error = run([*exe, *command], env)
            reference = reference or rss
            cap = JSON_BODY if code == 1 else SSE_LINE if code == 6 else 0
            ok = code == expected and rss <= reference + cap / 2**20 + TARGET_SLACK_MB
            print(f"{name:52} exit {code} (want {expected})  peak RSS {rss:7.1f} MB  "
                  f"{verdict(ok)}")  # fmt: skip
            if error:
                print(f"    {error[:150]}")
            want = f"exit {expected}, <= normal + cap + {TARGET_SLACK_MB:.0f} MB"
            rows.append((f"`mistral {' '.join(command)}`: {name}", f"{rss:.0f} MB, exit {code}",
                         want))  # fmt: skip
    print(f"load average {load_average()}")
    return rows


if __name__ == "__main__":
    main()
