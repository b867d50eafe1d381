"""Measure `finetune validate` throughput (MB/s) and peak RSS on generated 10 MB and 100 MB files.

Each size runs in a fresh child process, so peak RSS (from wait4) is that run's alone.
Usage: python benchmarks/bench_validate.py [--sizes 10 100] [--dir /tmp] [--tools]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen_finetune_data import generate  # noqa: E402  # sibling script, not a package

CHILD = """
import json, sys, time
from pathlib import Path
from mistral_cli.services.ftdata.tokens import EstimatedCounter
from mistral_cli.services.ftdata.validate import validate
start, cpu = time.perf_counter(), time.process_time()
report = validate(Path(sys.argv[1]), counter=EstimatedCounter())
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
print(json.dumps({"seconds": seconds, "cpu": cpu, "samples": report.samples,
                  "errors": report.errors, "warnings": report.warnings, "tokens": report.tokens}))
"""


def run(path: Path) -> dict[str, float]:
    """Validate `path` in a child process; return its timings and peak RSS in MB."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)],
        stdout=subprocess.PIPE,
        cwd=HERE.parent,
    )
    assert child.stdout is not None
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"validate failed on {path} (exit {child.returncode})")
    result: dict[str, float] = json.loads(output)
    size_mb = path.stat().st_size / 1024 / 1024
    result["mb"] = size_mb
    result["mb_per_s"] = size_mb / result["seconds"]
    result["mb_per_cpu_s"] = size_mb / result["cpu"]  # unaffected by other load on the machine
    result["peak_rss_mb"] = usage.ru_maxrss / 1024  # Linux reports KiB
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[10.0, 100.0])
    parser.add_argument("--dir", type=Path, default=None, help="where to write the data files")
    parser.add_argument("--tools", action="store_true", help="function-calling samples")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        for size in args.sizes:
            path = Path(tmp) / f"chat_{size:g}mb.jsonl"
            started = time.perf_counter()
            generate(path, size, tools=args.tools)
            made = time.perf_counter() - started
            result = run(path)
            print(
                f"{result['mb']:7.1f} MB  {result['samples']:>9,.0f} samples  "
                f"{result['seconds']:6.2f} s  {result['mb_per_s']:6.1f} MB/s "
                f"({result['mb_per_cpu_s']:5.1f} MB per CPU-second)  "
                f"peak RSS {result['peak_rss_mb']:6.1f} MB  "
                f"({result['errors']:.0f} errors, {result['warnings']:.0f} warnings; "
                f"generated in {made:.1f} s)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
