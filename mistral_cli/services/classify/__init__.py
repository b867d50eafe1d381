"""`mistral classify` and `mistral moderate`: texts or conversations through embed's engine."""
