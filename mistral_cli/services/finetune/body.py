"""Job requests: flags as a JobSpec of plain values → the strict JobIn body (FT701, FT703)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from mistral_cli.api.schemas.finetune import (
    ClassifierTargetIn,
    HyperparametersIn,
    JobIn,
    TrainingFileIn,
    WandbIn,
)
from mistral_cli.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mistral_cli.services.ftdata.report import ClassTarget

HP_KEYS = frozenset(HyperparametersIn.model_fields)


@dataclass
class JobSpec:
    """Everything a job request needs, as plain values from flags."""

    model: str
    training_files: list[tuple[str, float]] = field(default_factory=list)
    validation_files: list[str] = field(default_factory=list)
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    suffix: str | None = None
    job_type: str | None = None
    wandb_project: str | None = None
    wandb_key: str | None = None
    wandb_name: str | None = None
    wandb_run_name: str | None = None
    auto_start: bool = False
    targets: list[str] = field(default_factory=list)  # --target NAME[:multi], as typed
    classifier_targets: list[ClassTarget] | None = None  # from the data, before the request


def parse_hp(pairs: Sequence[str]) -> dict[str, Any]:
    """`--hp K=V` pairs → typed values; unknown keys (e.g. OpenAI's n_epochs) are usage errors."""
    values: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--hp expects KEY=VALUE, got {pair!r}")
        if key not in HP_KEYS:
            known = ", ".join(sorted(HP_KEYS))
            raise UsageError(f"FT703: unknown hyperparameter {key!r}", hint=f"known: {known}")
        try:
            values[key] = float(raw) if any(c in raw for c in ".eE") else int(raw)
        except ValueError:
            raise UsageError(f"--hp {key}: {raw!r} is not a number") from None
    return values


def hyperparameters(
    pairs: Sequence[str],
    *,
    training_steps: int | None = None,
    epochs: float | None = None,
    learning_rate: float | None = None,
    seq_len: int | None = None,
) -> dict[str, Any]:
    """`--hp K=V` pairs, with the named flags (--steps, --epochs, --lr, --seq-len) over them."""
    values = parse_hp(pairs)
    named = {
        "training_steps": training_steps,
        "epochs": epochs,
        "learning_rate": learning_rate,
        "seq_len": seq_len,
    }
    values.update({key: value for key, value in named.items() if value is not None})
    return values


def check_wandb(spec: JobSpec) -> None:
    """The W&B flags hang together and the key is there (exit 2 before any upload)."""
    if not spec.wandb_project:
        if spec.wandb_name or spec.wandb_run_name:
            flag = "--wandb-name" if spec.wandb_name else "--wandb-run-name"
            raise UsageError(f"{flag} needs --wandb-project")
        return
    if not spec.wandb_key:
        raise UsageError(
            "--wandb-project needs WANDB_API_KEY in the environment",
            hint="export WANDB_API_KEY=… (your key from wandb.ai/authorize); it is never saved",
        )


def build_job_in(spec: JobSpec) -> JobIn:
    """Build the strict request body; out-of-range values are usage errors (FT701)."""
    if not spec.training_files:
        raise UsageError("at least one training file is required (--train PATH|ID[@WEIGHT])")
    check_wandb(spec)
    integrations = None
    if spec.wandb_project and spec.wandb_key:
        wandb = WandbIn(
            project=spec.wandb_project,
            api_key=spec.wandb_key,
            name=spec.wandb_name,
            run_name=spec.wandb_run_name,
        )
        integrations = [wandb]
    try:
        return JobIn(
            model=spec.model,
            training_files=[TrainingFileIn(file_id=f, weight=w) for f, w in spec.training_files],
            validation_files=spec.validation_files or None,
            suffix=spec.suffix,
            integrations=integrations,
            auto_start=spec.auto_start,
            job_type=spec.job_type,  # pydantic checks the literal
            hyperparameters=HyperparametersIn(**spec.hyperparameters),
            classifier_targets=_targets_in(spec.classifier_targets),
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise UsageError(f"FT701: {where}: {first['msg']}") from None


def _targets_in(targets: list[ClassTarget] | None) -> list[ClassifierTargetIn] | None:
    """ClassifierTargetIn per target: weight 1 (the spec's default), loss from single/multi."""
    if not targets:
        return None
    return [
        ClassifierTargetIn(
            name=target.name,
            labels=list(target.labels),
            weight=1.0,
            loss_function="multi_class" if target.multi else "single_class",
        )
        for target in targets
    ]
