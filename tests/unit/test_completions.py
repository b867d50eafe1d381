"""completions/ is generated from the app; these tests fail when it drifts or breaks."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support import invoke

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_committed_scripts_are_current(shell: str) -> None:
    result = invoke(["completion", "show", shell])
    assert result.exit_code == 0, result.stderr
    committed = (ROOT / "completions" / f"mistral.{shell}").read_text(encoding="utf-8")
    assert result.stdout == committed, "run scripts/gen-completions"


def test_unknown_shell_is_a_usage_error() -> None:
    result = invoke(["completion", "show", "tcsh"])
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        "mistral: error: unknown shell 'tcsh'\nhint: choose one of: bash, zsh, fish\n",
    )


def complete_bash(line: str, cache: Path, *, as_bash: bool = False) -> list[str]:
    """Complete `line`; `as_bash` also sets COMP_LINE and splits words at colons, as bash does."""
    words = line.split(" ")
    if as_bash:
        words = [w for w in line.replace(":", " : ").split(" ") if w]
        words += [""] if line.endswith((" ", ":")) else []
    script = (ROOT / "completions" / "mistral.bash").read_text(encoding="utf-8")
    quoted = " ".join(f"'{w}'" for w in words)
    comp_line = f"COMP_LINE='{line}'; COMP_POINT={len(line)}; " if as_bash else ""
    program = (
        f"{script}\n{comp_line}COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}; _mistral; "
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


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completes_nouns_verbs_options_and_model_ids(tmp_path: Path) -> None:
    (tmp_path / "model-ids.txt").write_text("mistral-large-latest\nmistral-small-latest\n")
    assert "models" in complete_bash("mistral mo", tmp_path)
    assert complete_bash("mistral models l", tmp_path) == ["list"]
    assert "--json" in complete_bash("mistral models list --", tmp_path)
    assert complete_bash("mistral models show -m mistral-s", tmp_path) == ["mistral-small-latest"]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completes_recent_conversation_job_and_file_ids(tmp_path: Path) -> None:
    from mistral_cli.services import recent_ids

    recent_ids.remember(tmp_path, "conversation", ["c0ffee01", "beef0002"])
    recent_ids.remember(tmp_path, "job", ["job-1", "job-2"], replace=True)
    recent_ids.remember(tmp_path, "file", ["file-a"])
    recent_ids.forget(tmp_path, "job", ["job-2"])
    assert complete_bash("mistral chat --conversation c0", tmp_path) == ["c0ffee01"]
    assert complete_bash("mistral conversations rm ", tmp_path) == ["c0ffee01", "beef0002"]
    assert complete_bash("mistral finetune status ", tmp_path) == ["job-1"]
    assert complete_bash("mistral files download ", tmp_path) == ["file-a"]
    assert "--json" in complete_bash("mistral files show --", tmp_path)
    assert complete_bash("mistral tok", tmp_path) == ["tokens"]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completion_answers_within_100_ms(tmp_path: Path) -> None:
    (tmp_path / "model-ids.txt").write_text("mistral-large-latest\nmistral-small-latest\n")
    script = (ROOT / "completions" / "mistral.bash").read_text(encoding="utf-8")
    program = (
        f"{script}\nstart=$(date +%s%N); for i in $(seq 50); do "
        "COMP_WORDS=(mistral chat -m mistral-s); COMP_CWORD=3; _mistral; done; "
        "echo $(( ($(date +%s%N) - start) / 50000 ))"
    )
    env = {"MISTRAL_CACHE_DIR": str(tmp_path), "HOME": str(tmp_path)}
    done = subprocess.run(
        ["bash", "-c", program], capture_output=True, text=True, env=env, check=True
    )
    assert int(done.stdout) < 100_000  # microseconds per completion
