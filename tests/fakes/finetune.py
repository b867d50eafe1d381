"""Fine-tuning jobs: create (dry run too), list, get, start, cancel, with a scripted life cycle.

Importing this module registers its routes. Each GET of a job advances it one step along its
script: QUEUED → VALIDATING → VALIDATED (rests there unless auto_start), then after /start
QUEUED → RUNNING → the ending. Tests configure `fake.module(FineTuneFake)`: `ending` (SUCCESS,
FAILED, FAILED_VALIDATION, CANCELLED, PAUSED for an unknown status, RUNNING for endless),
`cost` and `currency` (USD, as the API's estimates), `dry_run_answer` ("metadata" or "job"),
`entitled`. Bodies are checked against JobIn of openapi.yaml and, stricter than the API (which
drops unknown keys), unknown keys answer 422. A job echoes its W&B integrations without the key
(WandbIntegrationOut, with a run url) and its classifier targets (ClassifierTargetOut); its
checkpoints carry valid_* metrics only when it has validation files, as the API's do. The job
list's `created_after` must be a date-time (`2025-01-01T00:00:00`): a bare date is a 422.
Once a job is seen at SUCCESS its model is listed in the catalogue (chat, or classification).
"""

from __future__ import annotations

import copy
import functools
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]  # ships no stubs
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.fakes import spec
from tests.fakes.router import FakeMistral, FakeModule, PathParams, now, route
from tests.fakes.wire import FakeRequest, FakeResponse, api_error, json_response

NOT_ENTITLED: Final = (
    "Model not available for this type of fine-tuning (completion). Available model(s): "
)
TERMINAL: Final = ("SUCCESS", "FAILED", "FAILED_VALIDATION", "CANCELLED")
BUSY: Final = ("QUEUED", "STARTED", "VALIDATING", "VALIDATED", "RUNNING")
VALIDATION: Final = ("QUEUED", "VALIDATING", "VALIDATED")
RUN_SCRIPTS: Final = {
    "SUCCESS": ("QUEUED", "RUNNING", "RUNNING", "SUCCESS"),
    "FAILED": ("QUEUED", "RUNNING", "FAILED"),
    "CANCELLED": ("QUEUED", "RUNNING", "CANCELLED"),
    "PAUSED": ("QUEUED", "RUNNING", "PAUSED", "PAUSED", "RUNNING", "SUCCESS"),
    "RUNNING": ("QUEUED", "RUNNING"),  # endless: rests at RUNNING
    "FAILED_VALIDATION": ("QUEUED", "RUNNING", "SUCCESS"),  # never reached
}
JOB_IN_KEYS: Final = frozenset(
    {
        "model",
        "training_files",
        "validation_files",
        "suffix",
        "integrations",
        "auto_start",
        "invalid_sample_skip_percentage",
        "job_type",
        "hyperparameters",
        "repositories",
        "classifier_targets",
    }
)
HYPER_KEYS: Final = frozenset(
    {
        "training_steps",
        "learning_rate",
        "weight_decay",
        "warmup_fraction",
        "epochs",
        "seq_len",
        "fim_ratio",
    }
)
CHAT_CAPABILITIES: Final = ("completion_chat", "function_calling")
TOKENS_PER_STEP: Final = 131072
DATA_TOKENS: Final = 305375


@dataclass
class FakeJob:
    """One job: the request it came from, where it is in its script, events and checkpoints."""

    id: str
    body: dict[str, Any]
    script: tuple[str, ...]
    created_by_me: bool = True
    position: int = 0
    created_at: int = field(default_factory=now)
    modified_at: int = field(default_factory=now)
    events: list[dict[str, Any]] = field(default_factory=list)
    checkpoints: list[dict[str, Any]] = field(default_factory=list)
    cost: float = 2.5
    currency: str = "USD"
    workspace: str = "7d1e40aa"
    validated: bool = False

    @property
    def status(self) -> str:
        """Return the current status (the script's current step)."""
        return self.script[self.position]

    def follow(self, script: tuple[str, ...]) -> None:
        """Switch to a new script, at its first step."""
        self.script, self.position = script, 0
        self._entered()

    def advance(self) -> None:
        """Move one step along the script (a GET does this); rests on the last step."""
        if self.position < len(self.script) - 1:
            self.position += 1
            self._entered()

    def _entered(self) -> None:
        self.modified_at = now()
        self.validated = self.validated or self.status == "VALIDATED"
        self.events.append(
            {"name": "status-updated", "data": {"status": self.status}, "created_at": now()}
        )
        if self.status == "VALIDATING":
            self.events.append({"name": "validation-started", "created_at": now()})
        if self.status in ("RUNNING", "SUCCESS"):
            step = 10 * (len(self.checkpoints) + 1)
            validated = bool(self.body.get("validation_files"))
            metrics = {
                "train_loss": round(2.0 / step, 4),
                "valid_loss": round(2.2 / step, 4) if validated else None,
                "valid_mean_token_accuracy": round(1 - 1.0 / step, 4) if validated else None,
            }
            self.checkpoints.append({"metrics": metrics, "step_number": step, "created_at": now()})

    def hyperparameters(self) -> dict[str, Any]:
        """Return every hyperparameter as the API does: defaults filled in, null when unset."""
        given = {k: v for k, v in self.body.get("hyperparameters", {}).items() if v is not None}
        defaults: dict[str, Any] = {
            "training_steps": None,
            "learning_rate": 0.0001,
            "weight_decay": 0.1,
            "warmup_fraction": 0.05,
            "epochs": None,
            "seq_len": None,
        }
        if self.job_type == "completion":
            defaults["fim_ratio"] = 0.9
        return {**defaults, **given}

    @property
    def job_type(self) -> str:
        """Return completion or classifier."""
        return str(self.body.get("job_type") or "completion")

    def metadata(self) -> dict[str, Any] | None:
        """Return JobMetadataOut: null until the job has been VALIDATED."""
        if not self.validated:
            return None
        return metadata(self.hyperparameters(), self.cost, self.currency)

    def document(self, *, detailed: bool) -> dict[str, Any]:
        """Return the job as *JobOut, or *DetailedJobOut when `detailed`."""
        files = [entry["file_id"] for entry in self.body.get("training_files", [])]
        doc: dict[str, Any] = {
            "id": self.id,
            "object": "job",
            "job_type": self.job_type,
            "auto_start": bool(self.body.get("auto_start", False)),
            "model": self.body["model"],
            "status": self.status,
            "created_at": self.created_at,
            "modified_at": self.modified_at,
            "training_files": files,
            "validation_files": self.body.get("validation_files") or [],
            "fine_tuned_model": self.model_id() if self.status == "SUCCESS" else None,
            "suffix": self.body.get("suffix"),
            "integrations": [self._public(i) for i in self.body.get("integrations") or []],
            "trained_tokens": None,
            "metadata": self.metadata(),
            "hyperparameters": self.hyperparameters(),
        }
        if detailed:
            doc["events"] = list(self.events)
            doc["checkpoints"] = list(self.checkpoints)
            if self.job_type == "classifier":
                doc["classifier_targets"] = [_target_out(t) for t in self.targets()]
        return doc

    def targets(self) -> list[dict[str, Any]]:
        """Return the targets asked for (the API infers them when none were sent)."""
        return list(self.body.get("classifier_targets") or [])

    def _public(self, integration: dict[str, Any]) -> dict[str, Any]:
        """Return WandbIntegrationOut: the integration without its key, with the run's url."""
        shown = {k: v for k, v in integration.items() if k != "api_key"}
        shown.setdefault("type", "wandb")
        shown["url"] = f"https://wandb.ai/{integration.get('project')}/runs/{self.id[:8]}"
        return shown

    def model_id(self) -> str:
        """Return the fine-tuned model's id."""
        suffix = self.body.get("suffix") or ""
        return f"ft:{self.body['model']}:{self.workspace}:{suffix}:{self.id[:8]}"

    def same_request(self, body: dict[str, Any]) -> bool:
        """Decide whether `body` asks for the same job (model, files, hyperparameters, suffix)."""
        keys = ("model", "training_files", "suffix", "hyperparameters")
        return all(_norm(self.body.get(k)) == _norm(body.get(k)) for k in keys)


def metadata(hyperparameters: dict[str, Any], cost: float, currency: str = "USD") -> dict[str, Any]:
    """Return the estimate fields the API computes at VALIDATED."""
    steps = hyperparameters.get("training_steps") or 10
    return {
        "expected_duration_seconds": 60 * steps,
        "cost": cost,
        "cost_currency": currency,
        "train_tokens_per_step": TOKENS_PER_STEP,
        "train_tokens": TOKENS_PER_STEP * steps,
        "data_tokens": DATA_TOKENS,
        "estimated_start_time": None,
    }


def _date_time(text: str) -> float | None:
    """Return an RFC 3339 / ISO 8601 date-time as a Unix time (naive = UTC); None otherwise."""
    if "T" not in text.upper():
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


def _norm(value: object) -> object:
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_norm(v) for v in value]
    return value


def _target_out(target: dict[str, Any]) -> dict[str, Any]:
    """Return ClassifierTargetOut: weight and loss_function filled in as the API does."""
    return {
        "name": target["name"],
        "labels": list(target["labels"]),
        "weight": target.get("weight", 1.0),
        "loss_function": target.get("loss_function") or "single_class",
    }


@functools.cache
def _job_in_validator() -> Any:
    """A JobIn validator over a copy of openapi.yaml whose numeric strings ("1e-08") are numbers.

    The vendored YAML spells a bound as `1e-08`, which YAML 1.1 reads as a string; jsonschema
    then fails comparing it with a float.
    """
    document = _numbers_fixed(copy.deepcopy(spec.load_spec(spec.LEGACY_SPEC)))
    uri = "urn:mistral-openapi:finetune-fixed"
    resource: Resource[Any] = Resource.from_contents(document, default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource(uri, resource)
    return Draft202012Validator({"$ref": f"{uri}#/components/schemas/JobIn"}, registry=registry)


def _numbers_fixed(node: Any) -> Any:
    bounds = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
    if isinstance(node, dict):
        for key, value in node.items():
            if key in bounds and isinstance(value, str):
                node[key] = float(value)
            else:
                _numbers_fixed(value)
    elif isinstance(node, list):
        for item in node:
            _numbers_fixed(item)
    return node


def job_in_violations(body: object) -> list[dict[str, object]]:
    """Check a create body against JobIn, plus unknown keys (the API would drop them)."""
    found = [
        v.as_dict() for e in _job_in_validator().iter_errors(body) for v in spec._violations(e)
    ]
    if isinstance(body, dict):
        for key in body.keys() - JOB_IN_KEYS:
            found.append({"type": "extra_forbidden", "loc": ["body", key], "msg": "unknown key"})
        hyper = body.get("hyperparameters")
        for key in (hyper.keys() - HYPER_KEYS) if isinstance(hyper, dict) else ():
            loc = ["body", "hyperparameters", key]
            found.append({"type": "extra_forbidden", "loc": loc, "msg": "unknown key"})
    return found


class FineTuneFake(FakeModule):
    """The fine-tuning job routes; see the module docstring for the knobs."""

    def __init__(self, fake: FakeMistral) -> None:
        super().__init__(fake)
        self.jobs: dict[str, FakeJob] = {}
        self.ending = "SUCCESS"
        self.cost = 2.5
        self.currency = "USD"
        self.dry_run_answer = "metadata"
        self.entitled = True

    def seed(
        self, body: dict[str, Any], status: str = "RUNNING", *, created_by_me: bool = True
    ) -> FakeJob:
        """Add a job already at `status` (it rests there) and return it."""
        job = FakeJob(str(uuid.uuid4()), body, (status,), created_by_me, cost=self.cost)
        job.currency = self.currency
        job.validated = status not in ("QUEUED", "STARTED", "VALIDATING", "FAILED_VALIDATION")
        self.jobs[job.id] = job
        return job

    def _validation_script(self) -> tuple[str, ...]:
        if self.ending == "FAILED_VALIDATION":
            return ("QUEUED", "VALIDATING", "FAILED_VALIDATION")
        return VALIDATION

    def _not_entitled(self, model: str) -> bool:
        card = self.fake.models.find(model)
        return not self.entitled or card is None or not card["capabilities"]["fine_tuning"]

    @route("POST", "/v1/fine_tuning/jobs", validate=False)
    def create(self, request: FakeRequest, params: PathParams) -> FakeResponse:
        """Create a job (or a dry-run estimate); 422 JobIn violations, not entitled; 409 a twin."""
        body = copy.deepcopy(request.json())  # the job keeps its own copy (start edits it)
        problems = job_in_violations(body)
        if problems:
            return api_error(request, 422, {"detail": problems}, "invalid_request_error")
        if self._not_entitled(body["model"]):
            return json_response(422, {"detail": NOT_ENTITLED})
        if not body.get("training_files"):
            detail = "At least one training file or repository is required."
            return json_response(422, {"detail": detail})
        dry_run = request.query.get("dry_run", ["false"])[-1].lower() == "true"
        if dry_run and self.dry_run_answer == "metadata":
            return json_response(200, self._dry_run(body))
        twins = [j.id for j in self.jobs.values() if j.status in BUSY and j.same_request(body)]
        if twins:
            message = f"A similar job is already queued, validated or running: {twins[0]}"
            return api_error(request, 409, message, "conflict")
        job = FakeJob(str(uuid.uuid4()), body, (), cost=self.cost, currency=self.currency)
        job.follow(self._script(body))
        self.jobs[job.id] = job
        return json_response(200, job.document(detailed=False))

    def _script(self, body: dict[str, Any]) -> tuple[str, ...]:
        validation = self._validation_script()
        if body.get("auto_start") and validation[-1] == "VALIDATED":
            return validation + RUN_SCRIPTS[self.ending]
        return validation

    def _dry_run(self, body: dict[str, Any]) -> dict[str, Any]:
        given = {k: v for k, v in body["hyperparameters"].items() if v}
        meta = metadata(given, self.cost, self.currency)
        steps = meta["train_tokens"] // TOKENS_PER_STEP
        epochs = round(meta["train_tokens"] / DATA_TOKENS, 4)
        extra = {"epochs": epochs, "training_steps": steps, "details": "", "deprecated": True}
        return {**meta, **extra, "object": "job.metadata"}

    @route("GET", "/v1/fine_tuning/jobs")
    def list_jobs(self, request: FakeRequest, params: PathParams) -> FakeResponse:
        """List jobs, newest first, with the API's filters and paging."""
        query = {key: values[-1] for key, values in request.query.items() if values}
        found = sorted(self.jobs.values(), key=lambda j: j.created_at, reverse=True)
        for name in ("model", "status", "suffix"):
            if query.get(name):
                found = [j for j in found if j.document(detailed=False)[name] == query[name]]
        if query.get("created_by_me", "false").lower() == "true":
            found = [j for j in found if j.created_by_me]
        if query.get("created_after"):
            after = _date_time(query["created_after"])
            if after is None:
                loc = ["query", "created_after"]
                problem = {"type": "datetime_parsing", "loc": loc, "msg": "not a date-time"}
                return api_error(request, 422, {"detail": [problem]}, "invalid_request_error")
            found = [j for j in found if j.created_at >= after]
        page, size = int(query.get("page", 0)), int(query.get("page_size", 100))
        shown = [j.document(detailed=False) for j in found[page * size : (page + 1) * size]]
        return json_response(200, {"data": shown, "object": "list", "total": len(found)})

    def _job(self, request: FakeRequest, job_id: str) -> FakeJob | FakeResponse:
        job = self.jobs.get(job_id)
        if job is None:
            return api_error(request, 404, f"Job with id {job_id} not found", "not_found")
        return job

    @route("GET", "/v1/fine_tuning/jobs/{job_id}")
    def get_job(self, request: FakeRequest, params: PathParams) -> FakeResponse:
        """Advance the job one step, then return it in detail."""
        job = self._job(request, params["job_id"])
        if isinstance(job, FakeResponse):
            return job
        job.advance()
        if job.status == "SUCCESS":
            self._publish(job)
        return json_response(200, job.document(detailed=True))

    def _publish(self, job: FakeJob) -> None:
        """List a succeeded job's model in the catalogue, as the API does (once)."""
        catalog = self.fake.models
        model_id = job.model_id()
        base = catalog.find(job.body["model"])
        if base is None or catalog.find(model_id) is not None:
            return
        card = copy.deepcopy(base)
        capabilities = dict.fromkeys(card["capabilities"], False)
        wanted = ("classification",) if job.job_type == "classifier" else CHAT_CAPABILITIES
        capabilities.update(dict.fromkeys(wanted, True))
        card.update(
            id=model_id,
            name=model_id,
            aliases=[],
            capabilities=capabilities,
            owned_by=job.workspace,
            type="fine-tuned",
            job=job.id,
            root=job.body["model"],
            archived=False,
        )
        catalog.cards.append(card)

    @route("POST", "/v1/fine_tuning/jobs/{job_id}/start")
    def start(self, request: FakeRequest, params: PathParams) -> FakeResponse:
        """Start a VALIDATED job: it follows the run script for `ending`."""
        job = self._job(request, params["job_id"])
        if isinstance(job, FakeResponse):
            return job
        if job.status != "VALIDATED":
            message = f"Job {job.id} is {job.status}, not VALIDATED"
            return api_error(request, 400, message, "invalid_request_error")
        job.body["auto_start"] = True
        job.follow(RUN_SCRIPTS[self.ending])
        return json_response(200, job.document(detailed=True))

    @route("POST", "/v1/fine_tuning/jobs/{job_id}/cancel")
    def cancel(self, request: FakeRequest, params: PathParams) -> FakeResponse:
        """Request cancellation: CANCELLATION_REQUESTED now, CANCELLED at the next GET."""
        job = self._job(request, params["job_id"])
        if isinstance(job, FakeResponse):
            return job
        if job.status not in TERMINAL:
            job.follow(("CANCELLATION_REQUESTED", "CANCELLED"))
        return json_response(200, job.document(detailed=True))
