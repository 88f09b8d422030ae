"""The addition model builders of ``helpers.addition`` (taught in notebook 02): shapes, what each
output step can see, saving, bad arguments, a short training run, and agreement with the
notebook's own versions."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from helpers.addition import (
    addition_columns,
    addition_split,
    build_addition_encoder_decoder,
    build_same_length_lstm,
)
from tests.notebook_tools import taught

RNG = np.random.default_rng(0)


def random_inputs(batch: int, steps: int, features: int) -> np.ndarray:
    return RNG.random((batch, steps, features), dtype=np.float32)


# --- the same-length LSTM -------------------------------------------------------------------


@pytest.mark.parametrize("steps", [4, 5, 9])
def test_same_length_lstm_has_one_output_per_step(steps: int) -> None:
    model = build_same_length_lstm(units=8)
    probs = model.predict(random_inputs(3, steps, 20), verbose=0)
    assert probs.shape == (3, steps, 10)
    np.testing.assert_allclose(probs.sum(-1), 1.0, rtol=1e-5)


def test_forward_lstm_output_does_not_see_later_steps() -> None:
    keras.utils.set_random_seed(0)
    model = build_same_length_lstm(units=8)
    x = random_inputs(2, 4, 20)
    changed = x.copy()
    changed[:, 3] = random_inputs(2, 1, 20)[:, 0]
    before, after = model.predict(x, verbose=0), model.predict(changed, verbose=0)
    np.testing.assert_allclose(before[:, :3], after[:, :3], rtol=1e-6)
    assert not np.allclose(before[:, 3], after[:, 3])


def test_bidirectional_lstm_output_sees_later_steps() -> None:
    keras.utils.set_random_seed(0)
    model = build_same_length_lstm(units=8, bidirectional=True)
    x = random_inputs(2, 4, 20)
    changed = x.copy()
    changed[:, 3] = random_inputs(2, 1, 20)[:, 0]
    before, after = model.predict(x, verbose=0), model.predict(changed, verbose=0)
    assert not np.allclose(before[:, 0], after[:, 0])


def test_same_length_lstm_layers_and_weights() -> None:
    model = build_same_length_lstm(num_features=20, num_classes=10, units=64)
    # LSTM: 4 gates × (units × (inputs + units) + units); Dense: units × classes + classes
    assert model.count_params() == 4 * (64 * (20 + 64) + 64) + 64 * 10 + 10
    stacked = build_same_length_lstm(units=8, num_layers=2, bidirectional=True)
    kinds = [type(layer).__name__ for layer in stacked.layers]
    assert kinds == ["InputLayer", "Bidirectional", "Bidirectional", "Dense"]
    assert stacked.output_shape == (None, None, 10)


@pytest.mark.parametrize("kwargs", [{"units": 0}, {"num_layers": 0}, {"learning_rate": 0.0},
                                    {"num_classes": -1}])
def test_same_length_lstm_rejects_bad_arguments(kwargs) -> None:
    with pytest.raises(ValueError, match="must be positive"):
        build_same_length_lstm(**kwargs)


@pytest.mark.parametrize("build", [build_same_length_lstm,
                                   lambda **kw: build_addition_encoder_decoder(14, 4, **kw)])
def test_learning_rate_may_be_a_schedule_but_not_a_word(build) -> None:
    schedule = keras.optimizers.schedules.CosineDecay(5e-3, decay_steps=100)
    model = build(learning_rate=schedule)
    assert float(model.optimizer.learning_rate) == pytest.approx(5e-3)
    with pytest.raises(ValueError, match="LearningRateSchedule"):
        build(learning_rate="fast")


def _held_out_exact_match_after_training(order: str) -> float:
    keras.utils.set_random_seed(0)
    train, held_out = addition_split(10_000, 500, digits=3, seed=0)
    model = build_same_length_lstm(units=64, learning_rate=1e-2)
    model.fit(*addition_columns(train, digits=3, order=order), batch_size=64, epochs=2, verbose=0)
    x, y = addition_columns(held_out, digits=3, order=order)
    return float((model.predict(x, verbose=0).argmax(-1) == y).all(axis=1).mean())


@pytest.mark.slow  # trains on 2 epochs of additions
def test_same_length_lstm_learns_lsb_addition() -> None:
    """A few seconds of training: LSB first, the model adds held-out 3-digit numbers."""
    exact = _held_out_exact_match_after_training("lsb")
    assert exact > 0.9, f"held-out exact match {exact:.2f}"


@pytest.mark.slow  # trains on 2 epochs of additions
def test_same_length_lstm_stalls_msb_first() -> None:
    """The same training, MSB first: the carries come from later steps, most sums stay wrong."""
    exact = _held_out_exact_match_after_training("msb")
    assert exact < 0.5, f"held-out exact match {exact:.2f}"


# --- the addition_rnn encoder–decoder -------------------------------------------------------


@pytest.mark.parametrize("steps", [7, 9])
def test_encoder_decoder_answer_length_is_fixed(steps: int) -> None:
    model = build_addition_encoder_decoder(14, 4, latent_dim=8)
    probs = model.predict(random_inputs(2, steps, 14), verbose=0)
    assert probs.shape == (2, 4, 14)
    np.testing.assert_allclose(probs.sum(-1), 1.0, rtol=1e-5)


def test_encoder_decoder_is_addition_rnn() -> None:
    model = build_addition_encoder_decoder(12, 4, latent_dim=128)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["InputLayer", "LSTM", "RepeatVector", "LSTM", "Dense"]
    assert model.get_layer("encoder").return_sequences is False
    assert model.get_layer("decoder").return_sequences is True
    # the weight count of addition_rnn's model for 12 characters and 128 units
    assert model.count_params() == 205_324


@pytest.mark.parametrize("kwargs", [{"num_tokens": 0, "output_length": 4},
                                    {"num_tokens": 12, "output_length": 0},
                                    {"num_tokens": 12, "output_length": 4, "latent_dim": 0},
                                    {"num_tokens": 12, "output_length": 4, "learning_rate": -1}])
def test_encoder_decoder_rejects_bad_arguments(kwargs) -> None:
    with pytest.raises(ValueError, match="must be positive"):
        build_addition_encoder_decoder(**kwargs)


@pytest.mark.parametrize("build", [lambda: build_same_length_lstm(units=4, bidirectional=True),
                                   lambda: build_addition_encoder_decoder(14, 4, latent_dim=4)])
def test_models_save_and_load_safely(build, tmp_path) -> None:
    model = build()
    x = random_inputs(2, 7, model.input_shape[-1])
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.models.load_model(path, safe_mode=True, compile=False)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


# --- agreement with notebook 02 -------------------------------------------------------------


def assert_same_model(mine: keras.Model, ours: keras.Model, x: np.ndarray) -> None:
    assert [type(layer).__name__ for layer in mine.layers] == \
        [type(layer).__name__ for layer in ours.layers]
    assert [layer.name for layer in mine.layers] == [layer.name for layer in ours.layers]
    for got, want in zip(mine.get_weights(), ours.get_weights(), strict=True):
        np.testing.assert_array_equal(got, want)
    assert mine.loss == ours.loss
    assert float(mine.optimizer.learning_rate) == pytest.approx(float(ours.optimizer.learning_rate))
    np.testing.assert_allclose(mine.predict(x, verbose=0), ours.predict(x, verbose=0), rtol=1e-6)


@pytest.mark.parametrize("kwargs", [{}, {"units": 16, "learning_rate": 1e-2},
                                    {"units": 8, "num_layers": 2, "bidirectional": True},
                                    {"num_features": 6, "num_classes": 3, "units": 5}])
def test_taught_build_same_length_lstm_agrees(kwargs) -> None:
    mine = taught("helpers.addition.build_same_length_lstm")
    keras.utils.set_random_seed(1)
    notebook_model = mine(**kwargs)
    keras.utils.set_random_seed(1)
    helpers_model = build_same_length_lstm(**kwargs)
    x = random_inputs(3, 5, kwargs.get("num_features", 20))
    assert_same_model(notebook_model, helpers_model, x)


@pytest.mark.parametrize("args, kwargs", [((14, 4), {}), ((12, 5), {"latent_dim": 16,
                                                                     "learning_rate": 5e-3})])
def test_taught_build_addition_encoder_decoder_agrees(args, kwargs) -> None:
    mine = taught("helpers.addition.build_addition_encoder_decoder")
    keras.utils.set_random_seed(1)
    notebook_model = mine(*args, **kwargs)
    keras.utils.set_random_seed(1)
    helpers_model = build_addition_encoder_decoder(*args, **kwargs)
    assert_same_model(notebook_model, helpers_model, random_inputs(2, 7, args[0]))
