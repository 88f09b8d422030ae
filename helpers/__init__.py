"""Plumbing for the seq2seq course, and every concept a notebook has already taught.

Each module names the notebook that teaches it. The rule of the course: a concept is
written out in full in the notebook that teaches it and imported from here only from
the next notebook on (``tests/test_taught_agree.py`` keeps the two in agreement).
"""

__all__ = ["data", "decoding", "encoding", "evaluation", "models", "profiles", "training",
           "widgets"]
