"""FakeMistral's core: auth, routing, validation answers, the request log, fault bookkeeping."""

import json
import textwrap
from pathlib import Path

import pytest

from tests.fakes import FakeMistral, FakeModule, FakeRequest, FakeResponse, Fault, route
from tests.fakes.router import ROUTES, PathParams
from tests.fakes.wire import json_response
from tests.unit.fakes.helpers import CHAT, chat_body


def post(fake: FakeMistral, path: str, body: object, **headers: str) -> FakeResponse:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = FakeRequest(
        "POST",
        path,
        headers={
            "authorization": f"Bearer {fake.api_key}",
            "content-type": "application/json",
            **headers,
        },
        body=raw,
    )
    answer = fake.handle(request)
    assert isinstance(answer, FakeResponse)
    return answer


def get(fake: FakeMistral, path: str, key: str | None = None) -> FakeResponse:
    headers = {} if key == "" else {"authorization": f"Bearer {key or fake.api_key}"}
    answer = fake.handle(FakeRequest("GET", path, headers=headers))
    assert isinstance(answer, FakeResponse)
    return answer


@pytest.mark.parametrize("key", ["", "sk-wrong"])
def test_a_missing_or_wrong_key_gets_401(fake: FakeMistral, key: str) -> None:
    answer = get(fake, "/v1/models", key)
    assert answer.status == 401
    assert answer.json() == {
        "message": "Unauthorized",
        "request_id": answer.headers["x-request-id"],
    }


def test_every_answer_has_a_fresh_request_id(fake: FakeMistral) -> None:
    first, second = get(fake, "/v1/models"), get(fake, "/v1/nope")
    assert len(first.headers["x-request-id"]) == 32
    assert first.headers["x-request-id"] != second.headers["x-request-id"]
    assert [r.request_id for r in fake.requests] == [
        first.headers["x-request-id"],
        second.headers["x-request-id"],
    ]


def test_unknown_routes_and_methods(fake: FakeMistral) -> None:
    missing = get(fake, "/v1/nope")
    assert (missing.status, missing.json()["detail"]) == (404, "Not Found")
    wrong_method = post(fake, "/v1/models", {})
    assert (wrong_method.status, wrong_method.json()["detail"]) == (405, "Method Not Allowed")


def test_unknown_field_gets_the_real_422_shape(fake: FakeMistral) -> None:
    answer = post(fake, CHAT, chat_body(stream_options={"include_usage": True}))
    assert answer.status == 422
    assert answer.json() == {
        "object": "error",
        "message": {
            "detail": [
                {
                    "type": "extra_forbidden",
                    "loc": ["body", "stream_options"],
                    "msg": "Extra inputs are not permitted",
                }
            ]
        },
        "type": "invalid_request_error",
        "param": None,
        "code": None,
        "request_id": answer.headers["x-request-id"],
    }


def test_a_wrong_type_gets_422_with_a_detail_list(fake: FakeMistral) -> None:
    answer = post(fake, CHAT, chat_body(temperature="hot"))
    assert answer.status == 422
    assert answer.json()["message"]["detail"] == [
        {
            "type": "float_parsing",
            "loc": ["body", "temperature"],
            "msg": "Input should be a valid number, unable to parse string as a number",
        }
    ]


@pytest.mark.parametrize(("body", "loc"), [(b'{"model": ', ["body", 10]), (b"", ["body"])])
def test_broken_or_missing_json_gets_422(fake: FakeMistral, body: bytes, loc: list[object]) -> None:
    answer = post(fake, CHAT, body)
    assert answer.status == 422
    assert [d["loc"] for d in answer.json()["message"]["detail"]] == [loc]


def test_requests_are_recorded_with_their_body(fake: FakeMistral) -> None:
    post(fake, CHAT, chat_body("hello"))
    get(fake, "/v1/models")
    assert [r.route_key for r in fake.requests] == [f"POST {CHAT}", "GET /v1/models"]
    assert fake.requests_to(f"POST {CHAT}")[0].json()["messages"][0]["content"] == "hello"


def test_extra_headers_go_on_every_answer(fake: FakeMistral) -> None:
    fake.extra_headers["x-ratelimit-remaining-req-minute"] = "59"
    assert get(fake, "/v1/models").headers["x-ratelimit-remaining-req-minute"] == "59"


class _Probe(FakeModule):
    """A module added the way later work adds files, batch or fine-tuning routes."""

    def __init__(self, fake: FakeMistral) -> None:
        super().__init__(fake)
        self.seen: list[PathParams] = []

    @route("GET", "/v1/selftest/{item}/{part}", validate=False)
    def read(self, request: FakeRequest, params: PathParams) -> FakeResponse:
        self.seen.append(params)
        return json_response(200, {"params": params, "query": request.query})

    @route("POST", "/v1/audio/transcriptions")  # a multipart route of the spec
    def upload(self, request: FakeRequest, params: PathParams) -> FakeResponse:
        return json_response(200, {"ok": True})

    @route("DELETE", "/v1/selftest/crash", validate=False)
    def crash(self, request: FakeRequest, params: PathParams) -> FakeResponse:
        raise RuntimeError("boom")


@pytest.fixture
def probe(fake: FakeMistral) -> _Probe:
    return fake.module(_Probe)


def test_modules_register_routes_and_keep_state_per_fake(fake: FakeMistral, probe: _Probe) -> None:
    request = FakeRequest(
        "GET", "/v1/selftest/a1/b2", {"q": ["1"]}, {"authorization": f"Bearer {fake.api_key}"}
    )
    answer = fake.handle(request)
    assert isinstance(answer, FakeResponse)
    assert answer.json() == {"params": {"item": "a1", "part": "b2"}, "query": {"q": ["1"]}}
    assert probe.seen == [{"item": "a1", "part": "b2"}]
    assert fake.module(_Probe) is probe
    assert FakeMistral().module(_Probe) is not probe


def test_registering_a_route_twice_fails() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        ROUTES.add(_Probe, _Probe.read, ("GET", "/v1/selftest/{item}/{part}", False))


def test_multipart_field_names_are_validated(fake: FakeMistral, probe: _Probe) -> None:
    form = (
        b'--xx\r\nContent-Disposition: form-data; name="file"; filename="a.mp3"\r\n\r\n'
        b"ID3\r\n--xx--\r\n"
    )
    answer = post(
        fake,
        "/v1/audio/transcriptions",
        form,
        **{"content-type": "multipart/form-data; boundary=xx"},
    )
    assert answer.status == 422
    assert answer.json()["message"]["detail"] == [
        {"type": "missing", "loc": ["body", "model"], "msg": "Field required"}
    ]


def test_a_crashing_handler_answers_500_and_fails_the_test(
    fake: FakeMistral, probe: _Probe
) -> None:
    answer = fake.handle(
        FakeRequest(
            "DELETE", "/v1/selftest/crash", headers={"authorization": f"Bearer {fake.api_key}"}
        )
    )
    assert isinstance(answer, FakeResponse)
    assert answer.status == 500
    with pytest.raises(AssertionError, match="fake error: RuntimeError"):
        fake.assert_clean()
    fake.errors.clear()


def test_faults_are_consumed_in_order_per_matching_route(fake: FakeMistral) -> None:
    fake.inject(f"POST {CHAT}", Fault.status(503), times=2)
    fake.inject("GET /v1/models/mistral-embed", Fault.status(500))
    fake.inject("*", Fault.status(502))
    assert get(fake, "/v1/models/mistral-embed").status == 500  # concrete path
    assert get(fake, "/v1/models").status == 502  # "*" is the first that matches
    assert [post(fake, CHAT, chat_body()).status for _ in range(3)] == [503, 503, 200]
    assert fake.unused_faults() == []
    assert [type(r.fault).__name__ for r in fake.requests] == ["StatusFault"] * 4 + ["NoneType"]


def test_unused_faults_are_reported(fake: FakeMistral) -> None:
    fake.inject(f"POST {CHAT}", Fault.rate_limited("2"), times=3)
    post(fake, CHAT, chat_body())
    (pending,) = fake.unused_faults()
    assert (pending.route, pending.times) == (f"POST {CHAT}", 2)
    with pytest.raises(
        AssertionError, match=r"unused scripted fault: POST /v1/chat/completions: .*\(2 left\)"
    ):
        fake.assert_clean()
    post(fake, CHAT, chat_body())
    post(fake, CHAT, chat_body())


def test_a_bad_route_key_is_refused(fake: FakeMistral) -> None:
    with pytest.raises(ValueError, match="METHOD /path"):
        fake.inject("/v1/models", Fault.status(500))
    with pytest.raises(ValueError, match="at least 1"):
        fake.inject("*", Fault.status(500), times=0)


def test_misapplied_stream_faults_are_errors(fake: FakeMistral) -> None:
    fake.inject("GET /v1/models", Fault.no_done())
    assert get(fake, "/v1/models").status == 200
    with pytest.raises(AssertionError, match="needs a streaming response"):
        fake.assert_clean()
    fake.errors.clear()


def test_the_teardown_fails_a_test_that_leaves_its_script_unused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "conftest.py").write_text("from tests.fakes.fixtures import *  # noqa: F403\n")
    (tmp_path / "test_inner.py").write_text(
        textwrap.dedent(
            """
            from tests.fakes import FakeMistral, Fault
            from tests.fakes.chat import Reply

            def test_forgets(fake):
                fake.inject("POST /v1/embeddings", Fault.status(500))

            def test_forgets_a_fake_made_by_hand():
                FakeMistral().chat.replies.append(Reply(text="never asked for"))
            """
        )
    )
    options = [
        "-q",
        "-p",
        "no:cacheprovider",
        "--import-mode=importlib",
        "--rootdir",
        str(tmp_path),
    ]
    status = pytest.main([str(tmp_path), *options])
    output = capsys.readouterr().out
    assert status == pytest.ExitCode.TESTS_FAILED, output
    assert "2 passed, 2 errors" in output
    assert "unused scripted fault: POST /v1/embeddings" in output
    assert "unused scripted reply: Reply(text='never asked for'" in output
