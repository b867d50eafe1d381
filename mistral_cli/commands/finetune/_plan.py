"""Build a RunPlan (the service's input) from the create/start/run flags."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from mistral_cli.commands.finetune import _flow

if TYPE_CHECKING:
    from mistral_cli.context import AppContext
    from mistral_cli.services import files as files_svc
    from mistral_cli.services.finetune.body import JobSpec
    from mistral_cli.services.finetune.run import Runner, RunPlan


@dataclass(frozen=True, kw_only=True)
class JobFlags:
    """The job flags create, start and run share, as typed by the user."""

    model: str | None
    train: list[str] = field(default_factory=list)
    val: list[str] = field(default_factory=list)
    steps: int | None = None
    epochs: float | None = None
    lr: float | None = None
    seq_len: int | None = None
    suffix: str | None = None
    hp: list[str] = field(default_factory=list)
    wandb_project: str | None = None
    wandb_name: str | None = None
    wandb_run_name: str | None = None
    job_type: str | None = None
    targets: list[str] = field(default_factory=list)
    auto_start: bool = False

    @classmethod
    def from_params(cls, params: dict[str, Any], **given: Any) -> JobFlags:  # noqa: ANN401
        """The flags from a command's parsed parameters (Typer's `ctx.params`), one place for all.

        A parameter is named as its field (`--target` fills `targets`); a list field gets a
        list, empty when absent; `given` sets what the command decides itself (e.g. `auto_start`).
        """
        named = {**params, "targets": params.get("target")}
        values: dict[str, Any] = {}
        for item in fields(cls):
            if item.name in named and item.name not in given:
                value = named[item.name]
                values[item.name] = list(value or ()) if item.default_factory is list else value
        return cls(**values, **given)


def plan(actx: AppContext, flags: JobFlags) -> RunPlan:
    """Resolve the model and turn flags into a RunPlan (other fields set by the caller)."""
    from mistral_cli.errors import UsageError, register_secret
    from mistral_cli.services.finetune import body
    from mistral_cli.services.finetune.local import parse_weighted
    from mistral_cli.services.finetune.run import RunPlan

    if not flags.model:
        raise UsageError("--model is required (e.g. --model ministral-8b-latest)")
    if not flags.train:
        raise UsageError("--train is required: a .jsonl path or an uploaded file id")
    _check_targets(flags)
    hyper = body.hyperparameters(
        flags.hp,
        training_steps=flags.steps,
        epochs=flags.epochs,
        learning_rate=flags.lr,
        seq_len=flags.seq_len,
    )
    key = actx.environ.get("WANDB_API_KEY") if flags.wandb_project else None
    if key:
        register_secret(key)  # --debug traces the request body: the key shows as ****
    spec = body.JobSpec(
        model=flags.model,
        hyperparameters=hyper,
        suffix=flags.suffix,
        job_type=flags.job_type,
        wandb_project=flags.wandb_project,
        wandb_key=key,
        wandb_name=flags.wandb_name,
        wandb_run_name=flags.wandb_run_name,
        auto_start=flags.auto_start,
        targets=list(flags.targets),
    )
    body.check_wandb(spec)
    train = [parse_weighted(t) for t in flags.train]
    _check_request(actx, spec, [weight for _, weight in train])
    return RunPlan(spec=spec, train=train, val=list(flags.val))


def _check_targets(flags: JobFlags) -> None:
    """--target only for classifier jobs; each NAME[:multi] well-formed (exit 2, before work)."""
    from mistral_cli.errors import UsageError
    from mistral_cli.services.ftdata.validate import parse_target

    if flags.targets and flags.job_type != "classifier":
        raise UsageError("--target is for classifier jobs", hint="add --job-type classifier")
    for text in flags.targets:
        parse_target(text)


def _check_request(actx: AppContext, spec: JobSpec, weights: list[float]) -> None:
    """FT701–FT704 before any upload: errors are usage errors, warnings are printed."""
    from mistral_cli.commands.finetune._render import finding_line
    from mistral_cli.errors import UsageError
    from mistral_cli.services.ftdata.request import check_job_request

    findings = check_job_request(
        spec.hyperparameters,
        job_type=spec.job_type or "completion",
        suffix=spec.suffix,
        file_weights=weights,
        wandb_api_key=spec.wandb_key if spec.wandb_project else None,
    )
    errors = [f for f in findings if f.severity == "error"]
    for finding in findings:
        if finding.severity != "error":
            actx.out.warn(finding_line(finding))
    if errors:
        raise UsageError("; ".join(finding_line(f) for f in errors))


def runner(actx: AppContext) -> Runner:
    """A Runner over this context's client, upload cache, poll policy, sleep, rand and clock."""
    from mistral_cli.services.finetune.run import Runner

    client = actx.client()
    return Runner(
        client=client,
        files_client=client,
        cache=upload_cache(actx),
        policy=_flow.poll_policy(actx),
        sleep=actx.sleep,
        rand=actx.rand,
        clock=actx.clock,
        resolve_model=actx.resolve_model,
    )


def upload_cache(actx: AppContext) -> files_svc.UploadCache:
    """The per-server upload cache in the cache dir."""
    from mistral_cli.services import files as files_svc

    return files_svc.UploadCache(actx.cache_dir() / "uploads.json", actx.settings.base_url)
