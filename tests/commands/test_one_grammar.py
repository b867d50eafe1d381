"""One grammar for every flag and setting, and settings that config.toml can hold."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

import httpx
import pytest

import tests.fakes.finetune  # noqa: F401  # registers the fine-tuning routes
from mistral_cli import config
from tests.fakes.batch import BatchFake
from tests.fakes.finetune import FineTuneFake
from tests.fakes.router import FakeMistral
from tests.support import Sleeps, invoke, make_context

MODEL = "ministral-8b-latest"


def write_train(path: Path) -> Path:
    sample = {
        "messages": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}]
    }
    path.write_text(json.dumps(sample) + "\n", encoding="utf-8")
    return path


def config_path() -> Path:
    return config.config_file(os.environ)


def test_batch_wait_takes_a_duration_like_every_timeout(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    submitted = invoke(["embed", "--batch"], make_context(fake_transport), input="a\nb\n")
    job_id = submitted.stdout.strip()
    sleeps = Sleeps()
    result = invoke(
        ["batch", "wait", job_id, "--timeout", "6h", "--json"],
        make_context(fake_transport, sleep=sleeps),
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["status"] == "SUCCESS"
    assert fake.module(BatchFake).jobs[job_id].status == "SUCCESS"


def test_a_bad_duration_is_exit_2_naming_the_flag(fake_transport: httpx.MockTransport) -> None:
    result = invoke(["batch", "wait", "job-1", "--timeout", "6x"], make_context(fake_transport))
    assert result.exit_code == 2
    assert result.stderr == (
        "mistral: error: --timeout expects a duration, got '6x'\n"
        "hint: e.g. --timeout 90s, 15m, 6h, 2d or 1h30m (a bare number is seconds)\n"
    )


@pytest.mark.parametrize("argv", [["chat", "hi"], ["embed", "hi"], ["embed", "--batch", "hi"]])
def test_a_budget_in_another_currency_is_exit_2_before_anything_else(
    fake: FakeMistral, fake_transport: httpx.MockTransport, argv: list[str]
) -> None:
    no_key = make_context(fake_transport, env={"MISTRAL_API_KEY": ""})  # usage errors come first
    result = invoke([*argv, "--max-cost", "20EUR"], no_key)
    assert result.exit_code == 2
    assert result.stderr == (
        "mistral: error: --max-cost '20EUR': estimates are in USD; give the amount in USD\n"
        "hint: e.g. --max-cost 5 or --max-cost 0.50 (US dollars)\n"
    )
    assert fake.requests == []


def test_finetune_takes_the_dollar_form_and_names_a_currency_mismatch(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    train = write_train(tmp_path / "train.jsonl")
    fake.module(FineTuneFake).currency = "EUR"  # an estimate not in USD is never compared
    argv = ["finetune", "run", str(train), "-m", MODEL, "--max-cost", "$5", "--no-wait"]
    actx = make_context(fake_transport, env={"MISTRAL_NO_DEPRECATION_NOTICE": "1"})
    result = invoke(argv, actx)
    assert result.exit_code == 11  # parsed, then refused: the API's estimate is in EUR
    (job_id,) = fake.module(FineTuneFake).jobs
    assert result.stderr.splitlines()[-2] == (
        "mistral: error: the estimate is in EUR (€2.50), --max-cost in USD: not compared; "
        f"job {job_id} waits at VALIDATED (nothing is spent until it starts)"
    )


def test_config_set_stores_each_kind_in_its_toml_form() -> None:
    for key, value in (("no_save", "yes"), ("poll_interval", "30s"), ("max_cost", "$0.50")):
        result = invoke(["config", "set", key, value])
        assert result.exit_code == 0, result.stderr
    assert tomllib.loads(config_path().read_text()) == {
        "no_save": True,
        "poll_interval": "30s",
        "max_cost": 0.5,
    }
    assert invoke(["config", "get", "no_save"]).stdout == "true\n"
    assert invoke(["config", "get", "poll_interval"]).stdout == "30\n"
    shown = invoke(["config", "show"]).stdout
    assert f"no_save (MISTRAL_NO_SAVE)\ttrue\t{config_path()}\n" in shown


def test_config_set_refuses_an_environment_only_setting() -> None:
    result = invoke(["config", "set", "data_dir", "/tmp/x"])
    assert result.exit_code == 2
    assert result.stderr == (
        "mistral: error: data_dir cannot be set in the config file\n"
        "hint: MISTRAL_DATA_DIR is read from the environment only\n"
    )
    assert not config_path().exists()


def test_a_profile_the_file_lacks_is_exit_2_with_close_matches() -> None:
    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text('[profiles.work]\nmodel = "m"\n')
    result = invoke(["--profile", "wokr", "config", "show"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"mistral: error: --profile wokr: no such profile in {path}\n"
        "hint: did you mean work? (profiles: work); "
        "`mistral --profile NAME config set KEY VALUE` creates one\n"
    )
    created = invoke(["--profile", "ci", "config", "set", "no_save", "true"])
    assert created.exit_code == 0, created.stderr
    assert invoke(["--profile", "ci", "config", "get", "no_save"]).stdout == "true\n"
