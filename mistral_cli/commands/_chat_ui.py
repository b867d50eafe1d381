"""What one-shot chat and the REPL share: the options, the session, the budget, a turn's output.

Imported only once `mistral chat` runs (never for --help).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from mistral_cli.errors import UsageError

if TYPE_CHECKING:
    from mistral_cli.context import AppContext
    from mistral_cli.services.chat import ChatParams, ChatSession, Turn
    from mistral_cli.services.chat.budget import ChatBudget
    from mistral_cli.services.conversations import ConversationStore


@dataclass(frozen=True, kw_only=True)
class ChatOptions:
    """The chat flags that shape the session and the output (one-shot and REPL alike)."""

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
    max_cost: float | None = None  # USD: --max-cost, else MISTRAL_MAX_COST
    extract: Literal["all", "last"] | None = None  # -x / --extract-last: fenced code only


def open_session(actx: AppContext, opts: ChatOptions, params: ChatParams) -> ChatSession:
    """A new session, or a saved conversation continued (-c, --conversation).

    A store that cannot be read stops -c (exit 2, naming the file and the doctor) before any
    request; one that fails later costs nothing but a warning (`not saved: …`).
    """
    from mistral_cli.services.chat import ChatSession
    from mistral_cli.services.conversations import ConversationStore

    if opts.continue_last and opts.conversation:
        raise UsageError("use either --continue or --conversation, not both")
    prices = actx.prices()  # the REPL's /usage adds up costs, new or resumed; read first:
    # a broken prices.toml stops here, before a store is open
    save = not (opts.no_save or actx.settings.no_save)
    resuming = opts.continue_last or opts.conversation is not None
    store = ConversationStore.open(actx.data_dir()) if save or resuming else None
    if store is None or not resuming:
        model = actx.resolve_model(opts.model)
        session = ChatSession(
            actx.client(),
            model=model,
            params=params,
            system=opts.system,
            stream=opts.stream,
            store=store,
        )
    else:
        try:
            session = resume_session(actx, store, opts, params, save=save)
        except BaseException:
            store.close()
            raise
        if not save:
            store.close()
    session.prices = prices
    session.on_store_error = lambda exc: actx.out.warn(exc.not_saved)
    return session


def resume_session(
    actx: AppContext,
    store: ConversationStore,
    opts: ChatOptions,
    params: ChatParams,
    *,
    save: bool,
) -> ChatSession:
    """-c or --conversation: the saved conversation, with its model unless -m is given."""
    from mistral_cli.services.chat import ChatSession

    found = store.find(opts.conversation) if opts.conversation else store.latest()
    if found is None:
        raise UsageError("there is no saved conversation to continue", hint="start one first")
    model = actx.resolve_model(opts.model or found.model)
    session = ChatSession.resume(
        actx.client(),
        store,
        found,
        model=model,
        params=params,
        system=opts.system,
        stream=opts.stream,
        save=save,
    )
    return session


def remember_conversation(actx: AppContext, session: ChatSession) -> None:
    """Note a saved conversation's id for shell completion (`--conversation <TAB>`)."""
    from mistral_cli.services import recent_ids

    if session.store is not None and session.conversation_id is not None:
        recent_ids.remember(actx.cache_dir(), "conversation", [session.conversation_id])


def chat_budget(
    actx: AppContext, session: ChatSession, opts: ChatOptions, prompt: str
) -> ChatBudget | None:
    """With --max-cost: a budget for this turn, after checking the prompt (nothing sent yet)."""
    from mistral_cli.api.chat import Message
    from mistral_cli.services import pricing
    from mistral_cli.services.chat.budget import ChatBudget

    if opts.max_cost is None:
        return None
    table = session.prices or actx.prices()
    budget = ChatBudget(pricing.meter(pricing.parse_budget(opts.max_cost), table, session.model))
    budget.check_prompt([*session.messages, Message(role="user", content=prompt)])
    return budget


def render_turn(
    actx: AppContext, turn: Turn, opts: ChatOptions, budget: ChatBudget | None = None
) -> int:
    """Show the answer as it arrives (or only the events, for --jsonl; nothing for --json).

    With a budget, each piece is counted first; one that would cross it ends the stream.
    Returns the number of code blocks printed with -x/--extract-last (0 without them).
    """
    from mistral_cli.output.answer import AnswerWriter
    from mistral_cli.services.chat import RawEvent, TextDelta, ThinkingDelta

    quiet = opts.json_out or opts.jsonl
    show_thinking = not (opts.hide_thinking or quiet)
    with AnswerWriter(actx.out, show_thinking=show_thinking, extract=opts.extract) as writer:
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
    if writer.unclosed_code:
        actx.out.warn("a code block without its closing fence was not printed")
    return writer.extracted


def report_turn(actx: AppContext, turn: Turn, opts: ChatOptions) -> None:
    """After the answer: the JSON document, a cut-short warning, the usage line."""
    from mistral_cli.output.answer import usage_line

    if opts.json_out:
        actx.out.json(turn.response())
    if turn.truncated:
        actx.out.warn(turn.truncated)
    if opts.usage or actx.out.err_is_tty:
        used = turn.usage
        prices = actx.prices()
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
