"""Token counters: the estimate, the optional mistral-common counter (faked), the default."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator

import pytest

from mistral_cli.services.ftdata import tokens
from mistral_cli.services.ftdata.tokens import (
    EstimatedCounter,
    MistralCommonCounter,
    default_counter,
)


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        ([], 0),
        (["abc"], 1),
        (["abcd"], 2),
        (["a" * 7], 2),
        (["a" * 3, "a" * 4], 2),
        (["é"], 1),
        (["東京" * 7], 12),
        (["\ud800"], 1),
    ],
)
def test_estimate_is_utf8_bytes_over_3_5_rounded_up(texts: list[str], expected: int) -> None:
    counter = EstimatedCounter()
    assert counter.estimated
    assert counter.count(texts) == expected


def _fake_mistral_common(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []

    class Inner:
        def encode(self, text: str, *, bos: bool, eos: bool) -> list[int]:
            assert (bos, eos) == (False, False)
            calls.append(text)
            return list(range(len(text.split())))

    class Tokenizer:
        instruct_tokenizer = types.SimpleNamespace(tokenizer=Inner())

        @classmethod
        def v3(cls, *, is_tekken: bool) -> Tokenizer:
            assert is_tekken
            return cls()

    module = types.ModuleType(tokens.TOKENIZER_MODULE)
    module.MistralTokenizer = Tokenizer  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, tokens.TOKENIZER_MODULE, module)
    return calls


@pytest.fixture(autouse=True)
def fresh_tokenizer_cache() -> Iterator[None]:
    """The tokenizer is loaded once per process: forget it around each stand-in."""
    from mistral_cli.services.tokens import exact_counter

    exact_counter.cache_clear()
    yield
    exact_counter.cache_clear()


def test_default_counter_uses_mistral_common_when_importable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _fake_mistral_common(monkeypatch)
    counter = default_counter()
    assert isinstance(counter, MistralCommonCounter)
    assert not counter.estimated
    assert counter.count(["one two", "", "three"]) == 3
    assert calls == ["one two", "three"]


def test_default_counter_falls_back_to_the_estimate(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, tokens.TOKENIZER_MODULE, None)  # import raises ImportError
    assert isinstance(default_counter(), EstimatedCounter)


def test_importing_the_validator_does_not_import_mistral_common() -> None:
    import subprocess

    code = (
        "import sys, mistral_cli.services.ftdata.validate, mistral_cli.services.ftdata.fix;"
        "print(any(m.startswith('mistral_common') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
