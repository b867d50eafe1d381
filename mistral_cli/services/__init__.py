"""Use cases, one module per noun: plain values in, values or events out; they never print."""
