"""Benchmarks of the course (scripts, not timed tests): ``python -m benchmarks.NAME``."""

import os


def load_average() -> str:
    """The machine's load average, printed before and after a run (other jobs may share it)."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}"
