"""Fine-tuning wire models: JobIn (strict) and the job, event, checkpoint and estimate answers."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from mistral_cli.api.schemas import Page, Request, Response
from mistral_cli.api.schemas.lenient import (
    Count,
    Flag,
    Float,
    Id,
    Int,
    Items,
    Object,
    Opt,
    Text,
    Texts,
    as_float,
)

JobType = Literal["completion", "classifier"]
LossFunction = Literal["single_class", "multi_class"]


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


class ClassifierTargetIn(Request):
    """One classifier target: its labels, weight (≥ 0, default 1) and loss function."""

    name: str
    labels: list[str]
    weight: float = Field(default=1.0, ge=0)
    loss_function: LossFunction | None = None


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
    classifier_targets: list[ClassifierTargetIn] | None = None


class JobMetadata(Response):
    """Estimates the API fills in at VALIDATED (null or 0 before)."""

    expected_duration_seconds: Int = None
    cost: Float = None
    cost_currency: Text = None
    train_tokens_per_step: Int = None
    train_tokens: Int = None
    data_tokens: Int = None
    estimated_start_time: Int = None


class DryRunOut(JobMetadata):
    """The legacy dry-run answer (LegacyJobMetadataOut); a job create may answer it too."""

    details: Text = None
    epochs: Float = None
    training_steps: Int = None
    object: Text = "job.metadata"


class JobEvent(Response):
    """One job event; `data` is optional (status-updated carries {status})."""

    name: Id
    data: Object = None
    created_at: Int = None


class Metrics(Response):
    """Checkpoint metrics."""

    train_loss: Float = None
    valid_loss: Float = None
    valid_mean_token_accuracy: Float = None


class Checkpoint(Response):
    """A checkpoint with its metrics."""

    metrics: Opt[Metrics] = Field(default_factory=Metrics)
    step_number: Count
    created_at: Int = None

    def values(self) -> dict[str, float]:
        """The metrics that have a value."""
        if self.metrics is None:
            return {}
        found = {name: as_float(value) for name, value in self.metrics.model_dump().items()}
        return {name: value for name, value in found.items() if value is not None}


class ClassifierTarget(Response):
    """A classifier target as a job reports it (ClassifierTargetOut)."""

    name: Id
    labels: Texts = Field(default_factory=list)
    weight: Float = None
    loss_function: Text = None


class Integration(Response):
    """An integration as a job reports it (WandbIntegrationOut: never the key)."""

    type: Text = None
    project: Text = None
    name: Text = None
    run_name: Text = None
    url: Text = None


class Job(Response):
    """A fine-tuning job (list items lack events and checkpoints); status is an open string."""

    id: Id
    object: Text = "job"
    job_type: Text = "completion"
    model: Text = None
    status: Text = None
    auto_start: Flag = None
    created_at: Int = None
    modified_at: Int = None
    training_files: Texts = Field(default_factory=list)
    validation_files: Texts = Field(default_factory=list)
    fine_tuned_model: Text = None
    suffix: Text = None
    trained_tokens: Int = None
    hyperparameters: Object = None
    metadata: Opt[JobMetadata] = None
    integrations: Items[Integration] = Field(default_factory=list)
    events: Items[JobEvent] = Field(default_factory=list)
    checkpoints: Items[Checkpoint] = Field(default_factory=list)
    classifier_targets: Items[ClassifierTarget] = Field(default_factory=list)

    @property
    def settings(self) -> dict[str, Any]:
        """The hyperparameters as sent back (empty when the answer carries none)."""
        return self.hyperparameters or {}

    def wire(self) -> dict[str, Any]:
        """The document as received, less any integration key a server might echo."""
        document = super().wire()
        integrations = document.get("integrations")
        if isinstance(integrations, list):
            document["integrations"] = [_keyless(item) for item in integrations]
        return document


def _keyless(item: object) -> object:
    """An integration without its `api_key` (the spec's *Out shapes never carry it)."""
    if isinstance(item, dict):
        return {key: value for key, value in item.items() if key != "api_key"}
    return item


class JobList(Page):
    """GET /v1/fine_tuning/jobs."""

    data: Items[Job]
    object: Text = "list"
    total: Int = None
