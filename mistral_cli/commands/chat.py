"""`mistral chat`: one-shot answers (argument and/or piped stdin); the REPL on a terminal."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mistral_cli.commands._shared import CONTEXT_SETTINGS, JsonOpt, ModelOpt, new_app
from mistral_cli.errors import UsageError

if TYPE_CHECKING:
    from mistral_cli.context import AppContext
    from mistral_cli.services.chat import ChatParams, ChatSession, Turn
    from mistral_cli.services.chat.budget import ChatBudget
    from mistral_cli.services.conversations import ConversationStore
    from mistral_cli.services.pricing import PriceTable

app = new_app(
    "chat",
    "Ask a model; the answer streams to stdout. With no prompt on a terminal: the REPL.\n\n"
    "\b\nExamples:\n"
    '  mistral chat -m mistral-small "Name three primes."\n'
    '  git diff | mistral chat "Write a commit message."\n'
    '  mistral chat -c "And in French?"',
)


@dataclass(frozen=True)
class Options:
    """The chat flags that shape the session and the output (shared with the REPL)."""

    model: str | None = None
    system: str | None = None
    stream: bool = True
    hide_thinking: bool = False
    usage: bool = False
    json_out: bool = False
    jsonl: bool = False
    continue_last: bool = False
    conversation: str | None = None
    no_save: bool = False
    max_cost: str | None = None


FloatOpt = Annotated[float | None, typer.Option(show_default=False)]


@app.callback(
    invoke_without_command=True,
    no_args_is_help=False,
    subcommand_metavar="",
    context_settings={**CONTEXT_SETTINGS, "allow_interspersed_args": True},
)
def chat(
    ctx: typer.Context,
    prompt: Annotated[
        list[str] | None,
        typer.Argument(
            help="The prompt (piped stdin is appended after a blank line).", show_default=False
        ),
    ] = None,
    model: ModelOpt = None,
    system: Annotated[
        str | None, typer.Option("-s", "--system", metavar="TEXT", help="System prompt.")
    ] = None,
    temperature: Annotated[float | None, typer.Option(help="Sampling temperature, 0–1.5.")] = None,
    top_p: Annotated[float | None, typer.Option(help="Nucleus sampling, 0 < p ≤ 1.")] = None,
    max_tokens: Annotated[int | None, typer.Option(help="Longest answer, in tokens.")] = None,
    stop: Annotated[
        list[str] | None, typer.Option(metavar="TEXT", help="Stop at this text (repeatable).")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (random_seed).")] = None,
    safe_prompt: Annotated[
        bool, typer.Option("--safe-prompt", help="Prepend Mistral's safety prompt.")
    ] = False,
    presence_penalty: Annotated[float | None, typer.Option(help="−2..2.")] = None,
    frequency_penalty: Annotated[float | None, typer.Option(help="−2..2.")] = None,
    json_mode: Annotated[
        bool, typer.Option("--json-mode", help="Answer with a JSON object.")
    ] = False,
    schema: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE", help="Answer following this JSON Schema file.", dir_okay=False
        ),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            metavar="NAME=VALUE", help="Any other request field (VALUE as JSON); repeatable."
        ),
    ] = None,
    no_stream: Annotated[
        bool, typer.Option("--no-stream", help="Wait for the whole answer.")
    ] = False,
    raw: Annotated[bool, typer.Option("--raw", help="Plain text even on a terminal.")] = False,
    hide_thinking: Annotated[
        bool, typer.Option("--hide-thinking", help="Do not show a model's thinking.")
    ] = False,
    usage: Annotated[bool, typer.Option("--usage", help="Print token usage on stderr.")] = False,
    json_out: JsonOpt = False,
    jsonl: Annotated[
        bool, typer.Option("--jsonl", help="Print each stream event as a JSON line.")
    ] = False,
    continue_last: Annotated[
        bool, typer.Option("-c", "--continue", help="Continue the latest conversation.")
    ] = False,
    conversation: Annotated[
        str | None, typer.Option(metavar="ID", help="Continue this conversation (id prefix).")
    ] = None,
    no_save: Annotated[
        bool, typer.Option("--no-save", help="Do not save the conversation.")
    ] = False,
    max_cost: Annotated[
        str | None,
        typer.Option(
            metavar="AMOUNT",
            help="Refuse a prompt, or stop an answer, costing more (e.g. 0.05) [exit 11].",
        ),
    ] = None,
) -> None:
    """Ask a model; the answer streams to stdout. With no prompt on a terminal: the REPL.

    Examples: mistral chat -m mistral-small "Name three primes."
              git diff | mistral chat "Write a one-line commit message for this diff."
    """
    from mistral_cli.context import app_context
    from mistral_cli.services import chat as svc

    actx = app_context(ctx)
    actx.out.raw = actx.out.raw or raw
    text = svc.read_prompt(" ".join(prompt) if prompt else None, sys.stdin)
    params = svc.ChatParams(
        temperature=temperature,
        top_p=top_p,
        max_tokens=max_tokens,
        stop=tuple(stop or ()),
        random_seed=seed,
        safe_prompt=safe_prompt,
        presence_penalty=presence_penalty,
        frequency_penalty=frequency_penalty,
        response_format=svc.response_format(json_mode=json_mode, schema_file=schema),
        extras=svc.parse_params(param or [], actx.out.warn),
    )
    opts = Options(
        model, system, not no_stream, hide_thinking, usage, json_out, jsonl,
        continue_last, conversation, no_save, max_cost or actx.settings.get("max_cost"),
    )  # fmt: skip
    if json_out and jsonl:
        raise UsageError("--json and --jsonl cannot be used together")
    if text is None:
        return interactive(actx, opts, params)
    one_shot(actx, opts, params, text)
    return None


def interactive(actx: AppContext, opts: Options, params: ChatParams) -> None:
    """No prompt and a terminal on stdin: the REPL (commands/_repl.py)."""
    from mistral_cli.commands._repl import run_repl

    if opts.json_out or opts.jsonl:
        raise UsageError("--json and --jsonl need a prompt", hint='e.g. mistral chat --json "…"')
    raise typer.Exit(run_repl(actx, lambda: open_session(actx, opts, params), opts))


def one_shot(actx: AppContext, opts: Options, params: ChatParams, prompt: str) -> None:
    """Ask once, print the answer, then the warnings, usage line or JSON document."""
    session = open_session(actx, opts, params)
    try:
        budget = chat_budget(actx, session, opts, prompt)
        with session.turn(prompt) as turn:
            render_turn(actx, turn, opts, budget)
        report_turn(actx, turn, opts)
    finally:
        remember_conversation(actx, session)
        if session.store is not None:
            session.store.close()


def remember_conversation(actx: AppContext, session: ChatSession) -> None:
    """Note a saved conversation's id for shell completion (`--conversation <TAB>`)."""
    from mistral_cli.services import recent_ids

    if session.store is not None and session.conversation_id is not None:
        recent_ids.remember(actx.cache_dir(), "conversation", [session.conversation_id])


def open_session(actx: AppContext, opts: Options, params: ChatParams) -> ChatSession:
    """A new session, or a saved conversation continued (-c, --conversation).

    A store that cannot be read stops -c (exit 2, naming the file and the doctor) before any
    request; one that fails later costs nothing but a warning (`not saved: …`).
    """
    from mistral_cli.services.chat import ChatSession
    from mistral_cli.services.conversations import ConversationStore

    if opts.continue_last and opts.conversation:
        raise UsageError("use either --continue or --conversation, not both")
    save = not (opts.no_save or actx.environ.get("MISTRAL_NO_SAVE", "") not in ("", "0"))
    resuming = opts.continue_last or opts.conversation is not None
    store = ConversationStore.open(actx.data_dir()) if save or resuming else None
    if store is None or not resuming:
        model = actx.resolve_model(opts.model)
        session = ChatSession(
            actx.client(), model=model, params=params, system=opts.system,
            stream=opts.stream, store=store,
        )  # fmt: skip
    else:
        try:
            session = resume_session(actx, store, opts, params, save=save)
        except BaseException:
            store.close()
            raise
        if not save:
            store.close()
    session.on_store_error = lambda exc: actx.out.warn(exc.not_saved)
    return session


def resume_session(
    actx: AppContext, store: ConversationStore, opts: Options, params: ChatParams, *, save: bool
) -> ChatSession:
    """-c or --conversation: the saved conversation, with its model unless -m is given."""
    from mistral_cli.services.chat import ChatSession

    found = store.find(opts.conversation) if opts.conversation else store.latest()
    if found is None:
        raise UsageError("there is no saved conversation to continue", hint="start one first")
    model = actx.resolve_model(opts.model or found.model)
    session = ChatSession.resume(
        actx.client(), store, found, model=model, params=params, system=opts.system,
        stream=opts.stream, save=save,
    )  # fmt: skip
    session.prices = price_table(actx)
    return session


def price_table(actx: AppContext) -> PriceTable:
    """The shipped prices with the user's prices.toml (config directory) over them."""
    from mistral_cli.config import config_dir
    from mistral_cli.services import pricing

    return pricing.load(config_dir(actx.environ))


def chat_budget(
    actx: AppContext, session: ChatSession, opts: Options, prompt: str
) -> ChatBudget | None:
    """With --max-cost: a budget for this turn, after checking the prompt (nothing sent yet)."""
    from mistral_cli.api.schemas.chat import Message
    from mistral_cli.services import pricing
    from mistral_cli.services.chat.budget import ChatBudget

    if not opts.max_cost:
        return None
    table = session.prices or price_table(actx)
    budget = ChatBudget(pricing.meter(pricing.parse_budget(opts.max_cost), table, session.model))
    budget.check_prompt([*session.messages, Message(role="user", content=prompt)])
    return budget


def render_turn(
    actx: AppContext, turn: Turn, opts: Options, budget: ChatBudget | None = None
) -> None:
    """Show the answer as it arrives (or only the events, for --jsonl; nothing for --json).

    With a budget, each piece is counted first; one that would cross it ends the stream.
    """
    from mistral_cli.output.answer import AnswerWriter
    from mistral_cli.services.chat import RawEvent, TextDelta, ThinkingDelta

    quiet = opts.json_out or opts.jsonl
    with AnswerWriter(actx.out, show_thinking=not (opts.hide_thinking or quiet)) as writer:
        for event in turn:
            if isinstance(event, TextDelta):
                if budget is not None:
                    budget.add_answer(event.text)
                if not quiet:
                    writer.text(event.text)
            elif isinstance(event, ThinkingDelta):
                if budget is not None:
                    budget.add_answer(event.text)
                writer.thinking(event.text)
            elif isinstance(event, RawEvent) and opts.jsonl:
                actx.out.jsonl(event.payload)


def report_turn(actx: AppContext, turn: Turn, opts: Options) -> None:
    """After the answer: the JSON document, a cut-short warning, the usage line."""
    from mistral_cli.output.answer import usage_line

    if opts.json_out:
        actx.out.json(turn.response())
    if turn.truncated:
        actx.out.warn(turn.truncated)
    if opts.usage or actx.out.err_is_tty:
        used = turn.usage
        prices = price_table(actx)
        cost = prices.cost(turn.model, used.prompt_tokens, used.completion_tokens) if used else None
        actx.out.notice(
            usage_line(
                turn.model,
                used.prompt_tokens if used else None,
                used.completion_tokens if used else None,
                turn.elapsed,
                cost=str(cost) if cost is not None else None,
            )
        )
