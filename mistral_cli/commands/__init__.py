"""The thin Typer layer: one module per noun, one function per verb."""
