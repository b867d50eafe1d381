"""The classify/moderate services: inputs, formats, the split rule, --fail-on and the tally."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from mistral_cli.api.errors import RequestRejected, ServerError, UnexpectedAnswer
from mistral_cli.api.schemas.models import ModelCard
from mistral_cli.errors import ExitCode, UsageError
from mistral_cli.services.classify import inputs, moderation, writers
from mistral_cli.services.classify.backend import ResultsBackend, Route, is_too_many
from mistral_cli.services.classify.run import Batching, Stopped, _stopped, summary_line
from mistral_cli.services.embed.inputs import InputError, Item
from mistral_cli.services.embed.runner import EmbedStopped, Summary


class Tty(io.BytesIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_on_stdin_with_nothing_else_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="no input: pass TEXT arguments"):  # noqa: SIM117
        with inputs.open_inputs(None, None, Tty):
            pass
    with pytest.raises(UsageError, match="no input"):  # noqa: SIM117
        with inputs.open_inputs(None, Path("-"), Tty):
            pass


def test_stdin_is_only_touched_when_it_is_the_input() -> None:
    def untouchable() -> io.BytesIO:
        raise AssertionError("stdin was read")

    with inputs.open_inputs(["a", "b"], None, untouchable) as (items, total):
        assert [(i.line, i.text) for i in items] == [(1, "a"), (2, "b")]
        assert total == 2


def test_chat_from_stdin() -> None:
    data = b'{"messages": [{"role": "user", "content": "hi"}]}\n'
    with inputs.open_inputs(None, Path("-"), lambda: io.BytesIO(data)) as (items, _):
        assert [json.loads(i.text) for i in items] == [[{"role": "user", "content": "hi"}]]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{not json", "line 1: not valid JSON (Expecting property name"),
        ('["messages"]', 'line 1: no "messages" list'),
        ('{"messages": []}', 'line 1: no "messages" list'),
        ('{"messages": ["hi"]}', "line 1: messages[0] has role missing; expected one of"),
        ('{"messages": [{"role": "bot"}]}', 'line 1: messages[0] has role "bot"'),
    ],
)
def test_lines_that_are_no_conversation(text: str, problem: str) -> None:
    with pytest.raises(InputError) as caught:
        list(inputs.read_chat([text + "\n"]))
    assert caught.value.message.startswith(problem)
    assert caught.value.exit_code == ExitCode.VALIDATION


def test_chat_items_are_compact_messages_and_crlf_is_dropped() -> None:
    items = list(
        inputs.read_chat(['{"messages": [{"role": "user", "content": "é"}], "x": 1}\r\n', "\n"])
    )
    assert items == [Item(1, None, '[{"role":"user","content":"é"}]'), Item(2, None, "")]


def test_preview() -> None:
    assert inputs.preview(Item(1, None, "a\n  b"), chat=False) == "a b"
    assert inputs.preview(Item(1, None, "x" * 50), chat=False) == "x" * 39 + "…"
    chat = json.dumps([{"role": "user", "content": "hello"}])
    assert inputs.preview(Item(1, None, chat), chat=True) == "hello"
    chunks = json.dumps([{"role": "user", "content": [{"type": "text", "text": "hi"}]}])
    assert inputs.preview(Item(1, None, chunks), chat=True) == "(conversation)"


@pytest.mark.parametrize(
    ("fmt", "path", "tty", "chosen"),
    [
        (None, None, False, "jsonl"),
        (None, None, True, "table"),
        (None, Path("-"), True, "table"),
        (None, Path("out.CSV"), True, "csv"),
        (None, Path("out.txt"), True, "jsonl"),
        ("csv", None, True, "csv"),
        ("table", None, False, "table"),
    ],
)
def test_choose_format(fmt: str | None, path: Path | None, tty: bool, chosen: str) -> None:
    assert writers.choose_format(fmt, path, tty=tty) == chosen


def test_flatten_and_cells() -> None:
    document = {"line": 1, "a": {"b": {"c": 0.5}, "d": True}, "e": {}, "f": [1, "x"], "g": None}
    flat = writers.flatten(document)
    assert flat == {"line": 1, "a.b.c": 0.5, "a.d": True, "e": {}, "f": [1, "x"], "g": None}
    assert [writers._cell(v) for v in flat.values()] == ["1", "0.5", "true", "{}", '[1, "x"]', ""]


def test_a_result_never_overrides_the_line() -> None:
    assert writers.record(Item(3, None, "t"), {"line": 9, "x": 1}) == {"line": 3, "x": 1}


def test_csv_header_comes_from_the_first_record() -> None:
    sink = io.StringIO()
    csv_writer = writers.CsvResults(sink)
    csv_writer.write([Item(1, None, "a"), Item(2, None, "b")], [{"s": {"p": 0.1}}, {"s": {"q": 2}}])
    assert sink.getvalue() == "line,s.p\n1,0.1\n2,\n"


def test_table_cells_tolerate_odd_results() -> None:
    table = writers.TableRows(chat=False)
    table.write(
        [Item(1, None, "a"), Item(2, None, "b")],
        [{"t": {"scores": {"x": 0.2, "y": 0.7}}}, {"t": {"scores": "n/a"}}],
    )
    assert (table.columns, table.rows) == (
        ["LINE", "INPUT", "T"],
        [["1", "a", "y 0.70"], ["2", "b", "?"]],
    )
    flags = writers.TableRows(chat=False)
    flags.write([Item(1, None, "a")], [{"categories": "odd", "category_scores": None}])
    assert flags.rows == [["1", "a", "·", "?"]]


def too_many(message: str, *, status: int = 400, code: str | None = None) -> RequestRejected:
    return RequestRejected(message, status=status, code=code)


@pytest.mark.parametrize(
    ("exc", "splits"),
    [
        (too_many("Too many inputs in request, split into more batches."), True),
        (too_many("Too many tokens overall, split into more batches."), True),
        (too_many("whatever", code="3210"), True),
        (too_many("Input too long"), False),
        (too_many("Too many requests", status=429), False),
        (ServerError("too many", status=500), False),
        (ValueError("too many"), False),
    ],
)
def test_is_too_many(exc: BaseException, splits: bool) -> None:
    assert is_too_many(exc) is splits


class Client:
    """An AnswerClient answering from a list."""

    def __init__(self, answer: Any) -> None:  # any JSON
        self.answer = answer

    def send(self, method: str, path: str, *, into: Any, **_: Any) -> Any:
        from mistral_cli.api import parse

        return parse.answer(into, self.answer, where=f"{method} {path}")


def test_a_result_count_that_differs_is_an_unexpected_answer() -> None:
    backend = ResultsBackend(
        Client({"id": "x", "model": "m", "results": [{}]}), Route("moderate"), "m"
    )
    with pytest.raises(UnexpectedAnswer, match=r"\(POST /v1/moderations\): 1 results for 2 inputs"):
        backend.embed(["a", "b"])


def test_routes() -> None:
    assert [Route(k, chat=c).path for k in ("classify", "moderate") for c in (False, True)] == [
        "/v1/classifications",
        "/v1/chat/classifications",
        "/v1/moderations",
        "/v1/chat/moderations",
    ]


def card(model_id: str, *, moderation_: bool = True, deprecation: str | None = None) -> ModelCard:
    return ModelCard.model_validate(
        {"id": model_id, "capabilities": {"moderation": moderation_}, "deprecation": deprecation}
    )


def test_the_default_moderation_model_prefers_a_current_latest_card() -> None:
    cards = [
        card("mistral-small-latest", moderation_=False),
        card("mistral-moderation-2411"),
        card("mistral-moderation-old-latest", deprecation="2026-01-01T00:00:00Z"),
        card("mistral-moderation-latest"),
    ]
    assert moderation.default_model(cards) == "mistral-moderation-latest"
    assert moderation.default_model(cards[:2]) == "mistral-moderation-2411"


@pytest.mark.parametrize(
    ("value", "parsed"),
    [(None, None), ("any", ("any",)), ("a, b,a", ("a", "b")), ("a,any", ("any",))],
)
def test_parse_fail_on(value: str | None, parsed: tuple[str, ...] | None) -> None:
    assert moderation.parse_fail_on(value) == parsed


class Nothing:
    def write(self, items: Any, results: Any) -> None:
        """Keep nothing."""

    def close(self) -> None:
        """Nothing to close."""


def flags(**categories: object) -> dict[str, Any]:
    return {"categories": categories}


def test_without_fail_on_odd_results_are_counted_as_read() -> None:
    tally = moderation.FlagTally(Nothing(), None, "POST /v1/moderations")  # type: ignore[arg-type]
    items = [Item(n, None, "t") for n in (1, 2, 3)]
    tally.write(items, [{"categories": None}, flags(pii="n/a", law=True), flags(law=1, pii=True)])
    assert (tally.inputs, tally.flagged, tally.verdict()) == (3, 2, None)
    assert tally.summary() == "2 of 3 inputs flagged: law (2), pii (1)"


def test_fail_on_is_checked_against_the_first_answer_only_when_it_names_categories() -> None:
    tally = moderation.FlagTally(Nothing(), ("pii",), "w")  # type: ignore[arg-type]
    with pytest.raises(UnexpectedAnswer, match="the result for line 1: categories is missing"):
        tally.write([Item(1, None, "t")], [{}])
    ok = moderation.FlagTally(Nothing(), ("pii",), "w")  # type: ignore[arg-type]
    ok.write([Item(1, None, "t")], [flags(pii=False)])
    ok.write([Item(2, None, "t")], [flags(pii=True)])
    verdict = ok.verdict()
    assert verdict is not None
    assert (verdict.exit_code, verdict.message) == (12, "1 of 2 inputs flagged: pii (1)")


def test_stops_are_worded_for_the_route() -> None:
    cause = RequestRejected("bad", status=400, hint="h")
    stop = EmbedStopped("x", hint=None, exit_code=4, first_line=7, embedded=0, cause=cause)
    worded = _stopped(stop, Route("moderate"))
    assert isinstance(worded, Stopped)
    assert (worded.message, worded.hint, worded.exit_code) == (
        "line 7 and the lines after it were not moderated: bad",
        "h",
        4,
    )
    bad = InputError(7, "no", None)
    stop = EmbedStopped("x", hint=None, exit_code=8, first_line=7, embedded=6, cause=bad)
    worded = _stopped(stop, Route("classify"))
    assert (worded.message, worded.hint, worded.exit_code) == (
        "line 7: no",
        "the 6 results before line 7 were written",
        8,
    )


def test_summary_line_and_batching_limits() -> None:
    summary = Summary(1, 5, 1, 0, 2, 0, 0.25, False)
    assert summary_line(summary) == "1 input · 1 request · 0.2 s · 2 blank lines skipped"
    assert Batching(batch_size=2, batch_tokens=100).limits().max_inputs == 2
    with pytest.raises(UsageError):
        Batching(batch_size=0).limits()
