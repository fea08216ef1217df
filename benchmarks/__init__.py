"""Benchmarks: `make bench` (python -m benchmarks.run) prints a table and writes JSON."""
