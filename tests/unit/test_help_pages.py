"""Help pages are what Typer prints at the terminal's width, however reached; cached ones too."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import platformdirs
import pytest

from mistral_cli import config, launch
from tests.support import invoke

WIDTHS = (60, 80, 120)

# Run in a child at a given COLUMNS: every page of the live app, as Typer prints it (plain and
# behind global options) and as the launcher answers it (rendered, then from the cache).
PROGRAM = r"""
import io, json, shutil, sys
import typer
from mistral_cli import cli, launch

def typer_prints(argv):
    real, sys.stdout = sys.stdout, io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    try:
        code = cli.main(argv)
        sys.stdout.flush()
        return code, sys.stdout.buffer.getvalue().decode()
    finally:
        sys.stdout = real

def walk(command, path=()):
    yield path
    for name, sub in getattr(command, "commands", {}).items():
        yield from walk(sub, (*path, name))

folder = launch.cache_dir()
report = {}
for path in walk(typer.main.get_command(cli.app)):
    argv = [*path, "--help"]
    before = launch.cached_page(folder, shutil.get_terminal_size().columns, list(path))
    report[" ".join(path)] = {
        "typer": typer_prints(argv),
        "debug": typer_prints(["--debug", *argv]),
        "profile": typer_prints(["--profile", "x", *argv]),
        "short": typer_prints([*path, "-h"]),
        "cached_before": before,
        "rendered": launch.answer(argv),
        "cached": launch.cached_page(folder, shutil.get_terminal_size().columns, list(path)),
    }
print(json.dumps(report))
"""


def child_env(tmp_path: Path, width: int) -> dict[str, str]:
    return {**os.environ, "COLUMNS": str(width), "MISTRAL_CACHE_DIR": str(tmp_path / "cache")}


@pytest.fixture(scope="module", params=WIDTHS)
def pages(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple:
    width: int = request.param
    tmp = tmp_path_factory.mktemp(f"pages{width}")
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM],
        capture_output=True, text=True, env=child_env(tmp, width), check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return width, json.loads(done.stdout)


def test_every_page_is_typers_own_however_reached(pages: tuple) -> None:
    width, report = pages
    assert len(report) > 40
    for path, seen in report.items():
        code, text = seen["typer"]
        assert code == 0, path
        assert text.startswith("Usage: mistral "), path
        for way in ("debug", "profile", "short"):
            assert seen[way] == [0, text], f"`{way}` {path} --help differs at {width} columns"
        assert seen["cached_before"] is None
        assert seen["rendered"] == text, f"{path} --help: launcher's page differs at {width}"
        assert seen["cached"] == text, f"{path} --help: cached page differs at {width}"


def test_every_page_fits_the_terminal(pages: tuple) -> None:
    width, report = pages
    for path, seen in report.items():
        wide = [line for line in seen["typer"][1].splitlines() if len(line) > width]
        assert wide == [], f"`mistral {path} --help` at {width} columns"


@pytest.mark.e2e
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", [(), ("chat",), ("finetune", "status")])
def test_installed_mistral_answers_as_typer(
    tmp_path: Path, width: int, path: tuple[str, ...]
) -> None:
    exe = shutil.which("mistral")
    assert exe is not None, "the `mistral` executable is not installed (pip install -e '.[dev]')"

    def run(*argv: str) -> str:
        done = subprocess.run(
            [exe, *argv],
            capture_output=True, text=True, env=child_env(tmp_path, width), check=True, timeout=60,
        )  # fmt: skip
        return done.stdout

    typer_page = run("--debug", *path, "--help")
    assert run(*path, "--help") == typer_page  # rendered, kept
    assert (tmp_path / "cache" / launch.PAGES_FILE).exists()
    assert run(*path, "--help") == typer_page  # from the cache
    assert max(len(line) for line in typer_page.splitlines()) <= width


# ---------------------------------------------------------------- the launcher's own rules


@pytest.mark.parametrize(
    ("args", "path"),
    [
        (["--help"], []),
        (["-h"], []),
        (["models", "list", "--help"], ["models", "list"]),
        (["config", "trust-env", "-h"], ["config", "trust-env"]),
        (["--debug", "--help"], None),
        (["--profile", "x", "chat", "--help"], None),
        (["chat", "--", "--help"], None),
        (["chat", "hello world", "--help"], None),
        (["models", "list"], None),
        ([], None),
    ],
)
def test_help_path(args: list[str], path: list[str] | None) -> None:
    assert launch.help_path(args) == path


def test_version_and_what_is_no_page(tmp_path: Path) -> None:
    assert launch.answer(["--version"]) == launch.version_text()
    assert launch.answer(["-V"]) == launch.version_text()
    assert launch.answer(["nope", "--help"]) is None
    assert launch.answer(["chat", "hello", "--help"]) is None  # a prompt, not a command
    assert launch.answer(["--debug", "--help"]) is None
    assert launch.answer(["models", "list"]) is None
    assert launch.answer([]) is None
    assert not (tmp_path / "home" / "cache" / launch.PAGES_FILE).exists()


def test_version_flag_through_typer_matches() -> None:
    result = invoke(["--version"])
    assert result.stdout == launch.version_text()


def test_pages_are_kept_private_and_per_width(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    launch.keep_page(folder, 80, ["chat"], "page at 80\n")
    launch.keep_page(folder, 60, ["chat"], "page at 60\n")
    assert launch.cached_page(folder, 80, ["chat"]) == "page at 80\n"
    assert launch.cached_page(folder, 60, ["chat"]) == "page at 60\n"
    assert launch.cached_page(folder, 100, ["chat"]) is None
    assert launch.cached_page(folder, 80, ["embed"]) is None
    assert (folder.stat().st_mode & 0o777, (folder / launch.PAGES_FILE).stat().st_mode & 0o777) == (
        0o700,
        0o600,
    )


def test_only_the_latest_widths_are_kept(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    for width in (60, 70, 80, 90, 100):
        launch.keep_page(folder, width, ["chat"], f"chat at {width}\n")
    launch.keep_page(folder, 70, ["embed"], "embed at 70\n")  # 70 is the latest width again
    launch.keep_page(folder, 110, [], "root at 110\n")
    kept = {
        width for width in (60, 70, 80, 90, 100, 110) if launch.cached_page(folder, width, ["chat"])
    }
    assert kept == {70, 90, 100}  # 110, 70, 100 and 90 are the latest widths
    assert launch.cached_page(folder, 70, ["embed"]) == "embed at 70\n"
    assert launch.cached_page(folder, 110, []) == "root at 110\n"
    assert launch.cached_page(folder, 60, ["chat"]) is None


def test_a_changed_renderer_file_drops_the_cache(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    launch.keep_page(folder, 80, ["chat"], "old page\n")
    document = json.loads((folder / launch.PAGES_FILE).read_text())
    recorded = {path for path, *_ in document["files"]}
    assert launch.__file__ in recorded
    assert any("/typer/" in path for path in recorded)
    # a help text edited (or Typer upgraded): one of the files that rendered it is not the same
    source = tmp_path / "module.py"
    source.write_text("x = 1\n")
    document["files"].append(launch._file_stamp(str(source)))
    (folder / launch.PAGES_FILE).write_text(json.dumps(document))
    assert launch.cached_page(folder, 80, ["chat"]) == "old page\n"
    source.write_text("x = 22\n")
    assert launch.cached_page(folder, 80, ["chat"]) is None
    source.unlink()
    assert launch.cached_page(folder, 80, ["chat"]) is None


@pytest.mark.parametrize(
    "change",
    [
        {"version": "0.0.0"},
        {"package": "/elsewhere/mistral_cli"},
        {"typer": "/another/venv/typer/__init__.py"},
        {"format": 0},
    ],
)
def test_another_installation_or_version_drops_the_cache(tmp_path: Path, change: dict) -> None:
    folder = tmp_path / "cache"
    launch.keep_page(folder, 80, ["chat"], "page\n")
    document = json.loads((folder / launch.PAGES_FILE).read_text())
    document["stamp"].update(change)
    (folder / launch.PAGES_FILE).write_text(json.dumps(document))
    assert launch.cached_page(folder, 80, ["chat"]) is None
    launch.keep_page(folder, 80, ["embed"], "embed page\n")  # starts afresh
    assert launch.cached_page(folder, 80, ["embed"]) == "embed page\n"
    assert launch.cached_page(folder, 80, ["chat"]) is None


def test_no_typer_found_means_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "cache"
    launch.keep_page(folder, 80, ["chat"], "page\n")
    monkeypatch.setattr(launch, "_typer_origin", lambda: None)
    assert launch.cached_page(folder, 80, ["chat"]) is None


@pytest.mark.parametrize("content", ["", "{", "[]", '{"stamp": 1}', '{"pages": []}'])
def test_a_broken_cache_file_is_a_miss(tmp_path: Path, content: str) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / launch.PAGES_FILE).write_text(content)
    assert launch.cached_page(folder, 80, ["chat"]) is None
    launch.keep_page(folder, 80, ["chat"], "page\n")
    assert launch.cached_page(folder, 80, ["chat"]) == "page\n"


def test_an_unwritable_cache_costs_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    launch.keep_page(blocker / "cache", 80, ["chat"], "page\n")  # no error
    assert launch.cached_page(blocker / "cache", 80, ["chat"]) is None


def test_cache_dir_is_the_apps(monkeypatch: pytest.MonkeyPatch) -> None:
    assert launch.APP_NAME == config.APP_NAME
    assert launch.cache_dir({"MISTRAL_CACHE_DIR": "~/x"}) == str(Path("~/x").expanduser())
    assert launch.cache_dir({}) == str(platformdirs.user_cache_path(config.APP_NAME))
    monkeypatch.setattr(platformdirs, "user_cache_dir", _no_home)
    assert launch.cache_dir({}) is None


def _no_home(_name: str) -> str:
    raise RuntimeError("no home directory")


def test_a_module_file_that_cannot_be_stamped_costs_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "typer._gone", type(sys)("typer._gone"))
    sys.modules["typer._gone"].__file__ = str(tmp_path / "gone.py")
    launch.keep_page(str(tmp_path / "cache"), 80, ["chat"], "page\n")  # no error
    assert launch.cached_page(str(tmp_path / "cache"), 80, ["chat"]) is None
