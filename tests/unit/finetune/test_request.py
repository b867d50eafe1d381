"""check_job_request: FT701 ranges, FT702 steps and epochs, FT703 unknown keys, FT704 W&B key."""

from __future__ import annotations

import pytest

from mistral_cli.services.ftdata.request import HYPERPARAMETERS, check_job_request, coerce


def found(**kwargs: object) -> list[tuple[str, str, str, str]]:
    hp = kwargs.pop("hp", {})
    return [(f.rule, f.severity, f.path, f.message) for f in check_job_request(hp, **kwargs)]  # type: ignore[arg-type]


def test_a_valid_request_has_no_findings() -> None:
    hp = {
        "training_steps": "100",
        "learning_rate": 1e-4,
        "seq_len": 8192.0,
        "weight_decay": "0.1",
        "warmup_fraction": 0,
        "fim_ratio": 1,
    }
    assert (
        found(
            hp=hp,
            suffix="x" * 18,
            file_weights=[1, 0.5],
            wandb_api_key="k" * 40,
            invalid_sample_skip_percentage=0.5,
        )
        == []
    )


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("training_steps", 0, "training_steps must be an integer ≥ 1, got 0"),
        ("training_steps", "1.5", "training_steps must be an integer ≥ 1, got '1.5'"),
        ("training_steps", True, "training_steps must be an integer ≥ 1, got true"),
        ("learning_rate", 2, "learning_rate must be a number in 1e-08–1, got 2"),
        ("learning_rate", "1e-9", "learning_rate must be a number in 1e-08–1, got '1e-9'"),
        ("learning_rate", "nan", "learning_rate must be a number in 1e-08–1, got 'nan'"),
        ("epochs", 0, "epochs must be a number > 0, got 0"),
        ("seq_len", 99, "seq_len must be an integer ≥ 100, got 99"),
        ("weight_decay", -0.1, "weight_decay must be a number in 0–1, got -0.1"),
        ("warmup_fraction", "x", "warmup_fraction must be a number in 0–1, got 'x'"),
        ("fim_ratio", [1], "fim_ratio must be a number in 0–1, got array"),
    ],
)
def test_ranges(key: str, value: object, message: str) -> None:
    assert found(hp={key: value}) == [("FT701", "error", f"/hyperparameters/{key}", message)]


def test_unknown_keys_suggest_a_close_one() -> None:
    assert found(hp={"n_epochs": 3, "zzz": 1}) == [
        (
            "FT703",
            "error",
            "/hyperparameters/n_epochs",
            "unknown hyperparameter 'n_epochs'; did you mean 'epochs'?",
        ),
        (
            "FT703",
            "error",
            "/hyperparameters/zzz",
            "unknown hyperparameter 'zzz'; known: " + ", ".join(HYPERPARAMETERS),
        ),
    ]


def test_fim_ratio_is_completion_only() -> None:
    [(rule, _, _, message)] = found(hp={"fim_ratio": 0.5}, job_type="classifier")
    assert rule == "FT703"
    assert "fim_ratio" not in message.split(";")[1]


def test_steps_and_epochs_together() -> None:
    assert found(hp={"training_steps": 10, "epochs": 2}) == [
        (
            "FT702",
            "warning",
            "/hyperparameters",
            "both training_steps and epochs are set; the API expects one",
        )
    ]


def test_request_fields() -> None:
    assert found(
        suffix="x" * 19,
        file_weights=[1, 0, -1, True],
        wandb_api_key="k" * 41,
        invalid_sample_skip_percentage=0.6,
    ) == [
        ("FT701", "error", "/suffix", "suffix is 19 characters > 18"),
        ("FT701", "error", "/training_files/1/weight", "file weight must be > 0, got 0"),
        ("FT701", "error", "/training_files/2/weight", "file weight must be > 0, got -1"),
        ("FT701", "error", "/training_files/3/weight", "file weight must be > 0, got true"),
        (
            "FT701",
            "error",
            "/invalid_sample_skip_percentage",
            "invalid_sample_skip_percentage must be in 0–0.5, got 0.6",
        ),
        (
            "FT704",
            "warning",
            "/integrations/0/api_key",
            "W&B API key is 41 characters; the API expects 40",
        ),
    ]


def test_findings_never_echo_the_wandb_key() -> None:
    key = "secret-" + "k" * 30
    assert all(key not in f.message for f in check_job_request({}, wandb_api_key=key))


def test_coerce() -> None:
    assert coerce("100", HYPERPARAMETERS["training_steps"]) == 100
    assert coerce(100.0, HYPERPARAMETERS["training_steps"]) == 100
    assert coerce("0.5", HYPERPARAMETERS["epochs"]) == 0.5
    assert coerce("inf", HYPERPARAMETERS["epochs"]) is None
