"""What `finetune status` and `finetune checkpoints` show: values as the server gave them.

A value the server left null is `-`, never Python's `None`; numbers keep the server's digits.
"""

from __future__ import annotations

import json
import shlex
from typing import TYPE_CHECKING

from mistral_cli.services.cells import time_text, unknown

if TYPE_CHECKING:
    from mistral_cli.api.schemas.finetune import Checkpoint, ClassifierTarget, Integration, Job

NULL = "-"
CHECKPOINT_COLUMNS = ("STEP", "TRAIN LOSS", "VALID LOSS", "VALID MEAN TOKEN ACCURACY", "CREATED")


def value_text(value: object) -> str:
    """A JSON value for a person: `-` for null, numbers and booleans as JSON writes them."""
    if value is None:
        return NULL
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def hyperparameters_text(job: Job) -> str:
    """`training_steps: 10, learning_rate: 0.0001, epochs: -` in the server's order."""
    return ", ".join(f"{key}: {value_text(value)}" for key, value in job.settings.items())


def details(job: Job) -> list[tuple[str, str]]:
    """Key/value pairs for `finetune status`."""
    pairs = [
        ("id", job.id),
        ("status", unknown(job.status)),
        ("model", unknown(job.model)),
        ("job type", unknown(job.job_type)),
        ("fine-tuned model", job.fine_tuned_model or NULL),
        ("created", time_text(job.created_at)),
        ("training files", ", ".join(job.training_files) or NULL),
        ("hyperparameters", hyperparameters_text(job) or NULL),
    ]
    if job.validation_files:
        pairs.insert(7, ("validation files", ", ".join(job.validation_files)))
    pairs.extend(("classifier target", target_text(t)) for t in job.classifier_targets)
    pairs.extend(("integration", integration_text(i)) for i in job.integrations)
    meta = job.metadata
    if meta is not None and meta.cost is not None:
        from mistral_cli.services.pricing import money

        pairs.append(("estimated cost", money(meta.cost, (meta.cost_currency or "USD").upper())))
    if job.checkpoints:
        last = max(job.checkpoints, key=lambda c: c.step_number)
        shown = ", ".join(f"{k} {v:g}" for k, v in last.values().items()) or "no metrics"
        pairs.append(("last checkpoint", f"step {last.step_number}: {shown}"))
    return pairs


def target_text(target: ClassifierTarget) -> str:
    """`sentiment: single_class, weight 1, labels negative, neutral, positive`."""
    parts = [target.loss_function or NULL, f"weight {value_text(target.weight)}"]
    parts.append("labels " + (", ".join(target.labels) or NULL))
    return f"{target.name}: " + ", ".join(parts)


def integration_text(item: Integration) -> str:
    """`wandb: project P, name N, run R, url U` (what the server says; never a key)."""
    named = (("project", item.project), ("name", item.name), ("run", item.run_name))
    parts = [f"{label} {value}" for label, value in named if value]
    if item.url:
        parts.append(item.url)
    return f"{item.type or '?'}: " + (", ".join(parts) or NULL)


def next_commands(job: Job) -> list[str]:
    """After SUCCESS: how to use the model (chat, or classify for a classifier job)."""
    if job.status != "SUCCESS" or not job.fine_tuned_model:
        return []
    model = shlex.quote(job.fine_tuned_model)
    if job.job_type == "classifier":
        return [f'mistral classify -m {model} "text to classify"']
    return [f'mistral chat -m {model} "Hello!"']


def checkpoint_rows(job: Job) -> list[list[str]]:
    """One row a checkpoint, by step (see CHECKPOINT_COLUMNS); `-` for a metric not given."""
    return [_checkpoint_row(cp) for cp in sorted(job.checkpoints, key=lambda c: c.step_number)]


def _checkpoint_row(cp: Checkpoint) -> list[str]:
    metrics = cp.metrics
    found = [
        None if metrics is None else getattr(metrics, name)
        for name in ("train_loss", "valid_loss", "valid_mean_token_accuracy")
    ]
    return [str(cp.step_number), *(value_text(v) for v in found), time_text(cp.created_at)]
