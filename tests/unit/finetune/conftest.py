"""Shared helpers for the fine-tuning validator tests: fixture paths and a plain validate()."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mistral_cli.services.ftdata.report import Report
from mistral_cli.services.ftdata.tokens import EstimatedCounter
from mistral_cli.services.ftdata.validate import validate

DATA = Path(__file__).resolve().parents[2] / "data" / "finetune"
RULES = DATA / "rules"
CLEAN = DATA / "clean"

Writer = Callable[[str, "bytes | str | list[str]"], Path]


def check(path: Path, **options: Any) -> Report:
    """validate() with the estimating counter, so results never depend on mistral-common."""
    return validate(path, counter=EstimatedCounter(), **options)


@pytest.fixture
def write(tmp_path: Path) -> Writer:
    """Write bytes or lines to a file under tmp_path and return its path."""

    def _write(name: str, content: bytes | str | list[str]) -> Path:
        path = tmp_path / name
        if isinstance(content, list):
            content = "".join(line + "\n" for line in content)
        if isinstance(content, str):
            content = content.encode("utf-8")
        path.write_bytes(content)
        return path

    return _write
