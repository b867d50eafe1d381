from __future__ import annotations

import email.utils

import pytest

from mistral_cli.api.retry import RetryPolicy, retry_after


def test_full_jitter_bounds() -> None:
    policy = RetryPolicy()
    assert policy.backoff(0, lambda: 1.0) == 0.5
    assert policy.backoff(3, lambda: 1.0) == 4.0
    assert policy.backoff(10, lambda: 1.0) == 30.0  # capped
    assert policy.backoff(3, lambda: 0.0) == 0.0
    assert policy.backoff(2, lambda: 0.5) == 1.0


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "junk", "retry-after": "2"}, 2.0),
        ({"retry-after": "-4"}, 0.0),
        ({"retry-after": "whenever"}, None),
        ({}, None),
    ],
)
def test_retry_after_values(headers: dict[str, str], expected: float | None) -> None:
    assert retry_after(headers) == expected


def test_retry_after_http_date() -> None:
    now = 1_700_000_000.0
    stamp = email.utils.formatdate(now + 7, usegmt=True)
    assert retry_after({"retry-after": stamp}, now=lambda: now) == pytest.approx(7.0)
