"""Property tests: no input, however broken, makes validate() or fix() raise."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mistral_cli.services.ftdata.fix import fix
from mistral_cli.services.ftdata.report import Report
from mistral_cli.services.ftdata.tokens import EstimatedCounter
from mistral_cli.services.ftdata.validate import validate

SETTINGS = settings(
    max_examples=int(os.environ.get("FT_PROPERTY_EXAMPLES", "30")),
    derandomize="FT_PROPERTY_EXAMPLES" not in os.environ,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)
KEYS = st.sampled_from(
    [
        "messages",
        "role",
        "content",
        "tool_calls",
        "tool_call_id",
        "id",
        "type",
        "function",
        "name",
        "arguments",
        "tools",
        "parameters",
        "description",
        "labels",
        "text",
        "weight",
        "image_url",
        "url",
        "interactions",
        "functions",
        "function_call",
        "system_prompt",
        "available_tools",
        "prefix",
        "properties",
        "required",
        "items",
    ]
)
VALUES = st.sampled_from(
    [
        "user",
        "assistant",
        "system",
        "tool",
        "developer",
        "function",
        "human",
        "text",
        "image_url",
        "k3T9xQ2aB",
        "call_1",
        "f",
        "{}",
        '{"a": 1}',
        "",
        " ",
        "data:image/png;base64,iVBORw0KGgo=",
        "https://x.io/a.bmp",
        "object",
        "string",
        "[INST]",
        "sk-" + "a" * 24,
    ]
)
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-2, 2)
    | st.floats(allow_nan=False)
    | VALUES
    | st.text(max_size=5),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=5),
    max_leaves=12,
)
SAMPLES = st.dictionaries(KEYS, JSON, max_size=4)


def _validate(data: bytes, name: str = "train.jsonl") -> Report:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        report = validate(path, counter=EstimatedCounter(), seq_len=100, steps=10, max_findings=50)
        val = validate(path, val=path, counter=EstimatedCounter())
        assert isinstance(val, Report)
        out = Path(tmp) / "fixed.jsonl"
        result = fix(path, out) if _copyable(report) else fix(path, out, drop_invalid=True)
        assert result.written + result.dropped == result.samples
    return report


def _copyable(report: Report) -> bool:
    # --fix refuses (DataValidationError) only when a document breaks mid-way; drop those.
    return not any(f.rule in {"FT101", "FT003"} and f.column is not None for f in report.findings)


@SETTINGS
@given(st.binary(max_size=400))
def test_arbitrary_bytes(data: bytes) -> None:
    report = _validate(data)
    assert report.exit_code in (0, 8)
    assert report.errors + report.warnings + report.infos >= len(report.findings)


@SETTINGS
@given(st.lists(st.text(alphabet='{}[]",: \n\t\\ab0', max_size=40), max_size=6))
def test_jsonish_text(lines: list[str]) -> None:
    assert isinstance(_validate("\n".join(lines).encode()), Report)


@SETTINGS
@given(st.lists(SAMPLES | JSON, min_size=1, max_size=5), st.booleans())
def test_arbitrary_json_lines(samples: list[Any], pretty: bool) -> None:
    if pretty:
        data = json.dumps(samples, indent=1)
    else:
        data = "\n".join(json.dumps(sample) for sample in samples)
    report = _validate(data.encode())
    assert all(f.line is None or f.line >= 1 for f in report.findings)
    assert all(f.path == "" or f.path.startswith("/") for f in report.findings)


@SETTINGS
@given(st.lists(SAMPLES, min_size=1, max_size=4))
def test_fix_output_has_no_fixable_findings_left(samples: list[dict[str, Any]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        src.write_text("\n".join(json.dumps(sample) for sample in samples) + "\n")
        fix(src, dst)
        before = validate(src, counter=EstimatedCounter())
        after = validate(dst, counter=EstimatedCounter())
        fixable = {(f.line, f.rule, f.path) for f in before.findings if f.fixable}
        left = {(f.line, f.rule, f.path) for f in after.findings}
        assert after.samples == before.samples
        assert not fixable & left
