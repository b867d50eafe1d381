"""Chat request parameters: values checked against the API spec, --param extras, --schema files.

Every field is checked with its own schema from api/chat_spec.py (generated from the spec):
a flag's value before the session starts, a --param value as it is read. A name the spec
lacks goes out with a warning; OpenAI's names the API refuses never do.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field, replace
from typing import IO, TYPE_CHECKING, Any

from mistral_cli.bounded import NotRegularFile, read_regular, size_text
from mistral_cli.errors import UsageError

if TYPE_CHECKING:
    from pathlib import Path

    from mistral_cli.api.chat import Message
    from mistral_cli.api.chat_spec import ChatCompletionRequest
    from mistral_cli.api.schema_check import Problem

# Caps on JSON given on the command line (--param) or in a --schema file: far above any real
# schema, far below what would exhaust memory or Python's recursion limit.
MAX_JSON_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 64
# Request fields the CLI sets itself, or that have a flag of their own: --param may not set them.
OWN_FLAGS: dict[str, str] = {
    "model": "-m/--model",
    "messages": "the prompt",
    "stream": "--no-stream",
    "temperature": "--temperature",
    "top_p": "--top-p",
    "max_tokens": "--max-tokens",
    "stop": "--stop",
    "random_seed": "--seed",
    "response_format": "--json-mode or --schema",
    "presence_penalty": "--presence-penalty",
    "frequency_penalty": "--frequency-penalty",
    "safe_prompt": "--safe-prompt",
}
# The flags whose values come from the user, checked against the spec before any request.
CHECKED = (
    "temperature",
    "top_p",
    "max_tokens",
    "stop",
    "random_seed",
    "presence_penalty",
    "frequency_penalty",
)
# OpenAI's names the Mistral API refuses (API.md §1), with what to use instead.
OPENAI_ONLY: dict[str, str] = {
    "stream_options": "usage comes with the last chunk anyway",
    "max_completion_tokens": "use --max-tokens",
    "store": "conversations are saved locally; --no-save turns that off",
    "seed": "use --seed (sent as random_seed)",
    "user": "the Mistral API has no such field",
    "logit_bias": "the Mistral API has no such field",
    "reasoning_content": "the Mistral API has no such field",
    "safe_mode": "use --safe-prompt",
}


@dataclass(frozen=True)
class ChatParams:
    """Everything about a request except the model and the messages."""

    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    stop: tuple[str, ...] = ()
    random_seed: int | None = None
    safe_prompt: bool = False
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    response_format: dict[str, Any] | None = None  # built by response_format() below
    extras: dict[str, Any] = field(default_factory=dict)  # --param NAME=VALUE, checked

    def __post_init__(self) -> None:
        """Check the flags' values against the spec (exit 2, no request made)."""
        for name in CHECKED:
            value = getattr(self, name)
            if name == "stop":
                value = list(value) or None
            problem = None if value is None else spec_problem(name, value)
            if problem is not None:
                flag = OWN_FLAGS[name]
                raise UsageError(
                    f"{flag}{problem.where}: {problem.text}", hint=f"e.g. {flag} {example(name)}"
                )

    def with_changes(self, **changes: Any) -> ChatParams:  # noqa: ANN401  # field values
        """A copy with some values changed (checked again); for the REPL's /set."""
        return replace(self, **changes)

    def request(self, model: str, messages: list[Message], *, stream: bool) -> dict[str, Any]:
        """The request body as JSON: None left out (0 and False kept), --param extras last."""
        body: ChatCompletionRequest = {
            "model": model,
            "messages": [message.wire() for message in messages],
            "temperature": _real(self.temperature),
            "top_p": _real(self.top_p),
            "max_tokens": self.max_tokens,
            "stream": stream,
            "stop": list(self.stop) or None,
            "random_seed": self.random_seed,
        }
        if self.response_format is not None:
            body["response_format"] = self.response_format
        body["presence_penalty"] = _real(self.presence_penalty)
        body["frequency_penalty"] = _real(self.frequency_penalty)
        if self.safe_prompt:
            body["safe_prompt"] = True
        wire: dict[str, Any] = {key: value for key, value in body.items() if value is not None}
        wire.update(self.extras)  # the one deliberate hole in the strict body (checked, --param)
        return wire


def _real(value: float | None) -> float | None:
    return None if value is None else float(value)


def spec_problem(name: str, value: object) -> Problem | None:
    """Why `value` does not fit the request field `name` as the spec describes it, or None."""
    from mistral_cli.api import chat_spec, schema_check

    return schema_check.check(value, chat_spec.FIELDS[name], chat_spec.DEFS)


def known(name: str) -> bool:
    """Whether the spec has a request field called `name`."""
    from mistral_cli.api import chat_spec

    return name in chat_spec.FIELDS


def example(name: str) -> str:
    """A valid value of a request field, as typed after its flag or `NAME=`."""
    from mistral_cli.api import chat_spec

    value = chat_spec.EXAMPLES[name]
    if isinstance(value, str) and _decoded(value) is None:
        return value
    return json.dumps(value, ensure_ascii=False)


def parse_params(items: list[str], warn: Any) -> dict[str, Any]:  # noqa: ANN401  # a callable
    """--param NAME=VALUE items → fields; VALUE is JSON when it parses, else a string.

    A name the spec knows is checked with the spec's schema for it; an unknown name is kept
    with a warning via `warn`.
    """
    extras: dict[str, Any] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(f"--param {item!r}: expected NAME=VALUE", hint="e.g. --param n=2")
        value = _decode(raw, name)
        if name in OWN_FLAGS:
            raise UsageError(f"--param {name}: use {OWN_FLAGS[name]} instead")
        if name in OPENAI_ONLY:
            raise UsageError(
                f"--param {name}: the Mistral API does not accept this OpenAI field",
                hint=OPENAI_ONLY[name],
            )
        if not known(name):
            warn(f"--param {name} is not in the API spec this version knows; sending it anyway")
        else:
            problem = spec_problem(name, value)
            if problem is not None:
                shown = shlex.quote(f"{name}={example(name)}")
                raise UsageError(problem.about(f"--param {name}"), hint=f"e.g. --param {shown}")
        extras[name] = value
    return extras


def _decode(raw: str, name: str) -> Any:  # noqa: ANN401  # any JSON value
    if len(raw.encode("utf-8", "surrogateescape")) > MAX_JSON_BYTES:
        raise UsageError(f"--param {name}: the value is over {size_text(MAX_JSON_BYTES)}")
    _check_depth(raw, f"--param {name}")
    decoded = _decoded(raw)
    return raw if decoded is None else decoded[0]


def _decoded(text: str) -> tuple[Any] | None:
    """(value,) when `text` is JSON (NaN and Infinity are not), else None."""
    try:
        return (json.loads(text, parse_constant=_not_json),)
    except ValueError:
        return None


def _not_json(constant: str) -> None:
    raise ValueError(f"{constant} is not JSON")


_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]')


def _check_depth(text: str, what: str) -> None:
    """Refuse JSON nested deeper than MAX_JSON_DEPTH before parsing it (no RecursionError)."""
    depth = 0
    for token in _JSON_TOKENS.finditer(text):
        bracket = token.group()
        if bracket in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise UsageError(
                    f"{what}: JSON nested deeper than {MAX_JSON_DEPTH} levels",
                    hint=f"the CLI reads JSON up to {MAX_JSON_DEPTH} levels deep",
                )
        elif bracket in "]}":
            depth = max(depth - 1, 0)


def response_format(*, json_mode: bool, schema_file: Path | None) -> dict[str, Any] | None:
    """--json-mode → json_object; --schema FILE → json_schema (strict), named after the file.

    Built in the spec's shape (tests check it against chat_spec): nothing the user gives can
    break it, so it costs no check at run time.
    """
    if json_mode and schema_file is not None:
        raise UsageError("--json-mode and --schema cannot be used together")
    if json_mode:
        return {"type": "json_object"}
    if schema_file is None:
        return None
    schema = _read_schema(schema_file)
    if not isinstance(schema, dict):
        raise UsageError(f"--schema: {schema_file} must hold a JSON object (a JSON Schema)")
    name = _schema_name(schema, schema_file)
    return {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}}


def _read_schema(path: Path) -> Any:  # noqa: ANN401  # any JSON value
    """The --schema file's JSON: a regular file of at most MAX_JSON_BYTES, MAX_JSON_DEPTH deep."""
    try:
        data = read_regular(path, MAX_JSON_BYTES)
    except NotRegularFile:
        raise UsageError(
            f"--schema: {path} is not a regular file",
            hint="save the schema to a file first (a pipe or device is not read)",
        ) from None
    except OSError as exc:
        raise UsageError(f"--schema: cannot read {path}: {exc.strerror}") from None
    if len(data) > MAX_JSON_BYTES:
        raise UsageError(f"--schema: {path} is over {size_text(MAX_JSON_BYTES)}")
    try:
        text = data.decode("utf-8")
        _check_depth(text, f"--schema {path}")
        return json.loads(text, parse_constant=_not_json)
    except ValueError as exc:
        raise UsageError(f"--schema: {path} is not valid JSON ({exc})") from None


def _schema_name(schema: dict[str, Any], path: Path) -> str:
    title = schema.get("title")
    raw = title if isinstance(title, str) and title.strip() else path.stem
    name = "".join(c if c.isalnum() or c in "_-" else "_" for c in raw.strip())
    return name[:64] or "schema"


def read_prompt(argument: str | None, stdin: IO[str] | None) -> str | None:
    """The prompt: the argument, piped stdin, or both joined by a blank line.

    None when there is neither (a terminal stdin is never read). An empty result is a usage error.
    """
    piped = _read_piped(stdin)
    if argument is None and piped is None:
        return None
    parts = [part for part in (argument, piped) if part is not None and part.strip()]
    if not parts:
        raise UsageError("the prompt is empty", hint='e.g. mistral chat "Name three primes."')
    return "\n\n".join(part.rstrip("\n") if part is piped else part for part in parts)


def _read_piped(stdin: IO[str] | None) -> str | None:
    if stdin is None or stdin.closed:
        return None
    try:
        if stdin.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    buffer = getattr(stdin, "buffer", None)
    if buffer is not None:
        data: bytes = buffer.read()
        return data.decode("utf-8", errors="replace")
    return stdin.read()
