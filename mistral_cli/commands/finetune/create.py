"""`finetune create` and `finetune start`."""

from __future__ import annotations

from collections.abc import Iterable

import typer

from mistral_cli.commands._shared import JsonOpt, ModelOpt
from mistral_cli.commands.finetune import _opts as o
from mistral_cli.commands.finetune._app import app


@app.command("create")
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
    job_type: o.JobTypeOpt = None,
    auto_start: bool = typer.Option(False, "--auto-start", help="Start once VALIDATED."),
    attach: o.AttachOpt = False,
    dry_run: o.DryRunOpt = False,
    estimate_only: o.EstimateOpt = False,
    no_validate: o.NoValidateOpt = False,
    no_reuse: o.NoReuseOpt = False,
    json_out: JsonOpt = False,
    jsonl: o.JsonlOpt = False,
) -> None:
    """Create a job (uploading local files first); prints the job id.

    Example: mistral finetune create -m ministral-8b-latest --train train.jsonl --steps 100
    """
    from mistral_cli.commands.finetune import _flow, _plan
    from mistral_cli.context import app_context

    actx = app_context(ctx)
    flags = _plan.Flags(
        model, train or [], val or [], steps, epochs, lr, seq_len, suffix, hp or [],
        wandb_project, job_type,
    )  # fmt: skip
    run_plan = _plan.plan(actx, flags)
    run_plan.spec.auto_start = auto_start
    run_plan.create_only = not estimate_only
    run_plan.estimate_only, run_plan.dry_run, run_plan.attach = estimate_only, dry_run, attach
    run_plan.validate, run_plan.reuse = not no_validate, not no_reuse
    _flow.deprecation_notice(actx)
    reporter = _flow.Reporter(actx, jsonl=jsonl)
    _flow.drive(actx, _plan.runner(actx).run(run_plan), reporter)
    _flow.print_job(actx, reporter, json_out=json_out, jsonl=jsonl)


@app.command("start")
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
    job_type: o.JobTypeOpt = None,
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

    Example: mistral finetune start -m ministral-8b-latest --train train.jsonl --wait
    """
    from mistral_cli.commands.finetune import _flow, _plan
    from mistral_cli.context import app_context
    from mistral_cli.services.finetune import jobs as svc

    actx = app_context(ctx)
    limit = _flow.duration(timeout)
    reporter = _flow.Reporter(actx, jsonl=jsonl)
    runner = _plan.runner(actx)
    events: Iterable[object]
    if job is not None:
        _flow.deprecation_notice(actx)
        started = svc.start_job(actx.client(), job)
        reporter.track(started)
        events = runner.wait(started.id, limit) if wait else iter(())
    else:
        flags = _plan.Flags(
            model, train or [], val or [], steps, epochs, lr, seq_len, suffix, hp or [],
            wandb_project, job_type,
        )  # fmt: skip
        run_plan = _plan.plan(actx, flags)
        run_plan.attach, run_plan.budget = attach, _flow.budget(max_cost)
        run_plan.cancel_if_over_budget, run_plan.wait, run_plan.timeout = (
            cancel_if_over_budget, wait, limit
        )  # fmt: skip
        run_plan.validate, run_plan.reuse = not no_validate, not no_reuse
        _flow.deprecation_notice(actx)
        events = runner.run(run_plan)
    _flow.drive(
        actx, events, reporter, cancel_on_interrupt=cancel_on_interrupt,
        cancel_on_timeout=cancel_on_timeout,
    )  # fmt: skip
    _flow.print_job(actx, reporter, json_out=json_out, jsonl=jsonl)
