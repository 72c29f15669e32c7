"""Benchmarks against real servers: each prints one table and writes its numbers to ``bench-results/``.

They measure, they do not assert: a run always exits 0, and the PASS/MISS column is informational.
"""
