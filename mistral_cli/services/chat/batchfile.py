"""`mistral batch create`: a JSONL file of chat requests, checked, staged for the Batch API.

Each line is a chat request body (`{"messages": [...], ...}`) or `{"custom_id": "…", "body":
{...}}`. Every body is checked against the API spec's ChatCompletionRequest (api/chat_spec.py,
with the jsonschema library, as one-shot chat checks its fields) before anything is uploaded;
each problem names its file:line and field (exit 8). A line without a custom_id gets its line
number, and custom_ids must be unique. The job's model comes from -m: a body naming that model
is written without it, another model is refused. The request file is written anew (0600, in
the data dir) with a manifest mapping each custom_id to its input line, for
services/chat/batchresults.py to write the answers in input order. Staging, upload and the job
itself are services/batchio.py's, as for `embed --batch`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from mistral_cli import fsio
from mistral_cli.api import chat_spec, schema_check
from mistral_cli.api.parse import got
from mistral_cli.bounded import LineTooLong, bounded_lines, size_text
from mistral_cli.errors import BudgetExceeded, DataValidationError, UsageError
from mistral_cli.services.batchio import temp
from mistral_cli.services.chat.budget import MESSAGE_OVERHEAD
from mistral_cli.services.files import MAX_BYTES
from mistral_cli.services.tokens import estimate
from mistral_cli.values import counted

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

CHAT = "/v1/chat/completions"
MAX_REQUESTS = 100_000  # requests in one batch job (Mistral docs, "Known limitations")
MAX_FILE_BYTES = MAX_BYTES  # one uploaded batch file: 512 MB
MAX_LINE_BYTES = 64 * 1024 * 1024  # one request (images as data: URLs included)
SHOWN = 10  # problems listed, at most, when a file does not fit
PROGRESS_EVERY = 500  # lines between two progress reports
_WRAPPER = frozenset({"custom_id", "body"})
_BOM = b"\xef\xbb\xbf"
# The whole request body as the spec describes it: its fields, required ones, nothing else.
REQUEST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": chat_spec.FIELDS,
    "required": sorted(chat_spec.REQUIRED),
    "additionalProperties": False,
}


@dataclass(frozen=True)
class Prepared:
    """A checked request file and its manifest (temporary names), with what they hold."""

    requests_path: Path
    manifest_path: Path
    requests: int
    blank: int
    prompt_tokens: int  # estimated, every request's input
    completion_tokens: int  # at most: max_tokens x n, summed over the requests that set it
    unbounded: int | None  # the first line setting no max_tokens (its answer has no bound)


class BadLines(DataValidationError):
    """Lines that do not fit: the first SHOWN problems, each `FILE:LINE: field …` (exit 8)."""

    def __init__(self, source: Path, problems: list[str], count: int, lines: int) -> None:
        first = problems[0] if count == 1 else f"{source}: {count:,} of {lines:,} lines do not fit"
        super().__init__(
            f"{first}; nothing was uploaded",
            hint='each line is a chat request body, or {"custom_id": …, "body": {…}}, '
            "as the API spec describes it",
        )
        self.problems = problems
        self.count = count

    @property
    def listed(self) -> list[str]:
        """The problems to show before the error (none when the error is the one problem)."""
        return self.problems if self.count > 1 else []


class _Bad(Exception):
    """One line's problem (its text, without the file and line)."""


@dataclass
class _Tally:
    lines: int = 0
    requests: int = 0
    blank: int = 0
    bytes: int = 0
    prompt: int = 0
    completion: int = 0
    unbounded: int | None = None
    problems: list[str] = field(default_factory=list)
    count: int = 0  # problems found, shown or not
    seen: dict[str, int] = field(default_factory=dict)  # custom_id → its line


def prepare(
    source: Path,
    model: str,
    folder: Path,
    *,
    on_progress: Callable[[int], object] | None = None,
) -> Prepared:
    """Check every line of `source` and write the request file and manifest into `folder`.

    Raises BadLines (exit 8) when a line does not fit, having read them all (nothing written
    stays); stops at once past MAX_REQUESTS requests or MAX_FILE_BYTES of request file.
    """
    fsio.private_dir(folder)  # the requests are the user's: 0700 (mkstemp files are 0600)
    requests_path = temp(folder, ".requests.jsonl", "chat-")
    manifest_path = temp(folder, ".manifest", "chat-")
    try:
        tally = _write(source, model, requests_path, manifest_path, on_progress)
    except BaseException:
        requests_path.unlink(missing_ok=True)
        manifest_path.unlink(missing_ok=True)
        raise
    return Prepared(
        requests_path,
        manifest_path,
        tally.requests,
        tally.blank,
        tally.prompt,
        tally.completion,
        tally.unbounded,
    )


def _write(
    source: Path,
    model: str,
    requests_path: Path,
    manifest_path: Path,
    on_progress: Callable[[int], object] | None,
) -> _Tally:
    tally = _Tally()
    header = {"endpoint": CHAT, "model": model, "source": str(source)}
    with (
        _opened(source) as lines,
        requests_path.open("wb") as out,
        manifest_path.open("wb") as manifest,
    ):
        manifest.write(orjson.dumps(header) + b"\n")
        for number, raw in enumerate(_bounded(lines, source), start=1):
            tally.lines = number
            if on_progress is not None and number % PROGRESS_EVERY == 0:
                on_progress(PROGRESS_EVERY)
            if not raw.strip():
                tally.blank += 1
                continue
            try:
                custom_id, record = _line(raw, number, model, tally)
            except _Bad as bad:
                tally.count += 1
                if len(tally.problems) < SHOWN:
                    tally.problems.append(f"{source}:{number}: {bad}")
                continue
            _check_count(source, number, tally)
            if tally.count:
                continue  # the file will be refused: check the rest, write nothing more
            tally.bytes += out.write(record)
            manifest.write(orjson.dumps({"custom_id": custom_id, "line": number}) + b"\n")
            _check_size(source, number, tally)
    if tally.count:
        raise BadLines(source, tally.problems, tally.count, tally.lines)
    if tally.requests == 0:
        raise DataValidationError(
            f"{source} holds no request",
            hint='each line is a chat request body: {"messages": [{"role": "user", …}]}',
        )
    return tally


def _opened(source: Path) -> Any:  # noqa: ANN401  # a binary file object
    try:
        return source.open("rb")
    except OSError as exc:
        raise UsageError(f"cannot read {source}: {exc.strerror or exc}") from None


def _bounded(lines: Any, source: Path) -> Any:  # noqa: ANN401  # binary lines
    try:
        yield from bounded_lines(lines, MAX_LINE_BYTES)
    except LineTooLong as exc:
        raise DataValidationError(
            f"{source}:{exc.line}: longer than {size_text(MAX_LINE_BYTES)}; nothing was uploaded",
            hint="one request this large is refused by the API anyway: shrink it",
        ) from None


def _check_count(source: Path, number: int, tally: _Tally) -> None:
    if tally.requests > MAX_REQUESTS:
        raise DataValidationError(
            f"{source}:{number}: request {tally.requests:,}; a batch job takes at most "
            f"{MAX_REQUESTS:,}; nothing was uploaded",
            hint=f"split the file (split -l {MAX_REQUESTS} FILE part-) and create one job a part",
        )


def _check_size(source: Path, number: int, tally: _Tally) -> None:
    if tally.bytes > MAX_FILE_BYTES:
        raise DataValidationError(
            f"{source}:{number}: the request file passes {size_text(MAX_FILE_BYTES)} here; "
            "nothing was uploaded",
            hint="the API takes at most 512 MB a file: split it and create one job a part",
        )


def _line(raw: bytes, number: int, model: str, tally: _Tally) -> tuple[str, bytes]:
    """One line's custom_id and request-file record; _Bad names what does not fit."""
    try:
        value = orjson.loads(raw.removeprefix(_BOM) if number == 1 else raw)
    except orjson.JSONDecodeError as exc:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as bad:
            raise _Bad(f"not valid UTF-8 (byte {bad.start + 1})") from None
        raise _Bad(f"not valid JSON ({exc.msg} at character {exc.pos + 1})") from None
    custom_id, body, subject = _split(value)
    custom_id = _unique(custom_id, number, tally)  # taken even when the body does not fit
    body = _body(body, subject, model)
    prompt, completion = _tokens(body)
    tally.requests += 1
    tally.prompt += prompt
    if completion is None:
        tally.unbounded = tally.unbounded or number
    else:
        tally.completion += completion
    return custom_id, orjson.dumps({"custom_id": custom_id, "body": body}) + b"\n"


def _split(value: object) -> tuple[str | None, object, str]:
    """(custom_id, body, how the body is named in messages) of a bare or wrapped request."""
    if not isinstance(value, dict):
        raise _Bad(f"must be a JSON object (a request body), not {got(value)}")
    if "body" not in value:
        return None, value, "the request"
    extra = sorted(set(value) - _WRAPPER)
    if extra:
        raise _Bad(f'has {got(extra[0])} beside "body" (only custom_id may be there)')
    custom_id = value.get("custom_id")
    if custom_id is not None and not isinstance(custom_id, str):
        raise _Bad(f"custom_id must be a string, not {got(custom_id)}")
    if custom_id == "":
        raise _Bad("custom_id is empty")
    return custom_id, value["body"], "body"


def _body(body: object, subject: str, model: str) -> dict[str, Any]:
    """The body without its model, checked against the spec with the job's model in it."""
    if not isinstance(body, dict):
        raise _Bad(f"{subject} must be a JSON object, not {got(body)}")
    named = body.get("model", model)
    if named != model:
        raise _Bad(
            f"{_field(subject, 'model')} is {got(named)}, but the job's model is {model} "
            "(-m sets it for every request: leave model out)"
        )
    if body.get("stream") is True:
        raise _Bad(f"{_field(subject, 'stream')} is true; a batch request cannot stream")
    body = {key: value for key, value in body.items() if key != "model"}
    problem = schema_check.check({**body, "model": model}, REQUEST_SCHEMA, chat_spec.DEFS)
    if problem is not None:
        raise _Bad(f"{_field(subject, problem.where.lstrip('.'))} {problem.text}".strip())
    return body


def _field(subject: str, where: str) -> str:
    """`body.messages[0].role` (wrapped), `messages[0].role` (bare); the subject alone at top."""
    if not where:
        return subject
    if subject == "body":
        return f"body{'' if where.startswith('[') else '.'}{where}"
    return where


def _unique(custom_id: str | None, number: int, tally: _Tally) -> str:
    """The line's custom_id (its line number when it has none), not used by an earlier line."""
    chosen = str(number) if custom_id is None else custom_id
    earlier = tally.seen.get(chosen)
    if earlier is not None:
        how = "its line number" if custom_id is None else "given"
        raise _Bad(f"custom_id {got(chosen)} ({how}) is taken by line {earlier}")
    tally.seen[chosen] = number
    return chosen


def _tokens(body: dict[str, Any]) -> tuple[int, int | None]:
    """(prompt, completion) tokens a request may cost, estimated high; completion None: no bound.

    The prompt: each message's text (other content as its JSON) with the control tokens around
    it, plus the tools and response format. The completion: max_tokens for each of `n` answers.
    """
    messages = body.get("messages")
    prompt = sum(
        _message_tokens(message) for message in (messages if isinstance(messages, list) else [])
    )
    prompt += sum(estimate(_json(body[key])) for key in ("tools", "response_format") if key in body)
    most = body.get("max_tokens")
    if not isinstance(most, int) or isinstance(most, bool):
        return prompt, None
    answers = body.get("n")
    return prompt, most * (answers if isinstance(answers, int) and answers > 0 else 1)


def _message_tokens(message: object) -> int:
    if not isinstance(message, dict):
        return estimate(_json(message))
    content = message.get("content")
    total = MESSAGE_OVERHEAD
    if isinstance(content, str):
        total += estimate(content)
    elif isinstance(content, list):
        for chunk in content:
            text = chunk.get("text") if isinstance(chunk, dict) else None
            total += estimate(text if isinstance(text, str) else _json(chunk))
    if message.get("tool_calls"):
        total += estimate(_json(message["tool_calls"]))
    return total


def _json(value: object) -> str:
    return orjson.dumps(value).decode()


def bounded(prepared: Prepared, source: Path) -> tuple[int, int]:
    """(prompt, completion) tokens the job may cost at most; BudgetExceeded when unbounded.

    An answer's cost is bounded by its request's max_tokens: --max-cost needs it on every line.
    """
    if prepared.unbounded is not None:
        raise BudgetExceeded(
            f"--max-cost needs max_tokens in every request; {source}:{prepared.unbounded} "
            "has none, so its answer's cost has no bound",
            hint='set "max_tokens" in each request body (or drop --max-cost)',
        )
    return prepared.prompt_tokens, prepared.completion_tokens


def skipped(prepared: Prepared) -> str:
    """` · 1 blank line skipped` (or nothing): the end of the created notice."""
    return f" · {counted(prepared.blank, 'blank line')} skipped" if prepared.blank else ""
