"""Run every benchmark and write one table: benchmarks/results/latest.md (and print it).

Run: /work/venv/bin/python benchmarks/run_all.py [--quick]
The peer (`llm` + llm-mistral) is installed into benchmarks/.venv-peer on first use.
--quick: fewer runs and smaller files (a smoke test of the scripts, not figures to quote).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_chat  # noqa: E402  # sibling scripts, not a package
import bench_embed  # noqa: E402
import bench_finetune_rss  # noqa: E402
import bench_local_input  # noqa: E402
import bench_render  # noqa: E402
import bench_startup  # noqa: E402
from _common import load_average  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Callable

Rows = list[tuple[str, str, str]]


def plan(quick: bool) -> list[tuple[str, Callable[[list[str]], Rows], list[str]]]:
    """(title, main, argv) for each benchmark."""
    return [
        ("start-up", bench_startup.main, ["--runs", "5" if quick else "21"]),
        ("one-shot chat", bench_chat.main, ["--runs", "3" if quick else "15"]),
        ("streaming render", bench_render.main, []),
        ("embed", bench_embed.main, ["--sizes", "500,2000"] if quick else []),
        ("fine-tuning files", bench_finetune_rss.main, ["--sizes", "1", "3"] if quick else []),
        (
            "huge local input",
            bench_local_input.main,
            ["--line-mb", "64", "--tokens-mb", "5"] if quick else [],
        ),
    ]


def machine() -> str:
    """One line about the machine and its load."""
    cpus = os.cpu_count()
    return (
        f"{platform.machine()}, {cpus} CPUs, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}; load average {load_average()}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    before = machine()
    rows: Rows = []
    for title, run, bench_argv in plan(args.quick):
        print(f"\n## {title}", flush=True)
        rows.extend(run(bench_argv))
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {before} (at the start).",
        "",
        "| measure | result | target |",
        "| --- | --- | --- |",
        *(f"| {name} | {result} | {target} |" for name, result, target in rows),
    ]
    table = "\n".join(lines) + "\n"
    out = HERE / "results" / "latest.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(table, encoding="utf-8")
    print(f"\n{table}\nwritten to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
