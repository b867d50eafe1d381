"""The fault matrix: every network command × every fault the fake server injects.

Each cell runs the installed `mistral` against its own loopback fake (the REPL turn runs
in-process over the loopback network) and checks the exit code, one short error message
without a traceback, no key in any output, that no fault was waited out, that data already
produced was kept, and that the fake was used exactly as scripted: each fault meets as many
requests as the retry policy makes (a retry too many or too few fails the cell). The matrix is
printed at the end of the module's tests (and in the README).
"""

from __future__ import annotations

import contextlib
import io
import json
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

import tests.fakes.files
import tests.fakes.finetune  # noqa: F401  # registers the fine-tuning and files routes
from mistral_cli.context import AppContext
from mistral_cli.errors import CliError, describe
from tests.commands.test_finetune import MODEL, write_train
from tests.e2e.conftest import base_env
from tests.fakes import spec
from tests.fakes.faults import Fault
from tests.fakes.files import FilesFake
from tests.fakes.finetune import FineTuneFake
from tests.fakes.router import FakeMistral
from tests.fakes.server import FakeServer
from tests.fakes.transport import fake_transport
from tests.support import Result, invoke, make_context

pytestmark = pytest.mark.e2e

LIMITS = {
    "MISTRAL_MAX_RETRIES": "1",
    "MISTRAL_TIMEOUT": "1",
    "MISTRAL_CONNECT_TIMEOUT": "1",
    "MISTRAL_TOTAL_TIMEOUT": "5",
    "MISTRAL_POLL_INTERVAL": "0.01",
    "MISTRAL_NO_DEPRECATION_NOTICE": "1",
    "NO_COLOR": "1",
}
# seconds: well under the 30 s hang, so a cell that waited a fault out fails however busy the
# machine (the 5 s total timeout ends every cell long before)
CELL_BUDGET = 20.0
NOT_JSON = Fault.status(200, b"upstream says hello", {"content-type": "text/plain"})

# fault name → (factory, applies to JSON answers, applies to streams)
FAULTS: dict[str, tuple[Callable[[], Fault] | None, bool, bool]] = {
    "429+RA0": (lambda: Fault.rate_limited("0"), True, True),
    "429": (Fault.rate_limited, True, True),
    "500": (lambda: Fault.status(500), True, True),
    "503": (lambda: Fault.status(503), True, True),
    "cut": (lambda: Fault.drop_stream(2), True, True),
    "no-DONE": (Fault.no_done, False, True),
    "slow": (lambda: Fault.slow(0.1), True, True),
    "hang": (lambda: Fault.hang(30), True, True),
    "refused": (None, True, True),
    "401": (lambda: Fault.status(401), True, True),
    "422": (lambda: Fault.status(422), True, True),
    "not-JSON": (lambda: NOT_JSON, True, True),
    "trunc-JSON": (lambda: Fault.malformed(200), True, True),
    "HTML": (lambda: Fault.html(502), True, True),
}
# the documented exit code per fault for a command that gives up on the first failed request
STRICT = {
    "429+RA0": 5,
    "429": 5,
    "500": 1,
    "503": 1,
    "cut": 6,
    "no-DONE": 6,
    "slow": 0,
    "hang": 6,
    "refused": 6,
    "401": 3,
    "422": 4,
    "not-JSON": 1,
    "trunc-JSON": 1,
    "HTML": 1,
}
# statuses retried on any method (MISTRAL_MAX_RETRIES=1: the fault meets both attempts)
RETRIED_STATUSES = {"429+RA0", "429", "500", "503", "HTML"}
# `finetune status --wait` rides out transient failures (the job runs on server-side)
WAITING = {**STRICT, "429+RA0": 0, "429": 0, "500": 0, "503": 0, "cut": 0, "hang": 0}
WAITING |= {"not-JSON": 0, "trunc-JSON": 0, "HTML": 0}


@dataclass
class Cell:
    """One run: what was injected, what came out."""

    command: str
    fault: str
    expected: int
    code: int = -1
    stdout: str = ""
    stderr: str = ""
    elapsed: float = 0.0
    problems: list[str] = field(default_factory=list)
    work: Path = Path()


@dataclass(frozen=True)
class Command:
    """A network command: its argv, the route faults go to, its data check."""

    name: str
    route: str
    stream: bool
    argv: Callable[[FakeMistral, Path], list[str]]
    expect: dict[str, int] = field(default_factory=lambda: STRICT)
    skip_first: bool = False  # let one request through first (data produced before the fault)
    stdin: str = ""
    kept: Callable[[Cell, FakeMistral], list[str]] = lambda _cell, _fake: []


EMBED_FLAGS = ("--batch-size", "2", "--concurrency", "1")
RESULTS: dict[tuple[str, str], str] = {}


def applies(command: Command, fault: str) -> bool:
    _, json_ok, stream_ok = FAULTS[fault]
    return stream_ok if command.stream else json_ok


def attempts(command: Command, fault: str) -> int:
    """How many requests the fault meets: what the retry policy repeats (API.md §6).

    429 and 5xx are retried; a cut or timed-out answer only for a GET (a POST's work may be
    billed); never a 4xx, a 2xx that cannot be read, a success, or a stream once it began.
    """
    if fault in RETRIED_STATUSES:
        return 2
    if fault in ("cut", "hang") and command.route.startswith("GET "):
        return 2
    return 1


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def check_common(cell: Cell, key: str) -> None:
    """Exit code, one actionable message, no traceback, no key, in time."""
    problems = cell.problems
    if cell.code != cell.expected:
        problems.append(f"exit {cell.code}, expected {cell.expected}")
    if "Traceback" in cell.stderr or "internal error" in cell.stderr:
        problems.append("a traceback or internal error")
    if key in cell.stdout + cell.stderr:
        problems.append("the API key leaked")
    errors = [line for line in cell.stderr.splitlines() if line.startswith("mistral: error:")]
    if cell.expected != 0:
        hints = [line for line in cell.stderr.splitlines() if line.startswith("hint: ")]
        if len(errors) != 1 or len(hints) != 1 or len(errors[0]) > 240:
            problems.append(f"not one short message with a hint: {cell.stderr!r}")
    elif errors:
        problems.append(f"an error on success: {errors}")
    if cell.elapsed > CELL_BUDGET:
        problems.append(f"took {cell.elapsed:.1f} s")


def run_cell(command: Command, fault: str, root: Path) -> Cell:
    """Run one cell in-process over the loopback network (real sockets, real timeouts)."""
    cell = Cell(command.name, fault, command.expect[fault], work=root / f"{command.name}-{fault}")
    cell.work.mkdir(parents=True)
    fake = FakeMistral()
    with FakeServer(fake) as server:
        argv = command.argv(fake, cell.work)
        factory = FAULTS[fault][0]
        if factory is not None:
            if command.skip_first:
                fake.inject(command.route, Fault())
            fake.inject(command.route, factory(), times=attempts(command, fault))
        url = server.base_url if factory is not None else f"http://127.0.0.1:{closed_port()}"
        settings = {**LIMITS, "MISTRAL_API_KEY": fake.api_key, "MISTRAL_BASE_URL": url}
        environ = {**base_env(cell.work, server, fake.api_key), **LIMITS}
        actx = make_context(None, env=settings, environ=environ)
        started = time.monotonic()
        if command.name == "repl":
            result = repl_turn(actx)
        else:
            result = invoke(argv, actx, input=command.stdin)
        cell.elapsed = time.monotonic() - started
        actx.close()
    cell.code, cell.stdout, cell.stderr = result.exit_code, result.stdout, result.stderr
    check_common(cell, fake.api_key)
    try:  # the teardown checks it too; here the cell is named in the matrix
        fake.assert_clean()
    except AssertionError as unused:
        cell.problems.append(f"not used as scripted: {unused}")
    cell.problems.extend(command.kept(cell, fake))
    return cell


def repl_turn(actx: AppContext) -> Result:
    """One REPL turn then Ctrl-D; a failed turn prints its error and the REPL goes on (exit 0)."""
    from mistral_cli.commands import _repl
    from mistral_cli.commands._chat_ui import ChatOptions, open_session
    from mistral_cli.services.chat import ChatParams

    shown: list[int] = []
    real = _repl.describe

    def recording(exc: BaseException, *, debug: bool = False) -> str:
        shown.append(getattr(exc, "exit_code", 1))
        return real(exc, debug=debug)

    script = iter(["hi"])

    def read_line(_prompt: str) -> str:
        return next(script, None) or _eof()

    opts = ChatOptions(no_save=True)
    with pytest.MonkeyPatch.context() as patch, redirect() as (out, err):
        patch.setattr(_repl, "describe", recording)
        try:  # opened as `chat` opens it: the model is resolved (a request) first
            session = lambda: open_session(actx, opts, ChatParams())  # noqa: E731
            code = _repl.run_repl(actx, session, opts, read_line=read_line)
        except CliError as stopped:  # before the first prompt: `mistral chat` exits with it
            stderr = err.getvalue() + describe(stopped) + "\n"
            return Result(stopped.exit_code, out.getvalue(), stderr, stopped)
    assert code == 0
    return Result(shown[0] if shown else 0, out.getvalue(), err.getvalue(), None)


def _eof() -> str:
    raise EOFError


@contextmanager
def redirect() -> Iterator[tuple[io.StringIO, io.StringIO]]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        yield out, err


def run_matrix(command: Command, tmp_path: Path) -> None:
    cells = [f for f in FAULTS if applies(command, f)]
    for fault in FAULTS:
        if fault not in cells:
            RESULTS[command.name, fault] = "n/a"
    done = [run_cell(command, fault, tmp_path) for fault in cells]
    failures = []
    for cell in done:
        RESULTS[command.name, cell.fault] = str(cell.code) + ("" if not cell.problems else "!")
        if cell.problems:
            failures.append(f"{cell.fault}: {'; '.join(cell.problems)}\n  {cell.stderr!r}")
    assert not failures, "\n".join(failures)


# ---------------------------------------------------------------- data-kept checks


def partial_answer_kept(cell: Cell, _fake: FakeMistral) -> list[str]:
    """A stream cut (or ended without [DONE]) keeps what was printed."""
    if cell.fault in ("cut", "no-DONE") and not cell.stdout.startswith("Echo"):
        return [f"the partial answer was lost: {cell.stdout!r}"]
    return []


def embeddings_kept(cell: Cell, _fake: FakeMistral) -> list[str]:
    """The first batch (before the fault) stays in the -o file, whole lines only."""
    out = cell.work / "out.jsonl"
    lines = out.read_text().splitlines() if out.exists() else []
    wanted = 0 if cell.fault == "refused" else 2  # refused: no batch got through
    problems = [] if len(lines) >= wanted else [f"{len(lines)} embeddings kept, not {wanted}+"]
    for line in lines:
        try:
            json.loads(line)
        except ValueError:
            problems.append(f"a broken line in the output: {line[:40]!r}")
    return problems


def upload_whole_or_absent(cell: Cell, fake: FakeMistral) -> list[str]:
    """An upload is registered completely, or not at all."""
    local = (cell.work / "train.jsonl").read_bytes()
    stored = fake.module(FilesFake).files.values()
    return [f"{f.id} registered with other bytes" for f in stored if f.content != local]


def train_argv(fake: FakeMistral, work: Path) -> list[str]:
    write_train(work / "train.jsonl")
    return ["finetune", "upload", "--no-validate", str(work / "train.jsonl")]


def seeded(status: str) -> Callable[[FakeMistral, Path], str]:
    def make(fake: FakeMistral, _work: Path) -> str:
        body = {"model": MODEL, "training_files": [], "hyperparameters": {"training_steps": 10}}
        job = fake.module(FineTuneFake).seed(body, status)
        if status == "RUNNING":
            job.follow(("RUNNING", "RUNNING", "RUNNING", "RUNNING", "SUCCESS"))
        return job.id

    return make


COMMANDS = [
    Command("models", "GET /v1/models", False, lambda f, w: ["models", "list"]),
    Command(
        "chat",
        "POST /v1/chat/completions",
        False,
        lambda f, w: ["chat", "--no-stream", "--no-save", "hi"],
    ),
    Command(
        "chat-stream",
        "POST /v1/chat/completions",
        True,
        lambda f, w: ["chat", "--no-save", "hi"],
        kept=partial_answer_kept,
    ),
    Command(
        "embed",
        "POST /v1/embeddings",
        False,
        lambda f, w: [
            "embed",
            "-o",
            str(w / "out.jsonl"),
            "--batch-size",
            "2",
            "--concurrency",
            "1",
        ],
        skip_first=True,
        stdin="".join(f"line {n}\n" for n in range(6)),
        kept=embeddings_kept,
    ),
    Command("ft-upload", "POST /v1/files", False, train_argv, kept=upload_whole_or_absent),
    Command(
        "ft-start",
        "POST /v1/fine_tuning/jobs/{job_id}/start",
        False,
        lambda f, w: ["finetune", "start", seeded("VALIDATED")(f, w)],
    ),
    Command(
        "ft-wait",
        "GET /v1/fine_tuning/jobs/{job_id}",
        False,
        lambda f, w: ["finetune", "status", "--wait", seeded("RUNNING")(f, w)],
        expect=WAITING,
        skip_first=True,
    ),
    Command("files", "GET /v1/files", False, lambda f, w: ["files", "list"]),
    Command("repl", "POST /v1/chat/completions", True, lambda f, w: [], kept=partial_answer_kept),
]


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    warm_up()


def warm_up() -> None:
    """Load the fake's spec validators once, so no cell pays for it inside its 1 s read timeout.

    The fine-tuning routes live in a second spec file: loading it takes a second or more on a
    busy machine, which made the first `ft-start` cell that reached the handler time out.
    """
    for command in COMMANDS:
        method, template = command.route.split(" ", 1)
        spec.body_spec(method, template)
    fake = FakeMistral()
    client = httpx.Client(transport=fake_transport(fake), base_url="http://fake")
    headers = {"authorization": f"Bearer {fake.api_key}"}
    client.get("/v1/models", headers=headers)
    client.post("/v1/embeddings", headers=headers, json={"model": "mistral-embed", "input": ["x"]})
    client.post(
        "/v1/chat/completions",
        headers=headers,
        json={"model": "mistral-small-latest", "messages": [{"role": "user", "content": "x"}]},
    )


def matrix_table() -> list[str]:
    names = [c.name for c in COMMANDS]
    head = ["fault".ljust(11), *(n.ljust(11) for n in names)]
    lines = [
        "",
        "fault matrix (exit codes; n/a: does not apply; ! a failed check):",
        " ".join(head),
    ]
    for fault in FAULTS:
        row = [fault.ljust(11), *(RESULTS.get((n, fault), "-").ljust(11) for n in names)]
        lines.append(" ".join(row).rstrip())
    return lines


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_fault_matrix(command: Command, tmp_path: Path) -> None:
    run_matrix(command, tmp_path)


def test_matrix_is_complete_and_printed(capsys: pytest.CaptureFixture[str]) -> None:
    """Runs after the matrix (module order): every cell ran or is n/a; the table is shown."""
    if len({name for name, _ in RESULTS}) < len(COMMANDS):
        pytest.skip("only part of the matrix ran (-k)")
    table = matrix_table()
    with capsys.disabled():
        print("\n".join(table))
    assert all("-" not in cell and "!" not in cell for cell in RESULTS.values())
    assert len(RESULTS) == len(COMMANDS) * len(FAULTS)
