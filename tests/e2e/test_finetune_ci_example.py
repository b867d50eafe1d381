"""examples/github-actions/finetune.yml: valid YAML, and every `run:` step works on the fake.

The steps run as GitHub runs them (`bash -eo pipefail`, $GITHUB_OUTPUT per step, job outputs
from step outputs) with the installed `mistral` against the loopback fake: `pip` is a no-op and
each `${{ … }}` expression comes from a table, so a new expression fails here until it is known.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped, unused-ignore]  # types-PyYAML may be absent

import tests.fakes.files
import tests.fakes.finetune  # noqa: F401  # registers the fine-tuning routes
from tests.commands.test_finetune import write_train
from tests.e2e.conftest import base_env, mistral_executable
from tests.fakes import FakeMistral
from tests.fakes.finetune import FineTuneFake

pytestmark = pytest.mark.e2e
WORKFLOW = Path(__file__).resolve().parents[2] / "examples" / "github-actions" / "finetune.yml"
EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")


def workflow() -> dict[Any, Any]:
    document: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return document


def test_the_workflow_is_yaml_with_the_documented_shape():
    doc = workflow()
    triggers = doc.get("on", doc.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(triggers) == {"pull_request", "push", "workflow_dispatch"}
    assert doc["concurrency"]["cancel-in-progress"] is False
    jobs = doc["jobs"]
    assert jobs["validate"]["if"] == "github.event_name == 'pull_request'"
    assert jobs["train"]["outputs"] == {
        "model": "${{ steps.train.outputs.fine_tuned_model }}",
        "job_id": "${{ steps.train.outputs.job_id }}",
    }
    assert jobs["use"]["needs"] == "train"


def parse_outputs(text: str) -> dict[str, str]:
    """$GITHUB_OUTPUT as the runner reads it: `name=value` and `name<<DELIMITER` blocks."""
    found: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            found[name] = "\n".join(iter(lambda: next(lines), delimiter))
        else:
            name, _, value = line.partition("=")
            found[name] = value
    return found


class Runner:
    """Runs a workflow job's `run:` steps in one workspace, as the Actions runner would."""

    def __init__(self, env: dict[str, str], workspace: Path, known: dict[str, str]) -> None:
        self.env, self.workspace, self.known = env, workspace, known
        self.commands: list[str] = []

    def expand(self, text: str) -> str:
        def value(match: re.Match[str]) -> str:
            assert match.group(1) in self.known, f"unknown expression {match.group(0)}"
            return self.known[match.group(1)]

        return EXPRESSION.sub(value, text)

    def job(self, name: str, spec: dict[str, Any], top_env: dict[str, str]) -> dict[str, str]:
        """Run the job's steps; return its outputs (its `outputs:` over the step outputs)."""
        steps: dict[str, dict[str, str]] = {}
        for index, step in enumerate(spec["steps"]):
            if "run" not in step:
                continue
            outputs = self.workspace / f"output-{name}-{index}"
            outputs.touch()
            env = {**self.env, **top_env, "GITHUB_OUTPUT": str(outputs)}
            env.update({k: self.expand(str(v)) for k, v in step.get("env", {}).items()})
            script = self.expand(step["run"])
            self.commands += [line.strip() for line in script.splitlines() if "mistral " in line]
            shell = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"]
            done = subprocess.run(
                [*shell, "pip() { :; }\n" + script],
                env=env,
                cwd=self.workspace,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            assert done.returncode == 0, f"step {step.get('name', index)}: {done.stderr}"
            steps[step.get("id", str(index))] = parse_outputs(outputs.read_text(encoding="utf-8"))
        for step_id, values in steps.items():
            self.known.update({f"steps.{step_id}.outputs.{k}": v for k, v in values.items()})
        declared = spec.get("outputs", {})
        return {key: self.expand(value) for key, value in declared.items()}


@pytest.fixture
def runner(fake: FakeMistral, fake_server, tmp_path: Path) -> Runner:
    workspace = tmp_path / "repo"
    (workspace / "data").mkdir(parents=True)
    write_train(workspace / "data" / "train.jsonl", count=60)
    turns = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello."}]
    val = json.dumps({"messages": turns}) + "\n"
    (workspace / "data" / "val.jsonl").write_text(val, encoding="utf-8")
    env = base_env(tmp_path, fake_server, None)
    env["PATH"] = f"{Path(mistral_executable()).parent}:/usr/bin:/bin"
    env["MISTRAL_POLL_INTERVAL"] = "0.01"
    known = {"github.run_number": "7", "secrets.MISTRAL_API_KEY": fake.api_key}
    return Runner(env, workspace, known)


def test_pull_request_validates_with_annotations(runner: Runner, fake: FakeMistral):
    doc = workflow()
    runner.job("validate", doc["jobs"]["validate"], doc["env"])
    assert runner.commands[-1] == (
        "mistral finetune validate data/train.jsonl --val data/val.jsonl --format github"
    )
    assert fake.requests == []


def test_main_trains_and_hands_the_model_to_the_next_job(runner: Runner, fake: FakeMistral):
    doc = workflow()
    outputs = runner.job("train", doc["jobs"]["train"], doc["env"])
    job = next(iter(fake.module(FineTuneFake).jobs.values()))
    assert outputs == {"model": job.model_id(), "job_id": job.id}
    assert (runner.workspace / "model.txt").read_text() == f"{job.model_id()}\n"
    assert json.loads((runner.workspace / "job.json").read_text())["status"] == "SUCCESS"
    body = fake.requests_to("POST /v1/fine_tuning/jobs")[0].json()
    assert body["suffix"] == "ci-7"
    assert fake.requests_to("POST /v1/chat/completions")[0].json()["model"] == job.model_id()
    runner.known.update({f"needs.train.outputs.{k}": v for k, v in outputs.items()})
    runner.job("use", doc["jobs"]["use"], doc["env"])
