"""python -m mistral_cli."""

from mistral_cli.launch import run

run()
