"""Example generators: every one produces EXAMPLE rows (see pipeline.records)."""
