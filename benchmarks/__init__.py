"""Benchmarks run against the live system (see the README)."""
