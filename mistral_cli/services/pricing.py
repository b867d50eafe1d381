"""Prices per model (shipped table + prices.toml overrides), costs, and --max-cost budgets."""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import dataclass, replace
from importlib import resources
from typing import TYPE_CHECKING, Any

from mistral_cli import values
from mistral_cli.errors import BudgetExceeded, ConfigError

if TYPE_CHECKING:
    from pathlib import Path

OVERRIDES_FILENAME = "prices.toml"
BATCH = 0.5  # the Batch API bills half (API.md §7)
REGIONAL = 1.1  # regional endpoints bill 10 % more
PER = 1_000_000  # prices are per million tokens
SYMBOLS = {"USD": "$", "EUR": "€"}


@dataclass(frozen=True)
class Price:
    """One model's price per million tokens, in and out, with where and when it was read."""

    model: str
    input: float
    output: float
    currency: str = "USD"
    as_of: str = ""
    source: str = ""
    overridden: bool = False  # from prices.toml


@dataclass(frozen=True)
class PriceTable:
    """Prices by model id; `regional` applies the 1.1x regional multiplier to every cost."""

    prices: dict[str, Price]
    regional: bool = False

    def get(self, model: str) -> Price | None:
        """The price of `model` (an exact id or alias), or None: cost unknown."""
        return self.prices.get(model)

    def cost(self, model: str, prompt: int, completion: int, *, batch: bool = False) -> Cost | None:
        """What `prompt` in and `completion` out tokens cost on `model`; None if unpriced."""
        price = self.get(model)
        if price is None:
            return None
        amount = (prompt * price.input + completion * price.output) / PER
        return Cost(amount * self.multiplier(batch=batch), price.currency, price.as_of)

    def multiplier(self, *, batch: bool = False) -> float:
        """Batch 0.5x and regional 1.1x, as they apply."""
        return (BATCH if batch else 1.0) * (REGIONAL if self.regional else 1.0)


@dataclass(frozen=True)
class Cost:
    """An amount of money, its currency and the date of the price it came from."""

    amount: float
    currency: str
    as_of: str = ""

    def __str__(self) -> str:
        return money(self.amount, self.currency)


def money(amount: float, currency: str) -> str:
    """`$0.0000033`, `€1.25`, `0.5 CHF`: two significant digits below a cent, else cents."""
    if amount <= 0:
        places = 0
    elif amount < 0.01:
        places = -math.floor(math.log10(amount)) + 1
    else:
        places = 2 if amount >= 1 else 4
    text = f"{amount:.{places}f}"
    if "." in text and amount < 1:
        text = text.rstrip("0").rstrip(".")
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


def shipped() -> dict[str, Price]:
    """The price table shipped with the CLI (mistral_cli/data/prices.json)."""
    raw = json.loads(resources.files("mistral_cli.data").joinpath("prices.json").read_text())
    return {model: _price(model, row, overridden=False) for model, row in raw["models"].items()}


def load(config_dir: Path) -> PriceTable:
    """The shipped table with the rows of `config_dir`/prices.toml laid over it."""
    prices = shipped()
    path = config_dir / OVERRIDES_FILENAME
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return PriceTable(prices)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    unknown = set(data) - {"regional", "models"}
    if unknown or not isinstance(data.get("models", {}), dict):
        raise ConfigError(
            f"{path}: unknown key(s) {', '.join(sorted(unknown)) or 'models'}",
            hint='expected `regional = true` and [models."MODEL-ID"] tables',
        )
    for model, row in data.get("models", {}).items():
        base = prices.get(model)
        merged = {**(vars(base) if base else {}), **row} if isinstance(row, dict) else row
        prices[model] = _price(model, merged, overridden=True, where=path)
    return PriceTable(prices, regional=bool(data.get("regional", False)))


def _price(model: str, row: Any, *, overridden: bool, where: Path | None = None) -> Price:  # noqa: ANN401
    try:
        price = Price(
            model,
            float(row["input"]),
            float(row.get("output", 0.0)),
            str(row.get("currency", "USD")).upper(),
            str(row.get("as_of", "")),
            str(row.get("source", "")),
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        raise ConfigError(
            f"{where or 'prices.json'}: the price of {model} needs numbers `input` and `output`",
            hint='e.g. [models."mistral-small-latest"] input = 0.1  output = 0.3',
        ) from None
    if price.input < 0 or price.output < 0:
        raise ConfigError(f"{where or 'prices.json'}: the price of {model} is negative")
    return replace(price, overridden=overridden)


@dataclass(frozen=True)
class Budget:
    """A spending limit in USD, the currency every estimate is in."""

    amount: float
    currency: str = "USD"

    def __str__(self) -> str:
        return money(self.amount, self.currency)


def parse_budget(raw: str | float, name: str = "--max-cost") -> Budget:
    """`5`, `0.50`, `$5`, `5USD`, `US$5` (or MISTRAL_MAX_COST's number) → a Budget in USD.

    The grammar is mistral_cli.values.money's, shared with `finetune --max-cost`; another
    currency is a usage error, never compared with a dollar figure.
    """
    return Budget(values.money(raw, name))


@dataclass(frozen=True)
class Meter:
    """Checks a running cost against a Budget for one model (raises BudgetExceeded)."""

    budget: Budget
    price: Price
    multiplier: float = 1.0

    def cost(self, prompt: int, completion: int = 0) -> Cost:
        """The cost of these token counts at this model's price."""
        amount = (prompt * self.price.input + completion * self.price.output) / PER
        return Cost(amount * self.multiplier, self.price.currency, self.price.as_of)

    def check(self, prompt: int, completion: int = 0, *, what: str = "this request") -> None:
        """Raise BudgetExceeded when the tokens would cost more than the budget."""
        cost = self.cost(prompt, completion)
        if cost.amount > self.budget.amount:
            raise BudgetExceeded(
                f"{what} would cost about {cost} ({prompt} in / {completion} out tokens), "
                f"more than --max-cost {money(self.budget.amount, self.price.currency)}",
                hint="raise --max-cost (or MISTRAL_MAX_COST), or shorten the input",
            )


def meter(budget: Budget, table: PriceTable, model: str, *, batch: bool = False) -> Meter:
    """A Meter for `model`, or BudgetExceeded when no price (in the budget's currency) is known."""
    price = table.get(model)
    if price is None:
        raise BudgetExceeded(
            f"--max-cost needs a price for {model}, and none is known",
            hint=f'add [models."{model}"] input = …  output = … to {OVERRIDES_FILENAME} '
            "in the config directory",
        )
    if budget.currency != price.currency:
        raise BudgetExceeded(
            f"--max-cost is in {budget.currency} but {model} is priced in {price.currency}",
            hint=f'price {model} in {budget.currency} in {OVERRIDES_FILENAME} (currency = "USD")',
        )
    return Meter(budget, price, table.multiplier(batch=batch))
