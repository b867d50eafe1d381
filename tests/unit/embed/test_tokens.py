import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mistral_cli.services.embed.inputs import Item
from mistral_cli.services.embed.tokens import (
    BudgetStop,
    EstimatingCounter,
    ExactEmbedCounter,
    NearLimitCounter,
    TokenCounter,
    default_counter,
)
from mistral_cli.services.pricing import Budget, Meter, Price
from tests.unit.embed.fakes import fake_tokens

COUNTER: TokenCounter = EstimatingCounter()


def test_estimate_is_a_third_of_the_bytes_plus_one():
    assert COUNTER.exact is False
    assert COUNTER.count("") == 1
    assert COUNTER.count("abc") == 2
    assert COUNTER.count("abcd") == 3
    assert COUNTER.count("é" * 3) == 3  # 6 bytes


@given(st.text())
def test_estimate_never_under_counts_the_fake_server(text):
    assert COUNTER.count(text) >= fake_tokens(text)
    assert COUNTER.count(text) >= math.ceil(len(text.encode("utf-8")) / 3)


@given(st.text(min_size=0, max_size=400), st.integers(min_value=1, max_value=60))
def test_truncate_fits_the_budget_on_a_character_boundary(text, budget):
    cut = COUNTER.truncate(text, budget)
    assert text.startswith(cut)
    if COUNTER.count(text) <= budget:
        assert cut == text
    else:
        assert COUNTER.count(cut) <= budget
        # no more than one character short of the budget's bytes
        assert len(cut.encode("utf-8")) > (budget - 1) * 3 - 4


# ---------------------------------------------------------------- the tokenizer, only near a limit


class Tokenizer:
    """A stand-in tokenizer: one token per word; counts how often it was loaded."""

    exact = True
    loads = 0

    def count(self, text):
        return len(text.split())

    def truncate(self, text, max_tokens):
        return " ".join(text.split()[:max_tokens])


def near_limit(limit=100, available=True):
    tokenizer = Tokenizer()

    def load():
        tokenizer.loads += 1
        return tokenizer if available else None

    return NearLimitCounter(load, limit), tokenizer


def test_inputs_within_the_limit_in_bytes_are_estimated_without_the_tokenizer():
    counter, tokenizer = near_limit(limit=100)
    assert counter.exact is False
    assert counter.count("a b c") == COUNTER.count("a b c")
    assert counter.count("x" * 100) == COUNTER.count("x" * 100)
    assert counter.count("é" * 50) == COUNTER.count("é" * 50)  # 100 bytes
    assert (tokenizer.loads, counter.loaded) == (0, False)


def test_a_longer_input_loads_the_tokenizer_once_and_counts_stay_exact():
    counter, tokenizer = near_limit(limit=100)
    assert counter.count("word " * 30) == 30  # 150 bytes: it could be over 100 tokens
    assert counter.loaded
    assert counter.count("a b c") == 3  # loaded: exact from now on
    assert counter.truncate("one two three", 2) == "one two"
    assert counter.strict() is tokenizer
    assert tokenizer.loads == 1


def test_without_the_tokenizer_every_count_is_the_estimate():
    counter, tokenizer = near_limit(limit=10, available=False)
    text = "word " * 30
    assert counter.count(text) == COUNTER.count(text)
    assert counter.count(text) == COUNTER.count(text)
    assert counter.truncate(text, 5) == COUNTER.truncate(text, 5)
    assert isinstance(counter.strict(), EstimatingCounter)
    assert (tokenizer.loads, counter.loaded) == (1, False)


def test_default_counter_by_mode(monkeypatch):
    from mistral_cli.services import tokens

    exact = tokens.ExactCounter(lambda text: list(text.encode()), lambda ids: "", "0")
    monkeypatch.setattr(tokens, "exact_available", lambda: True)
    monkeypatch.setattr(tokens, "get_counter", lambda mode: exact)
    auto = default_counter("auto")
    assert isinstance(auto, NearLimitCounter)
    assert not auto.loaded  # nothing loaded until an input needs it
    assert auto.count("x" * 9000) == 9000  # over the API's 8,192-token cap in bytes: exact
    assert isinstance(default_counter("exact"), ExactEmbedCounter)
    assert isinstance(default_counter("estimate"), EstimatingCounter)
    monkeypatch.setattr(tokens, "exact_available", lambda: False)
    assert isinstance(default_counter("auto"), EstimatingCounter)
    assert isinstance(default_counter("exact"), EstimatingCounter)


def test_a_money_limit_counts_exactly():
    counter, tokenizer = near_limit(limit=100)
    # $0.10 a token: ten tokens fit a $1 budget, the eleventh and twelfth do not
    meter = Meter(Budget(1.0), Price("m", input=100_000.0, output=0.0))
    items = [Item(1, None, "a b c d e f g h i j"), Item(2, None, "k l")]
    stop = BudgetStop(iter(items), counter, meter)
    assert [item.line for item in stop] == [1]
    assert tokenizer.loads == 1
    assert (stop.tokens, stop.stopped_at) == (10, 2)


@pytest.fixture(scope="module")
def tekken():
    pytest.importorskip("mistral_common", reason="the `tokens` extra is not installed")
    from mistral_cli.services.tokens import exact_counter

    return exact_counter()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300) | st.binary(max_size=300).map(lambda b: b.decode("latin-1")))
def test_the_tokenizer_never_makes_more_tokens_than_bytes(tekken, text):
    assert tekken.count(text) <= len(text.encode("utf-8"))
