from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from mistral_cli.services import tokens
from mistral_cli.services.embed.inputs import Item
from mistral_cli.services.embed.tokens import BudgetStop, EstimatingCounter, default_counter
from mistral_cli.services.pricing import Budget, load, meter

HAS_EXACT = importlib.util.find_spec("mistral_common") is not None
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("", 0),
        ("hello world", 5),  # 2 + 1 (space) + 2
        ("1234", 4),
        ("😀", 4),
        ("GIT", 2),
        ("a3f9e2c1b0", 10),  # a hash: a token a character
        ("日本", 6),
        ("Ελλάδα", 6),
        ("\t\tx", 4),
    ],
)
def test_estimate(text: str, count: int) -> None:
    assert tokens.estimate(text) == count


def corpus() -> list[str]:
    """Code, docs, multilingual prose, numbers, emoji, JSON and hashes."""
    lines: list[str] = []
    for path in sorted((ROOT / "mistral_cli").rglob("*.py"))[:60]:
        lines += path.read_text(encoding="utf-8").splitlines()
    lines += (ROOT / "CHANGELOG.md").read_text(encoding="utf-8").splitlines()
    lines += [
        "日本語のテキストです。東京は大きな都市です。",
        "中文文本测试，包含标点符号。",
        "한국어 텍스트 테스트입니다",
        "Ελληνικά κείμενο για δοκιμή",
        "русский текст и немного больше слов",
        "عربي نص للاختبار",
        "हिन्दी पाठ परीक्षण",
        "Ünïcödé dïäcrïtïcs ñ ç ø å — “quotes” …",
        "emoji 😀🎉🚀 mixed ✅ text ∀x∈ℝ",
        '{"id": "cmpl-e5cc70bb28c444948073e77776eb30ef", "usage": {"prompt_tokens": 15}}',
        "3.14159 2.71828 1234567890 0xDEADBEEF 2026-11-25T11:36:01Z",
        "sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "key: dGhpcyBpcyBhIHRlc3Qgb2YgYmFzZTY0IGVuY29kaW5n",
        "        indented = [1, 2, 3]  # comment",
    ]
    return [line for line in lines if line.strip()]


@pytest.mark.skipif(not HAS_EXACT, reason="mistral-common (extra `tokens`) is not installed")
def test_estimate_never_under_counts_the_real_tokenizer() -> None:
    exact = tokens.exact_counter()
    assert exact is not None
    lines = corpus()
    assert len(lines) > 1000
    under = [(line, exact.count(line), tokens.estimate(line)) for line in lines]
    assert [u for u in under if u[1] > u[2]] == []
    whole = "\n".join(lines)
    assert tokens.estimate(whole) >= exact.count(whole)


@pytest.mark.skipif(not HAS_EXACT, reason="mistral-common (extra `tokens`) is not installed")
def test_exact_counters_for_embed_count_and_truncate() -> None:
    counter = default_counter("exact")  # auto loads the tokenizer only near a limit
    assert counter.exact
    text = "The quick brown fox jumps over the lazy dog. " * 20
    cut = counter.truncate(text, 10)
    assert counter.count(cut) <= 10
    assert text.startswith(cut)
    assert counter.truncate("short", 10) == "short"


def test_estimate_mode_and_missing_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(default_counter("estimate"), EstimatingCounter)
    assert tokens.get_counter("estimate").label == "estimate"  # type: ignore[union-attr]
    monkeypatch.setattr(tokens, "exact_available", lambda: False)
    assert tokens.get_counter("exact") is None
    assert not tokens.get_counter("auto").exact  # type: ignore[union-attr]


def test_budget_stop_ends_the_input_before_the_limit() -> None:
    counter = EstimatingCounter()
    items = iter([Item(n, None, "x" * 2999) for n in range(1, 6)])  # 1001 tokens each
    # mistral-embed at $0.10 per million: 3 inputs cost $0.0003003
    stop = BudgetStop(
        items, counter, meter(Budget(0.00031), load(Path("/nowhere")), "mistral-embed")
    )
    assert [item.line for item in stop] == [1, 2, 3]
    assert (stop.stopped_at, stop.tokens) == (4, 3003)
