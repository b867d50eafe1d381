import base64
import gc
import os
import struct
from array import array

import pytest

from mistral_cli.api.errors import UnexpectedAnswer
from mistral_cli.errors import UsageError
from mistral_cli.services.embed.backend import ApiBackend, EmbedSettings, decode, place
from mistral_cli.services.embed.inputs import InputError, count_lines, utf8_lines


def b64(*values: float) -> str:
    return base64.b64encode(struct.pack(f"<{len(values)}f", *values)).decode()


class Recorder:
    def __init__(self, answer):
        self.answer = answer
        self.bodies = []

    def request(self, method, path, *, json_body=None):
        self.bodies.append((method, path, json_body))
        return self.answer


def test_vectors_are_placed_by_index_not_position():
    answer = {"data": [{"index": 1, "embedding": b64(2.0)}, {"index": 0, "embedding": b64(1.0)}]}
    backend = ApiBackend(Recorder(answer), EmbedSettings("mistral-embed"))
    assert [v.tolist() for v in backend.embed(["a", "b"])] == [[1.0], [2.0]]


def test_request_body_float_base64_and_int_dtypes():
    settings = EmbedSettings("codestral-embed", output_dimension=8)
    assert settings.request(["x"]) == {
        "model": "codestral-embed",
        "input": ["x"],
        "output_dimension": 8,
    }
    packed = EmbedSettings("codestral-embed", encoding="base64")
    assert packed.request(["x"])["encoding_format"] == "base64"
    assert packed.batch_body(["x"]) == {"input": ["x"]}  # batch results are JSON numbers
    ints = EmbedSettings("mistral-embed", output_dtype="uint8")
    assert ints.request(["x"]) == {
        "model": "mistral-embed",
        "input": ["x"],
        "output_dtype": "uint8",
    }
    assert ints.batch_body(["x"]) == {"input": ["x"], "output_dtype": "uint8"}


def test_lists_keep_the_numbers_sent_and_base64_decodes_float32():
    assert decode([1, -2], "int8") == array("b", [1, -2])
    assert decode([-0.1608, 3], "float") == array("d", [-0.1608, 3.0])
    assert decode([-0.1608], "float").tolist() == [-0.1608]  # not -0.1607999950647354
    assert decode(b64(0.5, -1.25), "float") == array("f", [0.5, -1.25])


def test_a_missing_or_numeric_string_index_is_read():
    answer = {"data": [{"embedding": [1.0]}, {"index": "0", "embedding": [2.0]}]}
    with pytest.raises(UnexpectedAnswer, match=r"data\[1\]\.index is repeated"):
        place(answer, 2, "float")
    answer = {"data": [{"index": "1", "embedding": [2.0]}, {"index": 0.0, "embedding": [1.0]}]}
    assert [v.tolist() for v in place(answer, 2, "float")] == [[1.0], [2.0]]
    answer = {"data": [{"index": None, "embedding": [1.0]}, {"embedding": [2.0]}]}
    assert [v.tolist() for v in place(answer, 2, "float")] == [[1.0], [2.0]]


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"data": []}, "0 embeddings for 2 inputs"),
        ({"nothing": 1}, "no embeddings for 2 inputs"),
        (
            {"data": [{"index": 0, "embedding": [1]}, {"index": 0, "embedding": [1]}]},
            "data[1].index is repeated or out of range (got 0)",
        ),
        (
            {"data": [{"index": 0, "embedding": [1]}, {"index": 5, "embedding": [1]}]},
            "data[1].index is repeated or out of range (got 5)",
        ),
        (
            {"data": [{"index": 0, "embedding": [1]}, {"index": 1.5, "embedding": [1]}]},
            "data[1].index is repeated or out of range (got 1.5)",
        ),
        (
            {"data": [{"index": 0, "embedding": "@@"}, {"index": 1, "embedding": [1]}]},
            "data[0].embedding is unreadable",
        ),
        (
            {"data": [{"index": 0, "embedding": 3}, {"index": 1, "embedding": [1]}]},
            "data[0].embedding is not a vector (got 3)",
        ),
        (
            {"data": [{"index": 0, "embedding": ["a"]}, {"index": 1, "embedding": [1]}]},
            "data[0].embedding is unreadable",
        ),
        ({"data": [{"index": 0, "embedding": [1]}, 7]}, "data[1].embedding is not a vector"),
    ],
)
def test_odd_answers_are_unexpected_answers(answer, message):
    with pytest.raises(UnexpectedAnswer) as caught:
        place(answer, 2, "float")
    assert caught.value.exit_code == 1
    assert caught.value.message.startswith(
        f"unexpected answer from the server (POST /v1/embeddings): {message}"
    )


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (EmbedSettings("mistral-embed", output_dimension=256), "mistral-embed has no"),
        (EmbedSettings("codestral-embed", output_dimension=0), "at least 1"),
        (EmbedSettings("codestral-embed", output_dtype="f16"), "unknown --output-dtype"),
    ],
)
def test_settings_refuse_what_the_api_would(settings, message):
    with pytest.raises(UsageError, match=message):
        settings.check()


def test_utf8_lines_drop_a_bom_and_name_bad_bytes():
    assert list(utf8_lines([b"\xef\xbb\xbfa\n", b"b\n"])) == ["a\n", "b\n"]
    with pytest.raises(InputError, match=r"line 2: not valid UTF-8 \(byte 2\)"):
        list(utf8_lines([b"ok\n", b"x\xff\n"]))


def test_count_lines_of_regular_files_only(tmp_path):
    path = tmp_path / "in.txt"
    path.write_bytes(b"a\nb\nc")
    with path.open("rb") as fh:
        assert count_lines(fh) == 3
        os.lseek(fh.fileno(), 2, os.SEEK_SET)
        assert count_lines(fh) == 2  # from the current offset, which stays
        assert fh.read() == b"b\nc"
    read_end, write_end = os.pipe()
    with os.fdopen(read_end, "rb") as pipe, os.fdopen(write_end, "wb"):
        assert count_lines(pipe) is None
    assert count_lines(object()) is None


class Cyclic:
    """Stands in for an HTTP response kept alive by a reference cycle (httpx: it and its stream)."""

    def __init__(self) -> None:
        self.me = self


def test_the_answer_garbage_is_collected_before_the_vectors_return():
    import weakref

    seen: list[weakref.ref[Cyclic]] = []

    class Client:
        def request(self, method, path, *, json_body=None):
            body = Cyclic()
            seen.append(weakref.ref(body))
            return {"data": [{"index": 0, "embedding": [0.5]}]}

    gc.disable()  # only the backend's own collection may free it
    try:
        ApiBackend(Client(), EmbedSettings("mistral-embed")).embed(["a"])
        assert seen[0]() is None
    finally:
        gc.enable()


def test_the_run_freezes_the_collector_only_while_it_runs():
    from mistral_cli.services.embed.batching import Limits
    from mistral_cli.services.embed.inputs import Item
    from mistral_cli.services.embed.job import embed
    from mistral_cli.services.embed.tokens import EstimatingCounter

    frozen: list[int] = []

    class Backend:
        def embed(self, inputs):
            frozen.append(gc.get_freeze_count())
            return [[1.0] for _ in inputs]

    class Writer:
        def write(self, items, vectors):
            pass

        def close(self):
            pass

    embed([Item(1, None, "a")], Backend(), Writer(), limits=Limits(), concurrency=1,
          counter=EstimatingCounter(), truncate=False)  # fmt: skip
    assert frozen[0] > 0
    assert gc.get_freeze_count() == 0
