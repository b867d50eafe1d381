"""Generate a valid chat fine-tuning JSONL file of about N MB (deterministic for a seed).

Usage: python benchmarks/gen_finetune_data.py OUT.jsonl --mb 100 [--seed 0] [--tools]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

WORDS = (
    "the",
    "model",
    "answers",
    "questions",
    "about",
    "invoices",
    "refunds",
    "shipping",
    "delays",
    "weather",
    "forecasts",
    "recipes",
    "code",
    "reviews",
    "python",
    "functions",
    "database",
    "indexes",
    "latency",
    "budgets",
    "and",
    "holidays",
    "please",
    "explain",
    "why",
    "this",
    "happens",
    "step",
    "by",
    "step",
    "with",
    "a",
    "short",
    "example",
    "and",
    "a",
    "summary",
    "café",
    "naïve",
    "résumé",
    "Zürich",
    "東京",
    "données",
)

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_rate",
            "description": "Exchange rate for a currency",
            "parameters": {
                "type": "object",
                "properties": {"cur": {"type": "string"}},
                "required": ["cur"],
            },
        },
    }
]


def _text(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high))).capitalize() + "."


def _call_id(rng: random.Random) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(rng.choice(alphabet) for _ in range(9))


def sample(rng: random.Random, index: int, *, tools: bool) -> dict[str, object]:
    """One valid chat (or function-calling) sample; `index` keeps every sample distinct."""
    messages: list[dict[str, object]] = []
    if rng.random() < 0.3:
        messages.append({"role": "system", "content": _text(rng, 8, 30)})
    for turn in range(rng.randint(1, 4)):
        messages.append({"role": "user", "content": f"#{index}.{turn} " + _text(rng, 10, 120)})
        if tools and turn == 0:
            call_id = _call_id(rng)
            call = {"name": "get_rate", "arguments": json.dumps({"cur": "EUR"})}
            messages.append(
                {
                    "role": "assistant",
                    "tool_calls": [{"id": call_id, "type": "function", "function": call}],
                }
            )
            messages.append({"role": "tool", "tool_call_id": call_id, "content": "1.09"})
        messages.append({"role": "assistant", "content": _text(rng, 20, 250)})
    data: dict[str, object] = {"messages": messages}
    if tools:
        data["tools"] = TOOLS
    return data


def generate(out: Path, megabytes: float, *, seed: int = 0, tools: bool = False) -> int:
    """Write samples until the file reaches `megabytes`; return the sample count."""
    rng = random.Random(seed)
    limit = int(megabytes * 1024 * 1024)
    written = count = 0
    with out.open("w", encoding="utf-8") as sink:
        while written < limit:
            line = json.dumps(sample(rng, count, tools=tools), ensure_ascii=False) + "\n"
            sink.write(line)
            written += len(line.encode("utf-8"))
            count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--mb", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tools", action="store_true", help="function-calling samples")
    args = parser.parse_args(argv)
    count = generate(args.out, args.mb, seed=args.seed, tools=args.tools)
    print(f"{args.out}: {count:,} samples, {args.out.stat().st_size / 1024 / 1024:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
