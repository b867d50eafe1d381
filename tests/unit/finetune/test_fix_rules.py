"""fix_sample() on its own: the rewrites and the cases it must leave alone."""

from __future__ import annotations

from typing import Any

from mistral_cli.services.ftdata.fix_rules import fix_sample, new_id

U = {"role": "user", "content": "q"}
A = {"role": "assistant", "content": "a"}


def test_nothing_to_fix() -> None:
    sample: dict[str, Any] = {"messages": [U, A], "tools": []}
    assert fix_sample(sample) == []
    assert sample == {"messages": [U, A], "tools": []}


def test_functions_merge_into_existing_tools() -> None:
    fn = {"name": "f", "description": "", "parameters": {}}
    sample: dict[str, Any] = {
        "messages": [U, A],
        "tools": [3, {"type": "function", "function": fn}],
        "functions": [fn, {"name": "g"}],
    }
    assert fix_sample(sample) == [("FT308", "moved 1 legacy 'functions' into 'tools'")]
    assert sample["tools"][2] == {"type": "function", "function": {"name": "g"}}


def test_untrimmable_endings_are_left_alone() -> None:
    only_user: dict[str, Any] = {"messages": [A, U]}
    assert fix_sample(only_user) == []
    assert only_user["messages"] == [A, U]


def test_good_ids_are_kept_and_bad_ones_never_collide() -> None:
    taken = {"abcdefghi"}
    fresh = new_id("x", taken)
    assert len(fresh) == 9
    assert fresh.isalnum()
    assert fresh in taken
    assert new_id("x", set(taken)) != fresh  # a collision takes the next salt
    calls: list[dict[str, Any]] = [
        {"id": "abcdefghi", "type": "function", "function": {"name": "f", "arguments": "{}"}},
        {"id": 7, "type": "function", "function": {"name": "f", "arguments": "{}"}},
    ]
    sample: dict[str, Any] = {
        "messages": [
            U,
            {"role": "assistant", "tool_calls": calls},
            {"role": "tool", "tool_call_id": 7, "content": "1"},
            A,
        ]
    }
    [(rule, change)] = fix_sample(sample)
    assert rule == "FT304"
    assert calls[0]["id"] == "abcdefghi"
    assert calls[1]["id"] == sample["messages"][2]["tool_call_id"] != 7
    assert change == f"call id '7' → {calls[1]['id']!r}"
