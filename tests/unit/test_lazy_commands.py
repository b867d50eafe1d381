"""The root builds only the sub-app that runs, and the tree it builds is the eager one, exactly."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from typing import Any

import pytest
import typer
from typer.core import TyperGroup

from mistral_cli import cli
from tests.support import invoke

NOUN_MODULES = {name: f"mistral_cli.commands.{name}" for name in cli.NOUNS}


def eager_root() -> Any:
    """The tree as it was built before: every sub-app added to the root with add_typer."""
    eager = copy.copy(cli.app)
    eager.info = copy.copy(cli.app.info)
    eager.info.cls = None
    eager.registered_groups = []
    for module in NOUN_MODULES.values():
        eager.add_typer(__import__(module, fromlist=["app"]).app)
    return typer.main.get_command(eager)


def paths(command: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path of a built tree, hidden ones included."""
    found = [path]
    for name, sub in getattr(command, "commands", {}).items():
        found.extend(paths(sub, (*path, name)))
    return found


def render(root: Any, path: tuple[str, ...], width: int) -> str:
    """The help page of `path` at a forced width (same contexts as cli.help_page)."""
    command = root
    ctx = command.context_class(command, info_name="mistral", terminal_width=width)
    for word in path:
        command = command.get_command(ctx, word)
        ctx = command.context_class(command, info_name=word, parent=ctx)
    return str(command.get_help(ctx))


EAGER = eager_root()


def test_each_noun_line_is_its_sub_apps_own() -> None:
    for name, line in cli.NOUNS.items():
        real = EAGER.commands[name]
        assert real.help.split("\n\n")[0] == line, f"cli.NOUNS[{name!r}] drifted from its sub-app"
        assert (real.short_help, real.hidden, real.deprecated) == (None, False, False)
    assert list(EAGER.commands) == list(cli.NOUNS)


@pytest.mark.parametrize("width", [50, 60, 80, 100, 120])
def test_lazy_tree_renders_every_page_as_the_eager_tree(width: int) -> None:
    lazy = typer.main.get_command(cli.app)
    every = paths(EAGER)
    assert len(every) > 40
    assert paths(lazy) == every  # walking .commands builds every sub-app, in the same order
    for path in every:
        assert render(typer.main.get_command(cli.app), path, width) == render(EAGER, path, width)


def test_root_help_lists_every_noun_without_building_one() -> None:
    root = typer.main.get_command(cli.app)
    assert isinstance(root, cli.LazyGroup)
    root.get_help(root.context_class(root, info_name="mistral"))
    assert not any(root.commands.built(name) for name in cli.NOUNS)  # type: ignore[attr-defined]
    assert root.list_commands(None) == list(cli.NOUNS)


def modules_loaded(argv: list[str]) -> set[str]:
    program = (
        "import json, sys\nfrom mistral_cli.cli import main\n"
        f"try:\n    main({argv!r})\nfinally:\n"
        "    sys.stderr.write('\\n' + json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=False, timeout=60
    )
    return set(json.loads(done.stderr.splitlines()[-1]))


@pytest.mark.parametrize(
    ("argv", "wanted"),
    [
        (["--help"], set()),
        (["models", "list", "--help"], {"models"}),
        (["--debug", "finetune", "status", "--help"], {"finetune"}),
        (["config", "path"], {"config"}),
        (["nope"], set()),
    ],
)
def test_only_the_invoked_nouns_module_is_imported(argv: list[str], wanted: set[str]) -> None:
    loaded = modules_loaded(argv)
    assert {name for name, module in NOUN_MODULES.items() if module in loaded} == wanted


def test_unknown_command_still_suggests_the_close_name() -> None:
    result = invoke(["modles", "list"])
    assert result.exit_code == 2
    assert "No such command 'modles'. Did you mean 'models'?" in result.stderr


def test_a_sub_app_added_the_eager_way_is_kept() -> None:
    extra = typer.Typer(name="extra", help="An extra noun.")
    extra.command("go")(lambda: None)
    app = copy.copy(cli.app)
    app.registered_groups = []
    app.add_typer(extra)
    root = typer.main.get_command(app)
    assert list(root.commands)[-1] == "extra"  # type: ignore[attr-defined]
    assert root.commands.built("extra")  # type: ignore[attr-defined]
    page = root.get_help(root.context_class(root, info_name="m"))
    assert re.search(r"^  extra +An extra noun\.$", page, re.MULTILINE)


def test_commands_mapping_behaves_as_a_mapping() -> None:
    commands = cli.LazyCommands()
    assert len(commands) == len(cli.NOUNS)
    assert "nope" not in commands
    assert not commands.built("usage")
    extra = TyperGroup(name="extra")
    commands["extra"] = extra
    assert list(commands)[-1] == "extra"
    assert commands["extra"] is extra
    del commands["extra"]
    assert "extra" not in commands
    assert len(commands) == len(cli.NOUNS)
    assert isinstance(commands["usage"], TyperGroup)
    assert commands.built("usage")
