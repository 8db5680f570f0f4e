"""Benchmarks run by `make bench`: each module named *_bench has a main() that prints its ratios."""
