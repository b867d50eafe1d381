"""validate(): usage errors, file limits, train/validation checks, strictness, caps and stats."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

import pytest

from mistral_cli.errors import ExitCode, UsageError
from mistral_cli.services.ftdata import reader, scan
from mistral_cli.services.ftdata.report import Report
from mistral_cli.services.ftdata.validate import validate
from tests.unit.finetune.conftest import CLEAN, Writer, check


def chat(i: int, answer: str = "ok") -> str:
    return json.dumps(
        {
            "messages": [
                {"role": "user", "content": f"q{i}"},
                {"role": "assistant", "content": answer},
            ]
        }
    )


def labelled(i: int, label: object, target: str = "intent") -> str:
    return json.dumps({"text": f"t{i}", "labels": {target: label}})


def rules(
    report: Report, *, skip: Iterable[str] = ("FT007",)
) -> list[tuple[str, str, int | None, str]]:
    return [(f.rule, f.severity, f.line, f.message) for f in report.findings if f.rule not in skip]


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        check(tmp_path / "nope.jsonl")
    assert caught.value.exit_code == ExitCode.USAGE
    assert caught.value.message.endswith("nope.jsonl: no such file")
    assert caught.value.hint


def test_directory_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is a directory"):
        check(tmp_path)


def test_unreadable_file_is_a_usage_error(write: Writer, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write("train.jsonl", [chat(1)])

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(UsageError, match="permission denied"):
        check(path)


def test_unknown_kind_is_a_usage_error(write: Writer) -> None:
    with pytest.raises(UsageError, match="unknown --kind 'text'"):
        check(write("train.jsonl", [chat(1)]), kind="text")


def test_file_size_limits(write: Writer, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write("train.jsonl", [chat(i) for i in range(20)])
    size = path.stat().st_size
    monkeypatch.setattr(scan, "MB", size // 600 + 1)  # the file now "weighs" ~600 MB
    monkeypatch.setattr(scan, "MAX_FILE_BYTES", size - 1)
    report = check(path)
    assert rules(report) == [
        ("FT002", "error", None, f"{size / (size // 600 + 1):,.0f} MB > 512 MB; split it")
    ]
    monkeypatch.setattr(scan, "MAX_FILE_BYTES", size + 1)
    monkeypatch.setattr(scan, "WARN_FILE_BYTES", size - 1)
    assert [(f.rule, f.severity) for f in check(path).findings if f.rule != "FT007"] == [
        ("FT002", "warning")
    ]


def test_validation_file_over_1_mb(write: Writer) -> None:
    train = write("train.jsonl", [chat(i) for i in range(400)])
    val = write("val.jsonl", [chat(i + 10_000, "x" * 2000) for i in range(600)])
    report = check(train, val=val)
    ft002 = [f for f in report.findings if f.rule == "FT002"]
    assert [(f.file, f.severity, f.line, f.message[:18]) for f in ft002] == [
        (str(val), "error", None, "validation file 1."),
    ]


def test_train_validation_overlap_and_share(write: Writer) -> None:
    train = write("train.jsonl", [chat(i) for i in range(20)])
    val = write("val.jsonl", [chat(100), chat(3), chat(100)])
    report = check(train, val=val)
    assert [
        (f.file, *rule) for f, rule in zip(report.findings, rules(report, skip=()), strict=True)
    ] == [
        (str(train), "FT007", "info", None, "only 20 examples; 200–1,000 is a usual start"),
        (str(val), "FT007", "warning", None, "validation is 15% of train (3 examples); keep ≤ 5 %"),
        (str(val), "FT008", "warning", 2, f"same as {train}:4"),
        (str(val), "FT008", "warning", 3, f"same as {val}:1"),
    ]
    assert [stats.role for stats in report.files] == ["train", "validation"]


def test_unseen_validation_labels(write: Writer) -> None:
    train = write("train.jsonl", [labelled(i, "abc"[i % 3]) for i in range(30)])
    val = write("val.jsonl", [labelled(1, "z"), labelled(2, "a", target="mood")])
    report = check(train, val=val)
    assert [
        (f.file, *rule) for f, rule in zip(report.findings, rules(report, skip=()), strict=True)
    ][1:] == [
        (str(val), "FT007", "warning", None, "validation is 7% of train (2 examples); keep ≤ 5 %"),
        (str(val), "FT503", "warning", 1, "label 'z' of 'intent' not in train"),
        (str(val), "FT503", "warning", 2, "target 'mood' not in train"),
    ]


def test_label_balance_warnings(write: Writer) -> None:
    lines = [labelled(i, "alarm") for i in range(6)] + [
        json.dumps({"text": "t", "labels": {"x": "y"}})
    ]
    report = check(write("train.jsonl", lines))
    assert rules(report) == [
        ("FT503", "warning", None, "target 'intent' has a single class 'alarm'"),
        ("FT503", "warning", None, "target 'x' has a single class 'y'"),
        ("FT503", "warning", 1, "target 'x' missing on 6 lines"),
        ("FT503", "warning", 7, "target 'intent' missing on 1 line"),
        ("FT503", "warning", 7, "class 'y' has 1 example"),
    ]


def test_many_small_classes_are_summarised(write: Writer) -> None:
    report = check(write("train.jsonl", [labelled(i, f"c{i}") for i in range(23)]))
    small = [f.message for f in report.findings if f.rule == "FT503"]
    assert len(small) == 21
    assert small[0] == "3 more classes have < 5 examples"


def test_strict_turns_warnings_into_failure(write: Writer) -> None:
    path = write("train.jsonl", [chat(1), chat(1)])
    assert check(path).ok
    strict = check(path, strict=True)
    assert not strict.ok
    assert strict.exit_code == ExitCode.VALIDATION
    assert strict.exit_code == 8


def test_max_findings_caps_storage_not_counts(write: Writer) -> None:
    path = write("train.jsonl", ["nope"] * 5)
    report = check(path, max_findings=2)
    assert len(report.findings) == 2
    assert report.errors == 5
    assert report.omitted == 3 + 1  # and FT007
    assert report.exit_code == 8


def test_stats(write: Writer) -> None:
    path = write("train.jsonl", [chat(1, "x" * 35), chat(2)])
    report = check(path)
    [stats] = report.files
    assert stats.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert stats.bytes == path.stat().st_size
    assert (stats.samples, stats.kind, stats.estimated) == (2, "chat", True)
    assert stats.trainable_tokens == 10 + 1  # ceil(35 / 3.5), ceil(2 / 3.5)
    assert stats.tokens == stats.trainable_tokens + 1 + 1  # ceil(2 / 3.5) for each "q1", "q2"
    assert stats.max_sample_tokens == 11


def test_injected_counter_is_used(write: Writer) -> None:
    class Words:
        estimated = False

        def count(self, texts: Iterable[str]) -> int:
            return sum(len(text.split()) for text in texts)

    report = validate(write("train.jsonl", [chat(1, "a b c")]), counter=Words(), max_context=3)
    assert not report.estimated
    assert report.tokens == 4
    assert rules(report) == [("FT601", "warning", 1, "4 tokens > the model's context 3")]


def test_function_calling_trains_only_the_last_turn(write: Writer) -> None:
    report = check(CLEAN / "function_calling.jsonl")
    stats = report.files[0]
    assert 0 < stats.trainable_tokens < stats.tokens


def test_forced_kind(write: Writer) -> None:
    path = write("train.jsonl", [chat(1), labelled(2, "a")])
    as_chat = check(path, kind="chat")
    assert [
        (f.rule, f.line) for f in as_chat.findings if f.rule.startswith("FT0") and f.rule != "FT007"
    ] == [("FT006", 2)]
    assert as_chat.files[0].kind == "chat"
    as_classifier = check(path, kind="classifier")
    assert ("FT501", 1, "missing 'labels'") in {
        (f.rule, f.line, f.message) for f in as_classifier.findings
    }


def test_pretrain_line_in_classifier_file_is_a_classifier_sample(write: Writer) -> None:
    report = check(write("train.jsonl", [labelled(1, "a"), json.dumps({"text": "plain"})]))
    assert ("FT501", 2, "missing 'labels'") in {
        (f.rule, f.line, f.message) for f in report.findings
    }


def test_blank_lines_only(write: Writer) -> None:
    report = check(write("train.jsonl", "\n \n"))
    assert rules(report) == [
        ("FT001", "error", None, "no samples"),
        ("FT005", "error", 1, "blank line"),
        ("FT005", "error", 2, "blank line"),
    ]


def test_crlf_and_missing_final_newline_are_fine(write: Writer) -> None:
    path = write("train.jsonl", (chat(1) + "\r\n" + chat(2)).encode())
    assert rules(check(path)) == []


def test_invalid_json_reports_column(write: Writer) -> None:
    report = check(write("train.jsonl", [chat(1), '  {"messages": nope}']))
    [finding] = [f for f in report.findings if f.rule == "FT101"]
    assert (finding.line, finding.column, finding.message) == (
        2,
        16,
        "invalid JSON: Expecting value",
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"messages": NaN}', "invalid JSON: NaN is not valid JSON"),
        ("[" * 100_000 + "]" * 100_000, "invalid JSON: nested too deep"),
    ],
)
def test_json_python_accepts_but_json_does_not(write: Writer, line: str, message: str) -> None:
    report = check(write("train.jsonl", [chat(1), line]))
    assert [(f.line, f.message) for f in report.findings if f.rule == "FT101"] == [(2, message)]


def test_overlong_line_is_skipped_not_buffered(
    write: Writer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader, "MAX_LINE_BYTES", 1024 * 1024)
    monkeypatch.setattr(reader, "_CHUNK", 64 * 1024)
    huge = json.dumps({"messages": [{"role": "user", "content": "x" * 3_000_000}]})
    path = write("train.jsonl", [chat(1), huge, chat(3)])
    report = check(path)
    assert rules(report) == [("FT101", "error", 2, "line of 3 MB > 1 MB")]
    assert report.files[0].samples == 3
    assert report.files[0].sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_too_few_steps_for_one_epoch(write: Writer) -> None:
    report = check(write("train.jsonl", [chat(i, "x" * 350_000) for i in range(3)]), steps=1)
    assert rules(report) == [
        ("FT602", "warning", None, "≈0.44 epochs; part of the data is never seen")
    ]


def test_oversized_image(write: Writer, monkeypatch: pytest.MonkeyPatch) -> None:
    from mistral_cli.services.ftdata import rules_vision

    monkeypatch.setattr(rules_vision, "MAX_IMAGE_BYTES", 10)
    url = "data:image/png;base64," + "A" * 2_000_000
    line = json.dumps(
        {
            "messages": [
                {"role": "user", "content": [{"type": "image_url", "image_url": url}]},
                {"role": "assistant", "content": "ok"},
            ]
        }
    )
    assert rules(check(write("train.jsonl", [line]))) == [
        ("FT401", "error", 1, "image 1 MB > 20 MB")
    ]


def test_free_text_labels_are_not_tallied(write: Writer, monkeypatch: pytest.MonkeyPatch) -> None:
    from mistral_cli.services.ftdata import rules_classifier

    monkeypatch.setattr(rules_classifier, "MAX_CLASSES", 3)
    monkeypatch.setattr(rules_classifier, "MAX_TARGETS", 1)
    lines = [
        json.dumps({"text": f"t{i}", "labels": {"a": f"c{i % 5}", "b": "x"}}) for i in range(25)
    ]
    train = write("train.jsonl", lines)
    val = write("val.jsonl", [json.dumps({"text": "v", "labels": {"a": "new"}})])
    report = check(train, val=val)
    assert [m for _, _, _, m in rules(report, skip=("FT007", "FT002"))] == [
        "target 'a' has over 3 classes",
    ]


@pytest.mark.parametrize("where", ["open", "read"])
def test_io_errors_are_usage_errors(
    write: Writer, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    path = write("train.jsonl", [chat(1)])

    def fail(*_args: object, **_kwargs: object) -> None:
        raise OSError(5, "Input/output error")

    if where == "open":
        monkeypatch.setattr(Path, "open", fail)
    else:
        monkeypatch.setattr(reader.Reader, "records", fail)
    with pytest.raises(UsageError, match=r"cannot read .*train\.jsonl: Input/output error"):
        check(path)
