"""`mistral models archive|unarchive|update|rm` and `models list --owned` against the fake."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import httpx
import pytest

from tests.fakes.catalog import CLASSIFIER_ID, FINE_TUNED_ID
from tests.fakes.router import FakeMistral
from tests.support import invoke, make_context

FT = FINE_TUNED_ID
FT_JOB = "5c2b9e10-6f4d-4a8e-b1c7-2d9e8f3a4b5c"
CLS_JOB = "9e4f2a61-0b3c-4d5e-8f71-a2b3c4d5e6f7"
OWNED_TSV = (
    f"{CLASSIFIER_ID}\tministral-3b-latest\t{CLS_JOB}\tfalse\t2026-08-02\n"
    f"{FT}\tministral-8b-latest\t{FT_JOB}\tfalse\t2026-08-01\n"
)


def no_ids(text: str) -> str:
    return re.sub(r", request [0-9a-f]+\)", ")", text)


def plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", text)


def card(fake: FakeMistral, model_id: str) -> dict[str, object]:
    return fake.models.get(model_id)


def cache_dir() -> Path:
    return Path(os.environ["MISTRAL_CACHE_DIR"])


def sent(fake: FakeMistral) -> list[str]:
    """The requests other than the model list, as METHOD /path."""
    return [r.route_key for r in fake.requests if r.route_key != "GET /v1/models"]


# ------------------------------------------------------------------ list --owned


def test_owned_list_piped_is_tsv_of_fine_tuned_models_only(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    result = invoke(["models", "list", "--owned"], make_context(fake_transport))
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == OWNED_TSV


def test_owned_list_on_a_terminal_is_a_table(
    fake: FakeMistral, fake_transport: httpx.MockTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    fake.models.get(FT)["name"] = "support-bot"
    result = invoke(["models", "list", "--owned"], make_context(fake_transport, tty=True))
    assert result.exit_code == 0, result.stderr
    rows = [line.rstrip() for line in plain(result.stdout).splitlines()]
    assert [row.split() for row in rows] == [
        ["ID", "BASE", "JOB", "ARCHIVED", "CREATED", "NAME"],
        ["─" * len(rows[1])],
        [CLASSIFIER_ID, "ministral-3b-latest", CLS_JOB, "·", "2026-08-02"],
        [FT, "ministral-8b-latest", FT_JOB, "·", "2026-08-01", "support-bot"],
    ]


def test_owned_list_json_is_the_filtered_list_as_sent(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    result = invoke(["models", "list", "--owned", "--json"], make_context(fake_transport))
    assert result.exit_code == 0, result.stderr
    expected = [card(fake, CLASSIFIER_ID), card(fake, FT)]
    assert json.loads(result.stdout) == {"object": "list", "data": expected}


def test_owned_list_is_always_fetched(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    actx = make_context(fake_transport)
    invoke(["models", "list"], actx)
    invoke(["models", "list", "--owned"], actx)
    invoke(["models", "list", "--owned"], actx)
    assert len(fake.requests_to("GET /v1/models")) == 3


# ------------------------------------------------------------------ archive, unarchive, update


def test_archive_then_unarchive_piped(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    actx = make_context(fake_transport)
    done = invoke(["models", "archive", FT], actx)
    assert (done.exit_code, done.stdout, done.stderr) == (0, "", f"archived {FT}\n")
    assert card(fake, FT)["archived"] is True
    listed = invoke(["models", "list", "--owned"], actx)
    assert f"{FT}\tministral-8b-latest\t{FT_JOB}\ttrue\t" in listed.stdout
    back = invoke(["models", "unarchive", FT], actx)
    assert (back.exit_code, back.stdout, back.stderr) == (0, "", f"unarchived {FT}\n")
    assert card(fake, FT)["archived"] is False
    assert sent(fake) == [
        f"POST /v1/fine_tuning/models/{FT}/archive",
        f"DELETE /v1/fine_tuning/models/{FT}/archive",
    ]


def test_archive_json_prints_the_answer(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    result = invoke(["models", "archive", "--json", FT], make_context(fake_transport))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (f'{{\n  "id": "{FT}",\n  "object": "model",\n  "archived": true\n}}\n')
    assert result.stderr == f"archived {FT}\n"


def test_a_unique_prefix_of_a_fine_tuned_id_resolves(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    result = invoke(["models", "archive", "ft:ministral-8b"], make_context(fake_transport))
    assert (result.exit_code, result.stderr) == (0, f"archived {FT}\n")


def test_an_ambiguous_prefix_is_a_usage_error_naming_the_matches(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    result = invoke(["models", "archive", "ft:ministral"], make_context(fake_transport))
    assert result.exit_code == 2
    assert result.stderr == (
        f"mistral: error: 'ft:ministral' matches 2 fine-tuned models: {CLASSIFIER_ID}, {FT}\n"
        "hint: give more of the id (`mistral models list --owned` shows them)\n"
    )
    assert sent(fake) == []


def test_update_sends_only_the_fields_given(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    actx = make_context(fake_transport)
    named = invoke(["models", "update", FT, "--name", "support-bot"], actx)
    assert (named.exit_code, named.stdout, named.stderr) == (0, "", f"updated {FT}\n")
    both = invoke(["models", "update", FT, "--name", "b", "--description", "v2", "--json"], actx)
    assert both.exit_code == 0, both.stderr
    answer = json.loads(both.stdout)
    assert (answer["model_type"], answer["name"], answer["description"]) == (
        "completion",
        "b",
        "v2",
    )
    bodies = [r.json() for r in fake.requests_to(f"PATCH /v1/fine_tuning/models/{FT}")]
    assert bodies == [{"name": "support-bot"}, {"name": "b", "description": "v2"}]


def test_update_with_nothing_to_change_is_exit_2_before_any_request(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    result = invoke(["models", "update", FT], make_context(fake_transport))
    assert result.exit_code == 2
    assert result.stderr == (
        "mistral: error: nothing to update\nhint: pass --name NAME and/or --description TEXT\n"
    )
    assert sent(fake) == []


@pytest.mark.parametrize(
    ("verb", "done"),
    [("archive", "archived"), ("unarchive", "unarchived"), ("rm", "deleted")],
)
def test_a_base_model_is_refused_before_any_request(
    fake: FakeMistral, fake_transport: httpx.MockTransport, verb: str, done: str
) -> None:
    argv = ["models", verb, "mistral-small", *(["--yes"] if verb == "rm" else [])]
    result = invoke(argv, make_context(fake_transport))
    assert result.exit_code == 2
    assert result.stderr == (
        f"mistral: error: mistral-small-latest is a base model: only fine-tuned models can be "
        f"{done}\nhint: `mistral models list --owned` shows your fine-tuned models\n"
    )
    assert sent(fake) == []


def test_a_model_gone_from_the_server_is_exit_4_naming_the_owned_list(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    actx = make_context(fake_transport)
    invoke(["models", "list"], actx)  # cached with the model
    fake.models.cards.remove(card(fake, FT))  # deleted elsewhere
    result = invoke(["models", "archive", FT], actx)
    assert result.exit_code == 4
    assert no_ids(result.stderr) == (
        f"mistral: error: Model not found: {FT} (HTTP 404)\n"
        "hint: it may be deleted, or another workspace's; "
        "`mistral models list --owned` shows your fine-tuned models\n"
    )


def test_a_change_drops_the_cached_model_list(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    actx = make_context(fake_transport)
    invoke(["models", "list"], actx)
    invoke(["models", "list"], actx)
    assert len(fake.requests_to("GET /v1/models")) == 1
    invoke(["models", "update", FT, "--name", "support-bot"], actx)
    assert len(fake.requests_to("GET /v1/models")) == 1  # resolved from the cache
    invoke(["models", "list"], actx)
    assert len(fake.requests_to("GET /v1/models")) == 2  # the stale list was dropped


# ------------------------------------------------------------------ rm


def test_rm_without_yes_off_a_terminal_is_exit_2_before_any_request(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    result = invoke(["models", "rm", FT], make_context(fake_transport))
    assert result.exit_code == 2
    assert result.stderr == (
        "mistral: error: deleting a model needs --yes when not on a terminal\n"
        f"hint: mistral models rm {FT} --yes\n"
    )
    assert fake.requests == []


def test_rm_yes_deletes_and_forgets_the_id(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    actx = make_context(fake_transport)
    invoke(["models", "list"], actx)
    ids = cache_dir() / "model-ids.txt"
    assert FT in ids.read_text().split()
    result = invoke(["models", "rm", "--yes", FT], actx)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", f"deleted {FT}\n")
    assert fake.models.find(FT) is None
    assert sent(fake) == [f"DELETE /v1/models/{FT}"]
    assert FT not in ids.read_text().split()
    assert CLASSIFIER_ID in ids.read_text().split()
    assert list(cache_dir().glob("models-*.json")) == []


def test_rm_json_prints_the_answer(fake: FakeMistral, fake_transport: httpx.MockTransport) -> None:
    result = invoke(["models", "rm", "-y", "--json", FT], make_context(fake_transport))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"id": FT, "object": "model", "deleted": True}


def test_rm_on_a_terminal_asks_first(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    actx = make_context(fake_transport, tty=True)
    kept = invoke(["models", "rm", FT], actx, input="n\n")
    assert kept.exit_code == 1
    # (a terminal echoes the answer; CliRunner does not)
    assert kept.stderr == f"Delete model {FT}? This cannot be undone. [y/N] nothing deleted\n"
    assert sent(fake) == []
    gone = invoke(["models", "rm", FT], actx, input="y\n")
    assert gone.exit_code == 0
    assert gone.stderr == f"Delete model {FT}? This cannot be undone. [y/N] deleted {FT}\n"
    assert sent(fake) == [f"DELETE /v1/models/{FT}"]


def test_rm_answered_not_deleted_is_exit_1(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    from tests.fakes.faults import Fault

    fake.inject(
        "DELETE /v1/models/{model_id}",
        Fault.status(200, {"id": FT, "object": "model", "deleted": False}),
    )
    result = invoke(["models", "rm", "--yes", FT], make_context(fake_transport))
    assert result.exit_code == 1
    assert result.stderr == (
        f"mistral: error: unexpected answer from the server (DELETE /v1/models/{FT}): "
        "deleted is false: the model was not deleted\n"
        "hint: rerun with --debug to see the answer it sent\n"
    )
