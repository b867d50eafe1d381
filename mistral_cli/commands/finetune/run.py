"""`finetune run`: the whole CI flow in one command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mistral_cli.commands._shared import JsonOpt, ModelOpt
from mistral_cli.commands.finetune import _opts as o


def run(
    ctx: typer.Context,
    train: Annotated[list[str], typer.Argument(metavar="TRAIN...", help="PATH|ID[@WEIGHT].")],
    model: ModelOpt = None,
    val: o.ValOpt = None,
    steps: o.StepsOpt = None,
    epochs: o.EpochsOpt = None,
    lr: o.LrOpt = None,
    seq_len: o.SeqLenOpt = None,
    suffix: o.SuffixOpt = None,
    hp: o.HpOpt = None,
    wandb_project: o.WandbOpt = None,
    wandb_name: o.WandbNameOpt = None,
    wandb_run_name: o.WandbRunNameOpt = None,
    job_type: o.JobTypeOpt = None,
    target: o.TargetOpt = None,
    attach: o.AttachOpt = False,
    reuse_succeeded: bool = typer.Option(
        False, "--reuse-succeeded", help="Return a matching SUCCESS job instead of training."
    ),
    max_cost: o.MaxCostOpt = None,
    cancel_if_over_budget: o.CancelOverOpt = False,
    dry_run: o.DryRunOpt = False,
    estimate_only: o.EstimateOpt = False,
    wait: bool = typer.Option(
        True, "--wait/--no-wait", help="Follow the job to its end (default), or start and exit 0."
    ),
    timeout: o.TimeoutOpt = None,
    no_validate: o.NoValidateOpt = False,
    no_reuse: o.NoReuseOpt = False,
    strict: bool = typer.Option(False, "--strict", help="Validation warnings are fatal."),
    state_file: Annotated[
        Path | None,
        typer.Option("--state-file", metavar="PATH", help="Save the job id here (JSON)."),
    ] = None,
    output_model: o.OutputModelOpt = None,
    force: o.ForceOpt = False,
    cancel_on_interrupt: o.CancelIntOpt = False,
    cancel_on_timeout: o.CancelTimeoutOpt = False,
    json_out: JsonOpt = False,
    jsonl: o.JsonlOpt = False,
) -> None:
    """Validate, upload, create, check the estimate, start and wait; prints the model id last.

    Example: mistral finetune run train.jsonl -m ministral-8b-latest --steps 100 --max-cost 20
    """
    from dataclasses import replace

    from mistral_cli.commands.finetune import _events, _flow, _plan
    from mistral_cli.context import app_context
    from mistral_cli.services.finetune.handoff import check_paths

    actx = app_context(ctx)
    # the values first: a bad --max-cost or --timeout is exit 2 before any other work
    budget, limit = _flow.budget(actx, max_cost), _flow.duration(timeout)
    flags = _plan.JobFlags.from_params(ctx.params)
    plan = replace(
        _plan.plan(actx, flags),
        attach=attach,
        reuse_succeeded=reuse_succeeded,
        budget=budget,
        cancel_if_over_budget=cancel_if_over_budget,
        dry_run=dry_run,
        estimate_only=estimate_only,
        wait=wait,
        timeout=limit,
        validate=not no_validate,
        reuse=not no_reuse,
        strict=strict,
    )
    check_paths(state_file, output_model, force=force)
    _flow.deprecation_notice(actx)
    reporter = _events.Reporter(actx, jsonl=jsonl, state_file=state_file)
    _flow.drive(
        actx,
        _plan.runner(actx).run(plan),
        reporter,
        cancel_on_interrupt=cancel_on_interrupt,
        cancel_on_timeout=cancel_on_timeout,
    )
    handoff = _flow.Handoff(output_model, force)
    _flow.print_job(actx, reporter, json_out=json_out, jsonl=jsonl, handoff=handoff)
