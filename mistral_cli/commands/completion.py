"""`mistral completion`: static bash/zsh/fish scripts generated from the command tree."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from mistral_cli.commands._shared import new_app
from mistral_cli.errors import UsageError

app = new_app("completion", "Shell completion scripts for bash, zsh and fish.")
SHELLS = ("bash", "zsh", "fish")
MODEL_OPTIONS = ("-m", "--model")
# Where `models list` leaves the ids it saw (read by the scripts; no network, no Python).
CACHE_DIRS = (
    '"${MISTRAL_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mistral-cli}',
    '"$HOME/Library/Caches/mistral-cli',
)
MODEL_IDS = tuple(f'{d}/model-ids.txt"' for d in CACHE_DIRS)
# Other ids seen recently (services/recent_ids.py): the kind completed after each command path
ID_ARGUMENTS = {
    "conversations show": "conversation",
    "conversations rm": "conversation",
    "finetune status": "job",
    "finetune wait": "job",
    "finetune cancel": "job",
    "files show": "file",
    "files rm": "file",
    "files download": "file",
    "models show": "model",
    "models archive": "model",
    "models unarchive": "model",
    "models update": "model",
    "models rm": "model",
}
ID_OPTIONS = {"--conversation": "conversation"}


@app.command("show")
def show(
    ctx: typer.Context,
    shell: Annotated[str, typer.Argument(help="bash, zsh or fish.")],
) -> None:
    """Print the completion script for SHELL.

    Example: mistral completion show bash > ~/.mistral.bash
    """
    from mistral_cli.output import Output

    Output().write(script(ctx, shell))


@app.command("install")
def install(
    ctx: typer.Context,
    shell: Annotated[str, typer.Argument(help="bash, zsh or fish.")] = "bash",
) -> None:
    """Install the completion script for SHELL in its usual place.

    Example: mistral completion install fish
    """
    import os

    from mistral_cli.output import Output

    text = script(ctx, shell)
    home = Path.home()
    data = Path(os.environ.get("XDG_DATA_HOME") or home / ".local/share")
    target = {
        "bash": data / "bash-completion/completions/mistral",
        "zsh": home / ".zfunc/_mistral",
        "fish": home / ".config/fish/completions/mistral.fish",
    }[shell]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    out = Output()
    out.line(str(target))
    if shell == "zsh":
        out.info("add to ~/.zshrc: fpath=(~/.zfunc $fpath); autoload -Uz compinit; compinit")
    elif shell == "bash":
        out.info(bash_hint(target, [Path(f) for f in BASH_COMPLETION if Path(f).is_file()]))


# Where bash-completion (which loads scripts from the folder above on demand) is installed.
BASH_COMPLETION = (
    "/usr/share/bash-completion/bash_completion",
    "/etc/bash_completion",
    "/usr/local/share/bash-completion/bash_completion",
    "/usr/local/etc/profile.d/bash_completion.sh",
    "/opt/homebrew/etc/profile.d/bash_completion.sh",
)


def bash_hint(target: Path, found: list[Path]) -> str:
    """How TAB starts working: bash-completion loads the file, or ~/.bashrc sources it."""
    if not found:
        return (
            "bash-completion is not installed, so bash will not load this file by itself; "
            f"add to ~/.bashrc: source {target}"
        )
    return (
        f"new shells load it through bash-completion ({found[0]}); "
        f"if TAB does nothing there, add to ~/.bashrc: source {target}"
    )


def script(ctx: typer.Context, shell: str) -> str:
    """The completion script for one shell, generated from the live command tree."""
    if shell not in SHELLS:
        raise UsageError(f"unknown shell {shell!r}", hint="choose one of: " + ", ".join(SHELLS))
    nodes = _walk(ctx.find_root().command, (), value_choices())
    return {"bash": _bash, "zsh": _zsh, "fish": _fish}[shell](nodes)


def value_choices() -> dict[tuple[str, str], tuple[str, ...]]:
    """What to complete after an option (or "" for the argument), by command path.

    The very values each option is checked against (one source), imported only when a script
    is generated; the API's own enums (purpose, job type, statuses) where the API checks.
    """
    from typing import get_args

    from mistral_cli import config
    from mistral_cli.api.schemas.files import UploadForm
    from mistral_cli.api.schemas.finetune import JobType
    from mistral_cli.services import batch, usage
    from mistral_cli.services.chat import batchresults
    from mistral_cli.services.embed import backend, job
    from mistral_cli.services.finetune import wait
    from mistral_cli.services.ftdata import sample, validate

    job_types = tuple(get_args(JobType))
    settable = tuple(key for key in config.FILE_KEYS if key not in config.SECRET_KEYS)
    return {
        ("embed", "--format"): job.FORMATS,
        ("embed", "--input-format"): job.INPUT_FORMATS,
        ("embed", "--output-dtype"): backend.DTYPES,
        ("embed", "--encoding"): backend.ENCODINGS,
        ("batch create", "--endpoint"): batch.CREATABLE,
        ("batch create", "--format"): batchresults.FORMATS,
        ("batch download", "--format"): tuple(dict.fromkeys(job.FORMATS + batchresults.FORMATS)),
        ("batch list", "--status"): batch.STATUSES,
        ("files list", "--purpose"): tuple(get_args(UploadForm.model_fields["purpose"].annotation)),
        ("finetune validate", "--format"): validate.FORMATS,
        ("finetune validate", "--kind"): sample.KINDS,
        ("finetune list", "--status"): tuple(sorted(wait.KNOWN)),
        ("finetune create", "--job-type"): job_types,
        ("finetune start", "--job-type"): job_types,
        ("finetune run", "--job-type"): job_types,
        ("usage", "--by"): usage.GROUPINGS,
        ("completion show", ""): SHELLS,
        ("completion install", ""): SHELLS,
        ("config get", ""): tuple(config.FIELD_BY_KEY),
        ("config set", ""): settable,
        ("config unset", ""): settable,
    }


@dataclass(frozen=True)
class Node:
    """One command path: its options and subcommands, and the values some of them take."""

    path: str
    options: list[str]
    subs: list[tuple[str, str]]  # (subcommand, first line of its help)
    values: dict[str, tuple[str, ...]]  # option (or "" for the argument) → its values


def _walk(
    command: Any,  # noqa: ANN401  # Typer's command
    path: tuple[str, ...],
    choices: dict[tuple[str, str], tuple[str, ...]],
) -> list[Node]:
    here = " ".join(path)
    options = sorted(
        opt
        for param in command.params
        if getattr(param, "param_type_name", "") == "option" and not getattr(param, "hidden", False)
        for opt in (*param.opts, *param.secondary_opts)
    )
    options.append("--help")
    subs = getattr(command, "commands", {})
    visible = sorted((name, sub) for name, sub in subs.items() if not getattr(sub, "hidden", False))
    entries = [
        (name, (sub.short_help or sub.help or "").split("\n")[0].strip()) for name, sub in visible
    ]
    values = {
        name: found for name in ("", *options) if (found := choices.get((here, name))) is not None
    }
    nodes = [Node(here, options, entries, values)]
    for name, sub in visible:
        nodes.extend(_walk(sub, (*path, name), choices))
    return nodes


def _bash_body(nodes: list[Node]) -> str:
    paths = " ".join(f'"{node.path}"' for node in nodes if node.path)
    cases = "\n".join(
        f'        "{node.path}") words="{" ".join([n for n, _ in node.subs] + node.options)}" ;;'
        for node in nodes
    )
    option_values = "\n".join(
        f'        "{node.path} {name}") words="{" ".join(found)}" ;;'
        for node in nodes
        for name, found in sorted(node.values.items())
        if name
    )
    argument_values = "\n".join(
        f'        "{node.path}") words="{" ".join(node.values[""])}" ;;'
        for node in nodes
        if "" in node.values
    )
    ids = " ".join(MODEL_IDS)
    id_options = "\n".join(
        f"        {opt}) kind={kind} ;;" for opt, kind in sorted(ID_OPTIONS.items())
    )
    id_paths = "\n".join(
        f'        "{path}") kind={kind} ;;' for path, kind in sorted(ID_ARGUMENTS.items())
    )
    dirs = " ".join(f'{d}"' for d in CACHE_DIRS)
    return f"""_mistral_ids() {{
    local f
    for f in {dirs}; do
        [[ -r "$f/$1-ids.txt" ]] && COMPREPLY=( $(compgen -W "$(< "$f/$1-ids.txt")" -- "$cur") ) \\
            && _mistral_colons && return 0
    done
    return 0
}}
_mistral_colons() {{
    # bash splits `ft:model:...` at each colon: offer only what follows the typed part's last one
    if [[ "$cur" == *:* && "${{COMP_WORDBREAKS-}}" == *:* ]]; then
        local typed="${{cur%"${{cur##*:}}"}}"
        COMPREPLY=( "${{COMPREPLY[@]#"$typed"}}" )
    fi
    return 0
}}
_mistral() {{
    local cur prev path w words i kind line before
    cur="${{COMP_WORDS[COMP_CWORD]}}"
    prev="${{COMP_WORDS[COMP_CWORD-1]}}"
    if [[ -n "${{COMP_LINE-}}" ]]; then  # whole words, colons and all (fine-tuned model ids)
        line="${{COMP_LINE:0:COMP_POINT}}"
        cur="${{line##*[[:space:]]}}"
        before="${{line%"$cur"}}"
        before="${{before%"${{before##*[![:space:]]}}"}}"
        prev="${{before##*[[:space:]]}}"
    fi
    if [[ "$prev" == "-m" || "$prev" == "--model" ]]; then
        local f
        for f in {ids}; do
            [[ -r "$f" ]] && COMPREPLY=( $(compgen -W "$(< "$f")" -- "$cur") ) \\
                && _mistral_colons && return 0
        done
        return 0
    fi
    kind=""
    case "$prev" in
{id_options}
    esac
    [[ -n "$kind" ]] && {{ _mistral_ids "$kind"; return 0; }}
    path=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        w="${{COMP_WORDS[i]}}"
        for p in {paths}; do
            if [[ "$p" == "${{path:+$path }}$w" ]]; then path="$p"; break; fi
        done
    done
    words=""
    case "$path $prev" in
{option_values}
    esac
    [[ -n "$words" ]] && {{ COMPREPLY=( $(compgen -W "$words" -- "$cur") ); return 0; }}
    if [[ "$cur" != -* ]]; then
        case "$path" in
{id_paths}
{argument_values}
        esac
        [[ -n "$kind" ]] && {{ _mistral_ids "$kind"; return 0; }}
        [[ -n "$words" ]] && {{ COMPREPLY=( $(compgen -W "$words" -- "$cur") ); return 0; }}
    fi
    case "$path" in
{cases}
        *) words="" ;;
    esac
    COMPREPLY=( $(compgen -W "$words" -- "$cur") )
}}
"""


HEADER = "# {0} completion for mistral (mistral-cli), generated by `mistral completion show {0}`.\n"


def _bash(nodes: list[Node]) -> str:
    return (
        HEADER.format("bash")
        + _bash_body(nodes)
        + "complete -o default -F _mistral mistral mistral-cli\n"
    )


def _zsh(nodes: list[Node]) -> str:
    return (
        "#compdef mistral mistral-cli\n"
        + HEADER.format("zsh")
        + "autoload -U +X bashcompinit && bashcompinit\n"
        + _bash_body(nodes)
        + "complete -o default -F _mistral mistral mistral-cli\n"
    )


# fish has no ${VAR:-default}: the same cache-dir search as the bash script, in fish.
FISH_IDS_FUNCTION = (
    "function __mistral_ids",
    "    set -l dirs $HOME/Library/Caches/mistral-cli",
    "    if set -q XDG_CACHE_HOME",
    "        set dirs $XDG_CACHE_HOME/mistral-cli $dirs",
    "    else",
    "        set dirs $HOME/.cache/mistral-cli $dirs",
    "    end",
    "    if set -q MISTRAL_CACHE_DIR",
    "        set dirs $MISTRAL_CACHE_DIR $dirs",
    "    end",
    "    for d in $dirs",
    "        if test -r $d/$argv[1]-ids.txt",
    "            cat $d/$argv[1]-ids.txt",
    "            return",
    "        end",
    "    end",
    "end",
)


def _fish(nodes: list[Node]) -> str:
    paths = " ".join(f'"{node.path}"' for node in nodes if node.path)
    lines = [
        HEADER.format("fish").rstrip("\n"),
        "function __mistral_path",
        "    set -l path ''",
        "    for w in (commandline -opc)[2..-1]",
        f"        for p in {paths}",
        '            if test "$p" = (string trim -- "$path $w")',
        "                set path $p",
        "                break",
        "            end",
        "        end",
        "    end",
        "    echo $path",
        "end",
        "complete -c mistral -e",
        "complete -c mistral -f",
        "complete -c mistral-cli --wraps mistral",
    ]
    lines.extend(FISH_IDS_FUNCTION)
    lines.append("complete -c mistral -s m -l model -x -a '(__mistral_ids model)'")
    lines.append("complete -c mistral -l conversation -x -a '(__mistral_ids conversation)'")
    for path, kind in sorted(ID_ARGUMENTS.items()):
        lines.append(
            f"complete -c mistral -n 'test (__mistral_path) = \"{path}\"' "
            f"-a '(__mistral_ids {kind})'"
        )
    for node in nodes:
        cond = f"-n 'test (__mistral_path) = \"{node.path}\"'"
        for name, text in node.subs:
            desc = text.replace("'", "").replace('"', "")
            lines.append(f"complete -c mistral {cond} -a {name} -d '{desc}'")
        if "" in node.values:
            lines.append(f"complete -c mistral {cond} -a '{' '.join(node.values[''])}'")
        for opt in node.options:
            flag = f"-l {opt[2:]}" if opt.startswith("--") else f"-s {opt[1:]}"
            found = node.values.get(opt)
            takes = f" -x -a '{' '.join(found)}'" if found else ""
            lines.append(f"complete -c mistral {cond} {flag}{takes}")
    return "\n".join(lines) + "\n"
