"""`mistral completion`: static bash/zsh/fish scripts generated from the command tree."""

from __future__ import annotations

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
    text = script(ctx, shell)
    home = Path.home()
    target = {
        "bash": home / ".local/share/bash-completion/completions/mistral",
        "zsh": home / ".zfunc/_mistral",
        "fish": home / ".config/fish/completions/mistral.fish",
    }[shell]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    from mistral_cli.output import Output

    out = Output()
    out.line(str(target))
    if shell == "zsh":
        out.info("add to ~/.zshrc: fpath=(~/.zfunc $fpath); autoload -Uz compinit; compinit")


def script(ctx: typer.Context, shell: str) -> str:
    """The completion script for one shell, generated from the live command tree."""
    if shell not in SHELLS:
        raise UsageError(f"unknown shell {shell!r}", hint="choose one of: " + ", ".join(SHELLS))
    nodes = _walk(ctx.find_root().command, ())
    return {"bash": _bash, "zsh": _zsh, "fish": _fish}[shell](nodes)


Node = tuple[str, list[str], list[tuple[str, str]]]  # path, options, (subcommand, help)


def _walk(command: Any, path: tuple[str, ...]) -> list[Node]:  # noqa: ANN401  # Typer's command
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
    nodes: list[Node] = [(" ".join(path), options, entries)]
    for name, sub in visible:
        nodes.extend(_walk(sub, (*path, name)))
    return nodes


def _bash_body(nodes: list[Node]) -> str:
    paths = " ".join(f'"{path}"' for path, _, subs in nodes if path)
    cases = "\n".join(
        f'        "{path}") words="{" ".join([name for name, _ in subs] + options)}" ;;'
        for path, options, subs in nodes
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
            && return 0
    done
    return 0
}}
_mistral() {{
    local cur prev path w words i kind
    cur="${{COMP_WORDS[COMP_CWORD]}}"
    prev="${{COMP_WORDS[COMP_CWORD-1]}}"
    if [[ "$prev" == "-m" || "$prev" == "--model" ]]; then
        local f
        for f in {ids}; do
            [[ -r "$f" ]] && COMPREPLY=( $(compgen -W "$(< "$f")" -- "$cur") ) && return 0
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
    if [[ "$cur" != -* ]]; then
        case "$path" in
{id_paths}
        esac
        [[ -n "$kind" ]] && {{ _mistral_ids "$kind"; return 0; }}
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
    paths = " ".join(f'"{path}"' for path, _, _ in nodes if path)
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
    for path, options, subs in nodes:
        cond = f"-n 'test (__mistral_path) = \"{path}\"'"
        for name, text in subs:
            desc = text.replace("'", "").replace('"', "")
            lines.append(f"complete -c mistral {cond} -a {name} -d '{desc}'")
        for opt in options:
            flag = f"-l {opt[2:]}" if opt.startswith("--") else f"-s {opt[1:]}"
            lines.append(f"complete -c mistral {cond} {flag}")
    return "\n".join(lines) + "\n"
