"""Option aliases shared by the finetune verbs (typer only: keeps `--help` fast)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

JobArg = Annotated[str, typer.Argument(metavar="JOB", help="Job id.")]
TrainOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--train", metavar="PATH|ID[@W]", help="Training file path or id, optional @weight."
    ),
]
ValOpt = Annotated[
    list[str] | None, typer.Option("--val", metavar="PATH|ID", help="Validation file path or id.")
]
StepsOpt = Annotated[
    int | None, typer.Option("--steps", metavar="N", help="Training steps (or --epochs).")
]
EpochsOpt = Annotated[float | None, typer.Option("--epochs", metavar="N", help="Epochs.")]
LrOpt = Annotated[float | None, typer.Option("--lr", metavar="RATE", help="Learning rate.")]
SeqLenOpt = Annotated[int | None, typer.Option("--seq-len", metavar="N", help="Sequence length.")]
SuffixOpt = Annotated[
    str | None, typer.Option("--suffix", metavar="TEXT", help="Model name suffix (≤ 18).")
]
HpOpt = Annotated[
    list[str] | None,
    typer.Option("--hp", metavar="K=V", help="Other hyperparameter (weight_decay=0.1…)."),
]
WandbOpt = Annotated[
    str | None,
    typer.Option("--wandb-project", metavar="NAME", help="W&B project (key from WANDB_API_KEY)."),
]
WandbNameOpt = Annotated[
    str | None, typer.Option("--wandb-name", metavar="NAME", help="W&B run display name.")
]
WandbRunNameOpt = Annotated[
    str | None, typer.Option("--wandb-run-name", metavar="NAME", help="W&B run name.")
]
TargetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--target",
        metavar="NAME[:multi]",
        help="Classifier target to train (repeatable; labels from the data). Default: all.",
    ),
]
JobTypeOpt = Annotated[
    str | None, typer.Option("--job-type", metavar="TYPE", help="completion or classifier.")
]
AttachOpt = Annotated[
    bool, typer.Option("--attach", help="Follow a matching job of mine instead of a 409.")
]
DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Ask for the legacy dry-run estimate and stop.")
]
EstimateOpt = Annotated[
    bool, typer.Option("--estimate-only", help="Stop at VALIDATED after the estimate (exit 0).")
]
MaxCostOpt = Annotated[
    str | None,
    typer.Option(
        "--max-cost", metavar="USD", help="Exit 11 if the estimate is higher (20, $20, 20USD)."
    ),
]
CancelOverOpt = Annotated[
    bool, typer.Option("--cancel-if-over-budget", help="Cancel the job when over --max-cost.")
]
NoValidateOpt = Annotated[bool, typer.Option("--no-validate", help="Skip the local data checks.")]
NoReuseOpt = Annotated[
    bool, typer.Option("--no-reuse", help="Upload again even if identical bytes are there.")
]
TimeoutOpt = Annotated[
    str | None,
    typer.Option("--timeout", metavar="DURATION", help="Give up waiting (6h, 30m, 90s): exit 124."),
]
WaitOpt = Annotated[bool, typer.Option("--wait", help="Follow the job to its end.")]
CancelIntOpt = Annotated[
    bool, typer.Option("--cancel-on-interrupt", help="On Ctrl-C, cancel the job before leaving.")
]
CancelTimeoutOpt = Annotated[
    bool, typer.Option("--cancel-on-timeout", help="On --timeout, cancel the job.")
]
JsonlOpt = Annotated[
    bool, typer.Option("--jsonl", help="Events as JSON lines on stdout (type, schema_version).")
]
OutputModelOpt = Annotated[
    Path | None,
    typer.Option("--output-model", metavar="FILE", help="On SUCCESS, write the model id here."),
]
ForceOpt = Annotated[
    bool, typer.Option("--force", help="With --output-model: replace an existing FILE.")
]
