import math

from hypothesis import given
from hypothesis import strategies as st

from mistral_cli.services.embed.tokens import EstimatingCounter, TokenCounter
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
