"""Peak RSS of `mistral embed` given one huge input line, and of `mistral tokens` on a big file.

Run: python benchmarks/bench_local_input.py [--line-mb 1024] [--tokens-mb 200] [--runs 1]
Each run is the installed executable in a fresh process (peak RSS from wait4, via _common).
`embed` reads one line of --line-mb MB (a sparse file: no disk used) on stdin, against the
loopback fake server; it must stop at its 8 MiB line cap (exit 8) with flat memory.
`tokens` counts a --tokens-mb MB text file, with the exact tokenizer when the `tokens` extra is
installed and with the estimate; it streams, so memory must not grow with the file.
Both run with the exact tokenizer (when the `tokens` extra is installed: its tables alone take
~130 MB) and with the estimate. Targets: under 200 MB whatever the input size.
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
    verdict,
    workdir,
)

ROOT = Path(__file__).resolve().parent.parent
EMBED_TARGET_MB = 200
TOKENS_TARGET_MB = 200


def one_long_line(path: Path, megabytes: float) -> Path:
    """A file holding one line of `megabytes` MB (sparse: NUL bytes, then a newline)."""
    size = int(megabytes * 2**20)
    with path.open("wb") as handle:
        handle.truncate(size)
        handle.seek(size)
        handle.write(b"\n")
    return path


def text_file(path: Path, megabytes: float) -> Path:
    """About `megabytes` MB of real text: the README and the sources, repeated."""
    sources = [ROOT / "README.md", *sorted((ROOT / "mistral_cli").rglob("*.py"))[:40]]
    block = "".join(p.read_text(encoding="utf-8") for p in sources).encode("utf-8")
    target = int(megabytes * 2**20)
    with path.open("wb") as handle:
        written = 0
        while written < target:
            handle.write(block)
            written += len(block)
    return path


def main(argv: list[str] | None = None) -> list[tuple[str, str, str]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--line-mb", type=float, default=1024.0)
    parser.add_argument("--tokens-mb", type=float, default=200.0)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args(argv)
    exe = mistral_exe()
    rows: list[tuple[str, str, str]] = []
    with workdir() as work, fake_server(validate=False) as (url, key, _fake):
        env = cli_env(work, url, key)
        line = one_long_line(work / "one-line.txt", args.line_mb)
        for mode in ("auto", "estimate"):
            mode_env = {**env, "MISTRAL_TOKENIZER": mode}
            figure = measure([exe, "embed"], mode_env, args.runs, warmup=0, stdin=line, check=False)
            ok = figure.rss_mb <= EMBED_TARGET_MB
            target = f"[<= {EMBED_TARGET_MB}] {verdict(ok)}"
            label = f"mistral embed ({mode:8}) one {args.line_mb:g} MB line"
            print(f"{label}  wall {figure.wall:6.2f} s  peak RSS {figure.rss_mb:7.1f} MB {target}")
            rows.append((f"`mistral embed` ({mode}) peak RSS, one {args.line_mb:g} MB input line",
                         f"{figure.rss_mb:.0f} MB ({figure.wall:.2f} s, exit 8)",
                         f"<= {EMBED_TARGET_MB} MB"))  # fmt: skip
        line.unlink()
        text = text_file(work / "big.txt", args.tokens_mb)
        size = text.stat().st_size / 2**20
        for mode in ("auto", "estimate"):
            mode_env = {**env, "MISTRAL_TOKENIZER": mode}
            argv_ = [exe, "tokens", "-m", "mistral-small", str(text)]
            figure = measure(argv_, mode_env, args.runs, warmup=0)
            ok = figure.rss_mb <= TOKENS_TARGET_MB
            target = f"[<= {TOKENS_TARGET_MB}] {verdict(ok)}"
            print(f"mistral tokens ({mode:8}) {size:6.1f} MB    wall {figure.wall:6.2f} s  "
                  f"peak RSS {figure.rss_mb:7.1f} MB {target}")  # fmt: skip
            rows.append((f"`mistral tokens` ({mode}) on {size:.0f} MB",
                         f"{figure.rss_mb:.0f} MB, {figure.wall:.1f} s",
                         f"<= {TOKENS_TARGET_MB} MB"))  # fmt: skip
    print(f"load average {load_average()}")
    return rows


if __name__ == "__main__":
    main()
