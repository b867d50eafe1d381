"""`mistral chat`: one-shot answers (argument and/or piped stdin); the REPL on a terminal."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mistral_cli.commands._shared import CONTEXT_SETTINGS, JsonOpt, ModelOpt, new_app
from mistral_cli.errors import CliError, UsageError

if TYPE_CHECKING:
    from mistral_cli.commands._chat_ui import ChatOptions
    from mistral_cli.context import AppContext
    from mistral_cli.services.chat import ChatParams

app = new_app(
    "chat",
    "Ask a model; the answer streams to stdout. With no prompt on a terminal: the REPL.\n\n"
    "\b\nExamples:\n"
    '  mistral chat -m mistral-small "Name three primes."\n'
    '  git diff | mistral chat "Write a commit message."\n'
    '  mistral chat -c "And in French?"',
)


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
    extract: Annotated[
        bool,
        typer.Option(
            "-x",
            "--extract",
            help="Print only the answer's fenced code, without fences [exit 1 if none].",
        ),
    ] = False,
    extract_last: Annotated[
        bool, typer.Option("--extract-last", help="Print only the answer's last code block.")
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
    from mistral_cli import values
    from mistral_cli.commands._chat_ui import ChatOptions
    from mistral_cli.context import app_context
    from mistral_cli.services import chat as svc

    actx = app_context(ctx)
    actx.out.raw = actx.out.raw or raw
    limit = actx.settings.max_cost if max_cost is None else values.money(max_cost)  # exit 2 first
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
    opts = ChatOptions(
        model=model,
        system=system,
        stream=not no_stream,
        hide_thinking=hide_thinking,
        usage=usage,
        json_out=json_out,
        jsonl=jsonl,
        continue_last=continue_last,
        conversation=conversation,
        no_save=no_save,
        max_cost=limit,
        extract="last" if extract_last else "all" if extract else None,
    )
    if json_out and jsonl:
        raise UsageError("--json and --jsonl cannot be used together")
    if opts.extract and (json_out or jsonl):
        flag = "--extract-last" if extract_last else "-x/--extract"
        raise UsageError(f"{flag} cannot be used with --json or --jsonl")
    if text is None:
        return interactive(actx, opts, params)
    one_shot(actx, opts, params, text)
    return None


def interactive(actx: AppContext, opts: ChatOptions, params: ChatParams) -> None:
    """No prompt and a terminal on stdin: the REPL (commands/_repl.py)."""
    from mistral_cli.commands._chat_ui import open_session
    from mistral_cli.commands._repl import run_repl

    if opts.json_out or opts.jsonl:
        raise UsageError("--json and --jsonl need a prompt", hint='e.g. mistral chat --json "…"')
    if opts.extract:
        raise UsageError("-x and --extract-last need a prompt", hint='e.g. mistral chat -x "…"')
    raise typer.Exit(run_repl(actx, lambda: open_session(actx, opts, params), opts))


def one_shot(actx: AppContext, opts: ChatOptions, params: ChatParams, prompt: str) -> None:
    """Ask once, print the answer, then the warnings, usage line or JSON document."""
    from mistral_cli.commands import _chat_ui as ui

    session = ui.open_session(actx, opts, params)
    try:
        budget = ui.chat_budget(actx, session, opts, prompt)
        with session.turn(prompt) as turn:
            printed = ui.render_turn(actx, turn, opts, budget)
        ui.report_turn(actx, turn, opts)
        if opts.extract and not printed:  # a pipeline into `sh` gets nothing, and knows it
            saved = session.conversation_id if session.store is not None else None
            hint = f"read it: mistral conversations show {saved}" if saved else "drop -x to see it"
            raise CliError("the answer has no code block, so nothing was printed", hint=hint)
    finally:
        ui.remember_conversation(actx, session)
        if session.store is not None:
            session.store.close()
