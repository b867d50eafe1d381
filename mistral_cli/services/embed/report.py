"""What `mistral embed` says on stderr: progress notes, the summary, the dry-run plan, cost."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mistral_cli.values import counted

if TYPE_CHECKING:
    from mistral_cli.services.embed.batching import Plan
    from mistral_cli.services.embed.runner import Summary
    from mistral_cli.services.pricing import Cost


def compact(number: float) -> str:
    """950, 9.5k, 180k, 2.9M: counts for one-line summaries."""
    if number < 1_000:
        return f"{number:,.0f}"
    if number < 10_000:
        return f"{number / 1_000:.1f}".removesuffix(".0") + "k"
    if number < 1_000_000:
        return f"{number / 1_000:.0f}k"
    return f"{number / 1_000_000:.1f}".removesuffix(".0") + "M"


def _tokens(tokens: int, exact: bool) -> str:
    return counted(tokens, "token", shown=compact(tokens)) + ("" if exact else " (estimated)")


def cost_text(cost: Cost | None) -> str:
    """`~$0.29 (prices as of 2026-11-25)` when the model has a price, else `cost n/a`."""
    if cost is None:
        return "cost n/a"
    return f"~{cost} (prices as of {cost.as_of})" if cost.as_of else f"~{cost}"


def set_aside(blank: int, truncated: int) -> list[str]:
    """The inputs not sent as given: blank lines skipped, over-long inputs truncated."""
    parts = []
    if blank:
        parts.append(f"{counted(blank, 'blank line')} skipped")
    if truncated:
        parts.append(f"{counted(truncated, 'input')} truncated")
    return parts


def summary_line(summary: Summary) -> str:
    """`20,000 inputs · 180k tokens (estimated) · 40 requests · 2.1 s` (+ skipped, truncated)."""
    parts = [
        counted(summary.inputs, "input"),
        _tokens(summary.tokens, summary.exact),
        counted(summary.requests, "request"),
        f"{summary.elapsed:.1f} s",
        *set_aside(summary.blank, summary.truncated),
    ]
    return " · ".join(parts)


def plan_line(plan: Plan, cost: Cost | None) -> str:
    """The `--dry-run` answer: inputs, tokens, requests, cost; nothing is sent."""
    parts = [
        counted(plan.inputs, "input"),
        _tokens(plan.tokens, plan.exact),
        counted(plan.requests, "request"),
        cost_text(cost),
        *set_aside(plan.blank, plan.truncated),
        "nothing sent",
    ]
    return " · ".join(parts)


def progress_note(tokens: int, rate: float, remaining: int | None) -> str:
    """The progress bar's note: tokens so far, inputs a second, and the ETA when it is known."""
    note = f"{counted(tokens, 'token', shown=compact(tokens))} · {compact(rate)}/s"
    if remaining is not None and rate > 0:
        seconds = round(remaining / rate)
        note += f" · ETA {seconds // 60}:{seconds % 60:02d}"
    return note
