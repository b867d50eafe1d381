"""The response-mutation suite; TALLY counts the cases each scenario ran (for the summary)."""

TALLY: dict[str, int] = {}
