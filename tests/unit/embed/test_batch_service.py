import pytest

from mistral_cli.api import parse
from mistral_cli.api.errors import UnexpectedAnswer
from mistral_cli.errors import JobEnded, UsageError, WaitTimeout
from mistral_cli.services import batch


def job(status: str, **extra: object) -> dict[str, object]:
    return {"id": "j1", "status": status, "endpoint": "/v1/embeddings", **extra}


class Polled:
    def __init__(self, *statuses: str, errors=()):
        self.statuses = list(statuses)
        self.errors = list(errors)
        self.pages: list[dict[str, object]] = []

    def get(self, path, *, params=None):
        if path == "/v1/batch/jobs":
            return self.pages.pop(0)
        return job(self.statuses.pop(0), errors=self.errors)

    def request(self, method, path, *, json_body=None):
        return job("CANCELLATION_REQUESTED")

    def send(self, method, path, *, into, body=None, params=None):
        raw = self.get(path, params=params) if method == "GET" else self.request(method, path)
        return parse.answer(into, raw, where=f"{method} {path}")


def test_wait_backs_off_until_the_job_ends():
    slept: list[float] = []
    seen: list[str] = []
    client = Polled("QUEUED", "RUNNING", "RUNNING", "RUNNING", "SUCCESS")
    done = batch.wait(client, "j1", sleep=slept.append, on_status=lambda j: seen.append(j.status))
    assert done.status == "SUCCESS"
    assert slept == [1.0, 1.5, 2.25, 3.375]
    assert seen == ["QUEUED", "RUNNING", "RUNNING", "RUNNING", "SUCCESS"]


def test_wait_caps_the_delay_and_times_out_on_slept_seconds():
    slept: list[float] = []
    client = Polled(*["RUNNING"] * 50)
    with pytest.raises(WaitTimeout, match="still RUNNING after 85 s"):
        batch.wait(client, "j1", sleep=slept.append, timeout=100, first=10, longest=20)
    assert slept == [10, 15, 20, 20, 20]


@pytest.mark.parametrize(
    ("status", "code"), [("FAILED", 7), ("TIMEOUT_EXCEEDED", 7), ("CANCELLED", 9)]
)
def test_unsuccessful_ends_raise_with_their_exit_code(status, code):
    client = Polled(status, errors=[{"message": "bad lines", "count": 3}])
    with pytest.raises(JobEnded) as caught:
        batch.wait(client, "j1", sleep=lambda _: None)
    assert caught.value.exit_code == code
    assert caught.value.message == f"batch job j1 ended {status}: bad lines (x3)"


def test_list_pages_until_the_total():
    client = Polled()
    client.pages = [
        {"data": [job("SUCCESS", id="a"), job("FAILED", id="b")], "total": 3},
        {"data": [job("QUEUED", id="c")], "total": 3},
    ]
    assert [j.id for j in batch.list_jobs(client, page_size=2)] == ["a", "b", "c"]


def test_rows_and_details():
    found = batch.BatchJob.model_validate(
        job("RUNNING", model="m", total_requests=10, completed_requests=4, failed_requests=1)
    )
    assert batch.row(found)[:5] == ["j1", "RUNNING", "m", "/v1/embeddings", "4/10 (1 failed)"]
    assert ("requests", "4/10 (1 failed)") in batch.details(found)


@pytest.mark.parametrize("url", ["https://api.eu.mistral.ai", "https://api.us.mistral.ai/v1"])
def test_regional_hosts_are_refused(url):
    with pytest.raises(UsageError, match="has no Files or Batch API"):
        batch.check_host(url)
    batch.check_host("https://api.mistral.ai")


class Odd(Polled):
    """Answers the scripted documents as they are (None: one without a status)."""

    def __init__(self, *answers):
        super().__init__()
        self.answers = list(answers)

    def get(self, path, *, params=None):
        answer = self.answers.pop(0)
        return job(answer) if isinstance(answer, str) else answer


def test_wait_tolerates_three_unreadable_polls_in_a_row_and_notes_each():
    notes: list[str] = []
    client = Odd("RUNNING", {"id": "j1"}, [], {"status": "RUNNING"}, "SUCCESS")
    done = batch.wait(client, "j1", sleep=lambda _: None, on_note=notes.append)
    assert done.status == "SUCCESS"
    assert notes == [
        "mistral: unreadable answer (unexpected answer from the server (GET /v1/batch/jobs/j1): "
        f"{problem}); {n} of 3 in a row tolerated, still waiting"
        for n, problem in enumerate(
            ["status is missing", "the answer is not an object (got a list)", "id is missing"], 1
        )
    ]


def test_wait_gives_up_after_the_fourth_unreadable_poll_in_a_row():
    client = Odd({"id": "j1"}, {"id": "j1"}, "RUNNING", *[{"id": "j1"}] * 4)
    with pytest.raises(UnexpectedAnswer) as caught:
        batch.wait(client, "j1", sleep=lambda _: None)
    assert caught.value.exit_code == 1
    assert caught.value.message == (
        "unexpected answer from the server (GET /v1/batch/jobs/j1): "
        "status is missing (4 polls in a row)"
    )
    assert caught.value.hint == (
        "the job may still run; rerun with --debug to see the answers; mistral batch wait j1"
    )


def test_odd_values_show_as_unknown_and_a_list_skips_unreadable_jobs():
    client = Polled()
    client.pages = [{"data": [{"status": "SUCCESS"}, job("RUNNING", id="b", total_requests="x")]}]
    (found,) = batch.list_jobs(client)
    assert batch.row(found)[:5] == ["b", "RUNNING", "", "/v1/embeddings", "?/?"]
