import io
import json
import os

import pytest

from mistral_cli.errors import DataValidationError, UsageError
from mistral_cli.services.embed import resume as resume_module
from mistral_cli.services.embed.batching import Limits
from mistral_cli.services.embed.inputs import Item, read_jsonl, read_lines
from mistral_cli.services.embed.resume import Cut, resume
from mistral_cli.services.embed.runner import EmbedStopped, run_embed
from mistral_cli.services.embed.writers import JsonlWriter, short_sha
from tests.unit.embed.fakes import FakeApiError, FakeBackend, text_lines

LINES = [*text_lines(30), "", *text_lines(20, "more input {}")]


def embed_to(path, items, backend=None, **options):
    with path.open("a", encoding="utf-8") as fh:
        return run_embed(items, backend or FakeBackend(), JsonlWriter(fh), **options)


@pytest.fixture
def clean(tmp_path):
    path = tmp_path / "clean.jsonl"
    embed_to(path, read_lines(LINES))
    return path.read_bytes()


def test_a_missing_file_starts_from_the_top(tmp_path):
    point = resume(tmp_path / "new.jsonl", read_lines(LINES))
    assert (point.done, point.last_line, point.discarded_bytes) == (0, None, 0)
    assert next(point.items) == Item(1, None, LINES[0])


def test_resume_after_a_failure_embeds_only_the_rest(tmp_path, clean):
    path = tmp_path / "out.jsonl"
    doomed = "more input 3"
    failing = FakeBackend(fail=lambda t: FakeApiError("down", exit_code=1) if doomed in t else None)
    with pytest.raises(EmbedStopped) as caught:
        embed_to(path, read_lines(LINES), failing, limits=Limits(max_inputs=8))
    assert caught.value.first_line == 34  # batches of 8 non-blank: the 5th holds lines 34-41

    point = resume(path, read_lines(LINES))
    assert (point.done, point.last_line, point.blank, point.discarded_bytes) == (32, 33, 1, 0)
    backend = FakeBackend()
    summary = embed_to(path, point.items, backend)
    assert summary.inputs == 18
    assert [t for call in backend.calls for t in call] == LINES[33:]
    assert path.read_bytes() == clean


def test_a_torn_last_line_is_discarded_and_re_embedded(tmp_path, clean):
    path = tmp_path / "out.jsonl"
    cut = clean.index(b"\n", len(clean) // 2) + 1 + 15  # 15 bytes into a record
    path.write_bytes(clean[:cut])
    kept = clean[:cut].count(b"\n")

    point = resume(path, read_lines(LINES))
    assert point.done == kept
    assert point.discarded_bytes == 15
    assert path.read_bytes() == clean[: cut - 15]
    backend = FakeBackend()
    embed_to(path, point.items, backend)
    assert path.read_bytes() == clean
    assert sum(map(len, backend.calls)) == 50 - kept


def test_a_complete_file_leaves_nothing_to_do(tmp_path, clean):
    path = tmp_path / "out.jsonl"
    path.write_bytes(clean)
    point = resume(path, read_lines(LINES))
    assert point.done == 50
    assert list(point.items) == []


def test_a_changed_input_is_detected_and_the_file_left_alone(tmp_path, clean):
    path = tmp_path / "out.jsonl"
    path.write_bytes(clean[:-7])
    changed = list(LINES)
    changed[4] = "this is input number five"
    with pytest.raises(DataValidationError) as caught:
        resume(path, read_lines(changed))
    assert caught.value.message == (
        f"line 5 differs from the text embedded in {path}:5 (the input changed since that run)"
    )
    assert path.read_bytes() == clean[:-7]


def test_an_inserted_line_is_detected(tmp_path, clean):
    path = tmp_path / "out.jsonl"
    path.write_bytes(clean)
    with pytest.raises(
        DataValidationError, match=r"out.jsonl:1 holds line 1, but the next input is line 2"
    ):
        resume(path, read_lines(["", *LINES]))


def test_an_input_shorter_than_the_file_is_detected(tmp_path, clean):
    path = tmp_path / "out.jsonl"
    path.write_bytes(clean)
    with pytest.raises(DataValidationError, match=r"the input ends before .*out.jsonl:11"):
        resume(path, read_lines(LINES[:10]))


@pytest.mark.parametrize(
    "content",
    [
        b"not json\n",
        b'{"line": 1, "embedding": [1.0], "sha": null}\n',
        b'{"line": 1, "embedding": [1.0], "sha": "abcdefabcdef", "extra": 1}\n',
        b'{"line": 1, "id": 1, "embedding": [1.0]}\n',
        b'{"line": 1, "embedding": ["1.0"]}\n',
        b'["line", 1]\n',
        b'{"line": true, "embedding": [], "sha": "abcdefabcdef"}\n',
        b'{"line": 1, "embedding": [1.0], "sha": "abcdefabcdef"\n',
        b"\n",
    ],
)
def test_a_foreign_file_is_refused(tmp_path, content):
    path = tmp_path / "out.jsonl"
    path.write_bytes(content)
    with pytest.raises(UsageError, match=r"out.jsonl:1: not a record written by mistral embed"):
        resume(path, read_lines(LINES))
    assert path.read_bytes() == content


def test_records_in_another_layout_are_read_slowly(tmp_path):
    path = tmp_path / "out.jsonl"
    records = [
        {"sha": short_sha("first"), "line": 1, "embedding": [1.0]},
        {"line": 2, "embedding": [2.0], "sha": short_sha("second")},
    ]
    texts = ["first", "second", "third"]
    path.write_text(
        "\n".join(json.dumps(r, separators=(",", ":")) for r in records) + "\n", encoding="utf-8"
    )
    point = resume(path, read_lines(texts))
    assert point.done == 2
    assert list(point.items) == [Item(3, None, "third")]


def test_resume_by_id_with_json_lines(tmp_path):
    source = [json.dumps({"text": f"t{i}", "doc": f"d{i}"}) for i in range(1, 6)]
    path = tmp_path / "out.jsonl"
    sink = io.StringIO()
    run_embed(read_jsonl(source[:3], id_field="doc"), FakeBackend(), JsonlWriter(sink))
    path.write_text(sink.getvalue(), encoding="utf-8")

    point = resume(path, read_jsonl(source, id_field="doc"))
    assert (point.done, point.last_line) == (3, 3)
    assert [item.id for item in point.items] == ["d4", "d5"]

    renamed = [*source[:2], json.dumps({"text": "t3", "doc": "other"}), *source[3:]]
    with pytest.raises(DataValidationError, match='holds id "d3", but the next input is line 3'):
        resume(path, read_jsonl(renamed, id_field="doc"))
    with pytest.raises(DataValidationError, match="holds id"):
        resume(path, read_jsonl(source))  # the first run used --id-field


def test_records_without_a_sha_are_checked_by_line(tmp_path):
    path = tmp_path / "out.jsonl"  # as `batch download -o` writes them
    path.write_bytes(b'{"line": 1, "embedding": [1.0]}\n{"line": 2, "embedding": [2.0]}\n')
    point = resume(path, read_lines(["a", "b", "c"]))
    assert (point.done, point.last_line) == (2, 2)
    assert list(point.items) == [Item(3, None, "c")]
    with pytest.raises(DataValidationError, match="holds line 2, but the next input is line 3"):
        resume(path, read_lines(["a", "", "b"]))


CORRUPT = [
    (b'{"line": 6, "embedding": [0.5, 0.25, "x"], "sha": "000000000000"}', "not a list of numbers"),
    (b'{"line": 6, "embedding": [0.5, 0.25, 0.125, 1.0}', "not valid JSON"),
    (b'{"line": 6, "embedding": [0.5], "sha": "000000000000"}', "1 values, where the records"),
    (b"\x00\x00\x00\x00", "not valid JSON"),
    (b"", "not valid JSON"),
    (b'{"line": 6, "sha": "000000000000"}', "not a list of numbers"),
    (b'{"line": 6.5, "embedding": [1], "sha": "000000000000"}', "not a string or an integer"),
    (b'{"line": 6, "embedding": [1], "sha": "ABCDEF000000"}', "not 12 hex digits"),
]


@pytest.mark.parametrize(("damage", "reason"), CORRUPT)
def test_a_damaged_record_is_cut_off_with_everything_after_it(tmp_path, clean, damage, reason):
    path = tmp_path / "out.jsonl"
    lines = clean.splitlines(keepends=True)
    path.write_bytes(b"".join([*lines[:5], damage + b"\n", *lines[6:]]))
    point = resume(path, read_lines(LINES))
    assert point.cut is not None
    assert (point.cut.line, point.cut.lines) == (6, len(lines) - 5)
    assert reason in point.cut.reason
    assert (point.done, point.last_line) == (5, 5)
    assert path.read_bytes() == b"".join(lines[:5])  # cut there: the records before stay
    backend = FakeBackend()
    embed_to(path, point.items, backend)
    assert path.read_bytes() == clean  # redone: the file is whole again
    assert sum(map(len, backend.calls)) == 50 - 5


def test_a_damaged_last_record_without_newline_counts_one_line(tmp_path, clean):
    path = tmp_path / "out.jsonl"
    lines = clean.splitlines(keepends=True)
    path.write_bytes(b"".join([*lines[:3], b"garbage\n", b'{"torn']))
    point = resume(path, read_lines(LINES))
    assert point.cut is not None
    assert (point.cut.line, point.cut.lines) == (4, 2)
    assert point.discarded_bytes == len(b'garbage\n{"torn')


def test_an_overlong_line_is_damage_and_never_read_whole(tmp_path, clean, monkeypatch):
    monkeypatch.setattr(resume_module, "MAX_RECORD_BYTES", 4096)
    path = tmp_path / "out.jsonl"
    lines = clean.splitlines(keepends=True)
    path.write_bytes(b"".join([lines[0], b"7" * 10_000 + b"\n", lines[2]]))
    point = resume(path, read_lines(LINES))
    assert point.cut == Cut(2, "longer than any record", 2)
    assert path.read_bytes() == lines[0]


def test_resume_never_follows_a_symlink(tmp_path, clean):
    victim = tmp_path / "victim.jsonl"
    victim.write_bytes(clean[:-7])
    link = tmp_path / "out.jsonl"
    link.symlink_to(victim)
    with pytest.raises(UsageError, match="is a symbolic link; it is not followed"):
        resume(link, read_lines(LINES))
    assert victim.read_bytes() == clean[:-7]  # not truncated through the link


def test_resume_refuses_a_fifo(tmp_path):
    fifo = tmp_path / "out.jsonl"
    os.mkfifo(fifo)
    with pytest.raises(UsageError, match="is not a regular file"):
        resume(fifo, read_lines(LINES))
