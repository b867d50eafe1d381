"""`finetune create` and `finetune start`."""

from __future__ import annotations

from collections.abc import Iterable

import typer

from mistral_cli.commands._shared import JsonOpt, ModelOpt
from mistral_cli.commands.finetune import _opts as o


def create(
    ctx: typer.Context,
    model: ModelOpt = None,
    train: o.TrainOpt = None,
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
    auto_start: bool = typer.Option(
        False, "--auto-start", help="Start once VALIDATED (with --max-cost: if within it)."
    ),
    attach: o.AttachOpt = False,
    dry_run: o.DryRunOpt = False,
    estimate_only: o.EstimateOpt = False,
    max_cost: o.MaxCostOpt = None,
    cancel_if_over_budget: o.CancelOverOpt = False,
    no_validate: o.NoValidateOpt = False,
    no_reuse: o.NoReuseOpt = False,
    json_out: JsonOpt = False,
    jsonl: o.JsonlOpt = False,
) -> None:
    """Create a job (uploading local files first); prints the job id.

    With a budget (--max-cost, or MISTRAL_MAX_COST) it waits for the estimate: over it, exit 11
    and the job waits at VALIDATED; within it, --auto-start starts it.

    Example: mistral finetune create -m ministral-8b-latest --train train.jsonl --steps 100
    """
    from dataclasses import replace

    from mistral_cli.commands.finetune import _events, _flow, _plan
    from mistral_cli.context import app_context

    actx = app_context(ctx)
    budget = None if dry_run else _flow.budget(actx, max_cost)
    # with a budget: /start after the check
    flags = _plan.JobFlags.from_params(ctx.params, auto_start=auto_start and budget is None)
    run_plan = replace(
        _plan.plan(actx, flags),
        create_only=not (estimate_only or budget),
        estimate_only=estimate_only or not auto_start,
        budget=budget,
        cancel_if_over_budget=cancel_if_over_budget,
        wait=False,
        dry_run=dry_run,
        attach=attach,
        validate=not no_validate,
        reuse=not no_reuse,
    )
    _flow.deprecation_notice(actx)
    reporter = _events.Reporter(actx, jsonl=jsonl)
    _flow.drive(actx, _plan.runner(actx).run(run_plan), reporter)
    _flow.print_job(actx, reporter, json_out=json_out, jsonl=jsonl)


def start(
    ctx: typer.Context,
    job: str | None = typer.Argument(None, metavar="[JOB]", help="A VALIDATED job's id."),
    model: ModelOpt = None,
    train: o.TrainOpt = None,
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
    max_cost: o.MaxCostOpt = None,
    cancel_if_over_budget: o.CancelOverOpt = False,
    no_validate: o.NoValidateOpt = False,
    no_reuse: o.NoReuseOpt = False,
    wait: o.WaitOpt = False,
    timeout: o.TimeoutOpt = None,
    cancel_on_interrupt: o.CancelIntOpt = False,
    cancel_on_timeout: o.CancelTimeoutOpt = False,
    json_out: JsonOpt = False,
    jsonl: o.JsonlOpt = False,
) -> None:
    """Start a VALIDATED job, or create one from flags and start it; --wait follows it.

    Starting JOB checks only an explicit --max-cost (against the job's own estimate).

    Example: mistral finetune start -m ministral-8b-latest --train train.jsonl --wait
    """
    from dataclasses import replace

    from mistral_cli.commands.finetune import _events, _flow, _plan
    from mistral_cli.context import app_context

    actx = app_context(ctx)
    budget = _flow.budget(actx, max_cost, setting=job is None)
    limit = _flow.duration(timeout)
    runner = _plan.runner(actx)
    events: Iterable[object]
    if job is not None:
        _flow.deprecation_notice(actx)
        events = runner.start(
            job,
            budget=budget,
            cancel_if_over_budget=cancel_if_over_budget,
            wait=wait,
            timeout=limit,
        )
    else:
        flags = _plan.JobFlags.from_params(ctx.params)
        run_plan = replace(
            _plan.plan(actx, flags),
            attach=attach,
            budget=budget,
            cancel_if_over_budget=cancel_if_over_budget,
            wait=wait,
            timeout=limit,
            validate=not no_validate,
            reuse=not no_reuse,
        )
        _flow.deprecation_notice(actx)
        events = runner.run(run_plan)
    reporter = _events.Reporter(actx, jsonl=jsonl)
    _flow.drive(
        actx,
        events,
        reporter,
        cancel_on_interrupt=cancel_on_interrupt,
        cancel_on_timeout=cancel_on_timeout,
    )
    _flow.print_job(actx, reporter, json_out=json_out, jsonl=jsonl)
