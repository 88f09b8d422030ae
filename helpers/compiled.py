"""What is built once per Keras model — its inference models, its compiled decoder step, its
compiled predictor — kept on the model itself, so that it is forgotten with the model.

Used in: ``04_inference_loop`` on (through :mod:`helpers.decoding`, :mod:`helpers.translation`
and :mod:`helpers.training`); plumbing, not a concept the course teaches.

Why on the model and not in a module-level ``weakref.WeakKeyDictionary``: what is cached refers
back to its model (a compiled step calls the model; inference models share its layers), and a
value that refers to its key keeps that key alive for ever: every model loaded and used stayed
in memory (issue 22: about 7 MB for each "load a model, translate" cell run). Kept on the model,
the model and what was built for it form one reference cycle that Python's garbage collector
frees as a whole once nothing else refers to the model. The cache is a plain object (not a
``dict``, ``list`` or Keras object), so Keras neither tracks it as a layer nor saves it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

#: The private attribute of a model that holds its cache.
ATTRIBUTE = "_s2s_built_for_model"


class _Built:
    """One model's cache: what :func:`built_for` built for it, by name."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def __reduce__(self) -> tuple[type, tuple]:
        """A copy or pickle of a model starts with nothing built (what was built calls the
        original model)."""
        return _Built, ()


def built_for(model: Any, name: str, build: Callable[[Any], T]) -> T:
    """``build(model)``, called once per ``model`` and ``name`` and kept on ``model`` (as
    :data:`ATTRIBUTE`), so that it lives exactly as long as the model."""
    cache = vars(model).get(ATTRIBUTE)
    if cache is None:
        cache = _Built()
        # object.__setattr__: a Keras model tracks what is assigned to it; this is no layer.
        object.__setattr__(model, ATTRIBUTE, cache)
    if name not in cache.values:
        cache.values[name] = build(model)
    return cache.values[name]


def is_built_for(model: Any, name: str) -> bool:
    """Has :func:`built_for` built ``name`` for ``model`` already?"""
    cache = vars(model).get(ATTRIBUTE)
    return cache is not None and name in cache.values
