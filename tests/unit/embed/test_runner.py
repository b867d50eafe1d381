import io
import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from mistral_cli.api.errors import RequestRejected
from mistral_cli.errors import CliError, DataValidationError, ExitCode
from mistral_cli.services.embed.batching import Limits
from mistral_cli.services.embed.inputs import Item, read_jsonl
from mistral_cli.services.embed.runner import EmbedStopped, Progress, is_too_many_tokens, run_embed
from mistral_cli.services.embed.writers import JsonlWriter
from tests.unit.embed.fakes import (
    HELD_FOR,
    FakeApiError,
    FakeBackend,
    expected,
    fake_tokens,
    got,
    parse_jsonl,
    run_lines,
    text_lines,
)


def long_lines(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    words = ["embedding", "vector", "batch", "token", "Mistral", "résumé", "naïve", "café", "a"]
    return [" ".join(rng.choice(words) for _ in range(rng.randint(100, 400))) for _ in range(count)]


def test_order_is_kept_under_concurrency_with_out_of_order_completion():
    lines = text_lines(700)
    backend = FakeBackend(hold_first=True)  # the first batch is answered after another one
    records, summary = run_lines(lines, backend, limits=Limits(max_inputs=9), concurrency=8)
    assert got(records) == expected(lines)
    assert backend.max_active > 1
    assert summary.inputs == 700
    assert summary.requests == len(backend.calls) == 78


def test_short_lines_fill_requests_by_count_within_limits():
    lines = text_lines(5000)
    backend = FakeBackend()
    records, summary = run_lines(lines, backend)
    assert len(records) == 5000
    assert len(backend.calls) <= 10
    assert all(len(call) <= 512 for call in backend.calls)
    assert summary.requests == len(backend.calls)
    assert summary.splits == 0


def test_long_lines_are_packed_by_tokens_without_any_rejection():
    lines = long_lines(600)
    backend = FakeBackend()
    records, summary = run_lines(lines, backend, concurrency=4)
    assert got(records) == expected(lines)
    assert backend.rejected_tokens == 0
    assert all(sum(map(fake_tokens, call)) <= 16_384 for call in backend.calls)
    assert all(len(call) <= 512 for call in backend.calls)
    # packed, not one per request: the fake's tokens fill more than half of each request
    assert summary.requests < sum(map(fake_tokens, lines)) / 16_384 * 2


@pytest.mark.parametrize("old_style", [False, True])
def test_too_many_tokens_splits_the_batch_and_drops_nothing(old_style):
    lines = long_lines(120, seed=1)
    backend = FakeBackend(max_tokens=2_500, old_style=old_style, hold_first=True)
    records, summary = run_lines(lines, backend)
    assert got(records) == expected(lines)
    assert backend.rejected_tokens > 0
    assert summary.splits == backend.rejected_tokens
    assert summary.requests == len(backend.calls)
    assert all(sum(map(fake_tokens, call)) <= 2_500 for call in backend.accepted)


def test_an_input_the_server_finds_too_long_alone_stops_the_run_naming_it():
    lines = ["short one", "x" * 4_000, "short two"]
    backend = FakeBackend(max_tokens=500)
    sink = io.StringIO()
    with pytest.raises(EmbedStopped) as caught:
        run_embed(fakes_items(lines), backend, JsonlWriter(sink))
    assert caught.value.first_line == 2
    assert caught.value.exit_code == ExitCode.REJECTED
    assert "line 2 and the lines after it were not embedded" in caught.value.message
    assert got(parse_jsonl(sink.getvalue())) == expected(lines)[:1]


def fakes_items(lines):
    return [Item(n, None, t) for n, t in enumerate(lines, start=1)]


def test_permanent_failure_writes_everything_before_it_and_names_the_first_missing_line():
    lines = text_lines(20_000)
    doomed = "this is input number 2600"
    backend = FakeBackend(
        hold_first=True,
        fail=lambda texts: FakeApiError("rate limited", exit_code=5) if doomed in texts else None,
    )
    sink = io.StringIO()
    with pytest.raises(EmbedStopped) as caught:
        run_embed(fakes_items(lines), backend, JsonlWriter(sink), limits=Limits(max_inputs=500))
    stop = caught.value
    assert stop.first_line == 2501  # the failing batch holds lines 2501-3000
    assert stop.exit_code == 5
    assert stop.embedded == 2500
    assert stop.message == "line 2501 and the lines after it were not embedded: rate limited"
    assert stop.hint is not None
    assert stop.hint.startswith("the fake's own hint; the 2,500 inputs before line 2501")
    assert "-o FILE --resume" in stop.hint
    assert got(parse_jsonl(sink.getvalue())) == expected(lines)[:2500]
    assert len(backend.calls) < 20  # stopped submitting: 40 batches in all


def test_nothing_more_is_submitted_once_a_later_batch_has_failed():
    started = []
    doomed = "this is input number 51"
    failed = threading.Event()  # batch 6's future is done, as the writer sees it

    class Watching(ThreadPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):
            future = super().submit(fn, *args, **kwargs)
            future.add_done_callback(lambda f: f.result().error is None or failed.set())
            return future

    class HeldThenFailing(FakeBackend):
        def embed(self, inputs):
            started.append(inputs[0])
            if doomed not in inputs:  # batches 1-5, 7, 8: answered once batch 6 has failed
                assert failed.wait(HELD_FOR), "batch 6 never failed"
            return super().embed(inputs)

    backend = HeldThenFailing(
        fail=lambda texts: FakeApiError("gone", exit_code=1) if doomed in texts else None
    )
    with pytest.raises(EmbedStopped) as caught:
        run_embed(
            fakes_items(text_lines(200)),
            backend,
            JsonlWriter(io.StringIO()),
            limits=Limits(max_inputs=10),
            concurrency=8,
            window=8,
            executor=Watching,
        )
    assert caught.value.first_line == 51
    assert len(started) == 8  # the first window only, though batches 1-5 were written meanwhile


def test_failure_inside_a_split_batch_keeps_the_halves_that_succeeded():
    lines = text_lines(100)
    doomed = "this is input number 75"
    backend = FakeBackend(
        max_tokens=300,
        fail=lambda texts: FakeApiError("boom", exit_code=1) if doomed in texts else None,
    )
    sink = io.StringIO()
    with pytest.raises(EmbedStopped) as caught:
        run_embed(fakes_items(lines), backend, JsonlWriter(sink))
    first = caught.value.first_line
    assert 1 < first <= 75
    assert got(parse_jsonl(sink.getvalue())) == expected(lines)[: first - 1]


def test_a_failure_before_anything_is_written_has_no_resume_hint():
    backend = FakeBackend(fail=lambda texts: FakeApiError("no", exit_code=3))
    with pytest.raises(EmbedStopped) as caught:
        run_embed(fakes_items(["a", "b"]), backend, JsonlWriter(io.StringIO()))
    assert caught.value.exit_code == ExitCode.AUTH
    assert caught.value.hint == "the fake's own hint"


def test_a_bug_in_the_backend_surfaces_unwrapped_after_earlier_batches():
    def fail(texts):
        return RuntimeError("bug") if "this is input number 3" in texts else None

    sink = io.StringIO()
    with pytest.raises(RuntimeError, match="bug"):
        run_embed(
            fakes_items(text_lines(4)),
            FakeBackend(fail=fail),
            JsonlWriter(sink),
            limits=Limits(max_inputs=2),
            concurrency=1,
        )
    assert [r["line"] for r in parse_jsonl(sink.getvalue())] == [1, 2]


def test_a_short_answer_is_an_error_not_a_misalignment():
    backend = FakeBackend(answer=lambda texts: [[0.0]] * (len(texts) - 1))
    with pytest.raises(EmbedStopped, match="the API returned 1 embedding for 2 inputs"):
        run_embed(fakes_items(["a", "b"]), backend, JsonlWriter(io.StringIO()))


def test_blank_lines_are_skipped_counted_and_keep_line_numbers():
    lines = ["first", "", "   ", "fourth", "\t", "sixth"]
    backend = FakeBackend()
    records, summary = run_lines([line + "\n" for line in lines], backend)
    assert [r["line"] for r in records] == [1, 4, 6]
    assert summary.blank == 3
    assert summary.inputs == 3
    assert all(text.strip() for call in backend.calls for text in call)


def test_over_long_input_is_refused_before_sending_naming_its_line():
    lines = ["é" * 20_000, "fine"]
    backend = FakeBackend()
    with pytest.raises(DataValidationError) as caught:
        run_embed(fakes_items(lines), backend, JsonlWriter(io.StringIO()))
    assert caught.value.exit_code == ExitCode.VALIDATION
    assert caught.value.message == (
        "line 1: input has ~13,335 tokens, over the per-input limit of 8,192"
    )
    assert "--truncate" in (caught.value.hint or "")
    assert backend.calls == []


def test_over_long_input_after_written_batches_stops_with_exit_8_and_resume_hint():
    lines = [*text_lines(10), "z" * 30_000]
    sink = io.StringIO()
    with pytest.raises(EmbedStopped) as caught:
        run_embed(fakes_items(lines), FakeBackend(), JsonlWriter(sink), limits=Limits(max_inputs=4))
    assert caught.value.exit_code == ExitCode.VALIDATION
    assert caught.value.first_line == 11
    assert caught.value.message.startswith("line 11: input has")
    assert len(parse_jsonl(sink.getvalue())) == 10  # the partial batch 9-10 was flushed too


def test_truncate_cuts_over_long_inputs_to_the_limit_and_counts_them():
    lines = ["fine", "é" * 20_000, "w" * 100_000]
    backend = FakeBackend()
    records, summary = run_lines(lines, backend, truncate=True)
    assert [r["line"] for r in records] == [1, 2, 3]
    assert summary.truncated == 2
    sent = [text for call in backend.calls for text in call]
    assert all(fake_tokens(text) <= 8_192 for text in sent)
    assert sent[1] == "é" * len(sent[1])  # cut on a character boundary
    assert records[1]["sha"] != records[2]["sha"]


def test_bad_json_line_mid_stream_flushes_lines_before_it():
    lines = [f'{{"text": "t{i}"}}' for i in range(1, 30)] + ["{oops", '{"text": "after"}']
    sink = io.StringIO()
    with pytest.raises(EmbedStopped) as caught:
        run_embed(read_jsonl(lines), FakeBackend(), JsonlWriter(sink), limits=Limits(max_inputs=8))
    assert caught.value.exit_code == ExitCode.VALIDATION
    assert caught.value.first_line == 30
    assert caught.value.message.startswith("line 30: not valid JSON")
    assert [r["line"] for r in parse_jsonl(sink.getvalue())] == list(range(1, 30))


def test_bad_first_line_raises_the_input_error_itself():
    with pytest.raises(DataValidationError, match="line 1: expected a JSON object"):
        run_embed(read_jsonl(["[1]"]), FakeBackend(), JsonlWriter(io.StringIO()))


def test_undecodable_input_is_raised_after_the_lines_before_it():
    def lines():
        yield from text_lines(5)
        raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")

    sink = io.StringIO()
    with pytest.raises(UnicodeDecodeError):
        run_embed(fakes_items_lazy(lines()), FakeBackend(), JsonlWriter(sink))
    assert len(parse_jsonl(sink.getvalue())) == 5


def fakes_items_lazy(lines):
    for n, t in enumerate(lines, start=1):
        yield Item(n, None, t)


def test_input_is_consumed_lazily_within_the_window():
    max_inputs, window = 512, 3
    state = {"read": 0, "written": 0, "peak": 0}

    class CountingWriter:
        def write(self, items, vectors):
            state["written"] += len(items)

        def close(self):
            pass

    def source():
        for n in range(1, 200_001):
            state["read"] += 1
            state["peak"] = max(state["peak"], state["read"] - state["written"])
            yield Item(n, None, "x")

    summary = run_embed(source(), FakeBackend(), CountingWriter(), concurrency=2, window=window)
    assert summary.inputs == state["written"] == 200_000
    assert state["peak"] <= window * max_inputs + 1  # + the item that closed the last batch
    assert state["peak"] > max_inputs  # the window is used


def test_progress_reports_each_written_batch():
    ticks = iter(range(100))
    seen: list[Progress] = []
    summary = run_embed(
        fakes_items(text_lines(10)),
        FakeBackend(),
        JsonlWriter(io.StringIO()),
        limits=Limits(max_inputs=4),
        on_progress=seen.append,
        clock=lambda: float(next(ticks)),
    )
    assert [p.inputs for p in seen] == [4, 8, 10]
    assert [p.requests for p in seen] == [1, 2, 3]
    assert seen[-1].tokens == summary.tokens == sum(-(-len(t) // 3) + 1 for t in text_lines(10))
    assert [p.elapsed for p in seen] == [1.0, 2.0, 3.0]
    assert summary.elapsed == 4.0
    assert summary.exact is False


def test_concurrency_below_one_is_a_usage_error():
    with pytest.raises(CliError, match="concurrency"):
        run_embed([], FakeBackend(), JsonlWriter(io.StringIO()), concurrency=0)


def test_no_input_no_request():
    backend = FakeBackend()
    summary = run_embed([], backend, JsonlWriter(io.StringIO()))
    assert (summary.inputs, summary.requests, backend.calls) == (0, 0, [])


@pytest.mark.parametrize(
    ("exc", "answer"),
    [
        (RequestRejected("Too many tokens overall, split into more batches.", code="3210"), True),
        (FakeApiError("Too many tokens in batch. Max is 16384 got 20001"), True),
        (FakeApiError("anything", code=3210), True),  # type: ignore[arg-type]
        (ValueError("TOO MANY TOKENS"), True),
        (RequestRejected("Too many inputs in request", code="3000"), False),
        (FakeApiError("rate limited", exit_code=5), False),
    ],
)
def test_is_too_many_tokens(exc, answer):
    assert is_too_many_tokens(exc) is answer
