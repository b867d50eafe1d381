"""`conversations list --search/--limit/--all`: FTS5, the scan without it, the index's migration."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from mistral_cli import fsio
from mistral_cli.services import conversation_index
from mistral_cli.services.conversations import ConversationStore, StoredMessage, when
from tests.store_faults import FULL, READ_ONLY, Faults, failing
from tests.support import Clock, invoke, make_context

SMALL = "mistral-small-latest"
INDEX = {"messages_fts", "messages_fts_insert", "messages_fts_delete", "messages_fts_update"}


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "home" / "data" / "conversations.sqlite3"


@pytest.fixture(params=["fts5", "scan"])
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each search test runs with FTS5, and again as on an SQLite without it."""
    if request.param == "scan":
        monkeypatch.setattr(conversation_index, "fts5_available", lambda: False)
    return str(request.param)


def add(store: ConversationStore, clock: Clock, title: str, *texts: str) -> str:
    """A conversation of user/assistant turns (a `system:` text is its system prompt)."""
    clock.now += 60
    cid = store.create(SMALL, title)
    messages, roles = [], ["user", "assistant"]
    for text in texts:
        if text.startswith("system:"):
            messages.append(StoredMessage("system", text.removeprefix("system:")))
        else:
            messages.append(StoredMessage(roles[len(messages) % 2], text))
    store.append(cid, messages, SMALL)
    return cid


def tables(path: Path) -> set[str]:
    db = sqlite3.connect(path)
    try:
        return {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    finally:
        db.close()


def version(path: Path) -> int:
    db = sqlite3.connect(path)
    try:
        return int(db.execute("PRAGMA user_version").fetchone()[0])
    finally:
        db.close()


LONG = (
    "Canberra was chosen in 1908 as a compromise between Sydney and Melbourne, the two largest "
    "cities, and it has been the capital of Australia ever since then, which surprises many."
)


@pytest.fixture
def three(store: ConversationStore, clock: Clock) -> dict[str, str]:
    return {
        "capital": add(store, clock, "Capital of Australia?", "Capital of Australia?", LONG),
        "cafe": add(store, clock, "Paris cafés", "Good café in Paris?", "Try Café de Flore."),
        "deploy": add(
            store,
            clock,
            "Deploying",
            "system:You know Kubernetes and capitals.",
            "How do I deploy to kubernetes?",
            "Use a Deployment; kubectl apply -f deployment.yaml",
            "And rollback a deployment?",
            "kubectl rollout undo deployment/web",
        ),
    }


def test_search_ranks_and_shows_a_snippet_of_the_best_message(
    three: dict[str, str], clock: Clock, engine: str
) -> None:
    result = invoke(["conversations", "list", "--search", "capital"], make_context())
    assert (result.exit_code, result.stderr) == (0, "")
    # the system prompt of "Deploying" mentions capitals: system prompts are not searched
    assert result.stdout == (
        f"{three['capital'][:8]}\tCapital of Australia?\t{when(clock.now - 120)}\t"
        "Capital of Australia?\n"
    )


def test_search_words_are_beginnings_with_fts5_anywhere_in_a_scan(
    three: dict[str, str], clock: Clock, engine: str
) -> None:
    result = invoke(["conversations", "list", "--search", "DEPLOY"], make_context())
    assert result.exit_code == 0
    # FTS5 ranks by bm25; the scan puts the conversation with most matching messages first
    assert result.stdout == (
        f"{three['deploy'][:8]}\tDeploying\t{when(clock.now)}\t"
        + {
            "fts5": "Use a Deployment; kubectl apply -f deployment.yaml",
            "scan": "How do I deploy to kubernetes?",
        }[engine]
        + "\n"
    )


def test_search_ignores_case_and_accents_and_needs_every_word(
    three: dict[str, str], clock: Clock, engine: str
) -> None:
    cafe = f"{three['cafe'][:8]}\tParis cafés\t{when(clock.now - 60)}\t"
    found = invoke(["conversations", "list", "--search", "CAFE paris"], make_context())
    assert found.stdout == cafe + "Good café in Paris?\n"
    flore = invoke(["conversations", "list", "--search", "flore"], make_context())
    assert flore.stdout == cafe + "Try Café de Flore.\n"
    none = invoke(["conversations", "list", "--search", "café berlin"], make_context())
    assert (none.exit_code, none.stdout, none.stderr) == (0, "", "")


def test_search_snippet_is_cut_around_the_match(
    three: dict[str, str], clock: Clock, engine: str
) -> None:
    result = invoke(["conversations", "list", "--search", "melbourne", "--json"], make_context())
    (document,) = json.loads(result.stdout)["data"]
    assert document["id"] == three["capital"]
    assert (
        document["snippet"]
        == {
            "fts5": "Canberra was chosen in 1908 as a compromise between Sydney and Melbourne…",
            "scan": "…between Sydney and Melbourne, the two largest cities, and it has been…",
        }[engine]
    )
    assert set(document) == {"id", "title", "model", "created", "updated", "turns", "snippet"}


def test_search_on_a_terminal_is_a_table(three: dict[str, str], clock: Clock) -> None:
    result = invoke(["conversations", "list", "--search", "rollback"], make_context(tty=True))
    plain = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    assert plain == (
        "ID         TITLE       UPDATED            SNIPPET                   \n"
        "────────────────────────────────────────────────────────────────────\n"
        f"{three['deploy'][:8]}   Deploying   {when(clock.now)}   And rollback a deployment?\n"
    )


def test_search_without_a_word_is_a_usage_error(three: dict[str, str]) -> None:
    result = invoke(["conversations", "list", "--search", "?! -"], make_context())
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "mistral: error: --search needs a word to look for, got '?! -'\n"
        'hint: e.g. --search "capital Australia"\n'
    )


def test_the_index_follows_deletes_and_edits(
    store: ConversationStore, three: dict[str, str], clock: Clock, engine: str
) -> None:
    assert (
        invoke(["conversations", "rm", three["cafe"][:6], "--yes"], make_context()).exit_code == 0
    )
    gone = invoke(["conversations", "list", "--search", "flore"], make_context())
    assert (gone.exit_code, gone.stdout) == (0, "")
    store._db.execute("UPDATE messages SET content = 'Canberra, since 1913.' WHERE seq = 1")
    moved = invoke(["conversations", "list", "--search", "1913"], make_context())
    assert moved.stdout.endswith("\tCanberra, since 1913.\n")
    old = invoke(["conversations", "list", "--search", "melbourne"], make_context())
    assert old.stdout == ""


# ---------------------------------------------------------------- --limit and --all


@pytest.fixture
def many(store: ConversationStore, clock: Clock) -> list[str]:
    """25 conversations, the latest first."""
    return [add(store, clock, f"chat {n}", f"question {n}", "answer") for n in range(25)][::-1]


def ids(stdout: str) -> list[str]:
    return [line.split("\t")[0] for line in stdout.splitlines()]


def test_list_shows_the_20_latest_and_says_how_many_more(many: list[str]) -> None:
    result = invoke(["conversations", "list"], make_context())
    assert ids(result.stdout) == [cid[:8] for cid in many[:20]]
    assert result.stderr == "showing 20 of 25; --all or --limit N for more\n"


def test_limit_and_all(many: list[str]) -> None:
    three = invoke(["conversations", "list", "-n", "3"], make_context())
    assert ids(three.stdout) == [cid[:8] for cid in many[:3]]
    assert three.stderr == "showing 3 of 25; --all or --limit N for more\n"
    every = invoke(["conversations", "list", "--all"], make_context())
    assert (ids(every.stdout), every.stderr) == ([cid[:8] for cid in many], "")
    enough = invoke(["conversations", "list", "--limit", "25", "--json"], make_context())
    assert [c["id"] for c in json.loads(enough.stdout)["data"]] == many
    assert enough.stderr == ""


def test_limit_applies_to_a_search(many: list[str], engine: str) -> None:
    result = invoke(["conversations", "list", "--search", "answer", "--limit", "2"], make_context())
    assert ids(result.stdout) == [cid[:8] for cid in many[:2]]  # a tie: the latest first
    assert result.stderr == "showing 2 of 25; --all or --limit N for more\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--limit", "5", "--all"], "mistral: error: use either --limit or --all, not both\n"),
        (["--limit", "0"], "Invalid value for '--limit' / '-n': 0 is not in the range x>=1."),
    ],
)
def test_bad_limits_are_usage_errors(many: list[str], argv: list[str], message: str) -> None:
    result = invoke(["conversations", "list", *argv], make_context())
    assert (result.exit_code, result.stdout) == (2, "")
    assert message in result.stderr


# ---------------------------------------------------------------- the index's migration


def old_store(path: Path) -> None:
    """A store as versions before the search index left it: schema version 0, no index."""
    from mistral_cli.services.conversations import _SCHEMA

    fsio.private_dir(path.parent)
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(_SCHEMA)
    db.execute("INSERT INTO conversations VALUES ('0123456789abcdef', 'Old', 'm', 1.0, 2.0)")
    db.execute(
        "INSERT INTO messages VALUES (?, 0, 'user', 'legacy words', 0, NULL, NULL, 1.0)",
        ("0123456789abcdef",),
    )
    db.close()
    path.chmod(0o600)


def test_an_old_store_is_indexed_once_when_first_opened(path: Path) -> None:
    old_store(path)
    assert (version(path), tables(path) & INDEX) == (0, set())
    result = invoke(["conversations", "list", "--search", "legacy"], make_context())
    assert result.stdout == f"01234567\tOld\t{when(2.0)}\tlegacy words\n"
    assert (version(path), tables(path) & INDEX) == (1, INDEX)
    before = path.stat().st_mtime_ns
    assert invoke(["conversations", "list"], make_context()).exit_code == 0
    assert path.stat().st_mtime_ns == before  # built once: a later open writes nothing


def test_a_migration_that_fails_leaves_the_store_as_it_was(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old_store(path)
    faults = Faults(sqlite3.OperationalError(FULL), spared=None)  # the index's build fails
    monkeypatch.setattr(ConversationStore, "factory", failing(faults))
    result = invoke(["conversations", "list", "--search", "legacy"], make_context())
    assert result.stdout == f"01234567\tOld\t{when(2.0)}\tlegacy words\n"  # found by a scan
    assert faults.raised == 1
    assert (version(path), tables(path) & INDEX) == (0, set())  # not half built
    monkeypatch.setattr(ConversationStore, "factory", sqlite3.Connection)
    assert invoke(["conversations", "list"], make_context()).exit_code == 0
    assert (version(path), tables(path) & INDEX) == (1, INDEX)


def test_a_read_only_store_is_read_and_searched_unindexed(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old_store(path)
    faults = Faults(sqlite3.OperationalError(READ_ONLY), spared=None)
    monkeypatch.setattr(ConversationStore, "factory", failing(faults))
    listed = invoke(["conversations", "list", "--json", "--search", "words"], make_context())
    assert listed.exit_code == 0
    assert [c["snippet"] for c in json.loads(listed.stdout)["data"]] == ["legacy words"]


def test_a_migration_error_that_is_no_lock_or_full_disk_is_reported(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old_store(path)
    faults = Faults(sqlite3.OperationalError("disk I/O error"), spared=None)
    monkeypatch.setattr(ConversationStore, "factory", failing(faults))
    result = invoke(["conversations", "list"], make_context())
    assert result.exit_code == 2
    assert result.stderr == (
        f"mistral: error: cannot open the conversation store {path}: disk I/O error\n"
        "hint: run `mistral conversations doctor` to check it\n"
    )


def test_without_fts5_the_triggers_go_and_fts5_rebuilds_the_index_later(
    store: ConversationStore, path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    add(store, clock, "First", "alpha question", "alpha answer")
    store.close()
    assert tables(path) & INDEX == INDEX
    fts5_available = conversation_index.fts5_available
    monkeypatch.setattr(conversation_index, "fts5_available", lambda: False)
    unindexed = ConversationStore(path, clock=clock)
    later = add(unindexed, clock, "Second", "alpha beta", "beta")  # no trigger to fail on
    unindexed.close()
    assert tables(path) & INDEX == {"messages_fts"}  # an SQLite without FTS5 can't drop it
    monkeypatch.setattr(conversation_index, "fts5_available", fts5_available)
    result = invoke(["conversations", "list", "--search", "beta"], make_context())
    assert result.stdout == f"{later[:8]}\tSecond\t{when(clock.now)}\tbeta\n"
    assert tables(path) & INDEX == INDEX
    check = sqlite3.connect(path)
    check.execute("INSERT INTO messages_fts(messages_fts) VALUES ('integrity-check')")
    check.close()


def test_fts5_is_asked_once_per_process() -> None:
    conversation_index.fts5_available.cache_clear()
    assert conversation_index.fts5_available() is True  # this SQLite has it
    assert conversation_index.fts5_available.cache_info().misses == 1
    assert conversation_index.fts5_available() is True
    assert conversation_index.fts5_available.cache_info().hits == 1
