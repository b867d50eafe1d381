"""One-shot `mistral chat "hi"` (piped) against the loopback fake vs `llm` with llm-mistral.

Run: /work/venv/bin/python benchmarks/bench_chat.py [--runs 15]
Both talk to the same in-process fake server: `mistral` through MISTRAL_BASE_URL, the peer
through a sitecustomize.py that sets the mistralai SDK's server URL (benchmarks/_common.py).
The fake's spec check is off for the peer's runs, since its SDK sends fields of its own.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # sibling module, not a package
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

TARGET_SECONDS = 0.20
TARGET_SPEEDUP = 3.5
MODEL = "mistral-small-latest"


def main(argv: list[str] | None = None) -> list[tuple[str, str, str]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    with workdir() as work, fake_server() as (url, key, fake):
        ours = measure([mistral_exe(), "chat", "-m", MODEL, "hi"], cli_env(work, url, key),
                       args.runs, warmup=2)  # fmt: skip
        fake.validate = False  # type: ignore[attr-defined]
        llm = peer_bin("llm")
        peer = measure([str(llm), "-m", f"mistral/{MODEL}", "hi"], peer_env(work, url, key),
                       args.runs, warmup=2)  # fmt: skip
    ratio = peer.wall / ours.wall
    ok = ours.wall <= TARGET_SECONDS and ratio >= TARGET_SPEEDUP
    print(f"llm chat (peer)   wall {peer.wall * 1000:6.1f} ms  cpu {peer.cpu * 1000:6.1f} ms")
    print(
        f"mistral chat hi   wall {ours.wall * 1000:6.1f} ms  cpu {ours.cpu * 1000:6.1f} ms  "
        f"{ratio:.1f}x faster  [<= {TARGET_SECONDS:.2f} s, >= {TARGET_SPEEDUP}x] {verdict(ok)}"
    )
    print(f"load average {load_average()}")
    want = f"<= {TARGET_SECONDS:.2f} s, >= {TARGET_SPEEDUP}x llm"
    return [
        ('`llm "hi"` (peer, llm-mistral)', f"{peer.wall:.3f} s", "reference"),
        ('`mistral chat "hi"`, piped', f"{ours.wall:.3f} s ({ratio:.1f}x llm)", want),
    ]


if __name__ == "__main__":
    main()
