"""Benchmarks of the course (scripts, not timed tests): ``python -m benchmarks.NAME``."""
