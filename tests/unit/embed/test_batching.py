import pytest

from mistral_cli.errors import DataValidationError, UsageError
from mistral_cli.services.embed.batching import Entry, Limits, Tally, pack, plan_embed, prepare
from mistral_cli.services.embed.inputs import InputError, Item, read_lines
from mistral_cli.services.embed.tokens import EstimatingCounter
from tests.unit.embed.fakes import text_lines

COUNTER = EstimatingCounter()


class ExactCounter:
    exact = True

    def count(self, text):
        return len(text)

    def truncate(self, text, max_tokens):
        return text[:max_tokens]


def entries(tokens):
    return [Entry(Item(n, None, "t"), "t", count) for n, count in enumerate(tokens, start=1)]


def shapes(batches):
    return [[e.item.line for e in b.entries] for b in batches]


@pytest.mark.parametrize(
    "kwargs",
    [{"max_inputs": 0}, {"max_tokens": 0}, {"max_input_tokens": -1}, {"estimate_margin": 0}],
)
def test_limits_are_checked(kwargs):
    with pytest.raises(UsageError):
        Limits(**kwargs)


def test_budget_keeps_a_margin_only_for_estimates():
    limits = Limits()
    assert limits.batch_budget(exact=False) == 14_745
    assert limits.batch_budget(exact=True) == 16_384


def test_pack_closes_a_batch_at_the_input_count():
    batches = list(pack(entries([1] * 7), limits=Limits(max_inputs=3), exact=True))
    assert shapes(batches) == [[1, 2, 3], [4, 5, 6], [7]]


def test_pack_closes_a_batch_at_the_token_budget():
    limits = Limits(max_tokens=10)
    batches = list(pack(entries([4, 4, 2, 9, 1, 10, 11, 3]), limits=limits, exact=True))
    assert shapes(batches) == [[1, 2, 3], [4, 5], [6], [7], [8]]
    assert [b.tokens for b in batches] == [10, 10, 10, 11, 3]  # 11: alone, never split


def test_pack_uses_the_margin_for_estimates():
    limits = Limits(max_tokens=100, estimate_margin=0.5)
    assert shapes(pack(entries([30, 30, 30]), limits=limits, exact=False)) == [[1], [2], [3]]


def test_pack_hands_on_the_batch_being_built_before_an_input_error():
    def source():
        yield from entries([1, 1])
        raise InputError(3, "bad")

    packer = pack(source(), limits=Limits(), exact=True)
    assert shapes([next(packer)]) == [[1, 2]]
    with pytest.raises(InputError, match="line 3: bad"):
        next(packer)


def test_prepare_skips_blanks_and_counts_them():
    tally = Tally()
    items = read_lines(["a", "", "  ", "b"])
    got = list(prepare(items, counter=COUNTER, limits=Limits(), truncate=False, tally=tally))
    assert [e.item.line for e in got] == [1, 4]
    assert tally.blank == 2


def test_prepare_refuses_over_long_input_with_exact_counts():
    tally = Tally()
    items = [Item(5, "doc-5", "x" * 11)]
    with pytest.raises(DataValidationError) as caught:
        list(
            prepare(
                items,
                counter=ExactCounter(),
                limits=Limits(max_input_tokens=10),
                truncate=False,
                tally=tally,
            )
        )
    assert caught.value.message == (
        'line 5: input (id "doc-5") has 11 tokens, over the per-input limit of 10'
    )


def test_prepare_truncates_when_asked():
    tally = Tally()
    items = [Item(1, None, "x" * 11), Item(2, None, "y" * 10)]
    limits = Limits(max_input_tokens=10)
    got = list(prepare(items, counter=ExactCounter(), limits=limits, truncate=True, tally=tally))
    assert [(e.text, e.tokens, e.item.text) for e in got] == [
        ("x" * 10, 10, "x" * 11),
        ("y" * 10, 10, "y" * 10),
    ]
    assert tally.truncated == 1


def test_dry_run_plan_counts_without_a_backend():
    lines = [*text_lines(5000), "", " "]
    plan = plan_embed(read_lines(lines), counter=COUNTER, limits=Limits())
    assert (plan.inputs, plan.requests, plan.blank, plan.truncated) == (5000, 10, 2, 0)
    assert plan.tokens == sum(COUNTER.count(t) for t in lines if t.strip())
    assert plan.exact is False


def test_dry_run_plan_counts_truncations():
    plan = plan_embed(read_lines(["x" * 40_000]), counter=COUNTER, limits=Limits(), truncate=True)
    assert (plan.inputs, plan.truncated, plan.tokens) == (1, 1, 8_192)
