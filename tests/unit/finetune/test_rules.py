"""Golden fixtures: one minimal bad file per rule, asserting rule, severity, line and path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.unit.finetune.conftest import CLEAN, RULES, check

E, W, INFO = "error", "warning", "info"

# fixture, validate() options, expected {(rule, severity, line, path)}, rules ignored
GOLDEN: list[tuple[str, dict[str, Any], set[tuple[str, str, int | None, str]], set[str]]] = [
    ("FT001_extension.json", {}, {("FT001", E, None, "")}, set()),
    ("FT001_empty.jsonl", {}, {("FT001", E, None, "")}, set()),
    ("FT003_invalid_utf8.jsonl", {}, {("FT003", E, 2, "")}, set()),
    ("FT003_bom.jsonl", {}, {("FT003", W, 1, "")}, set()),
    ("FT004_array.jsonl", {}, {("FT004", E, 1, "")}, set()),
    ("FT004_pretty.jsonl", {}, {("FT004", E, 1, "")}, set()),
    ("FT005_blank_line.jsonl", {}, {("FT005", E, 2, "")}, set()),
    ("FT006_mixed_kinds.jsonl", {}, {("FT006", E, 2, "")}, {"FT503"}),
    ("FT007_few_examples.jsonl", {}, {("FT007", W, None, "")}, set()),
    ("FT007_under_200.jsonl", {}, {("FT007", INFO, None, "")}, set()),
    ("FT008_duplicate.jsonl", {}, {("FT008", W, 3, "")}, set()),
    ("FT101_invalid_json.jsonl", {}, {("FT101", E, 2, "")}, set()),
    ("FT101_not_object.jsonl", {}, {("FT101", E, 2, "")}, set()),
    ("FT102_unknown_key.jsonl", {}, {("FT102", W, 2, "/metadata")}, set()),
    ("FT102_alias.jsonl", {}, {("FT102", W, 2, "/interactions")}, set()),
    ("FT201_empty_messages.jsonl", {}, {("FT201", E, 2, "/messages")}, set()),
    ("FT201_missing_messages.jsonl", {}, {("FT201", E, 2, "")}, set()),
    ("FT202_unknown_role.jsonl", {}, {("FT202", E, 2, "/messages/0/role")}, set()),
    ("FT202_developer.jsonl", {}, {("FT202", E, 2, "/messages/0/role")}, set()),
    ("FT203_empty_assistant.jsonl", {}, {("FT203", E, 2, "/messages/1/content")}, set()),
    ("FT203_missing_content.jsonl", {}, {("FT203", E, 2, "/messages/0")}, set()),
    ("FT204_last_not_assistant.jsonl", {}, {("FT204", E, 2, "/messages/2")}, set()),
    ("FT204_only_assistant.jsonl", {}, {("FT204", E, 2, "/messages/0")}, set()),
    ("FT205_weight.jsonl", {}, {("FT205", E, 2, "/messages/1/weight")}, set()),
    ("FT205_all_zero.jsonl", {}, {("FT205", E, 2, "/messages")}, set()),
    ("FT206_system_after_assistant.jsonl", {}, {("FT206", E, 2, "/messages/2")}, set()),
    ("FT207_second_system.jsonl", {}, {("FT207", E, 2, "/messages/1")}, set()),
    ("FT208_user_twice.jsonl", {}, {("FT208", W, 2, "/messages/1")}, set()),
    ("FT209_prefix.jsonl", {}, {("FT209", W, 2, "/messages/1/prefix")}, set()),
    ("FT209_markup.jsonl", {}, {("FT209", W, 2, "/messages/0/content")}, set()),
    ("FT209_secret.jsonl", {}, {("FT209", W, 2, "/messages/0/content")}, set()),
    ("FT301_content_and_calls.jsonl", {}, {("FT301", E, 2, "/messages/1")}, set()),
    (
        "FT302_no_arguments.jsonl",
        {},
        {("FT302", E, 2, "/messages/1/tool_calls/0/function")},
        set(),
    ),
    (
        "FT303_arguments_object.jsonl",
        {},
        {("FT303", E, 2, "/messages/1/tool_calls/0/function/arguments")},
        set(),
    ),
    (
        "FT304_bad_id.jsonl",
        {},
        {
            ("FT304", E, 2, "/messages/1/tool_calls/0/id"),
            ("FT304", E, 2, "/messages/2/tool_call_id"),
        },
        set(),
    ),
    (
        "FT305_unmatched.jsonl",
        {},
        {("FT305", E, 2, "/messages/2/tool_call_id"), ("FT305", E, 2, "/messages/1/tool_calls/0")},
        set(),
    ),
    (
        "FT306_not_in_tools.jsonl",
        {},
        {("FT306", E, 2, "/messages/1/tool_calls/0/function/name")},
        set(),
    ),
    (
        "FT307_bad_schema.jsonl",
        {},
        {("FT307", E, 2, "/tools/0/function/parameters/type")},
        set(),
    ),
    (
        "FT308_legacy.jsonl",
        {},
        {
            ("FT308", E, 2, "/functions"),
            ("FT308", E, 2, "/messages/1/function_call"),
            ("FT308", E, 2, "/messages/2/role"),
        },
        set(),
    ),
    ("FT401_bmp.jsonl", {}, {("FT401", E, 2, "/messages/0/content/1/image_url")}, set()),
    ("FT401_image_in_assistant.jsonl", {}, {("FT401", E, 2, "/messages/1/content/0")}, set()),
    ("FT501_bad_label.jsonl", {}, {("FT501", E, 2, "/labels/intent")}, {"FT503"}),
    ("FT502_mixed_types.jsonl", {}, {("FT502", E, 6, "/labels/intent")}, set()),
    ("FT503_small_class.jsonl", {}, {("FT503", W, 6, "/labels/intent")}, set()),
    ("FT601_seq_len.jsonl", {"seq_len": 200}, {("FT601", W, 2, "")}, set()),
    ("FT601_trainable_share.jsonl", {}, {("FT601", W, None, "")}, set()),
    ("FT602_epochs.jsonl", {"steps": 1000}, {("FT602", W, None, "")}, set()),
]

MESSAGES = {
    "FT003_invalid_utf8.jsonl": "invalid UTF-8 byte 0xE9",
    "FT101_invalid_json.jsonl": "invalid JSON: Expecting value",
    "FT202_unknown_role.jsonl": "unknown role 'human'",
    "FT204_last_not_assistant.jsonl": "last message is 'user'",
    "FT205_weight.jsonl": "weight must be 0 or 1, got 0.5",
    "FT206_system_after_assistant.jsonl": "unexpected role 'system' after 'assistant'",
    "FT208_user_twice.jsonl": "two 'user' messages in a row",
    "FT301_content_and_calls.jsonl": "both content and tool_calls",
    "FT302_no_arguments.jsonl": "call lacks 'arguments'",
    "FT303_arguments_object.jsonl": "arguments must be a JSON string",
    "FT306_not_in_tools.jsonl": "'get_stock' not in tools",
    "FT401_bmp.jsonl": "image/bmp not supported",
    "FT502_mixed_types.jsonl": "list on 1 line, string on 5",
    "FT503_small_class.jsonl": "class 'timer' has 2 examples",
    "FT601_seq_len.jsonl": "1,372 tokens > seq_len 200 (estimated)",
    "FT007_few_examples.jsonl": "only 3 examples",
}


@pytest.mark.parametrize(
    ("name", "options", "expected", "ignored"), GOLDEN, ids=[case[0] for case in GOLDEN]
)
def test_golden_fixture(
    name: str,
    options: dict[str, Any],
    expected: set[tuple[str, str, int | None, str]],
    ignored: set[str],
) -> None:
    report = check(RULES / name, **options)
    ambient = {"FT007"} if not name.startswith("FT007") else set()
    found = {
        (f.rule, f.severity, f.line, f.path)
        for f in report.findings
        if f.rule not in ambient | ignored
    }
    assert found == expected
    assert report.ok == all(severity != E for _, severity, _, _ in expected)
    if name in MESSAGES:
        messages = [f.message for f in report.findings if f.rule == name[:5]]
        assert messages == [MESSAGES[name]]


def test_every_catalogue_rule_has_a_golden_fixture() -> None:
    catalogue = {
        *(f"FT00{n}" for n in range(1, 9)),
        "FT101",
        "FT102",
        *(f"FT20{n}" for n in range(1, 10)),
        *(f"FT30{n}" for n in range(1, 9)),
        "FT401",
        "FT501",
        "FT502",
        "FT503",
        "FT601",
        "FT602",
    }
    covered = {rule for _, _, expected, _ in GOLDEN for rule, _, _, _ in expected}
    assert catalogue - covered == {"FT002"}  # FT002 needs big files: see test_validate.py
    assert all(path.name[:5] in catalogue for path in RULES.iterdir())


@pytest.mark.parametrize("path", sorted(CLEAN.iterdir()), ids=lambda p: p.name)
def test_clean_fixture_has_no_findings(path: Path) -> None:
    report = check(path)
    assert report.findings == []
    assert report.ok
    assert report.exit_code == 0
    assert report.samples == 210


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("chat.jsonl", "chat"),
        ("function_calling.jsonl", "function_calling"),
        ("vision.jsonl", "vision"),
        ("classifier.jsonl", "classifier"),
    ],
)
def test_kind_is_detected(name: str, kind: str) -> None:
    assert check(CLEAN / name).files[0].kind == kind
