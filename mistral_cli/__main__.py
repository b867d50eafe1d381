"""python -m mistral_cli."""

from mistral_cli.cli import run

run()
