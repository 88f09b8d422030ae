"""Run profiles: the same notebook code on full-size or quick settings.

Taught in: every notebook's config cell (first used in ``01_data_encoding``).

``COURSE_PROFILE=full`` (the default) is what a learner runs and what the committed
notebook outputs show. ``COURSE_PROFILE=quick`` runs the very same code on less data
and fewer epochs; the test suite executes every notebook that way.

A config cell reads its sizes like this::

    NUM_SAMPLES = profiles.pick(quick=2_000, full=10_000)
"""

from __future__ import annotations

import os
from typing import TypeVar

T = TypeVar("T")

PROFILES: tuple[str, ...] = ("quick", "full")
DEFAULT_PROFILE = "full"
ENV_VAR = "COURSE_PROFILE"


class UnknownProfileError(ValueError):
    """``COURSE_PROFILE`` holds a name that is not a profile."""


def active() -> str:
    """Return the active profile's name, read from ``COURSE_PROFILE`` (default ``full``)."""
    name = os.environ.get(ENV_VAR, "").strip().lower() or DEFAULT_PROFILE
    if name not in PROFILES:
        raise UnknownProfileError(
            f"{ENV_VAR}={name!r} is not a profile; use one of {', '.join(PROFILES)}."
        )
    return name


def is_quick() -> bool:
    """True when the quick profile is active."""
    return active() == "quick"


def pick(*, quick: T, full: T) -> T:
    """Return the value for the active profile.

    Both values are named at the call site, so a reader of a notebook's config cell
    sees the full-profile setting and the quick one side by side.
    """
    return quick if is_quick() else full


def describe() -> str:
    """One line for a notebook's setup cell: which profile runs and how to change it."""
    other = "quick" if active() == "full" else "full"
    return (f"profile: {active()} (to switch, run `%env {ENV_VAR}={other}` in a cell, then this "
            "notebook again from the top)")


def quiet_start() -> None:
    """Run TensorFlow's one-time start-up once, before any notebook cell: importing it, finding
    (no) GPU, the first masked LSTM and the first ``tf.data`` generator each write a log line
    to the process's stderr that no environment variable silences. The course kernel
    (``make kernel``) calls this as it starts, so those lines go to the terminal that runs
    Jupyter instead of into a notebook's outputs. It also sets ``TF_CPP_MIN_LOG_LEVEL=2``
    (unless set) before TensorFlow is imported, as every notebook's setup cell asks: the C++
    warnings TensorFlow writes later (e.g. ``tf.distribute``'s auto-shard notes in notebook 05)
    stay out of the outputs too; errors still show."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import tensorflow as tf

    ids = tf.constant([[1, 0]])
    keras.layers.LSTM(1)(keras.layers.Embedding(2, 1, mask_zero=True)(ids))
    for _ in tf.data.Dataset.from_generator(lambda: iter([0]),
                                            output_signature=tf.TensorSpec((), tf.int32)):
        pass
