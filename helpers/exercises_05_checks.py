"""The checks of notebook 05's exercises (:mod:`helpers.exercises_05`): for each, what a right
answer is, computed here, and what a wrong one is told.

Used in: notebooks/05_attention.ipynb, through the exercises of :mod:`helpers.exercises_05`
(``q1.check(...)`` …), and its tests.

The checks of attention layers (``q1`` to ``q3``) build the learner's layer inside a Keras
model, set its weights to fixed values and compare its context and weights with a NumPy
reference on a tiny padded batch; ``q3``'s also checks what removing the mask does to padded
translations. ``q5``'s reads the attention maps of the attention model.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import numpy as np

from helpers.exercises import (
    NotAttempted,
    Wrong,
    call,
    error_line,
    expect,
    expect_array,
    expect_number,
    is_blank,
    is_stub,
)

#: The toy batch of notebook 05's section 2: the second sentence is two characters, then padding.
SOURCE_IDS = np.array([[7, 3, 9, 4, 2], [5, 8, 0, 0, 0]], np.int32)


def toy_inputs(query_width: int = 4, values_width: int = 4, seed: int = 0
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(decoder_states, encoder_states, source_ids)``: 2 sentences, 3 target steps, 5 source
    steps, the second sentence padded after two characters."""
    rng = np.random.default_rng(seed)
    query = rng.normal(size=(2, 3, query_width)).astype("float32")
    values = rng.normal(size=(2, 5, values_width)).astype("float32")
    return query, values, SOURCE_IDS


def masked_softmax(scores: np.ndarray, source_ids: np.ndarray | None) -> np.ndarray:
    """Softmax over the last axis; with ``source_ids``, padded positions (id 0) get weight 0."""
    real = np.ones(scores.shape, bool) if source_ids is None else np.broadcast_to(
        (source_ids != 0)[:, None, :], scores.shape)
    shifted = np.where(real, scores, -1e9).astype("float64")
    shifted -= shifted.max(axis=-1, keepdims=True)
    exp = np.exp(shifted) * real
    return exp / np.maximum(exp.sum(axis=-1, keepdims=True), 1e-30)


def layer_outputs(layer_class: Any, inputs: Sequence[np.ndarray], *, name: str,
                  weights: Callable[[list[tuple[int, ...]]], list[np.ndarray]] | None = None
                  ) -> tuple[Any, np.ndarray, np.ndarray]:
    """``(layer, context, weights)``: the learner's layer class built inside a Keras model on
    ``inputs``' shapes, its weights set by ``weights(shapes)`` if given, run on ``inputs``."""
    import keras

    if is_blank(layer_class):
        raise NotAttempted
    if not isinstance(layer_class, type) or not issubclass(layer_class, keras.layers.Layer):
        raise Wrong(f"{name} should be a class, a keras Layer (subclass LuongAttention), not "
                    f"a {type(layer_class).__name__}")
    owner = next(k for k in layer_class.__mro__ if "call" in vars(k))
    if owner.__name__ == "LuongAttention" or owner.__module__.startswith("keras") or is_stub(
            vars(owner)["call"]):
        raise NotAttempted  # the exercise cell's class, its call not written yet
    query, values, source_ids = inputs
    try:  # first eagerly, on the batch itself: Keras builds models from compute_output_shape
        outputs = call(layer_class, what=f"{name}()")([query, values, source_ids])
    except (NotAttempted, Wrong):
        raise
    except Exception as error:
        raise Wrong(f"{name} fails on a batch: {type(error).__name__}: "
                    f"{error_line(error)}") from error
    if outputs is None:
        raise NotAttempted
    if not isinstance(outputs, list | tuple) or len(outputs) != 2:
        raise Wrong(f"{name} should return two tensors, [context, weights]")
    layer = call(layer_class, what=f"{name}()")
    symbolic = [keras.Input(shape=(None, query.shape[-1])),
                keras.Input(shape=(None, values.shape[-1])),
                keras.Input(shape=(None,), dtype="int32")]
    try:
        model = keras.Model(symbolic, list(layer(symbolic)))
        if weights is not None:
            shapes = [tuple(int(n) for n in w.shape) for w in layer.weights]
            for variable, value in zip(layer.weights, weights(shapes), strict=True):
                variable.assign(value)
        context, attention = (np.asarray(x) for x in model.predict(  # compiled, as in training
            [query, values, source_ids], verbose=0))
    except (NotAttempted, Wrong):
        raise
    except Exception as error:
        raise Wrong(f"{name} fails inside a Keras model (use keras.ops, not NumPy): "
                    f"{type(error).__name__}: {error_line(error)}") from error
    return layer, context, attention


def check_attention(name: str, context: np.ndarray, weights: np.ndarray, values: np.ndarray,
                    expected: np.ndarray, *, masked: bool = True) -> None:
    """Wrong unless ``weights`` are ``expected`` (rows summing to 1, padding 0 if ``masked``)
    and ``context`` is ``weights · values``."""
    expect(weights.shape == expected.shape,
           f"the weights of {name} have shape {weights.shape}; for 2 sentences, 3 target steps "
           f"and 5 source steps they should have shape {expected.shape}")
    sums = weights.sum(axis=-1)
    if not np.allclose(sums, 1.0, atol=1e-4):
        b, t = (int(i) for i in np.argwhere(~np.isclose(sums, 1.0, atol=1e-4))[0])
        raise Wrong(f"the weights of {name} for sentence {b + 1}, target step {t + 1} do not sum "
                    "to 1: the softmax runs over the source steps, the last axis")
    on_padding = weights[1, :, 2:]
    if masked:
        expect(np.allclose(on_padding, 0.0, atol=1e-6),
               f"{name} gives weight to the padded positions of sentence 2: mask them as "
               "LuongAttention does")
    else:
        expect(not np.allclose(on_padding, 0.0, atol=1e-6),
               f"{name} gives the padded positions of sentence 2 no weight: without the mask they "
               "take part in the softmax like characters")
    expect_array(f"the weight array of {name}", weights, expected, atol=1e-5)
    expect_array(f"the context of {name}", context, expected @ values, atol=1e-4)


# --- 5.1 · dot score ------------------------------------------------------------------------


def check_dot(DotAttention: Any) -> str:  # noqa: N803 (the learner's class)
    """Exercise 5.1: ``DotAttention`` has no weights and gives the masked dot-score
    attention of :func:`toy_inputs`."""
    query, values, source_ids = toy_inputs()
    layer, context, weights = layer_outputs(DotAttention, (query, values, source_ids),
                                            name="DotAttention")
    expect(layer.count_params() == 0,
           f"your layer has {layer.count_params()} weights; the dot score has none "
           "(LuongAttention.build creates W_a: override build so that it creates nothing)")
    expected = masked_softmax(query @ values.transpose(0, 2, 1), source_ids)
    check_attention("DotAttention", context, weights, values, expected)
    return "The dot score is the general score with W_a the identity, and no weights to train"


# --- 5.2 · additive score -----------------------------------------------------------------------

ADDITIVE_WIDTHS = (4, 6)  # query (decoder) width, values (encoder) width: not equal, on purpose


def additive_weights(shapes: list[tuple[int, ...]]) -> list[np.ndarray]:
    """Fixed values for ``w_query``, ``w_values``, ``v`` (Wrong if the shapes are not theirs)."""
    q, k = ADDITIVE_WIDTHS
    wanted = [(q, q), (k, q), (q,)]
    expect(shapes == wanted,
           f"your layer's weights have shapes {shapes}; with a query of width {q} and values of "
           f"width {k} it needs, in this order, w_query {wanted[0]}, w_values {wanted[1]} and "
           f"v {wanted[2]}")
    rng = np.random.default_rng(52)
    return [rng.normal(size=s).astype("float32") for s in wanted]


def additive_scores(query: np.ndarray, values: np.ndarray,
                    weights: list[np.ndarray]) -> np.ndarray:
    """Bahdanau's score ``v · tanh(W1 h_t + W2 h̄_s)`` for every target and source step."""
    w_query, w_values, v = weights
    hidden = np.tanh((query @ w_query)[:, :, None, :] + (values @ w_values)[:, None, :, :])
    return hidden @ v


def check_additive(AdditiveAttention: Any) -> str:  # noqa: N803 (the learner's class)
    """Exercise 5.2: ``AdditiveAttention``, its weights set by :func:`additive_weights`,
    gives the masked additive-score attention of :func:`toy_inputs`."""
    query, values, source_ids = toy_inputs(*ADDITIVE_WIDTHS, seed=2)
    _, context, weights = layer_outputs(AdditiveAttention, (query, values, source_ids),
                                        name="AdditiveAttention", weights=additive_weights)
    fixed = additive_weights([(4, 4), (6, 4), (4,)])
    expected = masked_softmax(additive_scores(query, values, fixed), source_ids)
    check_attention("AdditiveAttention", context, weights, values, expected)
    return None


# --- 5.3 · remove the mask ----------------------------------------------------------------------

CHANGED_KEYS = ("with the mask", "without the mask")


def _count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise Wrong(f"{name} should be a whole number of translations, not a "
                    f"{type(value).__name__}")
    expect(value >= 0, f"{name} is {value}: a number of translations is not negative")
    return int(value)


def check_unmasked(UnmaskedAttention: Any, changed: Any) -> str:  # noqa: N803
    """Exercise 5.3: ``UnmaskedAttention`` gives the general score's attention without
    the mask, and ``changed`` counts the translations padding changes with and without it."""
    query, values, source_ids = toy_inputs(seed=3)
    kernel = np.random.default_rng(53).normal(size=(4, 4)).astype("float32")

    def fixed(shapes: list[tuple[int, ...]]) -> list[np.ndarray]:
        expect(shapes == [(4, 4)], f"your layer's weights have shapes {shapes}: keep "
                                   "LuongAttention's build, its one W_a")
        return [kernel]

    _, context, weights = layer_outputs(UnmaskedAttention, (query, values, source_ids),
                                        name="UnmaskedAttention", weights=fixed)
    expected = masked_softmax(query @ kernel @ values.transpose(0, 2, 1), None)
    check_attention("UnmaskedAttention", context, weights, values, expected, masked=False)
    if is_blank(changed):
        raise NotAttempted
    if not isinstance(changed, dict):
        raise Wrong(f"changed should be a dict, not a {type(changed).__name__}")
    if set(changed) != set(CHANGED_KEYS):
        raise Wrong(f"changed has the keys {list(changed)}; it should have exactly "
                    f"{list(CHANGED_KEYS)}")
    masked, unmasked = (_count(f"changed[{key!r}]", changed[key]) for key in CHANGED_KEYS)
    expect(masked == 0, f"with the mask, padding changed {masked} translations: a masked model "
                        "gives a padded sentence exactly its own translation. Decode each length "
                        "group without padding (ids[rows, :length]) and compare")
    expect(unmasked > 0, "without the mask no translation changed: did the padded batch go "
                         "through the model with UnmaskedAttention and the pretrained weights?")
    return (f"Padding changed {unmasked} translations of the unmasked model and none of the "
            "masked one")


# --- 5.4 · attention entropy ----------------------------------------------------------------------

#: Rows of attention weights over 5 source positions (the last one padding in most rows).
ENTROPY_ROWS = np.array([[1.0, 0.0, 0.0, 0.0, 0.0], [0.25, 0.25, 0.25, 0.25, 0.0],
                         [0.5, 0.5, 0.0, 0.0, 0.0], [0.7, 0.1, 0.1, 0.1, 0.0],
                         [0.2, 0.2, 0.2, 0.2, 0.2], [0.05, 0.9, 0.05, 0.0, 0.0]])


def entropy_bits(weights: np.ndarray) -> np.ndarray:
    """``-Σ_s a(s) log2 a(s)`` over the last axis, with ``0 · log 0 = 0``."""
    weights = np.asarray(weights, dtype="float64")
    logs = np.log2(np.where(weights > 0, weights, 1.0))
    return -(weights * logs).sum(axis=-1)


def check_entropy(attention_entropy: Callable[..., Any]) -> str:
    """Exercise 5.4: ``attention_entropy`` gives :func:`entropy_bits` of
    :data:`ENTROPY_ROWS`, as rows and as a batch."""
    cases = {"for a (6, 5) array of rows": ENTROPY_ROWS,
             "for a (2, 3, 5) array (a batch)": ENTROPY_ROWS.reshape(2, 3, 5)}
    for where, weights in cases.items():
        got = call(attention_entropy, weights.copy(), what="attention_entropy")
        try:
            got = np.asarray(got, dtype="float64")
        except Exception as error:
            raise Wrong(f"{where}, attention_entropy returns something that is not numbers "
                        f"({type(got).__name__})") from error
        expected = entropy_bits(weights)
        expect(got.shape == expected.shape,
               f"{where}, attention_entropy returns shape {got.shape}; it should return one "
               f"number per row, shape {expected.shape}")
        expect(not np.isnan(got).any(),
               f"{where}, attention_entropy gives nan where a weight is 0: count 0 · log 0 as 0")
        expect(not (got < -1e-9).any(), f"{where}, attention_entropy gives a negative entropy: "
                                        "mind the minus sign of -Σ a · log2 a")
        expect(not np.allclose(got, expected * math.log(2), atol=1e-6),
               f"{where}, your entropies are in nats (natural log): the exercise asks for bits")
        expect_array(f"{where}, attention_entropy(weights)", got, expected, atol=1e-6)
    return None


# --- 5.5 · where beam search and greedy decoding part ------------------------------------------

#: (source, one translation, another): pairs of translations that part at a letter, at the end
#: of the shorter one, and in the middle.
PARTING_CASES: tuple[tuple[str, str, str], ...] = (
    ("I abhor violence.", "Je suis sur le violec.", "Je suis sur le violence."),
    ("Help me.", "Aide-moi", "Aide-moi."),
    ("Thank you.", "Merci beaucoup.", "Merci."))


@cache
def pretrained_translator() -> Any:
    """The course's attention model (notebook 05), loaded once."""
    from helpers.model_files import ATTENTION_MODEL, load_translation_model

    return load_translation_model(ATTENTION_MODEL)


def reference_parting(translator: Any, source: str, text_a: str, text_b: str
                      ) -> tuple[int, int]:
    """(first character where the texts differ, leading attention rows the two maps share)."""
    from helpers.translation import attention_map

    first = next((i for i, (a, b) in enumerate(zip(text_a, text_b, strict=False)) if a != b),
                 min(len(text_a), len(text_b)))
    map_a, map_b = attention_map(translator, source, text_a), attention_map(translator, source,
                                                                            text_b)
    shared = 0
    while (shared < min(len(map_a), len(map_b))
           and np.allclose(map_a[shared], map_b[shared], atol=1e-5)):
        shared += 1
    return first, shared


@cache
def _expected_parting(source: str, text_a: str, text_b: str) -> tuple[int, int]:
    return reference_parting(pretrained_translator(), source, text_a, text_b)


def check_parting(parting: Callable[..., Any]) -> str:
    """Exercise 5.5: ``parting`` gives :func:`reference_parting` of every case of
    :data:`PARTING_CASES`, with the attention model."""
    if is_stub(parting):
        raise NotAttempted  # its body is still ``...``: no need to load the model
    translator = pretrained_translator()
    for source, text_a, text_b in PARTING_CASES:
        where = f"parting(translator, {source!r}, {text_a!r}, {text_b!r})"
        got = call(parting, translator, source, text_a, text_b, what=where)
        if not isinstance(got, Sequence) or isinstance(got, str) or len(got) != 2:
            raise Wrong(f"{where} should return two numbers: (the first character where the "
                        "texts differ, the number of attention rows they share)")
        first, shared = _expected_parting(source, text_a, text_b)
        expect_number(f"{where}[0], the first character that differs,", got[0], first, rtol=0)
        expect_number(f"{where}[1], the attention rows the maps share,", got[1], shared, rtol=0)
    return ("The maps share every row up to and including the one of the step where the paths "
            "part: the same prefix gives the same attention; what differs is the character "
            "chosen")
