"""Job-request checks FT701–FT704: hyperparameter ranges, suffix, file weights, W&B key."""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mistral_cli.services.ftdata.report import ERROR, WARNING, Finding, Severity, quote

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

MAX_SUFFIX = 18
WANDB_KEY_LENGTH = 40


@dataclass(frozen=True, slots=True)
class Range:
    """A hyperparameter's type and bounds as JobIn declares them."""

    integer: bool
    low: float | None = None
    high: float | None = None
    low_open: bool = False  # exclusive minimum
    completion_only: bool = False

    def describe(self) -> str:
        """`an integer ≥ 1`, `a number in 1e-08–1`, `a number > 0`."""
        noun = "an integer" if self.integer else "a number"
        if self.low is not None and self.high is not None:
            return f"{noun} in {self.low:g}–{self.high:g}"
        return f"{noun} {'>' if self.low_open else '≥'} {self.low:g}"


HYPERPARAMETERS: dict[str, Range] = {
    "training_steps": Range(integer=True, low=1),
    "learning_rate": Range(integer=False, low=1e-8, high=1),
    "epochs": Range(integer=False, low=0, low_open=True),
    "seq_len": Range(integer=True, low=100),
    "weight_decay": Range(integer=False, low=0, high=1),
    "warmup_fraction": Range(integer=False, low=0, high=1),
    "fim_ratio": Range(integer=False, low=0, high=1, completion_only=True),
}


def _finding(rule: str, severity: Severity, path: str, message: str) -> Finding:
    return Finding(rule, severity, "", None, path, message)


def coerce(value: object, spec: Range) -> int | float | None:
    """A --hp value as the number JobIn expects, or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = int(value) if spec.integer else float(value)
        except ValueError:
            return None
    if isinstance(value, float) and spec.integer and value.is_integer():
        value = int(value)
    if spec.integer and not isinstance(value, int):
        return None
    if not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return value


def _in_range(value: float, spec: Range) -> bool:
    if spec.low is not None and (value <= spec.low if spec.low_open else value < spec.low):
        return False
    return spec.high is None or value <= spec.high


def _hyperparameter(key: str, value: object, job_type: str) -> Finding | None:
    path = f"/hyperparameters/{key}"
    spec = HYPERPARAMETERS.get(key)
    if spec is None or (spec.completion_only and job_type == "classifier"):
        known = [
            name
            for name, s in HYPERPARAMETERS.items()
            if not (s.completion_only and job_type == "classifier")
        ]
        close = difflib.get_close_matches(key, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(known)}"
        return _finding("FT703", ERROR, path, f"unknown hyperparameter {key!r}{hint}")
    number = coerce(value, spec)
    if number is None or not _in_range(number, spec):
        return _finding(
            "FT701", ERROR, path, f"{key} must be {spec.describe()}, got {quote(value)}"
        )
    return None


def check_job_request(
    hyperparameters: Mapping[str, object],
    *,
    job_type: str = "completion",
    suffix: str | None = None,
    file_weights: Sequence[float] = (),
    wandb_api_key: str | None = None,
    invalid_sample_skip_percentage: float | None = None,
) -> list[Finding]:
    """FT701 (ranges, suffix, weights), FT702 (steps and epochs), FT703 (keys), FT704 (W&B)."""
    findings = [
        found
        for key, value in hyperparameters.items()
        if (found := _hyperparameter(key, value, job_type)) is not None
    ]
    if (
        hyperparameters.get("training_steps") is not None
        and hyperparameters.get("epochs") is not None
    ):
        message = "both training_steps and epochs are set; the API expects one"
        findings.append(_finding("FT702", WARNING, "/hyperparameters", message))
    if suffix is not None and len(suffix) > MAX_SUFFIX:
        message = f"suffix is {len(suffix)} characters > {MAX_SUFFIX}"
        findings.append(_finding("FT701", ERROR, "/suffix", message))
    for index, weight in enumerate(file_weights):
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not weight > 0:
            message = f"file weight must be > 0, got {quote(weight)}"
            findings.append(_finding("FT701", ERROR, f"/training_files/{index}/weight", message))
    skip = invalid_sample_skip_percentage
    if skip is not None and not 0 <= skip <= 0.5:
        message = f"invalid_sample_skip_percentage must be in 0–0.5, got {quote(skip)}"
        findings.append(_finding("FT701", ERROR, "/invalid_sample_skip_percentage", message))
    if wandb_api_key is not None and len(wandb_api_key) != WANDB_KEY_LENGTH:
        message = (
            f"W&B API key is {len(wandb_api_key)} characters; the API expects {WANDB_KEY_LENGTH}"
        )
        findings.append(_finding("FT704", WARNING, "/integrations/0/api_key", message))
    return findings
