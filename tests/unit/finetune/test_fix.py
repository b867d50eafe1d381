"""--fix: a new file, a change log, no dropped samples, and output that re-validates clean."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import Any

import pytest

from mistral_cli.errors import DataValidationError, UsageError
from mistral_cli.fsio import WriteFailed
from mistral_cli.services.ftdata.fix import fix
from tests.unit.finetune.conftest import RULES, check
from tests.unit.finetune.test_sample_rules import CASES

AMBIENT = {"FT007", "FT503"}


def relevant(path: Path) -> list[Any]:
    return [f for f in check(path).findings if f.rule not in AMBIENT]


def fixable_only(path: Path) -> bool:
    findings = relevant(path)
    return bool(findings) and all(f.fixable for f in findings)


FIXABLE_FIXTURES = sorted(p.name for p in RULES.iterdir() if fixable_only(p))


def test_the_fixable_fixtures_are_the_expected_ones() -> None:
    assert FIXABLE_FIXTURES == [
        "FT003_bom.jsonl",
        "FT004_array.jsonl",
        "FT004_pretty.jsonl",
        "FT005_blank_line.jsonl",
        "FT102_alias.jsonl",
        "FT202_developer.jsonl",
        "FT204_last_not_assistant.jsonl",
        "FT303_arguments_object.jsonl",
        "FT304_bad_id.jsonl",
        "FT308_legacy.jsonl",
    ]


@pytest.mark.parametrize("name", FIXABLE_FIXTURES)
def test_fixed_fixture_revalidates_clean_and_input_is_untouched(tmp_path: Path, name: str) -> None:
    src = RULES / name
    before = src.read_bytes()
    result = fix(src, tmp_path / "fixed.jsonl")
    assert src.read_bytes() == before
    assert relevant(tmp_path / "fixed.jsonl") == []
    assert result.changes
    assert result.dropped == 0
    assert result.written == result.samples == check(src).samples


def _write(tmp_path: Path, lines: list[str], name: str = "train.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


FIRST = json.dumps(
    {"messages": [{"role": "user", "content": "first"}, {"role": "assistant", "content": "ok"}]}
)
SAMPLE_CASES = [(case[0], case[1]) for case in CASES]


@pytest.mark.parametrize(("label", "sample"), SAMPLE_CASES, ids=[c[0] for c in SAMPLE_CASES])
def test_every_fixable_finding_is_fixed(tmp_path: Path, label: str, sample: Any) -> None:
    src = _write(tmp_path, [FIRST, json.dumps(sample)])
    before = relevant(src)
    fix(src, tmp_path / "out.jsonl")
    after = {(f.rule, f.path, f.message) for f in relevant(tmp_path / "out.jsonl")}
    leftover = {(f.rule, f.path, f.message) for f in before if f.fixable} & after
    assert not leftover, label
    if before and all(f.fixable for f in before):
        assert after == set(), label


def test_log_and_remapped_ids(tmp_path: Path) -> None:
    result = fix(RULES / "FT304_bad_id.jsonl", tmp_path / "out.jsonl")
    [line1, line2] = (tmp_path / "out.jsonl").read_text().splitlines()
    assert line1 == (RULES / "FT304_bad_id.jsonl").read_text().splitlines()[0]  # untouched
    sample = json.loads(line2)
    call_id = sample["messages"][1]["tool_calls"][0]["id"]
    assert sample["messages"][2]["tool_call_id"] == call_id
    assert result.log == [f"2: FT304: call id 'call_8f2a' → {call_id!r}"]
    again = fix(RULES / "FT304_bad_id.jsonl", tmp_path / "again.jsonl")
    assert again.log == result.log  # deterministic


def test_log_lines(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(
        b"\xef\xbb\xbf"
        + b'[{"interactions": [{"role": "developer", "content": "x"},'
        + b' {"role": "user", "text": "q"},'
        + b' {"role": "assistant", "content": "a"}, {"role": "user", "content": "more?"}],'
        + b' "system_prompt": "ignored: there is a system message"}]'
    )
    result = fix(src, tmp_path / "out.jsonl")
    assert result.log == [
        "1: FT004: rewrote the JSON array as JSONL",
        "1: FT003: removed the UTF-8 byte order mark",
        "1: FT102: renamed 'interactions' to 'messages'",
        "1: FT202: /messages/0: role 'developer' → 'system'",
        "1: FT203: /messages/1: 'text' → 'content'",
        "1: FT204: dropped 1 trailing message(s) after the last assistant turn ('user')",
    ]
    assert [(f.rule, f.fixable) for f in relevant(tmp_path / "out.jsonl")] == [("FT102", False)]


def test_legacy_calls_become_tool_calls(tmp_path: Path) -> None:
    fix(RULES / "FT308_legacy.jsonl", tmp_path / "out.jsonl")
    sample = json.loads((tmp_path / "out.jsonl").read_text().splitlines()[1])
    call = sample["messages"][1]["tool_calls"][0]
    assert call["function"] == {"name": "get_rate", "arguments": '{"cur": "EUR"}'}
    assert sample["messages"][2] == {
        "role": "tool",
        "name": "get_rate",
        "content": "1.09",
        "tool_call_id": call["id"],
    }
    assert [tool["function"]["name"] for tool in sample["tools"]] == ["get_rate"]
    assert "functions" not in sample


def test_refuses_to_overwrite_the_input(tmp_path: Path) -> None:
    src = _write(tmp_path, [FIRST])
    with pytest.raises(UsageError, match="would overwrite the input"):
        fix(src, src)
    link = tmp_path / "link.jsonl"
    os.link(src, link)
    with pytest.raises(UsageError):
        fix(src, link)
    with pytest.raises(UsageError):
        fix(src, tmp_path / "." / "train.jsonl")


def test_overwrites_another_existing_output_only_with_force(tmp_path: Path) -> None:
    src = _write(tmp_path, [FIRST])
    dst = tmp_path / "out.jsonl"
    dst.write_text("old")
    with pytest.raises(UsageError, match=r"out\.jsonl already exists") as caught:
        fix(src, dst)
    assert caught.value.hint == "pass --force to overwrite it"
    assert dst.read_text() == "old"
    fix(src, dst, force=True)
    assert dst.read_text() == FIRST + "\n"


def test_a_symlink_planted_at_the_output_is_replaced_never_followed(tmp_path: Path) -> None:
    src = _write(tmp_path, [FIRST])
    victim = tmp_path / "victim"
    victim.write_text("precious")
    dst = tmp_path / "out.jsonl"
    dst.symlink_to(victim)
    with pytest.raises(UsageError, match="already exists"):
        fix(src, dst)
    fix(src, dst, force=True)
    assert victim.read_text() == "precious"
    assert not dst.is_symlink()
    assert dst.read_text() == FIRST + "\n"


@pytest.mark.parametrize("out", ["-", "/dev/stdout", "/dev/null"])
def test_fix_refuses_stdout_and_devices(tmp_path: Path, out: str) -> None:
    src = _write(tmp_path, [FIRST])
    with pytest.raises(UsageError, match="--fix writes a file that is then validated"):
        fix(src, Path(out))


def test_disk_full_is_exit_1_naming_the_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = _write(tmp_path, [FIRST] * 50)
    folder = tmp_path / "out"
    folder.mkdir()

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(WriteFailed) as caught:
        fix(src, folder / "fixed.jsonl")
    assert caught.value.exit_code == 1
    assert caught.value.message == f"cannot write {folder / 'fixed.jsonl'}: no space left on device"
    assert list(folder.iterdir()) == []


def test_invalid_lines_are_kept_unless_drop_invalid(tmp_path: Path) -> None:
    bad_json, bad_sample = "{nope", json.dumps({"messages": []})
    src = _write(tmp_path, [FIRST, bad_json, bad_sample])
    src.write_bytes(src.read_bytes() + b"caf\xe9\n")
    kept = fix(src, tmp_path / "kept.jsonl")
    assert (tmp_path / "kept.jsonl").read_bytes() == src.read_bytes()
    assert (kept.samples, kept.written, kept.dropped, kept.log) == (4, 4, 0, [])
    dropped = fix(src, tmp_path / "dropped.jsonl", drop_invalid=True)
    assert (tmp_path / "dropped.jsonl").read_text() == FIRST + "\n"
    assert dropped.log == [
        "2: FT101: dropped: invalid JSON: Expecting property name enclosed in double quotes",
        "3: FT101: dropped: the sample still has errors",
        "4: FT003: dropped: invalid UTF-8 byte 0xE9",
    ]
    assert (dropped.samples, dropped.written, dropped.dropped) == (4, 1, 3)


def test_broken_document_refuses_instead_of_losing_samples(tmp_path: Path) -> None:
    tmp_path = tmp_path / "here"
    tmp_path.mkdir()
    src = tmp_path / "in.jsonl"
    src.write_text("[\n" + FIRST + ",\n" + FIRST + "\n" + FIRST + "]\n")
    with pytest.raises(DataValidationError, match=r"in.jsonl:4: invalid JSON"):
        fix(src, tmp_path / "out.jsonl")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def test_unwritable_output_is_a_usage_error(tmp_path: Path) -> None:
    src = _write(tmp_path, [FIRST])
    with pytest.raises(UsageError, match=r"cannot write .*out\.jsonl: there is no folder"):
        fix(src, tmp_path / "missing-dir" / "out.jsonl")


def test_missing_input_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        fix(tmp_path / "nope.jsonl", tmp_path / "out.jsonl")


def test_lone_surrogates_survive(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(
        '{"messages": [{"role": "developer", "content": "\\ud800"}, '
        '{"role": "user", "content": "q"}, '
        '{"role": "assistant", "content": "a"}]}\n'
    )
    fix(src, tmp_path / "out.jsonl")
    assert '"\\ud800"' in (tmp_path / "out.jsonl").read_text()
    assert relevant(tmp_path / "out.jsonl") == []
