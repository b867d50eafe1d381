"""The `mistral embed` engine: read inputs, pack by tokens, embed concurrently, write in order."""
