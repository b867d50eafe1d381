from __future__ import annotations

import json
import re
from pathlib import Path

import httpx

from tests.fakes.chat import Reply
from tests.fakes.router import FakeMistral
from tests.support import invoke, make_context

CHAT = "POST /v1/chat/completions"
ESTIMATE = {"MISTRAL_TOKENIZER": "estimate"}


def ctx(transport: httpx.MockTransport, tmp_path: Path, **env: str):
    environ = {
        "MISTRAL_CONFIG_DIR": str(tmp_path / "config"),
        "MISTRAL_DATA_DIR": str(tmp_path / "data"),
        "MISTRAL_CACHE_DIR": str(tmp_path / "cache"),
        **ESTIMATE,
        **env,
    }
    return make_context(transport, environ=environ)


def test_tokens_counts_per_line_context_and_cost(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    (tmp_path / "in.txt").write_text("hello world\n1234\n", encoding="utf-8")
    argv = ["tokens", str(tmp_path / "in.txt"), "-m", "mistral-small", "--per-line"]
    result = invoke(argv, ctx(fake_transport, tmp_path))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:2] == ["1\t5", "2\t4"]
    assert lines[2:4] == ["model\tmistral-small-latest", "tokens\t13 (estimate)"]
    assert re.fullmatch(r"context\tfits: 0\.0 % of \d+", lines[4])
    assert lines[5] == "input cost\t$0.0000013 (price as of 2026-11-25)"


def test_tokens_json_from_stdin(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    result = invoke(["tokens", "--json", "-"], ctx(fake_transport, tmp_path), input="abc")
    document = json.loads(result.stdout)
    assert document["tokens"] == 2
    assert document["exact"] is False
    assert document["fits"] is True
    assert document["price_as_of"] == "2026-11-25"


def test_max_cost_refuses_a_long_prompt_without_sending(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    prompt = "lorem ipsum dolor sit amet " * 500
    result = invoke(["chat", "--max-cost", "0.0001", prompt], ctx(fake_transport, tmp_path))
    assert result.exit_code == 11
    assert result.stdout == ""
    assert result.stderr.startswith("mistral: error: the prompt would cost about $0.0")
    assert fake.requests_to(CHAT) == []


def test_max_cost_from_the_environment_and_no_price_refuses(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    actx = ctx(fake_transport, tmp_path)
    actx = make_context(fake_transport, env={"MISTRAL_MAX_COST": "1"}, environ=actx.environ)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "prices.toml").write_text(
        '[models."mistral-small-latest"]\ninput = "x"\n'
    )
    result = invoke(["chat", "hi"], actx)
    assert (result.exit_code, result.stdout, result.stderr) == (  # a config error
        2,
        "",
        f"mistral: error: {tmp_path / 'config/prices.toml'}: the price of mistral-small-latest "
        "needs numbers `input` and `output`\n"
        'hint: e.g. [models."mistral-small-latest"] input = 0.1  output = 0.3\n',
    )
    (tmp_path / "config" / "prices.toml").unlink()
    result = invoke(["chat", "-m", "codestral-embed", "hi"], actx)
    assert result.exit_code == 0  # priced: within $1
    result = invoke(["chat", "-m", "mistral-small-2506", "hi"], actx)
    assert (result.exit_code, result.stdout, result.stderr) == (
        11,
        "",
        "mistral: error: --max-cost needs a price for mistral-small-2506, and none is known\n"
        'hint: add [models."mistral-small-2506"] input = …  output = … '
        "to prices.toml in the config directory\n",
    )
    assert len(fake.requests_to(CHAT)) == 1


def test_max_cost_stops_a_stream_and_keeps_the_partial_answer(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    fake.chat.replies.append(Reply(text="word " * 2000, chunk_size=50))
    result = invoke(["chat", "--max-cost", "0.0001", "hi"], ctx(fake_transport, tmp_path))
    assert result.exit_code == 11
    assert 0 < len(result.stdout) < 10_000
    assert result.stdout.startswith("word word")
    assert result.stderr == (
        "mistral: error: stopped: the answer would cost about $0.00011 (5 in / 360 out tokens), "
        "more than --max-cost $0.0001; the partial answer was kept\n"
        "hint: raise --max-cost (or MISTRAL_MAX_COST), or shorten the input\n"
    )
    usage = invoke(["conversations", "list", "--json"], ctx(fake_transport, tmp_path))
    assert '"turns": 1' in usage.stdout.replace(" ", " ")


def test_usage_line_shows_cost_or_cost_na(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    result = invoke(["chat", "--usage", "hello"], ctx(fake_transport, tmp_path))
    assert re.fullmatch(
        r"mistral-small-latest · 2 in / 3 out tokens · \$0\.0000011 · \d+\.\d\d s\n",
        result.stderr,
    ), result.stderr
    result = invoke(
        ["chat", "--usage", "-m", "mistral-small-2506", "hello"], ctx(fake_transport, tmp_path)
    )
    assert re.fullmatch(
        r"mistral-small-2506 · 2 in / 3 out tokens · cost n/a · \d+\.\d\d s\n", result.stderr
    ), result.stderr


def test_usage_adds_up_saved_conversations_by_model_and_day(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    for argv in (["hello"], ["-m", "mistral-large", "hello there"], ["-c", "again"]):
        assert invoke(["chat", *argv], ctx(fake_transport, tmp_path)).exit_code == 0
    result = invoke(["usage"], ctx(fake_transport, tmp_path))
    assert result.stdout.splitlines() == [
        "mistral-large-latest\t2\t13\t8\t$0.000019",  # 13 × $0.5/M + 8 × $1.5/M
        "mistral-small-latest\t1\t2\t3\t$0.0000011",
        "total\t3\t15\t11\t$0.00002",
    ]
    document = json.loads(
        invoke(["usage", "--by", "day", "--json"], ctx(fake_transport, tmp_path)).stdout
    )
    assert document["total"]["answers"] == 3
    assert len(document["rows"]) == 1
    assert invoke(["usage", "--by", "week"], ctx(fake_transport, tmp_path)).exit_code == 2
    ids = (tmp_path / "cache" / "conversation-ids.txt").read_text().split()
    assert len(ids) == 2


def test_usage_prices_lists_the_table_with_sources(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    result = invoke(["usage", "--prices"], ctx(fake_transport, tmp_path))
    assert "mistral-small-latest\t0.1\t0.3\tUSD\t2026-11-25\thttps://" in result.stdout


def test_embed_dry_run_shows_cost_and_max_cost_stops_before_the_limit(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    text = "".join(f"{'x' * 2999}\n" for _ in range(5))
    result = invoke(["embed", "--dry-run"], ctx(fake_transport, tmp_path), input=text)
    assert "~$0.0005 (prices as of 2026-11-25)" in result.stdout
    result = invoke(["embed", "--dry-run", "--batch"], ctx(fake_transport, tmp_path), input=text)
    assert "~$0.00025 (prices as of 2026-11-25)" in result.stdout
    out = tmp_path / "v.jsonl"
    argv = ["embed", "--max-cost", "0.00031", "-o", str(out)]
    result = invoke(argv, ctx(fake_transport, tmp_path), input=text)
    assert result.exit_code == 11
    assert "stopped before input 4" in result.stderr
    assert len(out.read_text().splitlines()) == 3
