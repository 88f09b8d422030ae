"""Test configuration: notebooks run in the quick profile, on the course's data folder."""

from __future__ import annotations

import os

# Executed notebooks (nbval) inherit this environment: same code, less data, fewer epochs.
os.environ.setdefault("COURSE_PROFILE", "quick")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")
