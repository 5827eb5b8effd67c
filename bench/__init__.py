"""Benchmarks: run from the README; they print figures, they assert nothing."""
