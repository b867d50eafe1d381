"""Start-up: help pages, `--version` and the cached commands vs `llm --help`.

Run: /work/venv/bin/python benchmarks/bench_startup.py [--runs 21]
Prints medians of wall and CPU time; the peer (`llm`, in benchmarks/.venv-peer) is measured in
the same run, so the ratio holds on a loaded machine. Help pages are measured as seen before at
this width (kept in the cache dir), and once as a first request (rendered by Typer).
The cached commands (`models list`, `conversations list`, `config show`, `usage`) run after
one `mistral chat` filled the model cache and saved a conversation; they send no request.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # sibling module, not a package
    Figure,
    Run,
    cli_env,
    fake_server,
    load_average,
    measure,
    mistral_exe,
    peer_bin,
    peer_env,
    run_once,
    verdict,
    workdir,
)

TARGETS = {  # command: (max median seconds, min speed-up over `llm --help` or None)
    "--help": (0.10, 6.0),
    "--version": (0.10, 6.0),
    "chat --help": (0.15, None),
    "embed --help": (0.15, None),
    "models list": (0.15, None),
    "conversations list": (0.15, None),
    "config show": (0.15, None),
    "usage": (0.15, None),
}
FIRST_HELP = ("chat --help", 0.15)  # a page not seen before at this width: Typer renders it


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
        measure([exe, "chat", "-m", "mistral-small", "hi"], env, 1)  # model cache, a conversation
        before = len(fake.requests)  # type: ignore[attr-defined]
        for command, (limit, speedup) in TARGETS.items():
            figure = measure([exe, *command.split()], env, args.runs)
            rows.append(_row(command, figure, peer, limit, speedup))
        command, limit = FIRST_HELP
        pages = work / "cache" / "help-pages.json"
        runs = [_first_time([exe, *command.split()], env, pages) for _ in range(args.runs)]
        first = Figure(*(statistics.median(getattr(r, k) for r in runs) for k in _KEYS), len(runs))
        rows.append(_row(f"{command} (first time)", first, peer, limit, None))
        used = len(fake.requests) - before  # type: ignore[attr-defined]
        print(f"requests to the server while measuring: {used} (cached commands send none)")
    rows.insert(0, ("`llm --help` (peer)", f"{peer.wall:.3f} s", "reference"))
    print(f"load average {load_average()}")
    return rows


_KEYS = ("wall", "cpu", "rss_mb")


def _first_time(argv: list[str], env: dict[str, str], pages: Path) -> Run:
    """One run with no page kept yet (the help-page cache removed first)."""
    pages.unlink(missing_ok=True)
    return run_once(argv, env)


def _row(
    command: str, figure: Figure, peer: Figure, limit: float, speedup: float | None
) -> tuple[str, str, str]:
    ratio = peer.wall / figure.wall
    ok = figure.wall <= limit and (speedup is None or ratio >= speedup)
    want = f"<= {limit:.2f} s" + (f", >= {speedup:g}x llm" if speedup else "")
    print(f"mistral {command:26} {_fig(figure)}  {ratio:4.1f}x llm  [{want}] {verdict(ok)}")
    return (f"`mistral {command}`", f"{figure.wall:.3f} s ({ratio:.1f}x llm)", want)


def _fig(figure: Figure) -> str:
    return f"wall {figure.wall * 1000:6.1f} ms  cpu {figure.cpu * 1000:6.1f} ms"


if __name__ == "__main__":
    main()
