"""fsio: private state, atomic writes, safe output paths, server-chosen names, locks."""

from __future__ import annotations

import errno
import io
import os
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from mistral_cli import fsio
from mistral_cli.errors import PipeClosed, UsageError


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An empty folder of its own (the autouse isolation fixture puts folders in tmp_path)."""
    folder = tmp_path / "here"
    folder.mkdir()
    return folder


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


# ---------------------------------------------------------------- private state


def test_private_dir_is_created_0700_and_loose_one_tightened(folder: Path) -> None:
    fresh = folder / "a" / "b"
    assert fsio.private_dir(fresh) == []
    assert mode(fresh) == 0o700

    shared = folder / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    assert fsio.private_dir(shared) == [shared]
    assert mode(shared) == 0o700
    assert fsio.private_dir(shared) == []  # the notice is one-time


def test_tighten_changes_only_loose_regular_files(folder: Path) -> None:
    loose = folder / "db"
    loose.write_text("x")
    loose.chmod(0o644)
    assert fsio.tighten(loose) is True
    assert mode(loose) == 0o600
    assert fsio.tighten(loose) is False
    assert fsio.tighten(folder / "missing") is False


def test_tighten_never_follows_a_symlink(folder: Path) -> None:
    target = folder / "victim"
    target.write_text("x")
    target.chmod(0o644)
    link = folder / "link"
    link.symlink_to(target)
    assert fsio.tighten(link) is False
    assert mode(target) == 0o644


# ---------------------------------------------------------------- atomic writes


def test_atomic_write_is_private_and_leaves_no_temp(folder: Path) -> None:
    path = folder / "config.toml"
    fsio.atomic_write(path, "a = 1\n")
    assert path.read_text() == "a = 1\n"
    assert mode(path) == 0o600
    assert sorted(p.name for p in folder.iterdir()) == ["config.toml"]


def test_atomic_write_replaces_a_planted_symlink_not_its_target(folder: Path) -> None:
    victim = folder / "victim"
    victim.write_text("precious")
    path = folder / "state"
    path.symlink_to(victim)
    fsio.atomic_write(path, "new")
    assert victim.read_text() == "precious"
    assert not path.is_symlink()
    assert path.read_text() == "new"


def test_atomic_write_through_symlink_keeps_the_link(folder: Path) -> None:
    dotfiles = folder / "dotfiles"
    dotfiles.mkdir()
    real = dotfiles / "config.toml"
    real.write_text("old")
    link = folder / "config.toml"
    link.symlink_to(real)
    written = fsio.atomic_write(link, "new", through_symlink=True)
    assert written == real.resolve()
    assert link.is_symlink()
    assert real.read_text() == "new"


def test_atomic_write_failure_removes_the_temp_file(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError, match="No space"):
        fsio.atomic_write(folder / "x", "data")
    assert list(folder.iterdir()) == []


def test_locked_serialises_read_modify_write(folder: Path) -> None:
    counter = folder / "n"
    counter.write_text("0")

    def bump() -> None:
        for _ in range(20):
            with fsio.locked(counter):
                value = int(counter.read_text())
                fsio.atomic_write(counter, str(value + 1))

    threads = [threading.Thread(target=bump) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counter.read_text() == "120"


# ---------------------------------------------------------------- output paths


def test_output_is_written_whole_and_only_at_the_end(folder: Path) -> None:
    out = folder / "out.jsonl"
    with fsio.open_output(out, force=False) as handle:
        handle.write("one\n")
        assert not out.exists()
    assert out.read_text() == "one\n"
    assert sorted(p.name for p in folder.iterdir()) == ["out.jsonl"]


def test_existing_output_needs_force(folder: Path) -> None:
    out = folder / "out.jsonl"
    out.write_text("keep")
    with pytest.raises(UsageError) as caught, fsio.open_output(out, force=False) as handle:
        handle.write("x")
    assert caught.value.message == f"{out} already exists"
    assert caught.value.hint == "pass --force to overwrite it"
    assert out.read_text() == "keep"
    with fsio.open_output(out, force=True) as handle:
        handle.write("new")
    assert out.read_text() == "new"


def test_output_that_appears_meanwhile_is_not_clobbered(folder: Path) -> None:
    out = folder / "out"
    output = fsio.open_output(out, force=False, binary=True)
    handle = output.__enter__()
    handle.write(b"ours")
    out.write_text("theirs")
    with pytest.raises(UsageError):
        output.__exit__(None, None, None)
    assert out.read_text() == "theirs"
    assert sorted(p.name for p in folder.iterdir()) == ["out"]


def test_a_planted_symlink_at_the_output_is_refused_and_never_followed(folder: Path) -> None:
    victim = folder / "victim"
    victim.write_text("precious")
    out = folder / "out"
    out.symlink_to(victim)
    with pytest.raises(UsageError), fsio.open_output(out, force=False) as handle:
        handle.write("x")
    assert victim.read_text() == "precious"
    dangling = folder / "dangling"
    dangling.symlink_to(folder / "nowhere")
    with pytest.raises(UsageError), fsio.open_output(dangling, force=False) as handle:
        handle.write("x")
    assert not (folder / "nowhere").exists()


def test_a_planted_symlink_at_a_temp_name_is_not_followed(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    victim = folder / "victim"
    victim.write_text("precious")
    names = iter(["aaaaaaaa", "bbbbbbbb"])
    monkeypatch.setattr(fsio.secrets, "token_hex", lambda _n: next(names))
    (folder / ".out.aaaaaaaa.part").symlink_to(victim)
    out = folder / "out"
    with fsio.open_output(out, force=False) as handle:
        handle.write("data")
    assert victim.read_text() == "precious"
    assert out.read_text() == "data"


def test_dash_means_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    with fsio.open_output(Path("-"), force=False) as handle:
        handle.write("to stdout\n")
    assert capsys.readouterr().out == "to stdout\n"
    assert not Path("-").exists()


def test_a_fifo_is_written_directly(folder: Path) -> None:
    fifo = folder / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    with fsio.open_output(fifo, force=False, binary=True) as handle:
        handle.write(b"through the pipe")
    reader.join()
    assert received == [b"through the pipe"]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_dev_null_symlinked_is_written_directly_and_the_link_kept(folder: Path) -> None:
    link = folder / "null"
    link.symlink_to("/dev/null")
    with fsio.open_output(link, force=False) as handle:
        handle.write("gone")
    assert link.is_symlink()


def test_disk_full_is_exit_1_naming_the_file(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    out = folder / "out"
    with pytest.raises(fsio.WriteFailed) as caught, fsio.open_output(out, force=False) as handle:
        handle.write("x")
    assert caught.value.exit_code == 1
    assert caught.value.message == f"cannot write {out}: no space left on device"
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("train.jsonl", "train.jsonl"),
        (".bashrc", "bashrc"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\evil.txt", "evil.txt"),
        ("a\x1b]0;title\x07b", "a]0;titleb"),
        ("\u202etxt.exe", "txt.exe"),
        ("..", "fallback"),
        ("", "fallback"),
        ("dir/", "fallback"),
        ("x" * 300, "x" * fsio.MAX_NAME),
    ],
)
def test_safe_basename(name: str, safe: str) -> None:
    assert fsio.safe_basename(name, fallback="fallback") == safe


@pytest.mark.parametrize("name", ["/dev/stdout", "/dev/stderr", "/dev/fd/1", "/proc/self/fd/2"])
def test_descriptor_paths_are_streams_whatever_they_point_at(name: str) -> None:
    assert fsio.is_stream(Path(name))
    fsio.check_new(Path(name), force=False)  # never "already exists"


def test_a_dev_stdout_redirected_to_a_file_is_appended_to_not_replaced(folder: Path) -> None:
    out = folder / "redirected"
    out.write_bytes(b"before\n")
    script = (
        "from pathlib import Path; from mistral_cli import fsio\n"
        "with fsio.open_output(Path('/dev/stdout'), force=False, binary=True) as h:\n"
        "    h.write(b'data\\n')\n"
    )
    with out.open("ab") as stdout:
        done = subprocess.run([sys.executable, "-c", script], stdout=stdout, check=False)
    assert done.returncode == 0
    assert out.read_bytes() == b"before\ndata\n"
    assert Path("/dev/stdout").is_symlink()


def test_output_to_stdout_whose_reader_left_is_pipe_closed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Gone(io.BytesIO):
        def write(self, _data: object) -> int:
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")

        def fileno(self) -> int:
            return 1  # os.dup2 is replaced below: the real fd 1 is never touched

    fake = io.TextIOWrapper(Gone())
    monkeypatch.setattr(sys, "stdout", fake)
    dups: list[tuple[int, int]] = []
    monkeypatch.setattr(os, "dup2", lambda a, b: dups.append((a, b)))
    with pytest.raises(PipeClosed), fsio.open_output(Path("-"), force=False, binary=True) as h:
        h.write(b"x")
    assert [target for _fd, target in dups] == [1]


# ---------------------------------------------------------------- progressive outputs


def test_a_progressive_output_is_there_as_it_is_written(folder: Path) -> None:
    out = folder / "vectors.jsonl"
    with fsio.open_progressive(out, force=False) as handle:
        handle.write(b"one\n")
        handle.flush()
        assert out.read_bytes() == b"one\n"  # an interrupted run keeps this
    assert sorted(p.name for p in folder.iterdir()) == ["vectors.jsonl"]


def test_a_progressive_output_never_follows_a_planted_symlink(folder: Path) -> None:
    victim = folder / "victim"
    victim.write_text("precious")
    out = folder / "out"
    out.symlink_to(victim)
    with pytest.raises(UsageError) as caught, fsio.open_progressive(out, force=False) as h:
        h.write(b"x")
    assert caught.value.hint == "pass --force to overwrite it"
    with fsio.open_progressive(out, force=True) as handle:
        handle.write(b"new")
    assert victim.read_text() == "precious"
    assert not out.is_symlink()
    assert out.read_bytes() == b"new"
    assert sorted(p.name for p in folder.iterdir()) == ["out", "victim"]


def test_a_progressive_output_that_appears_after_the_check_is_not_clobbered(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = folder / "out"
    monkeypatch.setattr(fsio, "check_new", lambda *_a, **_k: out.write_text("theirs"))
    with pytest.raises(UsageError), fsio.open_progressive(out, force=False) as handle:
        handle.write(b"ours")
    assert out.read_text() == "theirs"


def test_a_progressive_output_to_stdout_or_a_fifo_is_direct(
    folder: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    with fsio.open_progressive(Path("-"), force=False) as handle:
        handle.write(b"to stdout")
    assert capsysbinary.readouterr().out == b"to stdout"
    fifo = folder / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    with fsio.open_progressive(fifo, force=False) as handle:
        handle.write(b"through")
    reader.join()
    assert received == [b"through"]


def test_a_progressive_write_that_fails_is_exit_1_naming_the_file(folder: Path) -> None:
    out = folder / "out"
    with pytest.raises(fsio.WriteFailed) as caught, fsio.open_progressive(out, force=False) as h:
        raise OSError(errno.ENOSPC, "No space left on device")
    assert caught.value.message == f"cannot write {out}: no space left on device"
    assert caught.value.hint == "free some space or choose another location"
    del h


def test_append_refuses_links_and_special_files(folder: Path) -> None:
    real = folder / "real"
    real.write_bytes(b"a\n")
    with fsio.open_append(real) as handle:
        handle.write(b"b\n")
    assert real.read_bytes() == b"a\nb\n"
    link = folder / "link"
    link.symlink_to(real)
    with pytest.raises(UsageError, match="is a symbolic link; it is not followed"):
        fsio.open_append(link).__enter__()
    fifo = folder / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(UsageError, match="is not a regular file"):
        fsio.open_append(fifo).__enter__()
    with pytest.raises(FileNotFoundError):
        fsio.open_existing(folder / "missing")
    real.chmod(0o400)
    if os.geteuid() != 0:  # root writes anyway
        with pytest.raises(fsio.WriteFailed, match="permission denied"):
            fsio.open_existing(real)


def test_remove_created_only_removes_the_file_it_opened(folder: Path) -> None:
    out = folder / "out"
    with fsio.open_progressive(out, force=False) as handle:
        out.unlink()
        out.write_text("someone else's")
        fsio.remove_created(out, handle)
        assert out.read_text() == "someone else's"
    with fsio.open_progressive(folder / "mine", force=False) as handle:
        fsio.remove_created(folder / "mine", handle)
    assert not (folder / "mine").exists()


def test_check_folder_names_a_missing_folder(folder: Path) -> None:
    fsio.check_folder(folder / "x")
    fsio.check_folder(Path("-"))
    with pytest.raises(UsageError, match=r"there is no folder .*typo$"):
        fsio.check_folder(folder / "typo" / "x")


# ---------------------------------------------------------------- held signals


def test_held_signals_delivers_sigint_after_the_block() -> None:
    steps: list[str] = []

    def hold_a_signal() -> None:
        with fsio.held_signals():
            signal.raise_signal(signal.SIGINT)
            steps.append("the block ran to its end")

    with pytest.raises(KeyboardInterrupt):
        hold_a_signal()
    assert steps == ["the block ran to its end"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_held_signals_is_a_no_op_off_the_main_thread() -> None:
    seen: list[object] = []

    def worker() -> None:
        with fsio.held_signals():
            seen.append(signal.getsignal(signal.SIGINT))

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == [signal.default_int_handler]
