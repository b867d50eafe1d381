"""Start-up: `mistral --help`, `chat --help`, `embed --help`, `models list` (cache) vs `llm --help`.

Run: /work/venv/bin/python benchmarks/bench_startup.py [--runs 21]
Prints medians of wall and CPU time; the peer (`llm`, in benchmarks/.venv-peer) is measured in
the same run, so the ratio holds on a loaded machine.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # sibling module, not a package
    Figure,
    cli_env,
    fake_server,
    load_average,
    measure,
    mistral_exe,
    peer_bin,
    peer_env,
    verdict,
    workdir,
)

TARGETS = {  # command: (max median seconds, min speed-up over `llm --help` or None)
    "--help": (0.10, 6.0),
    "chat --help": (0.15, None),
    "embed --help": (0.15, None),
    "models list": (0.15, None),
}


def main(argv: list[str] | None = None) -> list[tuple[str, str, str]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args(argv)
    exe = mistral_exe()
    rows: list[tuple[str, str, str]] = []
    with workdir() as work, fake_server() as (url, key, fake):
        env = cli_env(work, url, key)
        peer = measure([str(peer_bin("llm")), "--help"], peer_env(work), args.runs)
        print(f"llm --help (peer)      {_fig(peer)}")
        measure([exe, "models", "list"], env, 1)  # fills the model cache
        before = len(fake.requests)  # type: ignore[attr-defined]
        for command, (limit, speedup) in TARGETS.items():
            figure = measure([exe, *command.split()], env, args.runs)
            ratio = peer.wall / figure.wall
            ok = figure.wall <= limit and (speedup is None or ratio >= speedup)
            want = f"<= {limit:.2f} s" + (f", >= {speedup:g}x llm" if speedup else "")
            print(f"mistral {command:14} {_fig(figure)}  {ratio:4.1f}x llm  [{want}] {verdict(ok)}")
            rows.append((f"`mistral {command}`", f"{figure.wall:.3f} s ({ratio:.1f}x llm)", want))
        used = len(fake.requests) - before  # type: ignore[attr-defined]
        print(f"requests to the server while measuring: {used} (models list must use the cache)")
    rows.insert(0, ("`llm --help` (peer)", f"{peer.wall:.3f} s", "reference"))
    print(f"load average {load_average()}")
    return rows


def _fig(figure: Figure) -> str:
    return f"wall {figure.wall * 1000:6.1f} ms  cpu {figure.cpu * 1000:6.1f} ms"


if __name__ == "__main__":
    main()
