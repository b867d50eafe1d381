"""--max-cost for fine-tuning: a USD budget checked against the API's own estimate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from mistral_cli import values
from mistral_cli.services.pricing import money

if TYPE_CHECKING:
    from mistral_cli.api.schemas.finetune import JobMetadata


@dataclass(frozen=True)
class Budget:
    """--max-cost (or MISTRAL_MAX_COST): an amount in USD, and where it was set (for messages)."""

    amount: float
    source: str = "--max-cost"

    @classmethod
    def parse(cls, raw: object, source: str = "--max-cost") -> Budget:
        """`20`, `$20`, `20USD` (the one money grammar); `20EUR` is exit 2: estimates are USD."""
        return cls(values.money(raw, source), source)

    def check(self, meta: JobMetadata | None) -> str | None:
        """Why the estimate breaks the budget, or None when it fits; never across currencies."""
        if meta is None or meta.cost is None:
            return f"the API gave no cost estimate to check {self.source} against"
        currency = (meta.cost_currency or "USD").strip().upper()
        if currency != "USD":
            shown = money(meta.cost, currency)
            return f"the estimate is in {currency} ({shown}), {self.source} in USD: not compared"
        if meta.cost > self.amount:
            limit = money(self.amount, "USD")
            return f"estimated cost {money(meta.cost, 'USD')} > {self.source} {limit}"
        return None


def over_budget_hint(job_id: str, budget: Budget | None, *, rerun: bool) -> str:
    """The commands after exit 11: start anyway, cancel, or rerun with more and --attach."""
    flag = "--max-cost" if budget is None or budget.source == "--max-cost" else budget.source
    again = (
        f"or rerun with a higher {flag} and --attach to pick it up"
        if rerun
        else f"or raise the budget: mistral finetune start {job_id} --max-cost AMOUNT"
    )
    return (
        f"start it anyway: mistral finetune start {job_id} --wait; "
        f"cancel it: mistral finetune cancel {job_id}; {again}"
    )
