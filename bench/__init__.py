"""Benchmarks: `make bench`. Figures are recorded in bench/RESULTS.md with the command that made them."""
