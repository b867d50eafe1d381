"""The one grammar for money, durations, booleans, counts and sizes (mistral_cli.values)."""

from __future__ import annotations

import pytest

from mistral_cli import values
from mistral_cli.errors import ExitCode, UsageError


@pytest.mark.parametrize(
    "text", ["5", "5.00", "$5", "5$", "5USD", "5 usd", "US$5", "us$ 5", " $ 5 ", 5, 5.0]
)
def test_every_usd_form_is_five_dollars(text: object) -> None:
    assert values.money(text) == 5.0


@pytest.mark.parametrize(("text", "expected"), [("0.50", 0.5), (".25", 0.25), ("0", 0.0)])
def test_amounts_below_a_dollar(text: str, expected: float) -> None:
    assert values.money(text, "MISTRAL_MAX_COST") == expected


@pytest.mark.parametrize("text", ["20EUR", "€20", "£3", "20 eur", "CHF 5"])
def test_another_currency_is_refused_not_compared(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        values.money(text)
    assert caught.value.exit_code == ExitCode.USAGE
    assert caught.value.message == (
        f"--max-cost {text!r}: estimates are in USD; give the amount in USD"
    )
    assert caught.value.hint == "e.g. --max-cost 5 or --max-cost 0.50 (US dollars)"


@pytest.mark.parametrize(
    "text", ["lots", "-5", "5 dollars", "A$5", "$5USD", "", "1e3", True, -1, float("nan")]
)
def test_what_is_not_an_amount_names_the_flag(text: object) -> None:
    with pytest.raises(UsageError) as caught:
        values.money(text)
    shown = repr(text.strip() if isinstance(text, str) else text)
    assert caught.value.message == f"--max-cost expects an amount, got {shown}"
    assert caught.value.hint == "e.g. --max-cost 5, --max-cost 0.50 or --max-cost 20USD"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20", (20.0, None)),
        ("20EUR", (20.0, "EUR")),
        ("€20", (20.0, "EUR")),
        ("$20", (20.0, "USD")),
        ("£3", (3.0, "GBP")),
        ("3 chf", (3.0, "CHF")),
    ],
)
def test_amount_keeps_the_currency_written(text: str, expected: tuple[float, str | None]) -> None:
    assert values.amount(text, "--max-cost") == expected


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90", 90.0),
        ("90s", 90.0),
        ("15m", 900.0),
        ("6h", 21600.0),
        ("1h30m", 5400.0),
        ("1h 30m", 5400.0),
        ("2d", 172800.0),
        ("0.5h", 1800.0),
        ("1w", 604800.0),
        ("6H", 21600.0),
        ("0", 0.0),
        (90, 90.0),
        (2.5, 2.5),
    ],
)
def test_durations(text: object, seconds: float) -> None:
    assert values.duration(text, "--timeout") == seconds


@pytest.mark.parametrize("text", ["6x", "", "h", "-5", "1h30", "soon", "inf", True, -1])
def test_a_bad_duration_names_the_variable_and_shows_the_form(text: object) -> None:
    with pytest.raises(UsageError) as caught:
        values.duration(text, "MISTRAL_POLL_INTERVAL")
    shown = repr(text.strip() if isinstance(text, str) else text)  # a TOML value as it was
    assert caught.value.message == f"MISTRAL_POLL_INTERVAL expects a duration, got {shown}"
    assert caught.value.hint == (
        "e.g. MISTRAL_POLL_INTERVAL=90s, 15m, 6h, 2d or 1h30m (a bare number is seconds)"
    )


def test_an_age_needs_a_unit() -> None:
    assert values.duration("30d", "--older-than", units=True) == 30 * 86400.0
    with pytest.raises(UsageError) as caught:
        values.duration("30", "--older-than", units=True)
    assert caught.value.hint == "e.g. --older-than 90s, 15m, 6h, 2d or 1h30m (a unit is required)"


@pytest.mark.parametrize("text", ["1", "true", "TRUE", "Yes", "on", " on ", True])
def test_true(text: object) -> None:
    assert values.boolean(text, "MISTRAL_NO_SAVE") is True


@pytest.mark.parametrize("text", ["0", "false", "False", "no", "OFF", False])
def test_false(text: object) -> None:
    assert values.boolean(text, "MISTRAL_NO_SAVE") is False


@pytest.mark.parametrize("text", ["2", "maybe", "y", "enable"])
def test_anything_else_is_not_a_boolean(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        values.boolean(text, "MISTRAL_NO_SAVE")
    assert caught.value.message == f"MISTRAL_NO_SAVE expects true or false, got {text!r}"
    assert caught.value.hint == "e.g. MISTRAL_NO_SAVE=1 (1/0, true/false, yes/no, on/off)"


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("1024", 1024),
        ("512MB", 512_000_000),
        ("8MiB", 8 * 1024 * 1024),
        ("1.5 GiB", 3 << 29),
        ("2kb", 2000),
        ("10B", 10),
        (4096, 4096),
    ],
)
def test_sizes(text: object, size: int) -> None:
    assert values.size(text, "--max-size") == size


def test_a_bad_size_shows_both_unit_families() -> None:
    with pytest.raises(UsageError) as caught:
        values.size("lots", "--max-size")
    assert caught.value.message == "--max-size expects a size, got 'lots'"
    assert caught.value.hint == (
        "e.g. --max-size 512MB or --max-size 8MiB (a bare number is bytes)"
    )


@pytest.mark.parametrize(("text", "count"), [("4", 4), ("0", 0), (2, 2), (2.0, 2)])
def test_counts(text: object, count: int) -> None:
    assert values.count(text, "max_retries") == count


@pytest.mark.parametrize("text", ["2.5", "-1", "four", 2.5, True, "٣"])
def test_a_bad_count_in_the_config_file_is_shown_as_toml(text: object) -> None:
    with pytest.raises(UsageError) as caught:
        values.count(text, "max_retries")
    assert caught.value.hint == "e.g. max_retries = 4"


def test_choices_ignore_case_and_name_the_options() -> None:
    assert values.choice("Estimate", "MISTRAL_TOKENIZER", ("auto", "exact", "estimate")) == (
        "estimate"
    )
    with pytest.raises(UsageError) as caught:
        values.choice("bogus", "MISTRAL_TOKENIZER", ("auto", "exact", "estimate"))
    assert caught.value.message == (
        "MISTRAL_TOKENIZER expects one of auto, exact, estimate, got 'bogus'"
    )


@pytest.mark.parametrize(
    ("name", "value", "written"),
    [
        ("--timeout", "90s", "--timeout 90s"),
        ("MISTRAL_X", "1", "MISTRAL_X=1"),
        ("poll_interval", "30s", 'poll_interval = "30s"'),
        ("no_save", "true", "no_save = true"),
        ("max_retries", "4", "max_retries = 4"),
    ],
)
def test_examples_are_written_the_way_the_name_is_set(name: str, value: str, written: str) -> None:
    assert values.example(name, value) == written


@pytest.mark.parametrize(
    ("count", "noun", "plural", "text"),
    [
        (1, "request", None, "1 request"),
        (0, "request", None, "0 requests"),
        (2000, "input", None, "2,000 inputs"),
        (1, "class", "classes", "1 class"),
        (3, "class", "classes", "3 classes"),
    ],
)
def test_counted_agrees_with_its_noun(count: int, noun: str, plural: str | None, text: str) -> None:
    assert values.counted(count, noun, plural) == text


def test_counted_can_show_a_compact_number() -> None:
    assert values.counted(1, "token", shown="1") == "1 token"
    assert values.counted(2_900_000, "token", shown="2.9M") == "2.9M tokens"
