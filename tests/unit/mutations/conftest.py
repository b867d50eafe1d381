"""Report how many mutation cases ran, at the end of the session."""

from __future__ import annotations

import pytest

from tests.unit.mutations import TALLY


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line: the cases run, over how many commands."""
    if TALLY:
        total = sum(TALLY.values())
        terminalreporter.write_line(
            f"response mutations: {total:,} cases over {len(TALLY)} command scenarios"
        )
