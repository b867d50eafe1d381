from __future__ import annotations

import json

import pytest

from mistral_cli.api.errors import (
    AuthenticationError,
    RateLimited,
    RequestRejected,
    ServerError,
    error_class,
    parse_error_body,
)

EXTRA_FORBIDDEN = {
    "object": "error",
    "type": "invalid_request_error",
    "code": None,
    "message": {
        "detail": [
            {
                "type": "extra_forbidden",
                "loc": ["body", "stream_options"],
                "msg": "Extra inputs are not permitted",
            }
        ]
    },
}


@pytest.mark.parametrize(
    ("body", "message", "code"),
    [
        (
            {
                "object": "error",
                "message": "Too many tokens overall, split into more batches.",
                "type": "invalid_request_prompt",
                "param": None,
                "code": "3210",
            },
            "Too many tokens overall, split into more batches.",
            "3210",
        ),
        (EXTRA_FORBIDDEN, "stream_options: Extra inputs are not permitted", None),
        (
            {"object": "error", "message": json.dumps({"detail": "Model not found"}), "code": 1500},
            "Model not found",
            "1500",
        ),
        ({"message": "Unauthorized", "request_id": "abc"}, "Unauthorized", None),
        ({"detail": "Unauthorized"}, "Unauthorized", None),
        (
            {"detail": [{"loc": ["body", "temperature"], "msg": "Input should be a valid number"}]},
            "temperature: Input should be a valid number",
            None,
        ),
        ({"error": {"message": "nested"}}, "nested", None),
    ],
)
def test_json_shapes(body: object, message: str, code: str | None) -> None:
    parsed = parse_error_body(400, "application/json", json.dumps(body).encode())
    assert parsed.message == message
    assert parsed.code == code


def test_request_id_from_body() -> None:
    parsed = parse_error_body(
        401, "application/json", b'{"message":"Unauthorized","request_id":"r-1"}'
    )
    assert parsed.request_id == "r-1"


def test_html_page_is_summarised_not_dumped() -> None:
    page = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    parsed = parse_error_body(502, "text/html", page)
    assert parsed.message == "HTTP 502 (HTML error page from the server or a proxy)"


def test_plain_text_is_cut_short() -> None:
    parsed = parse_error_body(500, "text/plain", b"x" * 1000)
    assert len(parsed.message) == 200
    assert parsed.message.endswith("…")


def test_truncated_json_and_empty_body() -> None:
    assert (
        "unreadable JSON" in parse_error_body(500, "application/json", b'{"message": "hal').message
    )
    assert parse_error_body(503, "", b"").message == "HTTP 503 with an empty body"


def test_long_detail_lists_are_capped() -> None:
    detail = [{"loc": ["body", f"f{i}"], "msg": "bad"} for i in range(8)]
    parsed = parse_error_body(422, "application/json", json.dumps({"detail": detail}).encode())
    assert parsed.message.endswith("(+3 more)")


@pytest.mark.parametrize(
    ("status", "cls", "exit_code"),
    [
        (400, RequestRejected, 4),
        (401, AuthenticationError, 3),
        (402, AuthenticationError, 3),
        (403, AuthenticationError, 3),
        (404, RequestRejected, 4),
        (409, RequestRejected, 4),
        (413, RequestRejected, 4),
        (422, RequestRejected, 4),
        (429, RateLimited, 5),
        (500, ServerError, 1),
        (503, ServerError, 1),
    ],
)
def test_status_to_class_and_exit_code(status: int, cls: type, exit_code: int) -> None:
    assert error_class(status) is cls
    assert cls.exit_code == exit_code
