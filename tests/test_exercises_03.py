"""Notebook 03's exercises (``helpers.exercises_03``): a correct answer passes each check, and
typical wrong answers fail with a message that says what is wrong without giving the answer."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from helpers import exercises as ex
from helpers.exercises_03 import q1, q2, q3, q4, q5
from helpers.exercises_03_checks import LEARNING_RATES, model_weights
from helpers.models import OneHot, build_original_model
from helpers.training import TrainingRun, masked_loss


def _wrong(outcome: ex.Outcome, *said: str) -> None:
    assert outcome.status == ex.WRONG, outcome
    for part in said:
        assert part in outcome.message, outcome.message


# --- 3.1 · Count the weights ------------------------------------------------------------------


def _count(e, d, n):
    return 4 * n * (e + n + 1) + 4 * n * (d + n + 1) + n * d + d


def test_q1_correct() -> None:
    outcome = q1.evaluate(_count)
    assert outcome.passed, outcome
    assert "two LSTMs hold" in outcome.message


def test_q1_counts_what_keras_counts() -> None:
    assert model_weights(7, 9, 5) == build_original_model(7, 9, latent_dim=5).count_params()


@pytest.mark.parametrize(("answer", "said"), [
    (lambda e, d, n: 4 * n * (e + n) + 4 * n * (d + n) + n * d + d, "biases of the two LSTMs"),
    (lambda e, d, n: 4 * n * (e + n + 1) + 4 * n * (d + n + 1), "leaves out decoder_dense"),
    (lambda e, d, n: 3 * n * (e + n + 1) + 3 * n * (d + n + 1) + n * d + d, "three gates"),
    (lambda e, d, n: 4 * n * (e + 1) + 4 * n * (d + 1) + n * d + d, "recurrent weights"),
    (lambda e, d, n: 4 * n * (d + n + 1) + n * d + d, "encoder's LSTM"),
    (lambda e, d, n: _count(e, d, n) + 1, "which is too high"),
])
def test_q1_wrong(answer, said) -> None:
    outcome = q1.evaluate(answer)
    _wrong(outcome, said)
    assert str(model_weights(71, 91, 256)) not in outcome.message
    assert str(model_weights(3, 5, 2)) not in outcome.message.split(" is ")[0]


def test_q1_not_attempted() -> None:
    def count_weights(num_encoder_tokens, num_decoder_tokens, latent_dim):
        ...  # your code

    assert q1.evaluate(count_weights).status == ex.NOT_ATTEMPTED
    assert q1.evaluate(...).status == ex.NOT_ATTEMPTED
    assert "should be a whole number" in q1.evaluate(lambda e, d, n: "715611").message


# --- 3.2 · The mask, for real -------------------------------------------------------------------


def _encoder(num_tokens, latent_dim, mask_zero, *, swap=False, force_mask=None):
    inputs = keras.Input(shape=(None,), dtype="int32")
    mask = mask_zero if force_mask is None else force_mask
    vectors = OneHot(num_tokens, mask_zero=mask)(inputs)
    _, h, c = keras.layers.LSTM(latent_dim, return_state=True)(vectors)
    return keras.Model(inputs, [c, h] if swap else [h, c])


def test_q2_correct() -> None:
    outcome = q2.evaluate(_encoder)
    assert outcome.passed, outcome
    assert "the mask, 'Go.' alone and padded gets the same state_h" in outcome.message


@pytest.mark.parametrize(("answer", "said"), [
    (lambda n, d, m: _encoder(n, d, m, force_mask=False), "reads the padding"),
    (lambda n, d, m: _encoder(n, d, m, force_mask=True), "skips the padding"),
    (lambda n, d, m: _encoder(n, d, m, swap=True), "returns [state_c, state_h]"),
    (lambda n, d, m: _sequence_encoder(n, d, m), "shape (2, 8, 8)"),
    (lambda n, d, m: _two_lstms(n, d, m), "has weights of shapes"),
    (lambda n, d, m: 42, "should return a keras.Model"),
])
def test_q2_wrong(answer, said) -> None:
    _wrong(q2.evaluate(answer), said)


def _sequence_encoder(num_tokens, latent_dim, mask_zero):
    inputs = keras.Input(shape=(None,), dtype="int32")
    out, h, c = keras.layers.LSTM(latent_dim, return_state=True, return_sequences=True)(
        OneHot(num_tokens, mask_zero=mask_zero)(inputs))
    return keras.Model(inputs, [out, c])


def _two_lstms(num_tokens, latent_dim, mask_zero):
    inputs = keras.Input(shape=(None,), dtype="int32")
    vectors = OneHot(num_tokens, mask_zero=mask_zero)(inputs)
    x = keras.layers.LSTM(latent_dim, return_sequences=True)(vectors)
    _, h, c = keras.layers.LSTM(latent_dim, return_state=True)(x)
    return keras.Model(inputs, [h, c])


def test_q2_not_attempted() -> None:
    def build_encoder(num_tokens, latent_dim, mask_zero):
        ...  # your code

    assert q2.evaluate(build_encoder).status == ex.NOT_ATTEMPTED


# --- 3.3 · A masked loss by hand ---------------------------------------------------------------


def _picked(y_true, y_pred):
    return np.take_along_axis(y_pred, y_true[..., None], axis=-1)[..., 0]


def _masked(y_true, y_pred):
    real = y_true != 0
    return -np.log(_picked(y_true, y_pred)[real]).sum() / max(real.sum(), 1)


def test_q3_correct() -> None:
    assert q3.evaluate(_masked).passed
    assert q3.evaluate(lambda t, p: float(masked_loss(t, p))).passed  # the notebook's own


@pytest.mark.parametrize(("answer", "said"), [
    (lambda t, p: -np.log(_picked(t, p)).mean(), "padded ones too"),
    (lambda t, p: -np.log(_picked(t, p)[t != 0]).sum() / t.size, "divides by every step"),
    (lambda t, p: -np.log(_picked(t, p)[t != 0]).sum(), "is a sum"),
    (lambda t, p: np.log(_picked(t, p)[t != 0]).mean(), "it is negative"),
    (lambda t, p: np.mean([-np.log(_picked(t, p)[i][t[i] != 0]).mean() for i in range(len(t))]),
     "averages each sentence first"),
    (lambda t, p: -np.log10(_picked(t, p)[t != 0]).mean(), "log base 10"),
    (lambda t, p: -np.log(p.max(axis=-1)[t != 0]).mean(), "most probable character"),
    (lambda t, p: -np.log(_picked(t, p)) * (t != 0), "is an array of shape"),
])
def test_q3_wrong(answer, said) -> None:
    outcome = q3.evaluate(answer)
    _wrong(outcome, said)
    assert "1.2858" not in outcome.message


def test_q3_not_attempted() -> None:
    assert q3.evaluate(lambda t, p: None).status == ex.NOT_ATTEMPTED


# --- 3.4 · How much padding? --------------------------------------------------------------------


def _share(batches, decoder_ids):
    lengths = (decoder_ids != 0).sum(axis=1)
    computed = sum(len(rows) * lengths[rows].max() for rows in batches)
    return 1 - lengths[np.concatenate(batches)].sum() / computed


def test_q4_correct() -> None:
    outcome = q4.evaluate(_share, 512)
    assert outcome.passed, outcome


@pytest.mark.parametrize(("answer", "said"), [
    (lambda b, ids: 1 - _share(b, ids), "share of real steps"),
    (lambda b, ids: 1 - (ids != 0).sum() / ids.size, "full width of the array"),
    (lambda b, ids: 100 * _share(b, ids), "not a percentage"),
    (lambda b, ids: np.mean([_share([r], ids) for r in b]), "averages the batches' shares"),
])
def test_q4_wrong(answer, said) -> None:
    _wrong(q4.evaluate(answer, 512), said)


def test_q4_wrong_batch_size() -> None:
    outcome = q4.evaluate(_share, 32)
    _wrong(outcome, "do not waste the largest share")
    assert "512" not in outcome.message
    _wrong(q4.evaluate(_share, 64), "should be one of the batch sizes")


def test_q4_not_attempted() -> None:
    assert q4.evaluate(_share, ...).status == ex.NOT_ATTEMPTED  # the function alone
    assert q4.evaluate(..., ...).status == ex.NOT_ATTEMPTED


# --- 3.5 · Learning rate ------------------------------------------------------------------------


def _run(heldout, train=None):
    train = train or [h - 0.2 for h in heldout]
    rows = [{"epoch": i + 1, "heldout_loss": h, "train_loss": t}
            for i, (h, t) in enumerate(zip(heldout, train, strict=True))]
    return TrainingRun(rows, {"heldout_loss": list(heldout)}, 10.0, False)


#: 1e-2 reaches the lowest held-out loss (1.40, epoch 2) but ends highest; 1e-3 has the lowest
#: training loss.
RUNS = {1e-3: _run([2.0, 1.7, 1.55, 1.50], train=[1.5, 1.2, 0.9, 0.5]),
        3e-3: _run([1.9, 1.5, 1.45, 1.47]),
        1e-2: _run([1.8, 1.40, 1.60, 1.62])}


def test_q5_correct() -> None:
    outcome = q5.evaluate(RUNS, 1e-2)
    assert outcome.passed, outcome
    assert "0.01 → 1.4000 (4 epochs)" in outcome.message


@pytest.mark.parametrize(("runs", "best_rate", "said"), [
    (RUNS, 3e-3, "at the LAST epoch"),
    (RUNS, 1e-3, "lowest TRAINING loss"),
    ({1e-3: RUNS[1e-3], 3e-3: RUNS[3e-3]}, 1e-2, "no run for learning rate 0.01"),
    ({**RUNS, 0.1: RUNS[1e-2]}, 1e-2, "not one of the three learning rates"),
    ({1e-3: 1.5, 3e-3: 1.45, 1e-2: 1.4}, 1e-2, "not a float"),
    ({1e-3: RUNS[1e-3], 3e-3: RUNS[1e-3], 1e-2: RUNS[1e-2]}, 1e-2, "the very same epochs"),
    (RUNS, "1e-2", "should be a learning rate"),
])
def test_q5_wrong(runs, best_rate, said) -> None:
    outcome = q5.evaluate(runs, best_rate)
    _wrong(outcome, said)
    if "LAST" in said or "TRAINING" in said:
        assert "0.01" not in outcome.message


def test_q5_not_attempted() -> None:
    assert q5.evaluate(..., ...).status == ex.NOT_ATTEMPTED
    assert q5.evaluate(RUNS, ...).status == ex.NOT_ATTEMPTED
    assert set(LEARNING_RATES) == set(RUNS)
