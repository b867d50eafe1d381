from __future__ import annotations

from pathlib import Path

import pytest

from mistral_cli.errors import BudgetExceeded, ConfigError, UsageError
from mistral_cli.services import pricing


def test_shipped_table_covers_the_current_models_with_source_and_date() -> None:
    table = pricing.load(Path("/nonexistent"))
    current = [
        "mistral-large-latest", "mistral-medium-latest", "mistral-medium-3-5",
        "mistral-small-latest", "ministral-3b-latest", "ministral-8b-latest",
        "ministral-14b-latest", "codestral-latest", "mistral-embed", "codestral-embed",
    ]  # fmt: skip
    for model in current:
        price = table.get(model)
        assert price is not None, model
        assert price.currency == "USD"
        assert price.as_of == "2026-11-25"
        assert price.source.startswith("https://")


def test_cost_of_a_chat_answer_and_unknown_models() -> None:
    table = pricing.load(Path("/nonexistent"))
    cost = table.cost("mistral-small-latest", 12, 7)
    assert cost is not None
    assert str(cost) == "$0.0000033"
    assert table.cost("ft:open-mistral-7b:abc", 12, 7) is None


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (0.0, "USD", "$0"),
        (0.0000033, "USD", "$0.0000033"),
        (0.0123, "EUR", "€0.0123"),
        (1.234, "USD", "$1.23"),
        (0.5, "CHF", "0.5 CHF"),
    ],
)
def test_money(amount: float, currency: str, text: str) -> None:
    assert pricing.money(amount, currency) == text


def test_prices_toml_overrides_and_adds_rows_and_regional(tmp_path: Path) -> None:
    (tmp_path / "prices.toml").write_text(
        'regional = true\n[models."mistral-small-latest"]\ninput = 1.0\n'
        '[models."my-model"]\ninput = 2\noutput = 4\ncurrency = "eur"\nas_of = "2027-01-01"\n'
    )
    table = pricing.load(tmp_path)
    small = table.get("mistral-small-latest")
    assert small is not None
    assert (small.input, small.output, small.overridden) == (1.0, 0.3, True)
    cost = table.cost("my-model", 1_000_000, 0)
    assert cost is not None
    assert (round(cost.amount, 6), cost.currency, cost.as_of) == (2.2, "EUR", "2027-01-01")
    batch = table.cost("my-model", 1_000_000, 0, batch=True)
    assert batch is not None
    assert round(batch.amount, 6) == 1.1


@pytest.mark.parametrize(
    "text", ["nonsense = 1\n", '[models."x"]\noutput = 1\n', '[models."x"]\ninput = -1\n', "= ="]
)
def test_bad_prices_toml_is_a_config_error(tmp_path: Path, text: str) -> None:
    (tmp_path / "prices.toml").write_text(text)
    with pytest.raises(ConfigError):
        pricing.load(tmp_path)


@pytest.mark.parametrize(
    ("text", "amount"),
    [("0.50", 0.5), ("$0.5", 0.5), ("5$", 5.0), ("1.5 usd", 1.5), ("US$5", 5.0), (".25", 0.25)],
)
def test_parse_budget(text: str, amount: float) -> None:
    assert pricing.parse_budget(text) == pricing.Budget(amount, "USD")


@pytest.mark.parametrize("text", ["20EUR", "€2", "£3"])
def test_parse_budget_refuses_another_currency(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        pricing.parse_budget(text)
    assert caught.value.message == (
        f"--max-cost {text!r}: estimates are in USD; give the amount in USD"
    )


def test_parse_budget_rejects_non_amounts() -> None:
    with pytest.raises(UsageError, match=r"^--max-cost expects an amount, got 'lots'$"):
        pricing.parse_budget("lots")


def test_meter_refuses_without_a_price_or_in_another_currency() -> None:
    table = pricing.load(Path("/nonexistent"))
    with pytest.raises(BudgetExceeded, match="needs a price for ft:x"):
        pricing.meter(pricing.Budget(1.0), table, "ft:x")
    with pytest.raises(BudgetExceeded, match="in EUR but mistral-small-latest is priced in USD"):
        pricing.meter(pricing.Budget(1.0, "EUR"), table, "mistral-small-latest")
    meter = pricing.meter(pricing.Budget(0.001), table, "mistral-small-latest")
    meter.check(10_000)  # $0.001 exactly: allowed
    with pytest.raises(BudgetExceeded, match="more than --max-cost"):
        meter.check(10_000, 1)
