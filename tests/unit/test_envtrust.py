"""The .env trust policy: where the search stops, who may have written it, trusted content."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from mistral_cli import config, envtrust
from mistral_cli.errors import ConfigError

ME = 1000
OTHER = 1001
MY_GROUP = 1000  # the user's own private group
SHARED_GROUP = 100


def st(mode: int, *, uid: int = ME, gid: int = MY_GROUP) -> os.stat_result:
    """A fake stat result: mode (with the file type bits), owner and group."""
    return os.stat_result((mode, 0, 0, 1, uid, gid, 0, 0, 0, 0))


def solo(gid: int) -> bool:
    return gid == MY_GROUP


FILE = stat.S_IFREG | 0o600
FOLDER = stat.S_IFDIR | 0o755


# ---------------------------------------------------------------- discovery


def test_search_goes_up_to_the_repository_root_and_no_further(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("MISTRAL_MODEL=above\n")
    repo = tmp_path / "repo"
    deep = repo / "src" / "pkg"
    deep.mkdir(parents=True)
    (repo / ".git").mkdir()
    assert envtrust.find_dotenv(deep, home=None) is None
    (repo / ".env").write_text("MISTRAL_MODEL=root\n")
    assert envtrust.find_dotenv(deep, home=None) == repo / ".env"


def test_a_git_file_marks_a_root_too(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("MISTRAL_MODEL=above\n")
    worktree = tmp_path / "wt"
    worktree.mkdir()
    (worktree / ".git").write_text("gitdir: /elsewhere\n")  # a worktree or submodule
    assert envtrust.find_dotenv(worktree, home=None) is None


def test_search_stops_at_home_inclusive(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("MISTRAL_MODEL=above-home\n")
    home = tmp_path / "home"
    work = home / "projects" / "x"
    work.mkdir(parents=True)
    assert envtrust.find_dotenv(work, home=home) is None
    (home / ".env").write_text("MISTRAL_MODEL=home\n")
    assert envtrust.find_dotenv(work, home=home) == home / ".env"


def test_home_given_through_a_symlink_still_stops(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("MISTRAL_MODEL=above-home\n")
    real = tmp_path / "real-home"
    (real / "p").mkdir(parents=True)
    link = tmp_path / "home-link"
    link.symlink_to(real)
    assert envtrust.find_dotenv(real / "p", home=link) is None


def test_outside_home_and_repositories_the_search_reaches_the_top(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("MISTRAL_MODEL=m\n")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert envtrust.find_dotenv(deep, home=tmp_path / "elsewhere") == tmp_path / ".env"


def test_config_discover_uses_home_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("MISTRAL_MODEL=m\n")
    monkeypatch.chdir(tmp_path / "work")
    assert config.discover({"HOME": str(tmp_path / "work")}).dotenv is None
    assert config.discover({"HOME": "/nonexistent"}).dotenv == tmp_path / ".env"


# ---------------------------------------------------------------- who may have written it


@pytest.mark.parametrize(
    ("file", "folder", "reason"),
    [
        (st(FILE), st(FOLDER), None),
        (st(FILE, uid=OTHER), st(FOLDER), f"it belongs to another user (uid {OTHER})"),
        (st(stat.S_IFREG | 0o602), st(FOLDER), "other users can write to it"),
        (st(stat.S_IFREG | 0o620, gid=SHARED_GROUP), st(FOLDER), "other users can write to it"),
        (st(stat.S_IFREG | 0o660), st(FOLDER), None),  # the user's own group
        (st(FILE), st(stat.S_IFDIR | 0o777), "its folder is writable by other users"),
        (
            st(FILE),
            st(stat.S_IFDIR | 0o775, gid=SHARED_GROUP),
            "its folder is writable by other users",
        ),
        (st(FILE), st(stat.S_IFDIR | 0o775), None),  # umask 002 with a per-user group
        (st(FILE), st(stat.S_IFDIR | 0o1777), None),  # sticky and the user's own
        (
            st(FILE),
            st(stat.S_IFDIR | 0o1777, uid=0),  # like /tmp: sticky, but not the user's
            "its folder is writable by other users",
        ),
        (st(FILE), st(FOLDER, uid=OTHER), None),  # a folder others own but cannot be written
    ],
)
def test_unsafe_reason(file: os.stat_result, folder: os.stat_result, reason: str | None) -> None:
    assert envtrust.unsafe_reason(file, folder, uid=ME, solo=solo) == reason


def test_a_world_writable_folder_is_refused_for_real(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    (shared / ".env").write_text("MISTRAL_BASE_URL=http://127.0.0.1:1\n")
    found = envtrust.read_checked(shared / ".env")
    assert found.problem == "its folder is writable by other users"
    assert found.text == ""
    shared.chmod(0o1777)  # sticky, and ours: nobody else can replace our file
    assert envtrust.read_checked(shared / ".env").problem is None


def _foreign_group() -> int | None:
    if os.getuid() == 0:
        return 65534  # root may give a folder to any group (nogroup)
    own = os.getgid()
    return next((gid for gid in os.getgroups() if gid != own), None)


def test_a_group_writable_folder_of_a_shared_group_is_refused_for_real(tmp_path: Path) -> None:
    gid = _foreign_group()
    if gid is None:  # pragma: no cover - depends on the account running the tests
        pytest.skip("this account belongs to no second group")
    shared = tmp_path / "team"
    shared.mkdir()
    os.chown(shared, -1, gid)
    shared.chmod(0o770)
    (shared / ".env").write_text("MISTRAL_MODEL=m\n")
    os.chown(shared / ".env", -1, os.getgid())
    assert envtrust.read_checked(shared / ".env").problem == "its folder is writable by other users"
    shared.chmod(0o750)
    assert envtrust.read_checked(shared / ".env").problem is None


def test_a_file_of_another_user_is_refused(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text("MISTRAL_API_KEY=x\n")
    found = envtrust.read_checked(path, uid=os.getuid() + 1)
    assert found.problem == f"it belongs to another user (uid {os.getuid()})"


def test_a_safe_file_is_read_and_hashed(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_bytes(b"MISTRAL_MODEL=m\n")
    found = envtrust.read_checked(path)
    assert found.problem is None
    assert found.text == "MISTRAL_MODEL=m\n"
    assert found.digest == hashlib.sha256(b"MISTRAL_MODEL=m\n").hexdigest()


def test_solo_group_is_the_users_own_group_only() -> None:
    import grp
    import pwd

    user = pwd.getpwuid(os.getuid())
    try:
        group = grp.getgrgid(user.pw_gid)
    except KeyError:  # pragma: no cover - an account without a group entry
        pytest.skip("no group entry for this account")
    expected = group.gr_name == user.pw_name and set(group.gr_mem) <= {user.pw_name}
    assert envtrust.solo_group(user.pw_gid) is expected
    assert envtrust.solo_group(65534) is False  # nogroup: never the user's own
    assert envtrust.solo_group(2**31 - 7) is False  # no such group


# ---------------------------------------------------------------- hosts


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://api.mistral.ai", True),
        ("https://api.mistral.ai/", True),
        ("https://api.eu.mistral.ai", True),
        ("https://api.us.mistral.ai:443", True),
        ("https://codestral.mistral.ai", True),
        ("http://api.mistral.ai", False),
        ("https://api.mistral.ai:8443", False),
        ("https://api.mistral.ai.evil.example", False),
        ("https://user:pw@api.mistral.ai", False),
        ("https://evil.example/api.mistral.ai", False),
        ("https://api.mistral.ai:port", False),
        ("not a url", False),
    ],
)
def test_official_hosts(url: str, expected: bool) -> None:
    assert envtrust.official(url) is expected


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://api.example.com", "api.example.com"),
        ("http://10.0.0.5:8080", "10.0.0.5"),
        ("http://127.0.0.1:9", None),
        ("http://127.8.9.10", None),
        ("http://[::1]:8000", None),
        ("http://localhost:8000", None),
        ("http://LOCALHOST", None),
        ("https://api.example.com", None),
    ],
)
def test_plain_http_host(url: str, host: str | None) -> None:
    assert envtrust.plain_http_host(url) == host


# ---------------------------------------------------------------- trust list


def test_trust_states(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text("MISTRAL_BASE_URL=http://127.0.0.1:1\n")
    found = envtrust.read_checked(path)
    assert envtrust.state({}, found) == envtrust.UNTRUSTED
    trust = {envtrust.key_for(path): found.digest}
    assert envtrust.state(trust, found) == envtrust.TRUSTED
    path.write_text("MISTRAL_BASE_URL=http://127.0.0.1:2\n")
    assert envtrust.state(trust, envtrust.read_checked(path)) == envtrust.CHANGED


def test_trust_list_round_trip_and_missing(tmp_path: Path) -> None:
    path = tmp_path / "trusted-env.json"
    assert envtrust.read_trust(path) == {}
    path.write_text(envtrust.dump_trust({"/b/.env": "2" * 64, "/a/.env": "1" * 64}))
    assert envtrust.read_trust(path) == {"/a/.env": "1" * 64, "/b/.env": "2" * 64}
    assert path.read_text().index("/a/.env") < path.read_text().index("/b/.env")


@pytest.mark.parametrize("text", ["", "{", "[]", '{"files": []}', '{"files": {"a": 1}}', "{}"])
def test_a_broken_trust_list_is_named(tmp_path: Path, text: str) -> None:
    path = tmp_path / "trusted-env.json"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        envtrust.read_trust(path)
    assert caught.value.message == f"{path}: not a list of trusted .env files"
    assert caught.value.hint is not None
    assert "mistral config trust-env" in caught.value.hint


def test_an_unreadable_trust_list_is_named(tmp_path: Path) -> None:
    path = tmp_path / "trusted-env.json"
    path.mkdir()
    with pytest.raises(ConfigError, match=f"cannot read {path}"):
        envtrust.read_trust(path)


def test_a_fifo_planted_as_dotenv_is_ignored_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / ".env"
    os.mkfifo(fifo)
    assert envtrust.read_checked(fifo).problem == "it is not a regular file"
    assert envtrust.find_dotenv(tmp_path, home=None) is None  # never even picked


def test_a_huge_dotenv_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_bytes(b"# " + b"x" * envtrust.MAX_DOTENV + b"\n")
    with pytest.raises(ConfigError, match=r"larger than 1024 KiB"):
        envtrust.read_checked(path)


def test_a_dotenv_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_bytes(b"MISTRAL_MODEL=\xff\n")
    with pytest.raises(ConfigError, match=r"not UTF-8 text"):
        envtrust.read_checked(path)
