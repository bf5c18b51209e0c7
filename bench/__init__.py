"""Benchmarks: each prints figures, none asserts a time. Run from the project root as
`python -m bench.NAME --help`."""
