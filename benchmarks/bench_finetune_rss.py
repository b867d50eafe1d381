"""Peak RSS of `mistral finetune validate` and `finetune upload` on 10 MB and 100 MB files.

Run: /work/venv/bin/python benchmarks/bench_finetune_rss.py [--sizes 10 100]
Each run is the installed executable in a fresh process (peak RSS from wait4); upload goes to
the loopback fake server (--no-reuse, so the bytes really travel). Target: 100 MB within 1.2x
of 10 MB, for both commands. bench_validate.py measures the validator's throughput in-process.
"""

from __future__ import annotations

import argparse
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
from gen_finetune_data import generate

TARGET_RATIO = 1.2


def main(argv: list[str] | None = None) -> list[tuple[str, str, str]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs=2, default=[10.0, 100.0])
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args(argv)
    exe = mistral_exe()
    rows: list[tuple[str, str, str]] = []
    with workdir() as work, fake_server(validate=False) as (url, key, _fake):
        env = cli_env(work, url, key)
        files = []
        for size in args.sizes:
            path = work / f"train-{size:g}mb.jsonl"
            generate(path, size)
            files.append(path)
        for command in (["finetune", "validate"], ["finetune", "upload", "--no-reuse"]):
            rss = []
            for path in files:
                figure = measure([exe, *command, str(path)], env, args.runs, warmup=0)
                rss.append(figure.rss_mb)
                print(f"mistral {' '.join(command):28} {path.stat().st_size / 2**20:6.1f} MB  "
                      f"wall {figure.wall:6.2f} s  cpu {figure.cpu:6.2f} s  "
                      f"peak RSS {figure.rss_mb:6.1f} MB")  # fmt: skip
            label = (f"`mistral {command[0]} {command[1]}` peak RSS, "
                     f"{args.sizes[0]:g} → {args.sizes[1]:g} MB")  # fmt: skip
            rows.append(rss_growth_row(label, rss, TARGET_RATIO))
    print(f"load average {load_average()}")
    return rows


if __name__ == "__main__":
    main()
