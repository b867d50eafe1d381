import base64
import os
import struct
from array import array

import pytest

from mistral_cli.api.errors import ServerError
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
        "encoding_format": "base64",
    }
    ints = EmbedSettings("mistral-embed", output_dtype="uint8")
    assert ints.request(["x"]) == {
        "model": "mistral-embed",
        "input": ["x"],
        "output_dtype": "uint8",
    }
    assert ints.batch_body(["x"]) == {"input": ["x"], "output_dtype": "uint8"}
    assert EmbedSettings("m", base64=False).request(["x"]) == {"model": "m", "input": ["x"]}


def test_lists_and_base64_decode_to_compact_arrays():
    assert decode([1, -2], "b") == array("b", [1, -2])
    assert decode(b64(0.5, -1.25), "f") == array("f", [0.5, -1.25])


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"data": []}, "0 embeddings for 2 inputs"),
        ({"nothing": 1}, "no embeddings for 2 inputs"),
        ({"data": [{"index": 0, "embedding": [1]}, {"index": 0, "embedding": [1]}]}, "index (0)"),
        ({"data": [{"index": 0, "embedding": [1]}, {"index": 5, "embedding": [1]}]}, "index (5)"),
        ({"data": [{"index": 0, "embedding": [1]}, {"embedding": [1]}]}, "index (None)"),
        ({"data": [{"index": 0, "embedding": "@@"}, {"index": 1, "embedding": [1]}]}, "unreadable"),
        ({"data": [{"index": 0, "embedding": 3}, {"index": 1, "embedding": [1]}]}, "type int"),
        (
            {"data": [{"index": 0, "embedding": ["a"]}, {"index": 1, "embedding": [1]}]},
            "unreadable",
        ),
    ],
)
def test_odd_answers_are_server_errors(answer, message):
    with pytest.raises(ServerError, match="the API sent") as caught:
        place(answer, 2, "f")
    assert message in caught.value.message


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
