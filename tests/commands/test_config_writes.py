"""Writes to config.toml: comments kept, no lost updates, symlinks written through, 0600."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import httpx
import pytest

from mistral_cli import config
from mistral_cli.services import auth as auth_svc
from mistral_cli.services import settings as svc
from tests.fakes.router import FakeMistral
from tests.support import invoke, make_context

COMMENTED = """\
# my settings — keep this comment
model = "mistral-large-latest"  # the big one

# retries for flaky wifi
max_retries = 2

[aliases]
# short names
fast = "ministral-8b-latest"

[profiles.work]
base_url = "https://api.eu.mistral.ai"  # EU data residency
"""


def config_path() -> Path:
    return config.config_file(os.environ)


def write_config(text: str, mode: int = 0o600) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return path


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_set_and_unset_keep_comments_and_layout() -> None:
    path = write_config(COMMENTED)
    assert invoke(["config", "set", "model", "mistral-small-latest"]).exit_code == 0
    assert invoke(["config", "set", "aliases.big", "mistral-large-latest"]).exit_code == 0
    assert invoke(["--profile", "work", "config", "set", "timeout", "30"]).exit_code == 0
    assert invoke(["config", "unset", "max_retries"]).exit_code == 0
    assert (
        path.read_text()
        == """\
# my settings — keep this comment
model = "mistral-small-latest"  # the big one

# retries for flaky wifi

[aliases]
# short names
fast = "ministral-8b-latest"
big = "mistral-large-latest"

[profiles.work]
base_url = "https://api.eu.mistral.ai"  # EU data residency
timeout = 30.0
"""
    )
    assert mode(path) == 0o600


def test_set_in_an_empty_file_creates_private_folder_and_file() -> None:
    assert invoke(["--profile", "lab", "config", "set", "aliases.x", "m"]).exit_code == 0
    assert config_path().read_text() == '[profiles.lab.aliases]\nx = "m"\n'
    assert mode(config_path()) == 0o600
    assert mode(config_path().parent) == 0o700


def test_unset_of_a_missing_setting_writes_nothing() -> None:
    path = write_config(COMMENTED)
    before = path.stat().st_mtime_ns, path.stat().st_ino
    result = invoke(["--profile", "work", "config", "unset", "aliases.fast"])
    assert result.stderr == f"aliases.fast was not set in {path}\n"
    assert (path.stat().st_mtime_ns, path.stat().st_ino) == before
    nowhere = invoke(["--profile", "nowhere", "config", "unset", "aliases.fast"])
    assert nowhere.exit_code == 2  # a profile the file lacks is a typo until `config set` makes it
    assert (path.stat().st_mtime_ns, path.stat().st_ino) == before


def test_a_symlinked_config_file_is_written_through(tmp_path: Path) -> None:
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    target = dotfiles / "mistral.toml"
    target.write_text(COMMENTED)
    target.chmod(0o600)
    link = config_path()
    link.parent.mkdir(parents=True)
    link.symlink_to(target)
    assert invoke(["config", "set", "embed_model", "codestral-embed"]).exit_code == 0
    assert link.is_symlink()
    assert os.readlink(link) == str(target)
    assert 'embed_model = "codestral-embed"\n' in target.read_text()
    assert target.read_text().startswith("# my settings — keep this comment\n")
    assert mode(target) == 0o600
    assert sorted(p.name for p in dotfiles.iterdir()) == ["mistral.toml"]  # no temp file left


def test_a_loose_config_file_is_tightened_once_with_a_notice() -> None:
    path = write_config(COMMENTED, mode=0o644)
    first = invoke(["config", "set", "model", "m1"])
    assert first.stderr == (
        f"mistral: warning: tightened permissions of {path} (was 0644)\n"
        f"model = m1 saved in {path}\n"
    )
    assert mode(path) == 0o600
    assert invoke(["config", "set", "model", "m2"]).stderr == f"model = m2 saved in {path}\n"


def test_a_loose_file_is_tightened_even_when_nothing_changes() -> None:
    path = write_config(COMMENTED, mode=0o640)
    result = invoke(["config", "unset", "embed_model"])
    assert result.stderr.startswith(f"mistral: warning: tightened permissions of {path} (was 0640)")
    assert mode(path) == 0o600
    assert path.read_text() == COMMENTED


def test_a_malformed_file_is_not_rewritten() -> None:
    path = write_config('model = "ok"\nbase_url = \n')
    result = invoke(["config", "set", "model", "x"])
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        f"mistral: error: {path}: Invalid value (at line 2, column 12)\n"
        'hint: fix the TOML syntax, e.g. model = "mistral-small-latest"\n',
    )
    assert path.read_text() == 'model = "ok"\nbase_url = \n'


def test_a_setting_where_a_table_should_be_is_named() -> None:
    path = write_config('aliases = "oops"\n')
    with pytest.raises(Exception, match=r"aliases must be a table") as caught:
        svc.set_value(path, "aliases.fast", "m")
    assert getattr(caught.value, "exit_code", None) == 2
    assert path.read_text() == 'aliases = "oops"\n'


def test_an_unwritable_config_folder_is_exit_1_naming_the_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import errno

    from mistral_cli import fsio

    def full(*args: object, **kwargs: object) -> Path:
        raise OSError(errno.ENOSPC, "No space left on device")

    write_config(COMMENTED)
    monkeypatch.setattr(fsio, "atomic_write", full)
    result = invoke(["config", "set", "model", "x"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"mistral: error: cannot write {config_path()}: no space left on device\n"
        "hint: free some space or choose another location\n"
    )
    assert config_path().read_text() == COMMENTED


def test_twelve_concurrent_sets_keep_all_twelve() -> None:
    path = config_path()
    start = threading.Barrier(12)
    errors: list[BaseException] = []

    def one(index: int) -> None:
        try:
            start.wait()
            svc.set_value(path, f"aliases.a{index}", f"model-{index}")
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    aliases = config.read_config_file(path)["aliases"]
    assert aliases == {f"a{i}": f"model-{i}" for i in range(12)}


# ---------------------------------------------------------------- auth login / logout


def test_login_keeps_comments_and_logout_too(
    fake: FakeMistral, fake_transport: httpx.MockTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_config(COMMENTED, mode=0o644)
    monkeypatch.setattr("getpass.getpass", lambda prompt: fake.api_key)
    actx = make_context(fake_transport, tty=True, env={"MISTRAL_API_KEY": ""})
    result = invoke(["auth", "login"], actx)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith(
        f"mistral: warning: tightened permissions of {path} (was 0644)\n"
    )
    assert path.read_text() == COMMENTED.replace(
        "max_retries = 2\n", f'max_retries = 2\napi_key = "{fake.api_key}"\n'
    )
    assert mode(path) == 0o600
    assert invoke(["auth", "logout"]).exit_code == 0
    assert path.read_text() == COMMENTED


def test_login_in_a_profile_writes_its_section(tmp_path: Path) -> None:
    path = write_config(COMMENTED)
    auth_svc.save_key(path, "sk-work-0123456789", profile="work")
    assert path.read_text() == COMMENTED + 'api_key = "sk-work-0123456789"\n'
    assert auth_svc.remove_key(path, profile="work")
    assert path.read_text() == COMMENTED
    assert not auth_svc.remove_key(path, profile="home")


def test_logout_without_a_config_file_creates_nothing() -> None:
    assert not auth_svc.remove_key(config_path())
    assert not config_path().parent.exists()
