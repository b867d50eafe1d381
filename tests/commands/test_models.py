from __future__ import annotations

import json
import re

import httpx
import pytest

from tests.fakes.faults import Fault
from tests.fakes.router import FakeMistral
from tests.support import Sleeps, invoke, make_context


def test_list_piped_is_tsv_without_header(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    result = invoke(["models", "list"], make_context(fake_transport))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    ids = [line.split("\t")[0] for line in lines]
    assert ids == sorted(ids)
    assert "mistral-small-latest" in ids
    assert "ID" not in ids
    small = next(line for line in lines if line.startswith("mistral-small-latest\t"))
    assert small.split("\t")[1:7] == ["256k", "true", "true", "true", "true", "false"]
    embed = next(line for line in lines if line.startswith("mistral-embed\t"))
    assert embed.split("\t")[6] == "true"
    medium = next(line for line in lines if line.startswith("mistral-medium-2508\t"))
    assert "deprecated" in medium.split("\t")[7]
    assert result.stderr == ""


def test_list_on_a_terminal_has_a_header(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    result = invoke(["models", "list"], make_context(fake_transport, tty=True))
    assert result.exit_code == 0
    plain = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    assert plain.splitlines()[0].split() == [
        "ID",
        "CONTEXT",
        "CHAT",
        "TOOLS",
        "VISION",
        "FINE-TUNE",
        "EMBED",
        "NOTE",
    ]


@pytest.mark.parametrize("shape", ["object", "list"])
def test_list_json_accepts_both_list_shapes(
    fake: FakeMistral, fake_transport: httpx.MockTransport, shape: str
) -> None:
    fake.models.list_shape = shape  # type: ignore[assignment]
    result = invoke(["models", "list", "--json"], make_context(fake_transport))
    document = json.loads(result.stdout)
    assert document["object"] == "list"
    assert {card["id"] for card in document["data"]} >= {"mistral-small-latest", "mistral-embed"}


def test_list_is_cached_until_refresh(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    actx = make_context(fake_transport)
    invoke(["models", "list"], actx)
    invoke(["models", "list"], actx)
    assert len(fake.requests_to("GET /v1/models")) == 1
    invoke(["models", "list", "--refresh"], actx)
    assert len(fake.requests_to("GET /v1/models")) == 2


def test_show_resolves_short_names(fake: FakeMistral, fake_transport: httpx.MockTransport) -> None:
    result = invoke(["models", "show", "mistral-small"], make_context(fake_transport))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "id\tmistral-small-latest"
    assert fake.requests_to("GET /v1/models/mistral-small-latest")


def test_show_json(fake: FakeMistral, fake_transport: httpx.MockTransport) -> None:
    result = invoke(["models", "show", "mistral-embed", "--json"], make_context(fake_transport))
    assert json.loads(result.stdout)["id"] == "mistral-embed"


def test_unknown_model_suggests_close_matches(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    result = invoke(["models", "show", "mistral-smal"], make_context(fake_transport))
    assert result.exit_code == 2
    assert result.stderr == (
        "mistral: error: unknown model 'mistral-smal'.\n"
        "hint: did you mean mistral-small-latest? (`mistral models list` shows all)\n"
    )


def test_retired_model_gets_a_suggestion(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    result = invoke(["models", "show", "mistral-tiny"], make_context(fake_transport))
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        "mistral: error: model 'mistral-tiny' was retired by Mistral and is no longer served.\n"
        "hint: use ministral-8b-latest instead (`mistral models list` shows all)\n",
    )


def test_deprecated_model_warns(fake: FakeMistral, fake_transport: httpx.MockTransport) -> None:
    result = invoke(["models", "show", "mistral-medium-2508"], make_context(fake_transport))
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        "id\tmistral-medium-2508\nname\tmistral-medium-2508\ntype\tbase\nowned by\tmistralai\n"
        "context\t262,144 tokens\ncapabilities\tcompletion_chat, function_calling, vision\n"
        "aliases\tmistral-medium-latest\ndefault temperature\t0.3\n"
        "deprecation\t2026-08-31T12:00:00Z\nreplacement\tmistral-medium-latest\n"
        "description\tMistral Medium 3.1 (August 2025).\n",
        "mistral: warning: mistral-medium-2508 is deprecated (2026-08-31); "
        "use mistral-medium-latest\n",
    )


def test_429_twice_then_success(fake: FakeMistral, fake_transport: httpx.MockTransport) -> None:
    fake.inject("GET /v1/models", Fault.rate_limited(retry_after="1"), times=2)
    sleeps = Sleeps()
    result = invoke(["models", "list"], make_context(fake_transport, sleep=sleeps))
    assert result.exit_code == 0
    assert sleeps.calls == [1.0, 1.0]
    assert result.stderr == (
        "mistral: retrying in 1.0 s (HTTP 429, retry 1 of 4)\n"
        "mistral: retrying in 1.0 s (HTTP 429, retry 2 of 4)\n"
    )


def gave_up(status: int, fake: FakeMistral, message: str) -> str:
    """The four retries (no jitter: the middle of each backoff range), the error and its hint."""
    retries = "".join(
        f"mistral: retrying in {wait} s (HTTP {status}, retry {n} of 4)\n"
        for n, wait in enumerate(("0.2", "0.5", "1.0", "2.0"), start=1)
    )
    return (
        f"{retries}mistral: error: {message} (HTTP {status}, "
        f"request {fake.requests[-1].request_id})\n"
        "hint: gave up after 5 attempts; the service may be having trouble, try again shortly\n"
    )


def test_500_every_time_is_exit_1(fake: FakeMistral, fake_transport: httpx.MockTransport) -> None:
    fake.inject("GET /v1/models", Fault.status(500), times=5)
    result = invoke(["models", "list"], make_context(fake_transport))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == gave_up(500, fake, "Internal server error")


def test_no_key_is_exit_3(fake_transport: httpx.MockTransport) -> None:
    actx = make_context(fake_transport, env={"MISTRAL_API_KEY": ""})
    result = invoke(["models", "list"], actx)
    assert (result.exit_code, result.stdout, result.stderr) == (
        3,
        "",
        "mistral: error: no API key found.\n"
        "hint: set MISTRAL_API_KEY, put MISTRAL_API_KEY=... in a .env file here, "
        "or run `mistral auth login`\n",
    )


def test_wrong_key_is_exit_3_and_never_echoed(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    actx = make_context(fake_transport, env={"MISTRAL_API_KEY": "sk-wrong-secret-value-123"})
    result = invoke(["models", "list"], actx)
    assert (result.exit_code, result.stdout, result.stderr) == (
        3,
        "",
        "mistral: error: the API rejected the key "
        f"(HTTP 401, request {fake.requests[-1].request_id})\n"
        "hint: the key came from MISTRAL_API_KEY; check it at console.mistral.ai\n",
    )


def test_html_error_page_is_summarised(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    fake.inject("GET /v1/models", Fault.html(502), times=5)
    result = invoke(["models", "list"], make_context(fake_transport))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == gave_up(
        502, fake, "HTTP 502 (HTML error page from the server or a proxy)"
    )


def test_debug_traces_without_the_key(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    actx = make_context(fake_transport, env={"MISTRAL_DEBUG": "1"})
    result = invoke(["models", "list"], actx)
    assert "[debug] → GET https://api.mistral.ai/v1/models" in result.stderr
    assert "authorization: Bearer ***" in result.stderr
    assert fake.api_key not in result.stderr
