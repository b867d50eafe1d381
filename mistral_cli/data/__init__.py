"""Data files shipped with the package (prices.json)."""
