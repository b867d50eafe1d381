"""Fine-tuning wire models: JobIn (strict) and the job, event, checkpoint and estimate answers."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from mistral_cli.api.schemas import Request, Response

JobType = Literal["completion", "classifier"]


class TrainingFileIn(Request):
    """One training file and its sampling weight."""

    file_id: str
    weight: float = Field(default=1.0, gt=0)


class WandbIn(Request):
    """A Weights & Biases integration (the API wants a 40-character key)."""

    type: Literal["wandb"] = "wandb"
    project: str
    api_key: str
    name: str | None = None
    run_name: str | None = None


class HyperparametersIn(Request):
    """Training hyperparameters: steps or epochs, plus the optional knobs."""

    training_steps: int | None = Field(default=None, ge=1)
    learning_rate: float | None = Field(default=None, ge=1e-8, le=1)
    weight_decay: float | None = Field(default=None, ge=0, le=1)
    warmup_fraction: float | None = Field(default=None, ge=0, le=1)
    epochs: float | None = Field(default=None, gt=0)
    seq_len: int | None = Field(default=None, ge=100)
    fim_ratio: float | None = Field(default=None, ge=0, le=1)


class JobIn(Request):
    """POST /v1/fine_tuning/jobs; `auto_start` is always sent (its default is inconsistent)."""

    model: str
    training_files: list[TrainingFileIn]
    validation_files: list[str] | None = None
    suffix: str | None = Field(default=None, max_length=18)
    integrations: list[WandbIn] | None = None
    auto_start: bool
    invalid_sample_skip_percentage: float | None = Field(default=None, ge=0, le=0.5)
    job_type: JobType | None = None
    hyperparameters: HyperparametersIn


class JobMetadata(Response):
    """Estimates the API fills in at VALIDATED (null or 0 before)."""

    expected_duration_seconds: int | None = None
    cost: float | None = None
    cost_currency: str | None = None
    train_tokens_per_step: int | None = None
    train_tokens: int | None = None
    data_tokens: int | None = None
    estimated_start_time: int | None = None


class DryRunOut(JobMetadata):
    """The legacy dry-run answer (LegacyJobMetadataOut)."""

    details: str = ""
    epochs: float | None = None
    training_steps: int | None = None
    object: str = "job.metadata"


class JobEvent(Response):
    """One job event; `data` is optional (status-updated carries {status})."""

    name: str
    data: dict[str, Any] | None = None
    created_at: int = 0


class Metrics(Response):
    """Checkpoint metrics."""

    train_loss: float | None = None
    valid_loss: float | None = None
    valid_mean_token_accuracy: float | None = None


class Checkpoint(Response):
    """A checkpoint with its metrics."""

    metrics: Metrics = Field(default_factory=Metrics)
    step_number: int = 0
    created_at: int = 0


class Job(Response):
    """A fine-tuning job (list items lack events and checkpoints); status is an open string."""

    id: str
    object: str = "job"
    job_type: str = "completion"
    model: str = ""
    status: str = ""
    auto_start: bool | None = None
    created_at: int = 0
    modified_at: int | None = None
    training_files: list[str] = Field(default_factory=list)
    validation_files: list[str] | None = None
    fine_tuned_model: str | None = None
    suffix: str | None = None
    integrations: list[dict[str, Any]] | None = None
    trained_tokens: int | None = None
    hyperparameters: dict[str, Any] = Field(default_factory=dict)
    metadata: JobMetadata | None = None
    events: list[JobEvent] = Field(default_factory=list)
    checkpoints: list[Checkpoint] = Field(default_factory=list)


class JobList(Response):
    """GET /v1/fine_tuning/jobs."""

    data: list[Job] = Field(default_factory=list)
    object: str = "list"
    total: int = 0
