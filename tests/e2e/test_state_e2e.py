"""The installed `mistral` and its state on disk: private modes, a full or read-only disk."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import Run
from tests.fakes.router import FakeMistral
from tests.fakes.server import FakeServer

Mistral = Callable[..., subprocess.CompletedProcess[str]]

pytestmark = pytest.mark.e2e
READ_ONLY = "attempt to write a readonly database"


@pytest.fixture
def mistral(run_mistral: Run, fake: FakeMistral, fake_server: FakeServer) -> Iterator[Mistral]:
    """`mistral ARGS…` against the fake, under the usual umask (022: care is needed for 0600)."""
    before = os.umask(0o022)
    yield lambda *argv, **env: run_mistral(*argv, server=fake_server, key=fake.api_key, env=env)
    os.umask(before)


def modes(*folders: Path) -> dict[str, int]:
    found = {}
    for folder in folders:
        for path in [folder, *sorted(folder.rglob("*"))]:
            found[str(path.relative_to(folder.parent))] = stat.S_IMODE(path.lstat().st_mode)
    return found


def test_every_state_file_is_private(mistral: Mistral, tmp_path: Path) -> None:
    done = mistral("chat", "my key is not here")
    assert (done.returncode, done.stderr) == (0, "")
    assert mistral("conversations", "list").returncode == 0
    home = tmp_path / "home"
    assert modes(home / "data", home / "cache") == {
        "data": 0o700,
        "data/conversations.sqlite3": 0o600,
        "cache": 0o700,
        "cache/conversation-ids.txt": 0o600,
        "cache/model-ids.txt": 0o600,
        next(f"cache/{p.name}" for p in (home / "cache").glob("models-*.json")): 0o600,
    }


# ---------------------------------------------------------------- a real small disk


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 256 KiB tmpfs (root only: skipped elsewhere; the injected faults cover the same)."""
    where = tmp_path / "disk"
    where.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", str(where)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)


def fill(disk: Path) -> None:
    with (disk / "ballast").open("wb", buffering=0) as ballast:
        try:
            while True:
                ballast.write(b"\0" * 4096)
        except OSError:
            pass  # full


def test_a_full_disk_costs_no_answer(mistral: Mistral, small_disk: Path) -> None:
    data = str(small_disk / "data")
    fill(small_disk)
    done = mistral("chat", "hi", MISTRAL_DATA_DIR=data)
    assert (done.returncode, done.stdout) == (0, "Echo: hi\n")
    path = small_disk / "data" / "conversations.sqlite3"
    assert done.stderr == f"mistral: warning: not saved: database or disk is full ({path})\n"
    (small_disk / "ballast").unlink()
    assert mistral("chat", "again", MISTRAL_DATA_DIR=data).returncode == 0
    assert mistral("conversations", "doctor", MISTRAL_DATA_DIR=data).stdout == (
        f"{path}: ok · 1 conversation · 2 messages\n"
    )


def test_a_read_only_disk_costs_no_answer(
    mistral: Mistral, fake: FakeMistral, small_disk: Path
) -> None:
    data = str(small_disk / "data")
    assert mistral("chat", "first", MISTRAL_DATA_DIR=data).returncode == 0
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    path = small_disk / "data" / "conversations.sqlite3"
    done = mistral("chat", "-c", "second", MISTRAL_DATA_DIR=data)
    assert (done.returncode, done.stdout) == (0, "Echo: second\n")
    assert done.stderr == f"mistral: warning: not saved: {READ_ONLY} ({path})\n"
    assert fake.requests_to("POST /v1/chat/completions")[-1].json()["messages"][0] == {
        "role": "user",
        "content": "first",
    }
