"""Renderer snapshots: text lines and summary, the --json document, GitHub annotations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mistral_cli.commands.finetune._render import (
    github_line,
    human,
    render_github,
    render_json,
    render_text,
    summary_line,
)
from mistral_cli.services.ftdata.report import ClassTarget, FileStats, Finding, Report
from tests.unit.finetune.conftest import Writer, check


def report() -> Report:
    return Report(
        findings=[
            Finding("FT007", "info", "train.jsonl", None, "", "only 150 examples"),
            Finding(
                "FT208", "warning", "train.jsonl", 12, "/messages/1", "two 'user' messages in a row"
            ),
            Finding(
                "FT204", "error", "train.jsonl", 41, "/messages/3", "last message is 'user'", True
            ),
            Finding("FT101", "error", "val.jsonl", 2, "", "invalid JSON: 50%\r\nbroken", False, 7),
        ],
        files=[
            FileStats("train.jsonl", "train", "ab" * 32, 2_048, 2_000, 1_912_345, 600_000, 4_000),
            FileStats("val.jsonl", "validation", "cd" * 32, 100, 3, 5, 1, 2),
        ],
        errors=2,
        warnings=1,
        infos=1,
    )


def test_text() -> None:
    assert render_text(report()) == (
        "train.jsonl: FT007 info: only 150 examples\n"
        "train.jsonl:12: FT208 warning: two 'user' messages in a row [/messages/1]\n"
        "train.jsonl:41: FT204 error: last message is 'user' [/messages/3]\n"
        "val.jsonl:2: FT101 error: invalid JSON: 50%\r\nbroken\n"
        "2,003 samples · 1.9M tokens (estimated) · 2 errors, 1 warning, 1 info"
    )


def test_summary_of_a_clean_exact_run() -> None:
    clean = Report([], [FileStats("t.jsonl", "train", samples=1, tokens=950, estimated=False)])
    assert summary_line(clean) == "1 sample · 950 tokens · 0 errors, 0 warnings"


def test_text_mentions_omitted_findings() -> None:
    capped = report()
    capped.omitted = 1_234
    assert (
        render_text(capped).splitlines()[-2] == "… 1,234 more findings not shown (--max-findings)"
    )


def test_json_document() -> None:
    assert render_json(report()) == {
        "schema_version": 1,
        "ok": False,
        "files": [
            {
                "path": "train.jsonl",
                "sha256": "ab" * 32,
                "stats": {
                    "role": "train",
                    "kind": None,
                    "bytes": 2_048,
                    "samples": 2_000,
                    "tokens": 1_912_345,
                    "tokens_estimated": True,
                    "trainable_tokens": 600_000,
                    "max_sample_tokens": 4_000,
                },
            },
            {
                "path": "val.jsonl",
                "sha256": "cd" * 32,
                "stats": {
                    "role": "validation",
                    "kind": None,
                    "bytes": 100,
                    "samples": 3,
                    "tokens": 5,
                    "tokens_estimated": True,
                    "trainable_tokens": 1,
                    "max_sample_tokens": 2,
                },
            },
        ],
        "findings": [
            {
                "rule": "FT007",
                "severity": "info",
                "file": "train.jsonl",
                "line": None,
                "column": None,
                "path": "",
                "message": "only 150 examples",
                "fixable": False,
            },
            {
                "rule": "FT208",
                "severity": "warning",
                "file": "train.jsonl",
                "line": 12,
                "column": None,
                "path": "/messages/1",
                "message": "two 'user' messages in a row",
                "fixable": False,
            },
            {
                "rule": "FT204",
                "severity": "error",
                "file": "train.jsonl",
                "line": 41,
                "column": None,
                "path": "/messages/3",
                "message": "last message is 'user'",
                "fixable": True,
            },
            {
                "rule": "FT101",
                "severity": "error",
                "file": "val.jsonl",
                "line": 2,
                "column": 7,
                "path": "",
                "message": "invalid JSON: 50%\r\nbroken",
                "fixable": False,
            },
        ],
        "targets": [],
        "summary": {"errors": 2, "warnings": 1, "infos": 1, "omitted": 0},
    }
    json.dumps(render_json(report()))  # serialisable as is


def classifier_report() -> Report:
    many = tuple(f"c{n:02}" for n in range(11))
    return Report(
        findings=[],
        files=[FileStats("train.jsonl", "train", "ab" * 32, 900, 300, 2_000, 2_000, 20)],
        targets=[
            ClassTarget("sentiment", ("negative", "neutral", "positive"), multi=False),
            ClassTarget("topics", many, multi=True, complete=False),
        ],
    )


def test_text_names_the_classifier_targets() -> None:
    assert render_text(classifier_report()) == (
        "target sentiment: single-label, 3 labels (negative, neutral, positive)\n"
        "target topics: multi-label, 11 labels (too many to list all) "
        "(c00, c01, c02, c03, c04, c05, c06, c07, … 3 more)\n"
        "300 samples · 2,000 tokens (estimated) · 0 errors, 0 warnings"
    )


def test_json_targets_as_the_request_would_send_them() -> None:
    assert render_json(classifier_report())["targets"] == [
        {
            "name": "sentiment",
            "labels": ["negative", "neutral", "positive"],
            "multi_label": False,
            "loss_function": "single_class",
            "complete": True,
        },
        {
            "name": "topics",
            "labels": [f"c{n:02}" for n in range(11)],
            "multi_label": True,
            "loss_function": "multi_class",
            "complete": False,
        },
    ]


def test_github_errors_first_and_escaped() -> None:
    assert render_github(report()) == (
        "::error file=train.jsonl,line=41,title=FT204::last message is 'user'\n"
        "::error file=val.jsonl,line=2,col=7,title=FT101::invalid JSON: 50%25%0D%0Abroken\n"
        "::warning file=train.jsonl,line=12,title=FT208::two 'user' messages in a row\n"
        "::notice file=train.jsonl,title=FT007::only 150 examples"
    )


def test_github_escapes_properties() -> None:
    finding = Finding("FT005", "error", "data,v1:a%.jsonl", 3, "", "blank line")
    assert (
        github_line(finding) == "::error file=data%2Cv1%3Aa%25.jsonl,line=3,title=FT005::blank line"
    )
    request = Finding("FT701", "error", "", None, "/suffix", "suffix is 20 characters > 18")
    assert github_line(request) == "::error title=FT701::suffix is 20 characters > 18"


def test_text_line_without_file() -> None:
    request = Finding("FT702", "warning", "", None, "/hyperparameters", "both set")
    assert (
        render_text(Report([request], [])).splitlines()[0]
        == "FT702 warning: both set [/hyperparameters]"
    )


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (0, "0"),
        (9_999, "9,999"),
        (41_200, "41.2K"),
        (999_949, "999.9K"),
        (999_950, "1.0M"),
        (1_912_345, "1.9M"),
        (3_140_000_000, "3.1B"),
    ],
)
def test_human(count: int, text: str) -> None:
    assert human(count) == text


def test_end_to_end_text(write: Writer, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write("train.jsonl", ['{"messages": [{"role": "user", "content": "Hi"}]}'])
    monkeypatch.chdir(path.parent)
    lines = render_text(check(Path("train.jsonl"))).splitlines()
    assert lines == [
        "train.jsonl: FT007 warning: only 1 example",
        "train.jsonl:1: FT204 error: last message is 'user' [/messages/0]",
        "1 sample · 1 token (estimated) · 1 error, 1 warning",
    ]
