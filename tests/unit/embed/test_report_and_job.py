import io
from pathlib import Path

import pytest

from mistral_cli.errors import UsageError
from mistral_cli.fsio import WriteFailed
from mistral_cli.services.embed import report
from mistral_cli.services.embed.batching import Plan
from mistral_cli.services.embed.inputs import Item
from mistral_cli.services.embed.job import Destination, ProgressTracker, Source, open_writer
from mistral_cli.services.embed.runner import Progress, Summary
from mistral_cli.services.pricing import Cost


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (0, "0"),
        (950, "950"),
        (1_000, "1k"),
        (9_540, "9.5k"),
        (180_400, "180k"),
        (2_900_000, "2.9M"),
    ],
)
def test_compact(number, text):
    assert report.compact(number) == text


def test_summary_and_plan_lines():
    summary = Summary(20_000, 180_000, 40, 0, 2, 1, 2.14, exact=False)
    assert report.summary_line(summary) == (
        "20,000 inputs · 180k tokens (estimated) · 40 requests · 2.1 s · "
        "2 blank lines skipped · 1 input truncated"
    )
    plan = Plan(1, 5, 1, 0, 0, exact=True)
    assert report.plan_line(plan, None) == (
        "1 input · 5 tokens · 1 request · cost n/a · nothing sent"
    )


def test_cost_text_shows_the_price_date_or_cost_na():
    assert report.cost_text(None) == "cost n/a"
    assert report.cost_text(Cost(1.0, "USD", "2030-01-01")) == "~$1.00 (prices as of 2030-01-01)"
    assert report.cost_text(Cost(0.5, "EUR")) == "~€0.5"


def test_progress_tracker_deltas_rate_and_eta():
    now = [100.0]
    tracker = ProgressTracker(total=1_000, clock=lambda: now[0])
    now[0] = 102.0
    assert tracker.update(Progress(200, 1_500, 1, 2.0)) == (200, "1.5k tokens · 100/s · ETA 0:08")
    now[0] = 104.0
    assert tracker.update(Progress(500, 3_000, 2, 4.0))[0] == 300
    quiet = ProgressTracker(total=10, eta=False, clock=lambda: 1.0)
    assert "ETA" not in quiet.update(Progress(1, 1, 1, 0.0))[1]


@pytest.mark.parametrize(
    ("fmt", "path", "chosen"),
    [
        (None, None, "jsonl"),
        (None, "v.npy", "npy"),
        (None, "v.CSV", "csv"),
        ("json", "v.npy", "json"),
        (None, "v.txt", "jsonl"),
    ],
)
def test_destination_format_from_flag_or_suffix(fmt, path, chosen):
    assert Destination(fmt, Path(path) if path else None).chosen == chosen


def test_text_items_and_jsonl_texts():
    assert list(Source(["a", "b"]).items()) == [Item(1, None, "a"), Item(2, None, "b")]
    jsonl = Source(['{"t": "x", "k": 3}'], input_format="jsonl", field="t", id_field="k")
    assert list(jsonl.items()) == [Item(1, 3, "x")]
    assert list(Source(stream=io.BytesIO(b"p\nq\n")).items())[1] == Item(2, None, "q")


def test_open_writer_finishes_a_json_document_even_on_failure(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "v.json"

    def fail_midway(progressive: bool):
        destination = Destination(path=target, force=True)
        with open_writer(destination, io.StringIO(), "float", progressive=progressive) as writer:
            writer.write([Item(1, None, "a")], [[1.0]])
            raise RuntimeError

    with pytest.raises(RuntimeError):
        fail_midway(progressive=True)
    expected = '{"object": "list", "data": [\n{"line": 1, "embedding": [1.0]}\n]}\n'
    assert target.read_text() == expected
    target.write_text("kept")
    with pytest.raises(RuntimeError):
        fail_midway(progressive=False)  # written whole or not at all
    assert target.read_text() == "kept"
    assert [p.name for p in folder.iterdir()] == ["v.json"]


def test_a_progressive_file_that_got_no_record_is_removed_on_failure(tmp_path):
    target = tmp_path / "v.jsonl"
    seen = []

    def fail_at_once():
        with open_writer(Destination(path=target), io.StringIO(), "float", progressive=True):
            seen.append(target.exists())
            raise RuntimeError

    with pytest.raises(RuntimeError):
        fail_at_once()
    assert seen == [True]
    assert not target.exists()


def test_open_writer_refuses_an_unwritable_file(tmp_path):
    destination = Destination(path=tmp_path / "no" / "v.jsonl")
    with pytest.raises(UsageError, match=r"cannot write .*v.jsonl: there is no folder .*no$"):
        destination.check()
    with pytest.raises(WriteFailed, match=r"cannot write .*v.jsonl: no such file or directory"):
        open_writer(destination, io.StringIO(), "float").__enter__()
