"""`conversations show` through a pager on a terminal; never piped; a pager that can't start."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from mistral_cli.output.pager import pager_command
from mistral_cli.services.conversations import ConversationStore, StoredMessage, when
from tests.support import Clock, invoke, make_context

SMALL = "mistral-small-latest"
HOSTILE = "Hello \x1b]0;pwned\x07there \x1b[2Jnow."


@pytest.fixture
def cid(store: ConversationStore) -> str:
    cid = store.create(SMALL, "Greeting")
    store.append(cid, [StoredMessage("user", "Hi"), StoredMessage("assistant", HOSTILE)], SMALL)
    return cid


def transcript(cid: str, clock: Clock, answer: str) -> str:
    return (
        f"# Greeting\n\n{cid[:8]} · {SMALL} · {when(clock.now)}\n\n"
        f"## user\n\nHi\n\n## assistant\n\n{answer}\n"
    )


SHOWN = "Hello ^[]0;pwned^Gthere ^[[2Jnow."


@pytest.fixture
def recorder(tmp_path: Path) -> Path:
    """A pager that records its arguments and what it was given, and shows nothing."""
    script = tmp_path / "pager"
    script.write_text(
        f'#!/bin/sh\nprintf "%s\\n" "$@" > {tmp_path}/args\ncat > {tmp_path}/paged\n',
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


@pytest.mark.parametrize(
    ("setting", "environ", "less", "command"),
    [
        ("most -s", {"PAGER": "more"}, True, ["most", "-s"]),
        ("cat", {}, True, ["cat"]),
        (None, {"PAGER": "less -R"}, True, ["less", "-R"]),
        (None, {"PAGER": "'my pager' --x"}, True, ["my pager", "--x"]),
        (None, {"PAGER": "it's"}, True, ["it's"]),  # an unclosed quote: one program name
        (None, {"PAGER": ""}, True, None),  # PAGER set but empty: no pager
        (None, {"PAGER": " "}, True, None),
        (None, {}, True, ["less", "-FRX"]),
        (None, {}, False, None),
    ],
)
def test_the_pager_is_chosen_from_the_setting_then_pager_then_less(
    setting: str | None, environ: dict[str, str], less: bool, command: list[str] | None
) -> None:
    def which(name: str) -> str | None:
        assert name == "less"
        return "/usr/bin/less" if less else None

    assert pager_command(setting, environ, which) == command


def test_the_pager_setting_comes_from_mistral_pager_or_the_config_file_never_a_dotenv() -> None:
    from mistral_cli import config

    env = config.resolve({}, {"MISTRAL_PAGER": "most"}, {}, {"pager": "less -R"})
    assert (env.pager, env.source("pager")) == ("most", "MISTRAL_PAGER")
    filed = config.resolve({}, {}, {"MISTRAL_PAGER": "sh -c evil"}, {"pager": "less -R"})
    assert (filed.pager, filed.source("pager")) == ("less -R", "config.toml")
    assert config.resolve({}, {}, {"MISTRAL_PAGER": "sh -c evil"}, {}).pager is None


def test_show_on_a_terminal_goes_through_the_pager_sanitised(
    cid: str, clock: Clock, tmp_path: Path, recorder: Path
) -> None:
    actx = make_context(
        tty=True, environ={**os.environ, "MISTRAL_PAGER": f"{recorder} --flag", "PAGER": ""}
    )
    result = invoke(["conversations", "show", cid[:5]], actx)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert (tmp_path / "args").read_text(encoding="utf-8") == "--flag\n"
    assert (tmp_path / "paged").read_text(encoding="utf-8") == transcript(cid, clock, SHOWN)


def test_no_pager_on_a_terminal_writes_directly(
    cid: str, clock: Clock, tmp_path: Path, recorder: Path
) -> None:
    actx = make_context(tty=True, environ={**os.environ, "MISTRAL_PAGER": str(recorder)})
    result = invoke(["conversations", "show", cid, "--no-pager"], actx)
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        transcript(cid, clock, SHOWN),
        "",
    )
    assert not (tmp_path / "paged").exists()


def test_piped_output_is_never_paged(
    cid: str, clock: Clock, tmp_path: Path, recorder: Path
) -> None:
    actx = make_context(environ={**os.environ, "MISTRAL_PAGER": str(recorder)})
    result = invoke(["conversations", "show", cid], actx)
    # piped, the transcript is data: byte for byte, as stored
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        transcript(cid, clock, HOSTILE),
        "",
    )
    assert not (tmp_path / "paged").exists()


def test_a_pager_that_cannot_start_falls_back_to_plain_output(
    cid: str, clock: Clock, tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-pager"
    actx = make_context(tty=True, environ={**os.environ, "MISTRAL_PAGER": f"{missing} -x"})
    result = invoke(["conversations", "show", cid], actx)
    assert (result.exit_code, result.stdout) == (0, transcript(cid, clock, SHOWN))
    assert result.stderr == (
        f"mistral: warning: cannot start the pager {missing} -x: No such file or directory; "
        "shown without it\n"
    )


def test_a_pager_that_quits_early_is_a_normal_ending(
    store: ConversationStore, tmp_path: Path
) -> None:
    cid = store.create(SMALL, "Long")
    store.append(
        cid, [StoredMessage("user", "x " * 400_000), StoredMessage("assistant", "y")], SMALL
    )
    quitter = tmp_path / "quitter"
    quitter.write_text("#!/bin/sh\nhead -c 10 > /dev/null\n", encoding="utf-8")
    quitter.chmod(0o700)
    actx = make_context(tty=True, environ={**os.environ, "MISTRAL_PAGER": str(quitter)})
    result = invoke(["conversations", "show", cid], actx)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
