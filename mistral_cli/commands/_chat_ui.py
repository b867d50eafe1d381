"""What one-shot chat and the REPL share: the options, the session, the budget, a turn's output.

Imported only once `mistral chat` runs (never for --help).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from mistral_cli.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mistral_cli.api.chat import DocumentPart, Message, Part
    from mistral_cli.context import AppContext
    from mistral_cli.services.attachments import Attachment, Documents
    from mistral_cli.services.chat import ChatParams, ChatSession, Turn
    from mistral_cli.services.chat.budget import ChatBudget
    from mistral_cli.services.chat.turn import ChoiceState
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
    attach: tuple[str, ...] = ()  # -a PATH|URL (one-shot)
    tool_results: tuple[str, ...] = ()  # --tool-result ID=JSON (with -c)


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
    session.documents = documents(actx)
    for note in session.notes:
        actx.out.warn(note)
    return session


def documents(actx: AppContext) -> Documents:
    """PDF uploads and their signed URLs for this run (a vanished file said once)."""
    from mistral_cli.services.attachments import Documents

    def gone(part: DocumentPart) -> None:
        actx.out.warn(
            f"{part.name} (file {part.file_id}) is no longer on the server; "
            "it was left out of the conversation sent"
        )

    return Documents(
        actx.client(),
        cache_file=actx.cache_dir() / "uploads.json",
        scope=actx.settings.base_url,
        on_gone=gone,
    )


def load_attachments(sources: Sequence[str], *, flag: str = "--attach") -> list[Attachment]:
    """Read and check each -a value (exit 2 naming the file or limit); nothing is sent."""
    from mistral_cli.services import attachments

    return [attachments.load(source, flag=flag) for source in sources]


def prepare(actx: AppContext, session: ChatSession, pending: Sequence[Attachment]) -> list[Part]:
    """The parts to send: limits and the model's vision checked, then PDFs uploaded.

    Exit 2 before any upload when the request would hold too many images, or images for a
    model that cannot read them (the conversation's earlier images count: they are resent).
    """
    from mistral_cli.services import attachments

    images = session.images() + sum(1 for a in pending if a.kind == "image")
    attachments.check_images(images)
    if images:
        attachments.check_vision(session.model, actx.models())
    parts: list[Part] = []
    for attachment in pending:
        if attachment.part is not None:
            parts.append(attachment.part)
            continue
        if session.documents is None:
            session.documents = documents(actx)
        part, reused = session.documents.upload(attachment)
        short = (part.file_id or "")[:8]
        actx.out.notice(
            f"{attachment.source}: identical file already uploaded (file {short}…), reused"
            if reused
            else f"uploaded {attachment.source} (file {short}…)"
        )
        parts.append(part)
    return parts


def tool_answers(session: ChatSession, opts: ChatOptions, prompt: str | None) -> list[Message]:
    """--tool-result answers as tool messages (exit 2 unless they answer the last turn's calls)."""
    from mistral_cli.services.chat.history import parse_tool_results
    from mistral_cli.services.chat.history import tool_answers as answers

    if not opts.tool_results:
        return []
    if not (opts.continue_last or opts.conversation):
        raise UsageError(
            "--tool-result answers a saved conversation's tool calls: add -c or --conversation",
            hint="e.g. mistral chat -c --tool-result 'call_1={\"temperature\": 21}'",
        )
    if prompt is not None:
        raise UsageError(
            "--tool-result is sent without a prompt: the model answers the tool results first",
            hint='ask your next question after that, with mistral chat -c "…"',
        )
    return answers(session.messages, parse_tool_results(opts.tool_results))


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
    actx: AppContext,
    session: ChatSession,
    opts: ChatOptions,
    prompt: str | None,
    parts: Sequence[Part] = (),
) -> ChatBudget | None:
    """With --max-cost: a budget for this turn, after checking the prompt (nothing sent yet)."""
    from mistral_cli.api.chat import Message
    from mistral_cli.services import pricing
    from mistral_cli.services.chat.budget import ChatBudget

    if opts.max_cost is None:
        return None
    table = session.prices or actx.prices()
    budget = ChatBudget(pricing.meter(pricing.parse_budget(opts.max_cost), table, session.model))
    asked = [Message(role="user", content=prompt, parts=tuple(parts))] if prompt else []
    budget.check_prompt([*session.messages, *asked])
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
    if turn.left_out:
        calls = ", ".join(f"{call.name} ({call.id})" for call in turn.left_out)
        actx.out.notice(
            f"unanswered tool calls left out of the history: {calls}; "
            "answer them with -c --tool-result ID=JSON before asking on"
        )
    show_thinking = not (opts.hide_thinking or quiet)
    with AnswerWriter(actx.out, show_thinking=show_thinking, extract=opts.extract) as writer:
        for event in turn:
            if isinstance(event, TextDelta | ThinkingDelta) and budget is not None:
                budget.add_answer(event.text)
            if isinstance(event, RawEvent):
                if opts.jsonl:
                    actx.out.jsonl(event.payload)
            elif event.choice != turn.primary or quiet:
                continue  # the other choices are shown once complete
            elif isinstance(event, TextDelta):
                writer.text(event.text)
            else:
                writer.thinking(event.text)
    if writer.unclosed_code:
        actx.out.warn("a code block without its closing fence was not printed")
    if not quiet:
        show_after(actx, turn, opts)
    return writer.extracted


def show_after(actx: AppContext, turn: Turn, opts: ChatOptions) -> None:
    """After the first choice's text: what it holds beside, then the other choices (n > 1)."""
    show_extras(actx, turn.first)
    if opts.extract and turn.others:  # code for a pipeline: one choice's, never two
        actx.out.notice(f"-x printed the first choice only; {others(turn)} not shown")
    elif opts.extract is None:
        for choice in turn.others:
            show_choice(actx, choice, opts)


def others(turn: Turn) -> str:
    """`choice 2` or `choices 2-3`: the choices beside the first."""
    numbers = [choice.index + 1 for choice in turn.others]
    if len(numbers) == 1:
        return f"choice {numbers[0]}"
    return f"choices {numbers[0]}-{numbers[-1]}"


def show_choice(actx: AppContext, choice: ChoiceState, opts: ChatOptions) -> None:
    """Another choice (n > 1), complete: under a `── choice 2 ──` rule on stdout."""
    from mistral_cli.output.answer import AnswerWriter

    actx.out.line(f"── choice {choice.index + 1} ──")
    with AnswerWriter(actx.out, show_thinking=not opts.hide_thinking) as writer:
        writer.thinking(choice.thinking)
        writer.text(choice.text)
    show_extras(actx, choice)


def show_extras(actx: AppContext, choice: ChoiceState) -> None:
    """What a choice holds beside its text, dim on stderr: references, other chunks, calls."""
    out = actx.out
    if choice.references:
        out.notice("references:")
        for number, reference in enumerate(choice.references, start=1):
            out.notice(f"  [{number}] {reference.shown()}")
    for kind in choice.unsupported:
        out.notice(f"[unsupported content: {kind}]")
    for call in choice.tool_calls:
        shown = f"tool call: {call.shown()}"
        out.notice(f"{shown} (id {call.id})" if call.id else shown)


def report_turn(actx: AppContext, turn: Turn, opts: ChatOptions) -> None:
    """After the answer: the JSON document, a cut-short warning, the usage line."""
    from mistral_cli.output.answer import usage_line
    from mistral_cli.services.chat.turn import cut_short, empty_answer

    if opts.json_out:
        actx.out.json(turn.response())
    if turn.empty:
        saved = "" if opts.no_save else "; it was not saved"
        actx.out.warn(f"{turn.empty}{saved}")
    elif turn.truncated:
        actx.out.warn(turn.truncated)
    for choice in turn.others:
        cut = cut_short(choice)
        if cut:
            actx.out.warn(f"choice {choice.index + 1}: {cut}")
    for choice in turn.blank_others:
        actx.out.warn(f"choice {choice.index + 1}: {empty_answer(choice)}")
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


def how_to_answer(actx: AppContext, session: ChatSession, turn: Turn, opts: ChatOptions) -> None:
    """After a one-shot answer asking for tool calls: how to send their results."""
    if turn.tool_calls and session.store is not None and not (opts.json_out or opts.jsonl):
        first = turn.tool_calls[0].id or "ID"
        actx.out.notice(f"answer with: mistral chat -c --tool-result '{first}=<JSON result>'")
