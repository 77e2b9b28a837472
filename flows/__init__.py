"""Prefect flows and the `ftprep` command line: thin wrappers over the `pipeline` library."""
