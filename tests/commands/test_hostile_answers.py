"""Commands against hostile servers over loopback: every answer ends as a clean, documented exit.

A gzip bomb, an endless SSE line, endless keep-alives, a trickled body and redirects, for
`models list`, `chat` (streamed) and `chat --no-stream`. The partial answer of a stream stays
on stdout. Time limits are fractions of a second against servers that go on far longer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mistral_cli.context import AppContext
from tests.fakes import hostile
from tests.fakes.faults import Fault
from tests.fakes.router import FakeMistral
from tests.fakes.server import FakeServer
from tests.fakes.wire import gzip_bomb
from tests.support import Result, invoke, make_context

CHAT = "POST /v1/chat/completions"
MODELS = "GET /v1/models"
PROMPT = "hello there world"  # echoed back as "Echo: hello there world", 8 characters an event
BOMB = (
    "mistral: error: the server sent a 1.0 MiB gzip answer that expands past the 64 MiB limit "
    "for a JSON answer (HTTP 200)\n"
    "hint: reading stopped there; check MISTRAL_BASE_URL and any proxy in between\n"
)
Run = Callable[..., Result]  # the `run` fixture: run(*argv, **environment) -> Result
BANNER = "mistral: error: "
TOTAL_HINT = (
    "hint: raise MISTRAL_TOTAL_TIMEOUT (or total_timeout in the config file), or unset it\n"
)


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    hostile.warm_validators()


@pytest.fixture
def server(fake: FakeMistral) -> Iterator[FakeServer]:
    """The loopback server, with the model list cached first (no timed request resolves -m)."""
    with FakeServer(fake) as running:
        warm = make_context(None, env={"MISTRAL_BASE_URL": running.base_url})
        assert invoke(["models", "list"], warm).exit_code == 0
        warm.close()
        yield running


@pytest.fixture
def run(server: FakeServer) -> Iterator[Run]:
    contexts: list[AppContext] = []

    def run(*argv: str, **env: str) -> Result:
        settings = {"MISTRAL_BASE_URL": server.base_url, "MISTRAL_MAX_RETRIES": "0", **env}
        actx = make_context(None, env=settings)
        contexts.append(actx)
        return invoke(argv, actx)

    yield run
    for actx in contexts:
        actx.close()


def test_models_list_gzip_bomb(fake: FakeMistral, run: Run) -> None:
    fake.inject(MODELS, Fault.status(200, gzip_bomb(), {"content-encoding": "gzip"}))
    result = run("models", "list", "--refresh")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", BOMB)


def test_chat_no_stream_gzip_bomb(fake: FakeMistral, run: Run) -> None:
    fake.inject(CHAT, Fault.status(200, gzip_bomb(), {"content-encoding": "gzip"}))
    result = run("chat", "--no-stream", "--no-save", PROMPT)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", BOMB)


def test_chat_endless_line_keeps_the_partial_answer(fake: FakeMistral, run: Run) -> None:
    fake.inject(CHAT, hostile.long_line(after_events=2, size=200 << 20))
    result = run("chat", "--no-save", PROMPT)
    assert (result.exit_code, result.stdout) == (6, "Echo: he\n")
    assert result.stderr == (
        "mistral: error: the stream sent a line longer than 8 MiB (the limit) after 2 events; "
        "the partial answer was kept\n"
        "hint: the partial answer was kept; the server or a proxy is not sending a normal event "
        "stream (check MISTRAL_BASE_URL)\n"
    )


@pytest.mark.parametrize(
    ("limit", "error"),
    [
        (
            {"MISTRAL_TOTAL_TIMEOUT": "0.5"},
            "the request did not finish within the total timeout of 0.5 s (after 2 events); "
            "the partial answer was kept\n" + TOTAL_HINT,
        ),
        (
            {"MISTRAL_TIMEOUT": "0.3"},  # the stream-idle limit: keep-alives do not restart it
            "the stream sent no data for 0.3 s after 2 events; the partial answer was kept\n"
            "hint: raise MISTRAL_TIMEOUT if the model needs longer pauses (keep-alive comments "
            "do not count as data)\n",
        ),
    ],
    ids=["total", "idle"],
)
def test_chat_endless_keep_alives(
    fake: FakeMistral, run: Run, limit: dict[str, str], error: str
) -> None:
    fake.inject(CHAT, hostile.keep_alive(after_events=2, interval=0.01))
    result = run("chat", "--no-save", PROMPT, **limit)
    assert (result.exit_code, result.stdout, result.stderr) == (6, "Echo: he\n", BANNER + error)


@pytest.mark.parametrize(
    "argv", [("models", "list", "--refresh"), ("chat", "--no-stream", "--no-save", PROMPT)]
)
def test_trickled_answers_end_at_the_total_timeout(
    fake: FakeMistral, run: Run, argv: tuple[str, ...]
) -> None:
    fake.inject(MODELS if argv[0] == "models" else CHAT, hostile.trickle(interval=0.01))
    result = run(*argv, MISTRAL_TOTAL_TIMEOUT="0.3")
    assert (result.exit_code, result.stdout) == (6, "")
    assert result.stderr == (
        "mistral: error: the request did not finish within the total timeout of 0.3 s\n"
        + TOTAL_HINT
    )


@pytest.mark.parametrize("status", [301, 307])
@pytest.mark.parametrize(
    "argv",
    [("models", "list", "--refresh"), ("chat", "--no-save", "hi"), ("chat", "--no-stream", "hi")],
)
def test_redirects(fake: FakeMistral, run: Run, status: int, argv: tuple[str, ...]) -> None:
    route = MODELS if argv[0] == "models" else CHAT
    path = route.split()[1]
    fake.inject(route, hostile.redirect(status, f"https://api.elsewhere.test{path}"))
    result = run(*argv)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"mistral: error: the server redirected ({status}) to https://api.elsewhere.test{path}; "
        "set MISTRAL_BASE_URL to it if you trust it\n"
        "hint: redirects are never followed, so the key goes nowhere you did not set; "
        "e.g. MISTRAL_BASE_URL=https://api.elsewhere.test (or --base-url)\n"
    )


def test_http_to_https_redirect(fake: FakeMistral, server: FakeServer, run: Run) -> None:
    https = server.base_url.replace("http:", "https:")
    fake.inject(MODELS, hostile.redirect(301, f"{https}/v1/models"))
    result = run("models", "list", "--refresh")
    assert (result.exit_code, result.stderr.splitlines()[0]) == (
        1,
        f"mistral: error: the server redirected (301) to {https}/v1/models: the server wants "
        f"HTTPS; set MISTRAL_BASE_URL={https}",
    )


def test_total_timeout_flag(
    fake: FakeMistral, server: FakeServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`--total-timeout` on the root command (no test context: flags and environment only)."""
    monkeypatch.setenv("MISTRAL_API_KEY", fake.api_key)
    monkeypatch.setenv("MISTRAL_BASE_URL", server.base_url)
    fake.inject(CHAT, hostile.keep_alive(after_events=2, interval=0.01))
    result = invoke(["--total-timeout", "0.5", "chat", "--no-save", PROMPT])
    assert (result.exit_code, result.stdout, result.stderr) == (
        6,
        "Echo: he\n",
        "mistral: error: the request did not finish within the total timeout of 0.5 s "
        "(after 2 events); the partial answer was kept\n"
        "hint: raise MISTRAL_TOTAL_TIMEOUT (or total_timeout in the config file), or unset it\n",
    )
