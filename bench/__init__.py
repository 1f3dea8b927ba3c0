"""Benchmarks: each module has main() and prints its figures beside a reference run, as ratios."""
