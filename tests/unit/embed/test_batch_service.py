import pytest

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
