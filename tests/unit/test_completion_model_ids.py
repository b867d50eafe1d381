"""Completion of fine-tuned model ids: `ft:` ids hold colons, where bash splits words."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.unit.test_completions import complete_bash

FT_8B = "ft:ministral-8b-latest:7d1e40aa:20260801:a1b2c3d4"
FT_3B = "ft:ministral-3b-latest:7d1e40aa:20260802:c1a55f13"
pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")


def complete(line: str, cache: Path) -> list[str]:
    return complete_bash(line, cache, as_bash=True)


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    ids = ["mistral-small-latest", FT_3B, FT_8B]
    (tmp_path / "model-ids.txt").write_text("\n".join(ids) + "\n")
    return tmp_path


def test_a_model_option_completes_a_fine_tuned_id_across_colons(cache: Path) -> None:
    # bash replaces only the part after the last colon: the rest of the id is offered
    assert complete("mistral chat -m ft:ministral-8", cache) == [FT_8B.removeprefix("ft:")]
    assert complete("mistral chat -m ft:ministral-8b-latest:7d", cache) == [
        "7d1e40aa:20260801:a1b2c3d4"
    ]
    assert complete("mistral chat -m ft:", cache) == [FT_3B[3:], FT_8B[3:]]


def test_management_verbs_complete_model_ids(cache: Path) -> None:
    for verb in ("archive", "unarchive", "update", "rm", "show"):
        assert complete(f"mistral models {verb} ft:ministral-3", cache) == [FT_3B[3:]]
    assert complete("mistral models rm mistral-s", cache) == ["mistral-small-latest"]


def test_words_without_colons_complete_whole(cache: Path) -> None:
    assert complete("mistral chat -m mistral-s", cache) == ["mistral-small-latest"]
    assert complete("mistral models archive ", cache) == ["mistral-small-latest", FT_3B, FT_8B]
