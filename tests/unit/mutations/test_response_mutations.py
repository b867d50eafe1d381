"""The response-mutation suite: one field of a real answer changed at a time, never a bug.

For every command that reads an answer (scenarios.py), the answer is recorded once, then each
mutation of it (walk.py: delete, null, unknown enum, another JSON type, an unknown field) is
served in its place. The outcome must be exit 0, or a clean `mistral: error:` line (plus a
hint) with a documented exit code: never a traceback, never "this is a bug in mistral-cli".
Runs in-process through MockTransport with one click command built once (a few ms a case).
"""

from __future__ import annotations

import contextlib
import io
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer

from mistral_cli.cli import app
from mistral_cli.errors import CliError, ExitCode, describe
from tests.fakes import FakeMistral
from tests.fakes.rewrite import Rewrite
from tests.fakes.transport import fake_transport
from tests.support import Sleeps, make_context
from tests.unit.mutations import TALLY
from tests.unit.mutations.scenarios import SCENARIOS, Scenario, spec_example
from tests.unit.mutations.walk import Mutation, mutations

DOCUMENTED = frozenset(int(code) for code in ExitCode)
COMMAND = typer.main.get_command(app)  # built once: Typer rebuilds it on every CliRunner call


@dataclass(frozen=True)
class Outcome:
    """How one run ended."""

    code: int
    stdout: str
    stderr: str
    problem: str | None  # why this outcome breaks the contract, or None
    served: int  # how many times the rewrite changed an answer


def run(scenario: Scenario, workdir: Path, change: Any = None) -> tuple[Outcome, Rewrite]:
    """Run the scenario's command once; `change` rewrites the chosen answer."""
    fake = FakeMistral()
    values = {**scenario.setup(fake), "dir": str(workdir)}
    for name, text in scenario.files.items():
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / name).write_text(text, encoding="utf-8")
    rewrite = Rewrite(change, call=scenario.call, event=scenario.event or 0)
    fake.inject(scenario.route, rewrite, times=scenario.call + 1)
    environ = {
        "MISTRAL_CACHE_DIR": str(workdir / "cache"),
        "MISTRAL_DATA_DIR": str(workdir / "data"),
        "MISTRAL_CONFIG_DIR": str(workdir / "config"),
        "MISTRAL_NO_SAVE": "1",
        "MISTRAL_POLL_INTERVAL": "0",
        "MISTRAL_NO_DEPRECATION_NOTICE": "1",
    }
    env = {"MISTRAL_BASE_URL": "https://api.test", **scenario.env}
    actx = make_context(fake_transport(fake, sleep=Sleeps()), env=env, environ=environ)
    argv = [part.format(**values) for part in scenario.argv]
    out, err = io.StringIO(), io.StringIO()
    code, problem = 0, None
    stdin, sys.stdin = sys.stdin, io.StringIO("")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = COMMAND.main(args=argv, prog_name="mistral", standalone_mode=False, obj=actx)
    except CliError as exc:
        code, problem = exc.exit_code, _unclean(exc)
        err.write(describe(exc) + "\n")
    except Exception as exc:  # the very thing this suite hunts: report, go on
        code, problem = ExitCode.ERROR, f"a bug: {type(exc).__name__}: {exc}"
    finally:
        sys.stdin = stdin
    code = int(code or 0)
    if problem is None and code not in DOCUMENTED:
        problem = f"undocumented exit code {code}"
    if problem is None and fake.errors:
        problem = f"the fake crashed on our next request: {fake.errors[0]!r}"
    outcome = Outcome(code, out.getvalue(), err.getvalue(), problem, rewrite.applied)
    return outcome, rewrite


def _unclean(exc: CliError) -> str | None:
    text = describe(exc)
    if "this is a bug" in text or "internal error" in text or "Traceback" in text:
        return f"reported as a bug: {text!r}"
    if "\n" in exc.message or "\n" in (exc.hint or ""):
        return f"not one line: {text!r}"
    return None


def baseline(scenario: Scenario, workdir: Path) -> tuple[Any, Outcome]:
    """The answer to mutate (the fake's, or the spec example served instead) and its outcome."""
    if scenario.example is not None:
        example = spec_example(scenario.example)
        outcome, _ = run(scenario, workdir, lambda _: example)
        return example, outcome
    outcome, recorder = run(scenario, workdir)
    seen = recorder.seen[scenario.call]
    return (seen[scenario.event] if scenario.event is not None else seen), outcome


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_every_mutation_ends_cleanly(scenario: Scenario, tmp_path: Path) -> None:
    document, first = baseline(scenario, tmp_path / "baseline")
    assert (first.code, first.problem) == (0, None), first.stderr
    failures: list[str] = []
    cases = list(mutations(document))
    for number, mutation in enumerate(cases):
        outcome, _ = run(scenario, tmp_path / str(number), _replacing(mutation, document))
        failure = _judge(scenario, mutation, outcome, first)
        if failure:
            failures.append(f"{mutation}: {failure}\n{outcome.stderr}")
    TALLY[scenario.name] = len(cases)
    assert not failures, f"{len(failures)} of {len(cases)} cases:\n" + "\n".join(failures[:10])


def _replacing(mutation: Mutation, document: Any) -> Any:
    changed = mutation.apply(document)
    return lambda _: changed


def _judge(scenario: Scenario, mutation: Mutation, outcome: Outcome, first: Outcome) -> str:
    if outcome.served != 1:
        return f"the mutated answer was served {outcome.served} times, not once"
    if outcome.problem:
        return outcome.problem
    if outcome.code and not _ends_with_error_line(outcome.stderr):
        return "no `mistral: error:` line at the end"
    if scenario.keep(mutation.path) and (outcome.code, outcome.stdout) != (0, first.stdout):
        return f"must change nothing: exit {outcome.code}, stdout {outcome.stdout!r}"
    return ""


def _ends_with_error_line(stderr: str) -> bool:
    """The last line is the error, or the error and then its hint."""
    lines = stderr.splitlines() or [""]
    error = lines[-2] if lines[-1].startswith("hint: ") and len(lines) > 1 else lines[-1]
    return error.startswith("mistral: error: ")
