"""The checks of notebook 03's exercises (:mod:`helpers.exercises_03`): for each, what a right
answer is, computed here, and the slips a wrong one is told about.

Used in: notebooks/03_encoder_decoder_training.ipynb, through the exercises of
:mod:`helpers.exercises_03` (``q1.check(...)`` …), and its tests.

Every check runs on tiny inputs of its own (a few rows, an 8-unit LSTM with weights it sets
itself), so it takes well under a second and does not depend on the corpus.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import keras
import numpy as np

from helpers.exercises import NotAttempted, Wrong, call, expect, expect_number, is_blank
from helpers.models import OneHot

# --- 3.1 · Count the weights -----------------------------------------------------------------


def model_weights(num_encoder_tokens: int, num_decoder_tokens: int, latent_dim: int, *,
                  gates: int = 4, lstm_bias: bool = True, recurrent: bool = True,
                  encoder: bool = True, decoder: bool = True, dense: bool = True,
                  dense_bias: bool = True) -> int:
    """The number of weights of the training model of section 3; the keywords switch off one
    part each (the slips the check recognises)."""

    def lstm(inputs: int) -> int:
        return gates * latent_dim * (inputs + (latent_dim if recurrent else 0) + int(lstm_bias))

    total = encoder * lstm(num_encoder_tokens) + decoder * lstm(num_decoder_tokens)
    if dense:
        total += latent_dim * num_decoder_tokens + (num_decoder_tokens if dense_bias else 0)
    return total


_WEIGHT_CASES = [(71, 91, 256), (3, 5, 2), (10, 4, 7)]
_WEIGHT_SLIPS = [
    ({"lstm_bias": False}, "it leaves out the biases of the two LSTMs (the + 1 of every gate)"),
    ({"recurrent": False}, "it leaves out the recurrent weights: each gate also reads the "
                           "layer's own previous output h, latent_dim numbers"),
    ({"gates": 3}, "it counts three gates per LSTM; an LSTM has four sets of weights (input, "
                   "forget and output gates, and the candidate cell)"),
    ({"gates": 1}, "it counts one set of weights per LSTM; an LSTM has four (three gates and "
                   "the candidate cell)"),
    ({"dense": False}, "it leaves out decoder_dense, the softmax layer at every step"),
    ({"dense_bias": False}, "it leaves out decoder_dense's biases"),
    ({"encoder": False}, "it leaves out the encoder's LSTM"),
    ({"decoder": False}, "it leaves out the decoder's LSTM"),
]


def check_count_weights(count_weights: Callable[[int, int, int], int]) -> str:
    """Exercise 3.1: ``count_weights`` on three sets of sizes, against :func:`model_weights`;
    a known slip (a bias, a gate or a layer left out) is named."""
    for sizes in _WEIGHT_CASES:
        got = call(count_weights, *sizes, what="count_weights")
        name = f"count_weights{sizes}"
        if isinstance(got, bool) or not isinstance(got, (int, float, np.integer, np.floating)):
            raise Wrong(f"{name} should be a whole number, but it is a {type(got).__name__}")
        if got == model_weights(*sizes):
            continue
        for change, slip in _WEIGHT_SLIPS:
            if got == model_weights(*sizes, **change):
                raise Wrong(f"{name} is {got}: {slip}")
        expect_number(name, got, model_weights(*sizes), rtol=0.0)
    e, d, size = _WEIGHT_CASES[0]
    lstms = model_weights(e, d, size, dense=False)
    return (f"with {e} and {d} tokens and latent_dim={size} (the full profile), the two LSTMs "
            f"hold {lstms / model_weights(e, d, size):.1%} of the weights")


# --- 3.2 · The mask, for real ----------------------------------------------------------------

#: "Go." padded to the length of "Be nice.", and "Be nice." (the toy ids of section 5.1).
_TOY_IDS = np.array([[5, 10, 3, 0, 0, 0, 0, 0], [4, 7, 2, 9, 8, 6, 7, 3]], dtype=np.int32)
_TOY_TOKENS, _TOY_UNITS = 11, 8


def reference_encoder(num_tokens: int, latent_dim: int, mask_zero: bool) -> keras.Model:
    """ids ``(batch, steps)`` → ``[state_h, state_c]``: :class:`~helpers.models.OneHot` then
    an ``LSTM(return_state=True)``, as section 5.1 builds it."""
    inputs = keras.Input(shape=(None,), dtype="int32")
    vectors = OneHot(num_tokens, mask_zero=mask_zero)(inputs)
    _, state_h, state_c = keras.layers.LSTM(latent_dim, return_state=True)(vectors)
    return keras.Model(inputs, [state_h, state_c])


def _fixed_weights(shapes: list[tuple[int, ...]]) -> list[np.ndarray]:
    rng = np.random.default_rng(3)
    return [rng.normal(0.0, 0.5, shape).astype("float32") for shape in shapes]


def _states(model: Any, ids: np.ndarray, what: str) -> list[np.ndarray]:
    """The two state arrays a learner's encoder returns for ``ids``."""
    try:
        outputs = model(ids)
    except Exception as error:
        raise Wrong(f"calling {what} on int32 ids of shape {ids.shape} raised "
                    f"{type(error).__name__}: {str(error).splitlines()[0][:200]}") from error
    if not isinstance(outputs, (list, tuple)):
        raise Wrong(f"{what} returns one {type(outputs).__name__}; it should return two "
                    "tensors, [state_h, state_c]")
    expect(len(outputs) == 2, f"{what} returns {len(outputs)} tensors; it should return two, "
                              "[state_h, state_c]")
    states = [np.asarray(s) for s in outputs]
    for name, state in zip(("state_h", "state_c"), states, strict=True):
        expect(state.shape == (len(ids), _TOY_UNITS),
               f"{what} returns a {name} of shape {state.shape}; for {len(ids)} sentences and "
               f"latent_dim={_TOY_UNITS} it should be {(len(ids), _TOY_UNITS)} (the final "
               "states, not the outputs at every step)")
    return states


def check_build_encoder(build_encoder: Callable[[int, int, bool], keras.Model]) -> str:
    """Exercise 3.2: the encoders ``build_encoder`` returns, with and without the mask, give
    the states of :func:`reference_encoder` with the same fixed weights; what differs is named."""
    gaps = {}
    for mask_zero in (True, False):
        what = f"build_encoder({_TOY_TOKENS}, {_TOY_UNITS}, mask_zero={mask_zero})"
        model = call(build_encoder, _TOY_TOKENS, _TOY_UNITS, mask_zero, what="build_encoder")
        expect(isinstance(model, keras.Model),
               f"build_encoder should return a keras.Model, not a {type(model).__name__}")
        shapes = [tuple(w.shape) for w in model.get_weights()]
        wanted = [(_TOY_TOKENS, 4 * _TOY_UNITS), (_TOY_UNITS, 4 * _TOY_UNITS), (4 * _TOY_UNITS,)]
        expect(shapes == wanted,
               f"{what} has weights of shapes {shapes}; an encoder made of OneHot and one "
               f"LSTM({_TOY_UNITS}) reading {_TOY_TOKENS}-token vectors has {wanted}")
        weights = _fixed_weights(wanted)
        model.set_weights(weights)
        masked, unmasked = reference_encoder(_TOY_TOKENS, _TOY_UNITS, True), reference_encoder(
            _TOY_TOKENS, _TOY_UNITS, False)
        masked.set_weights(weights)
        unmasked.set_weights(weights)
        h, c = _states(model, _TOY_IDS, what)
        expected = masked if mask_zero else unmasked
        other = unmasked if mask_zero else masked
        want_h, want_c = (np.asarray(s) for s in expected(_TOY_IDS))
        if np.allclose(h, want_h, atol=1e-5) and np.allclose(c, want_c, atol=1e-5):
            alone = np.asarray(model(_TOY_IDS[:1, :3])[0])
            gaps[mask_zero] = float(np.abs(alone[0] - h[0]).max())
            continue
        if np.allclose(h, want_c, atol=1e-5) and np.allclose(c, want_h, atol=1e-5):
            raise Wrong(f"{what} returns [state_c, state_h]; the order is [state_h, state_c]")
        other_h = np.asarray(other(_TOY_IDS)[0])
        if np.allclose(h, other_h, atol=1e-5):
            raise Wrong(f"{what} gives the states of an encoder that "
                        + ("reads the padding: does mask_zero reach OneHot?" if mask_zero else
                           "skips the padding: with mask_zero=False nothing should be masked"))
        if np.allclose(h[1], want_h[1], atol=1e-5):
            raise Wrong(f"{what} gives the right states for the unpadded sentence but not for "
                        "the padded one: the padding is handled differently from OneHot's mask")
        raise Wrong(f"{what}, with the checker's fixed weights, gives other states than OneHot "
                    "followed by an LSTM(return_state=True): is there another layer in between?")
    same = "the same" if gaps[True] < 1e-6 else f"{gaps[True]:.1e} apart"
    return (f"with the check's weights and the mask, 'Go.' alone and padded gets {same} state_h "
            f"(to float rounding); without the mask, the padding moves it by up to "
            f"{gaps[False]:.2f}")


# --- 3.3 · A masked loss by hand -------------------------------------------------------------


def _probabilities(shape: tuple[int, int, int], seed: int) -> np.ndarray:
    logits = np.random.default_rng(seed).normal(0.0, 1.5, shape)
    p = np.exp(logits)
    return (p / p.sum(axis=-1, keepdims=True)).astype("float32")


#: (y_true, y_pred) pairs: one sentence as in the exercise, sentences of unequal length, and
#: a batch with a row of padding only.
_LOSS_CASES = [
    (np.array([[4, 2, 7, 0, 0]]), _probabilities((1, 5, 8), 1)),
    (np.array([[5, 3, 0, 0], [2, 6, 1, 4]]), _probabilities((2, 4, 7), 2)),
    (np.array([[3, 1, 2, 0, 0, 0], [4, 0, 0, 0, 0, 0]]), _probabilities((2, 6, 5), 3)),
    (np.array([[2, 5, 0], [0, 0, 0]]), _probabilities((2, 3, 6), 4)),
]


def loss_variants(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """The masked loss and the usual slips, in NumPy (float64)."""
    y_pred = np.asarray(y_pred, dtype=np.float64)
    picked = np.take_along_axis(y_pred, y_true[..., None], axis=-1)[..., 0]
    real = y_true != 0
    nll = -np.log(picked)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_sentence = (nll * real).sum(axis=1) / real.sum(axis=1)
    return {
        "masked": float((nll * real).sum() / max(real.sum(), 1)),
        "every step": float(nll.mean()),
        "divided by every step": float((nll * real).sum() / real.size),
        "sum": float((nll * real).sum()),
        "no minus": float(-(nll * real).sum() / max(real.sum(), 1)),
        "per sentence": float(np.mean(per_sentence)),
        "log10": float((nll * real).sum() / max(real.sum(), 1) / np.log(10)),
        "log2": float((nll * real).sum() / max(real.sum(), 1) / np.log(2)),
        "most probable": float((-np.log(y_pred.max(axis=-1)) * real).sum() / max(real.sum(), 1)),
    }


_LOSS_SLIPS = {
    "every step": "it averages over every step, the padded ones too (as class 0): leave the "
                  "steps where y_true is 0 out of the sum and out of the count",
    "divided by every step": "it sums over the real characters but divides by every step, "
                             "padding included: that is what the original's "
                             "categorical_crossentropy does with all-zero targets",
    "sum": "it is a sum over the real characters; the loss is their mean",
    "no minus": "it is negative: the cross-entropy is minus the log of the probability of the "
                "right character",
    "per sentence": "it averages each sentence first, then the sentences; masked_loss averages "
                    "over all the real characters of the batch at once, so a long sentence "
                    "weighs more than a short one",
    "log10": "it uses log base 10; the cross-entropy uses the natural log (np.log)",
    "log2": "it uses log base 2; the cross-entropy uses the natural log (np.log)",
    "most probable": "it takes the probability of the most probable character; the loss "
                     "takes the probability the model gives the right one, y_true",
}


def check_masked_loss(masked_loss_numpy: Callable[[np.ndarray, np.ndarray], float]) -> str:
    """Exercise 3.3: ``masked_loss_numpy`` on four batches, against :func:`loss_variants`'
    masked loss; a known slip (padding counted, a sum, another log …) is named."""
    for y_true, y_pred in _LOSS_CASES:
        name = f"masked_loss_numpy on y_true={y_true.tolist()}"
        got = call(masked_loss_numpy, y_true.copy(), y_pred.copy(), what="masked_loss_numpy")
        if isinstance(got, np.ndarray) and got.size == 1:
            got = got.reshape(()).item()
        variants = loss_variants(y_true, y_pred)
        if isinstance(got, (int, float, np.integer, np.floating)) and math.isclose(
                float(got), variants["masked"], rel_tol=1e-5, abs_tol=1e-5):
            continue
        for key, slip in _LOSS_SLIPS.items():
            value = variants[key]
            if (isinstance(got, (int, float, np.integer, np.floating)) and math.isfinite(value)
                    and not math.isclose(value, variants["masked"], rel_tol=1e-5)
                    and math.isclose(float(got), value, rel_tol=1e-5, abs_tol=1e-5)):
                raise Wrong(f"{name} is {float(got):.4f}: {slip}")
        if isinstance(got, np.ndarray):
            raise Wrong(f"{name} is an array of shape {got.shape}; the loss is one number for "
                        "the whole batch")
        if isinstance(got, (float, np.floating)) and math.isnan(got):
            raise Wrong(f"{name} is nan: a division by zero? A row of padding only has no real "
                        "character; divide by the number of real characters of the whole batch")
        expect_number(name, got, variants["masked"], rtol=1e-5, atol=1e-5)
    return "the same number as masked_loss, with NumPy only"


# --- 3.4 · How much padding? -----------------------------------------------------------------

#: Decoder ids of six sentences (lengths 3, 5, 2, 7, 7, 4) padded to 9 steps.
_LENGTHS = [3, 5, 2, 7, 7, 4]
_DECODER_IDS = np.array([[1 + (i + t) % 5 if t < n else 0 for t in range(9)]
                         for i, n in enumerate(_LENGTHS)], dtype=np.int32)
_BATCHINGS = [
    [np.array([0, 1]), np.array([2, 3]), np.array([4, 5])],
    [np.array([2, 0]), np.array([5, 1]), np.array([3, 4])],
    [np.array([3]), np.array([0, 1, 2, 4, 5])],
    [np.arange(6)],
]


def padding_variants(batches: list[np.ndarray], decoder_ids: np.ndarray) -> dict[str, float]:
    """The share of computed decoder steps that are padding, and the usual slips."""
    lengths = (np.asarray(decoder_ids) != 0).sum(axis=1)
    real = sum(int(lengths[rows].sum()) for rows in batches)
    computed = sum(len(rows) * int(lengths[rows].max()) for rows in batches)
    rows = sum(len(r) for r in batches)
    return {
        "share": 1 - real / computed,
        "real share": real / computed,
        "array width": 1 - real / (rows * decoder_ids.shape[1]),
        "longest of all": 1 - real / (rows * int(lengths.max())),
        "per real step": (computed - real) / real,
        "mean of batches": float(np.mean([1 - lengths[r].sum() / (len(r) * lengths[r].max())
                                          for r in batches])),
    }


_PADDING_SLIPS = {
    "real share": "it is the share of real steps; the question is the share of padding",
    "array width": "it pads every batch to the full width of the array; here each batch is cut "
                   "to its own longest sentence",
    "longest of all": "it pads every batch to the longest sentence of all; here each batch is "
                      "cut to its own longest sentence",
    "per real step": "it divides the padding by the real steps; divide by every computed step",
    "mean of batches": "it averages the batches' shares, so a small batch weighs as much as a "
                       "large one; divide all the padding by all the computed steps",
}
BATCH_SIZES = (32, 128, 512)


def check_padding(padding_share: Callable[[list, np.ndarray], float],
                   most_wasteful: Any = ...) -> str:
    """Exercise 3.4: ``padding_share`` on four batchings, against
    :func:`padding_variants`; then ``most_wasteful``, the batch size that wastes the most."""
    for i, batches in enumerate(_BATCHINGS):
        name = f"padding_share on test batching {i + 1}"
        got = call(padding_share, [b.copy() for b in batches], _DECODER_IDS.copy(),
                   what="padding_share")
        variants = padding_variants(batches, _DECODER_IDS)
        if isinstance(got, (int, float, np.integer, np.floating)) and math.isclose(
                float(got), variants["share"], rel_tol=1e-9, abs_tol=1e-12):
            continue
        for key, slip in _PADDING_SLIPS.items():
            if (isinstance(got, (int, float, np.integer, np.floating))
                    and not math.isclose(variants[key], variants["share"])
                    and math.isclose(float(got), variants[key], rel_tol=1e-9)):
                raise Wrong(f"{name} is {float(got):.3f}: {slip}")
        if isinstance(got, (int, float, np.integer, np.floating)) and 1 < float(got) <= 100:
            raise Wrong(f"{name} is {float(got):g}: give the share as a fraction between 0 and 1, "
                        "not a percentage")
        expect_number(name, got, variants["share"], rtol=1e-9)
    if is_blank(most_wasteful):
        raise NotAttempted
    expect(most_wasteful in BATCH_SIZES,
           f"most_wasteful should be one of the batch sizes {BATCH_SIZES}, not {most_wasteful!r}")
    expect(most_wasteful == max(BATCH_SIZES),
           f"most_wasteful: batches of {most_wasteful} do not waste the largest share; compare "
           "the shares your loop printed")
    return ("the larger the batch, the more lengths it spans; bucketing keeps that small, "
            "random batches do not")


# --- 3.5 · Learning rate ---------------------------------------------------------------------

LEARNING_RATES = (1e-3, 3e-3, 1e-2)


def _heldout_losses(run: Any, key: float) -> list[float]:
    rows = getattr(run, "rows", None)
    if not isinstance(rows, list):
        raise Wrong(f"runs[{key:g}] should be what training.train_course returned (a "
                    f"TrainingRun), not a {type(run).__name__}")
    expect(len(rows) > 0, f"runs[{key:g}] has no epochs: did its training run?")
    try:
        losses = [float(r["heldout_loss"]) for r in rows]
        epochs = [int(r["epoch"]) for r in rows]
    except (KeyError, TypeError, ValueError) as error:
        raise Wrong(f"runs[{key:g}].rows are not the course trainer's epochs ({error!r} "
                    "missing)") from error
    expect(epochs == list(range(1, len(rows) + 1)),
           f"runs[{key:g}] has epochs {epochs[:5]}…: one run per learning rate, from epoch 1")
    expect(all(math.isfinite(x) and x > 0 for x in losses),
           f"runs[{key:g}] has a held-out loss that is not a positive number")
    return losses


def check_learning_rate(runs: Any, best_rate: Any = ...) -> str:
    """Exercise 3.5: ``runs`` holds one course-trainer run per rate of
    :data:`LEARNING_RATES`, and ``best_rate`` is the one whose best held-out loss is lowest."""
    if is_blank(runs):
        raise NotAttempted
    expect(isinstance(runs, dict), f"runs should be a dict {{learning rate: TrainingRun}}, not a "
                                   f"{type(runs).__name__}")
    keys = {}
    for key in runs:
        if isinstance(key, bool) or not isinstance(key, (int, float, np.floating)):
            raise Wrong(f"runs has a key {key!r}; its keys should be the learning rates")
        match = [lr for lr in LEARNING_RATES if math.isclose(float(key), lr)]
        expect(bool(match), f"runs has a key {key!r}, which is not one of the three learning "
                            f"rates {', '.join(f'{lr:g}' for lr in LEARNING_RATES)}")
        keys[match[0]] = key
    missing = [f"{lr:g}" for lr in LEARNING_RATES if lr not in keys]
    expect(not missing, f"runs has no run for learning rate {', '.join(missing)}")
    losses = {lr: _heldout_losses(runs[keys[lr]], lr) for lr in LEARNING_RATES}
    rows = [[(r["epoch"], r["heldout_loss"], r.get("train_loss")) for r in runs[keys[lr]].rows]
            for lr in LEARNING_RATES]
    expect(rows[0] != rows[1] and rows[1] != rows[2] and rows[0] != rows[2],
           "two of your runs have the very same epochs: did you store one run under two rates?")
    if is_blank(best_rate):
        raise NotAttempted
    if isinstance(best_rate, bool) or not isinstance(best_rate, (int, float, np.floating)):
        raise Wrong(f"best_rate should be a learning rate (a number), not a "
                    f"{type(best_rate).__name__}")
    best = {lr: min(values) for lr, values in losses.items()}
    right = min(best, key=best.get)
    if math.isclose(float(best_rate), right):
        return ("best held-out masked loss: "
                + ", ".join(f"{lr:g} → {best[lr]:.4f} ({len(losses[lr])} epochs)"
                            for lr in LEARNING_RATES))
    last = min(losses, key=lambda lr: losses[lr][-1])
    if math.isclose(float(best_rate), last):
        raise Wrong("best_rate is the rate with the lowest held-out loss at the LAST epoch; "
                    "compare each run's best epoch (early stopping keeps its weights)")
    train = {lr: [r.get("train_loss", math.inf) for r in runs[keys[lr]].rows]
             for lr in LEARNING_RATES}
    if math.isclose(float(best_rate), min(train, key=lambda lr: min(train[lr]))):
        raise Wrong("best_rate is the rate with the lowest TRAINING loss; compare the held-out "
                    "masked losses")
    raise Wrong(f"best_rate {best_rate:g} is not the rate whose run reached the lowest held-out "
                "masked loss")
