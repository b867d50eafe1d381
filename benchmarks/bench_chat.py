"""One-shot `mistral chat "hi"` (piped) against the loopback fake vs `llm` and a bare httpx client.

Run: /work/venv/bin/python benchmarks/bench_chat.py [--runs 15]
All talk to the same in-process fake server: `mistral` through MISTRAL_BASE_URL, the peer
through a sitecustomize.py that sets the mistralai SDK's server URL (benchmarks/_common.py).
The fake's spec check is off for the peer's runs, since its SDK sends fields of its own.

The floor is the smallest honest Python client of the same request: `import httpx`, one
`ssl.create_default_context()` (what any https client pays), one `httpx.post` of the very body
`mistral` sent, the answer's text printed. mistral/floor is our own start-up and work per call.
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
TARGET_FLOOR_RATIO = 1.25
MODEL = "mistral-small-latest"

FLOOR = """
import json, os, ssl, sys
import httpx
context = ssl.create_default_context()
answer = httpx.post(
    os.environ["BENCH_URL"], content=os.environ["BENCH_BODY"], verify=context, timeout=30,
    headers={"Authorization": "Bearer " + os.environ["BENCH_KEY"],
             "Content-Type": "application/json"},
)
answer.raise_for_status()
if answer.headers.get("content-type", "").startswith("text/event-stream"):
    events = [line[6:] for line in answer.text.splitlines() if line.startswith("data: {")]
    deltas = (json.loads(event)["choices"][0]["delta"] for event in events)
    text = "".join(delta.get("content") or "" for delta in deltas)
else:
    text = answer.json()["choices"][0]["message"]["content"]
sys.stdout.write(text + "\\n")
"""


def floor_env(url: str, key: str, body: bytes) -> dict[str, str]:
    """The floor client's environment: where to post, the key, and the body to send."""
    return {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "BENCH_URL": url,
        "BENCH_KEY": key,
        "BENCH_BODY": body.decode("utf-8"),
    }


def main(argv: list[str] | None = None) -> list[tuple[str, str, str]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    with workdir() as work, fake_server() as (url, key, fake):
        ours = measure([mistral_exe(), "chat", "-m", MODEL, "hi"], cli_env(work, url, key),
                       args.runs, warmup=2)  # fmt: skip
        sent = fake.requests_to("POST /v1/chat/completions")[-1]  # type: ignore[attr-defined]
        env = floor_env(url + sent.path, key, sent.body)  # the very body `mistral` sent
        floor = measure([sys.executable, "-c", FLOOR], env, args.runs, warmup=2)
        fake.validate = False  # type: ignore[attr-defined]
        llm = peer_bin("llm")
        peer = measure([str(llm), "-m", f"mistral/{MODEL}", "hi"], peer_env(work, url, key),
                       args.runs, warmup=2)  # fmt: skip
    ratio = peer.wall / ours.wall
    over_floor = ours.wall / floor.wall
    ok = ratio >= TARGET_SPEEDUP and over_floor <= TARGET_FLOOR_RATIO
    print(f"llm chat (peer)   wall {peer.wall * 1000:6.1f} ms  cpu {peer.cpu * 1000:6.1f} ms")
    print(f"bare httpx floor  wall {floor.wall * 1000:6.1f} ms  cpu {floor.cpu * 1000:6.1f} ms")
    print(
        f"mistral chat hi   wall {ours.wall * 1000:6.1f} ms  cpu {ours.cpu * 1000:6.1f} ms  "
        f"{ratio:.1f}x faster than llm, {over_floor:.2f}x the floor  "
        f"[>= {TARGET_SPEEDUP}x, <= {TARGET_FLOOR_RATIO}x] {verdict(ok)}"
    )
    print(f"load average {load_average()}")
    want = f"<= {TARGET_FLOOR_RATIO}x floor, >= {TARGET_SPEEDUP}x llm"
    return [
        ('`llm "hi"` (peer, llm-mistral)', f"{peer.wall:.3f} s", "reference"),
        ("bare httpx client (floor)", f"{floor.wall:.3f} s", "reference"),
        (
            '`mistral chat "hi"`, piped',
            f"{ours.wall:.3f} s ({over_floor:.2f}x floor, {ratio:.1f}x faster than llm)",
            want,
        ),
    ]


if __name__ == "__main__":
    main()
