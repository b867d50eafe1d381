"""The tool's identity: the --version line (other programs also install a `mistral` command)."""

from __future__ import annotations

import sys

from mistral_cli import __version__

TAGLINE = "command line for the Mistral AI API"


def version_text() -> str:
    """`mistral-cli 0.1.0 — command line for the Mistral AI API (Python 3.11)` plus newline."""
    major, minor = sys.version_info[:2]
    return f"mistral-cli {__version__} — {TAGLINE} (Python {major}.{minor})\n"
