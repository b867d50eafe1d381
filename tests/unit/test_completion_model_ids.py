"""Completion of fine-tuned model ids: `ft:` ids hold colons, where bash splits words."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FT_8B = "ft:ministral-8b-latest:7d1e40aa:20260801:a1b2c3d4"
FT_3B = "ft:ministral-3b-latest:7d1e40aa:20260802:c1a55f13"
pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")


def complete(line: str, cache: Path, *, colon_words: bool = True) -> list[str]:
    """Complete `line` as bash does: COMP_LINE whole, COMP_WORDS split at colons too."""
    words = line.replace(":", " : ").split(" ") if colon_words else line.split(" ")
    words = [w for w in words if w] + ([""] if line.endswith((" ", ":")) else [])
    quoted = " ".join(f"'{w}'" for w in words)
    script = (ROOT / "completions" / "mistral.bash").read_text(encoding="utf-8")
    program = (
        f"{script}\nCOMP_LINE='{line}'; COMP_POINT={len(line)}; "
        f"COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}; _mistral; "
        'printf "%s\\n" "${COMPREPLY[@]}"'
    )
    done = subprocess.run(
        ["bash", "-c", program],
        capture_output=True,
        text=True,
        check=True,
        env={"MISTRAL_CACHE_DIR": str(cache), "HOME": str(cache)},
    )
    return [w for w in done.stdout.splitlines() if w]


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
