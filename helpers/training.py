"""Training the translation encoder–decoder: a loss and an accuracy that ignore padding,
length-bucketed ``tf.data`` batches, held-out scoring after every epoch, early stopping with
the best weights, a time budget, and training under a ``tf.distribute`` strategy.

Taught in: ``03_encoder_decoder_training``.

Targets are integer ids padded with 0 (``shift_left`` of the decoder's input ids). Padding is
not a prediction: :func:`masked_loss` and :func:`masked_accuracy` average over real target
characters only, so short sentences in a long padded batch do not make the numbers look
better than they are.

The pretrained models are trained by :mod:`helpers.recipes` (``make pretrained``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import keras
import numpy as np
from keras import ops

from helpers import data as course_data
from helpers.compiled import built_for
from helpers.encoding import (
    Vocabulary,
    add_start_stop,
    build_vocabulary,
    encode_sequences,
    one_hot,
    shift_left,
)

# --- a loss and an accuracy that ignore padding -----------------------------------------


@keras.saving.register_keras_serializable(package="seq2seq_course")
def masked_loss(y_true, y_pred):
    """Cross-entropy averaged over the real target characters of the batch (``y_true != 0``).

    ``y_true``: integer ids ``(batch, steps)``; ``y_pred``: probabilities
    ``(batch, steps, num_tokens)``. Padded positions count neither in the sum nor in the
    number it is divided by.
    """
    y_true = ops.cast(y_true, "int32")
    mask = ops.cast(ops.not_equal(y_true, 0), y_pred.dtype)
    per_step = keras.losses.sparse_categorical_crossentropy(y_true, y_pred)
    return ops.sum(per_step * mask) / ops.maximum(ops.sum(mask), 1.0)


@keras.saving.register_keras_serializable(package="seq2seq_course")
def masked_accuracy(y_true, y_pred):
    """Share of real target characters (``y_true != 0``) whose most likely token is right."""
    y_true = ops.cast(y_true, "int32")
    mask = ops.cast(ops.not_equal(y_true, 0), "float32")
    hits = ops.cast(ops.equal(ops.cast(ops.argmax(y_pred, axis=-1), "int32"), y_true), "float32")
    return ops.sum(hits * mask) / ops.maximum(ops.sum(mask), 1.0)


def accuracy_counting_padding(target_ids: np.ndarray, probabilities: np.ndarray) -> float:
    """Accuracy as the original's ``metrics=["accuracy"]`` reports it with padded targets:
    every padded position is a free point (a space-padded target is always predictable
    after the stop character), so it counts as right. Compare with :func:`masked_accuracy`.
    """
    target_ids = np.asarray(target_ids)
    predicted = np.asarray(probabilities).argmax(axis=-1)
    right = (predicted == target_ids) | (target_ids == 0)
    return float(right.mean())


# --- length-bucketed batches ----------------------------------------------------------


def sequence_lengths(ids: np.ndarray) -> np.ndarray:
    """Number of non-padding ids in each row (padding is at the end)."""
    return (np.asarray(ids) != 0).sum(axis=1)


def length_bucketed_batches(encoder_ids: np.ndarray, decoder_ids: np.ndarray, batch_size: int,
                            *, seed: int | np.random.Generator = 0) -> list[np.ndarray]:
    """Row indices grouped into batches of sentences of similar length, in random order.

    Rows are sorted by target length, then source length, ties broken at random; the sorted
    list is cut into batches of ``batch_size`` and the batches are shuffled. Every row is in
    exactly one batch. A batch then needs padding only up to its own longest sentence.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    if len(encoder_ids) != len(decoder_ids):
        raise ValueError("encoder_ids and decoder_ids must have the same number of rows")
    if len(encoder_ids) == 0:
        raise ValueError("no examples to batch")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    order = np.lexsort((rng.random(len(encoder_ids)), sequence_lengths(encoder_ids),
                        sequence_lengths(decoder_ids)))
    batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]


def trimmed_batch(encoder_ids: np.ndarray, decoder_ids: np.ndarray, rows: np.ndarray,
                  ) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
    """``((encoder_input, decoder_input), decoder_target)`` for ``rows``, cut to the longest
    sentence of the batch. The target is the decoder input shifted one step left."""
    enc = encoder_ids[rows]
    dec = decoder_ids[rows]
    enc = enc[:, : max(int(sequence_lengths(enc).max()), 1)]
    dec = dec[:, : int(sequence_lengths(dec).max())]
    return (enc, dec), shift_left(dec)


def make_dataset(encoder_ids: np.ndarray, decoder_ids: np.ndarray, *, batch_size: int = 128,
                 seed: int = 0):
    """A ``tf.data.Dataset`` of length-bucketed ``((encoder_input, decoder_input), target)``
    batches; each pass over it (each epoch) draws a new batch order."""
    encoder_ids = np.asarray(encoder_ids, dtype=np.int32)
    decoder_ids = np.asarray(decoder_ids, dtype=np.int32)
    rng = np.random.default_rng(seed)
    length_bucketed_batches(encoder_ids, decoder_ids, batch_size, seed=0)  # validates

    def batches() -> Iterator:
        for rows in length_bucketed_batches(encoder_ids, decoder_ids, batch_size, seed=rng):
            yield trimmed_batch(encoder_ids, decoder_ids, rows)

    return _batch_dataset(batches, math.ceil(len(encoder_ids) / batch_size))


def _batch_dataset(batches: Callable[[], Iterator], num_batches: int):
    """A ``tf.data.Dataset`` that runs the generator function ``batches`` once per epoch."""
    import tensorflow as tf

    ids = tf.TensorSpec(shape=(None, None), dtype=tf.int32)
    dataset = tf.data.Dataset.from_generator(batches, output_signature=((ids, ids), ids))
    # tell Keras how many batches an epoch has (a generator's length is unknown)
    return dataset.apply(tf.data.experimental.assert_cardinality(num_batches)).prefetch(2)


def make_augmented_dataset(pairs: Sequence[tuple[str, str]], input_vocab: Vocabulary,
                           target_vocab: Vocabulary, augment: Callable, *,
                           max_encoder_seq_length: int, max_decoder_seq_length: int,
                           batch_size: int = 128, seed: int = 0):
    """Like :func:`make_dataset`, but each epoch passes every pair through
    ``augment(english, french, rng)`` (e.g. :func:`helpers.augmentation.augment_pair`) and
    encodes the result afresh, so each epoch sees the pairs in other forms. A changed pair
    longer than the model reads falls back to the pair as it was; characters outside the
    vocabularies become ``<unk>``."""
    pairs = list(pairs)
    if not pairs:
        raise ValueError("no examples to batch")
    rng = np.random.default_rng(seed)

    def fits(english: str, french: str) -> bool:
        return len(english) <= max_encoder_seq_length and \
            len(french) + 2 <= max_decoder_seq_length

    def batches() -> Iterator:
        changed = [augment(e, f, rng) for e, f in pairs]
        changed = [new if fits(*new) else old for new, old in zip(changed, pairs, strict=True)]
        encoder_ids = encode_sequences([e for e, _ in changed], input_vocab,
                                       max_len=max_encoder_seq_length, on_unknown="unk")
        decoder_ids = encode_sequences([add_start_stop(f) for _, f in changed], target_vocab,
                                       max_len=max_decoder_seq_length, on_unknown="unk")
        for rows in length_bucketed_batches(encoder_ids, decoder_ids, batch_size, seed=rng):
            yield trimmed_batch(encoder_ids, decoder_ids, rows)

    return _batch_dataset(batches, math.ceil(len(pairs) / batch_size))


# --- the data of a training run -------------------------------------------------------


@dataclass
class TranslationData:
    """Integer arrays of one split, and the vocabularies (built from the training part)."""

    input_vocab: Vocabulary
    target_vocab: Vocabulary
    train_pairs: list[tuple[str, str]]
    validation_pairs: list[tuple[str, str]]
    test_pairs: list[tuple[str, str]]
    arrays: dict[str, tuple[np.ndarray, np.ndarray]] = field(repr=False)

    @property
    def max_encoder_seq_length(self) -> int:
        return int(self.arrays["train"][0].shape[1])

    @property
    def max_decoder_seq_length(self) -> int:
        return int(self.arrays["train"][1].shape[1])

    def sizes(self) -> dict[str, int]:
        return {name: len(a[0]) for name, a in self.arrays.items()}


def prepare_translation_data(pairs: Sequence[tuple[str, str]], *,
                             validation_fraction: float = 0.1, test_fraction: float = 0.1,
                             seed: int = 0) -> TranslationData:
    """Shuffled, English-grouped split (:func:`helpers.data.split_pairs`), vocabularies
    from the training pairs, and padded integer arrays for each part.

    All parts are padded to the same lengths; held-out characters the training pairs never
    show become ``<unk>`` (id 1). Held-out sentences longer than every training sentence
    are dropped (the original configuration's arrays have the training lengths).
    """
    split = course_data.split_pairs(list(pairs), validation_fraction=validation_fraction,
                                    test_fraction=test_fraction, seed=seed)
    return translation_data_from_split(split)


def translation_data_from_split(split: course_data.Split) -> TranslationData:
    """Vocabularies from ``split.train`` and padded integer arrays for each part (see
    :func:`prepare_translation_data`, which splits first)."""
    if not split.train:
        raise ValueError("no training pairs after the split")
    input_vocab = build_vocabulary(e for e, _ in split.train)
    target_vocab = build_vocabulary(add_start_stop(f) for _, f in split.train)
    max_enc = max(len(e) for e, _ in split.train)
    max_dec = max(len(f) + 2 for _, f in split.train)
    arrays: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    kept: dict[str, list[tuple[str, str]]] = {}
    for name, part in (("train", split.train), ("validation", split.validation),
                       ("test", split.test)):
        part = [(e, f) for e, f in part if len(e) <= max_enc and len(f) + 2 <= max_dec]
        kept[name] = part
        if not part:
            arrays[name] = (np.zeros((0, max_enc), np.int32), np.zeros((0, max_dec), np.int32))
            continue
        arrays[name] = (
            encode_sequences([e for e, _ in part], input_vocab, max_len=max_enc,
                             on_unknown="unk"),
            encode_sequences([add_start_stop(f) for _, f in part], target_vocab,
                             max_len=max_dec, on_unknown="unk"),
        )
    return TranslationData(input_vocab, target_vocab, kept["train"], kept["validation"],
                           kept["test"], arrays)


# --- scoring on held-out pairs ----------------------------------------------------------


def _predictor(model: keras.Model) -> Callable:
    """``model`` in inference mode as one ``tf.function`` for any batch and sentence length
    (``predict_on_batch`` would retrace for every new shape), compiled once and kept on the
    model (:func:`helpers.compiled.built_for`: forgotten with it)."""
    return built_for(model, "predictor", _compile_predictor)


def _compile_predictor(model: keras.Model) -> Callable:
    """:func:`_predictor` without the cache."""
    import tensorflow as tf

    specs = [tf.TensorSpec((None, *tensor.shape[1:]), tensor.dtype) for tensor in model.inputs]
    return tf.function(lambda a, b: model([a, b], training=False), input_signature=specs)


def heldout_scores(model: keras.Model, encoder_ids: np.ndarray, decoder_ids: np.ndarray, *,
                   one_hot_inputs: bool = False, batch_size: int = 256) -> dict[str, float]:
    """Masked loss, masked accuracy and accuracy counting padding on held-out pairs.

    The loss is the mean cross-entropy over every real target character of the whole set
    (not a mean of batch means), the same number for any model. ``one_hot_inputs=True``
    feeds the original model its one-hot arrays at their full padded length, as it was
    trained; the course model gets integer batches cut to their longest sentence.
    """
    encoder_ids = np.asarray(encoder_ids)
    decoder_ids = np.asarray(decoder_ids)
    if len(encoder_ids) == 0:
        raise ValueError("no held-out pairs to score")
    total_loss = 0.0
    total_hits = 0
    total_real = 0
    total_padded_right = 0
    total_positions = 0
    rng = np.random.default_rng(0)
    predict = _predictor(model)
    for rows in sorted(length_bucketed_batches(encoder_ids, decoder_ids, batch_size, seed=rng),
                       key=lambda r: r[0]):
        if one_hot_inputs:
            enc, dec = encoder_ids[rows], decoder_ids[rows]
            target = shift_left(dec)
            num_enc = int(model.inputs[0].shape[-1])
            num_dec = int(model.inputs[1].shape[-1])
            probs = predict(one_hot(enc, num_enc), one_hot(dec, num_dec))
        else:
            (enc, dec), target = trimmed_batch(encoder_ids, decoder_ids, rows)
            probs = predict(enc, dec)
        probs = np.asarray(probs, dtype=np.float64)
        real = target != 0
        picked = np.take_along_axis(probs, target[..., None], axis=-1)[..., 0]
        total_loss += float(-np.log(np.clip(picked[real], 1e-7, 1.0)).sum())
        predicted = probs.argmax(axis=-1)
        total_hits += int(((predicted == target) & real).sum())
        total_real += int(real.sum())
        # accuracy counting padding, over the full padded length of the arrays
        full_steps = decoder_ids.shape[1]
        total_padded_right += int(((predicted == target) | ~real).sum()) \
            + (full_steps - target.shape[1]) * len(rows)
        total_positions += full_steps * len(rows)
    return {"loss": total_loss / total_real, "accuracy": total_hits / total_real,
            "accuracy_with_padding": total_padded_right / total_positions}


class HeldOutScorer(keras.callbacks.Callback):
    """After every epoch: score the held-out pairs (:func:`heldout_scores`), put
    ``heldout_loss`` into the epoch's logs (for ``EarlyStopping`` and ``ModelCheckpoint``),
    and keep a table of epochs, training seconds (scoring excluded) and scores.

    With ``time_budget`` (seconds of training), training stops after the batch that uses
    the budget up; that last, partial epoch is still scored. With ``verbose``, one line per
    epoch (the trainers call ``fit`` with ``verbose=0``, so that it is the only one).
    """

    def __init__(self, encoder_ids: np.ndarray, decoder_ids: np.ndarray, *,
                 one_hot_inputs: bool = False, time_budget: float | None = None,
                 samples_per_epoch: int | None = None, verbose: bool = True) -> None:
        super().__init__()
        self.encoder_ids = encoder_ids
        self.decoder_ids = decoder_ids
        self.one_hot_inputs = one_hot_inputs
        self.time_budget = time_budget
        self.samples_per_epoch = samples_per_epoch
        self.verbose = verbose
        self.rows: list[dict[str, float]] = []
        self.train_seconds = 0.0
        self._started = 0.0
        self._batches = 0

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._started = time.perf_counter()
        self._batches = 0

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._batches += 1
        if self.time_budget is not None and \
                self.train_seconds + time.perf_counter() - self._started >= self.time_budget:
            self.model.stop_training = True

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        epoch_seconds = time.perf_counter() - self._started
        self.train_seconds += epoch_seconds
        scores = heldout_scores(self.model, self.encoder_ids, self.decoder_ids,
                                one_hot_inputs=self.one_hot_inputs)
        row = {"epoch": epoch + 1, "seconds": self.train_seconds,
               "epoch_seconds": epoch_seconds, "batches": self._batches,
               "train_loss": float((logs or {}).get("loss", math.nan)),
               "heldout_loss": scores["loss"], "heldout_accuracy": scores["accuracy"],
               "heldout_accuracy_with_padding": scores["accuracy_with_padding"]}
        if self.samples_per_epoch:
            row["samples_per_second"] = self.samples_per_epoch / epoch_seconds
        self.rows.append(row)
        if logs is not None:
            logs["heldout_loss"] = scores["loss"]
            logs["heldout_accuracy"] = scores["accuracy"]
        if self.verbose:
            planned = (self.params or {}).get("epochs")
            print(f"epoch {epoch + 1}{f'/{planned}' if planned else ''}: {epoch_seconds:.1f} s, "
                  f"training loss {row['train_loss']:.4f}, held-out masked loss "
                  f"{scores['loss']:.4f}, masked accuracy {scores['accuracy']:.3f}", flush=True)



# --- the two trainers -----------------------------------------------------------------


@dataclass
class TrainingRun:
    """What a training run did: the per-epoch table and Keras' history."""

    rows: list[dict[str, float]]
    history: dict[str, list[float]]
    train_seconds: float
    stopped_early: bool

    @property
    def best(self) -> dict[str, float]:
        return min(self.rows, key=lambda r: r["heldout_loss"])


def train_as_original(model: keras.Model, data: TranslationData, *, epochs: int,
                      batch_size: int = 64, time_budget: float | None = None,
                      verbose: int = 2) -> TrainingRun:
    """Train ``model`` the way the original text does: full-length one-hot arrays,
    ``batch_size`` 64, every epoch to the end (no early stopping), scored on the held-out pairs
    after each epoch. (Not :func:`helpers.recipes.train_original`, which builds and saves
    the original model and trains it with :func:`train_course`.)"""
    enc, dec = data.arrays["train"]
    encoder_input_data = one_hot(enc, len(data.input_vocab))
    decoder_input_data = one_hot(dec, len(data.target_vocab))
    decoder_target_data = shift_left(decoder_input_data)
    scorer = HeldOutScorer(*data.arrays["validation"], one_hot_inputs=True,
                           time_budget=time_budget, samples_per_epoch=len(enc),
                           verbose=verbose > 0)
    history = model.fit([encoder_input_data, decoder_input_data], decoder_target_data,
                        batch_size=batch_size, epochs=epochs, shuffle=True,
                        callbacks=[scorer], verbose=0)
    return TrainingRun(scorer.rows, history.history, scorer.train_seconds, False)


def train_course(model: keras.Model, data: TranslationData, *, epochs: int,
                 batch_size: int = 128, patience: int | None = 4, time_budget: float | None = None,
                 checkpoint: str | Path | None = None, seed: int = 0, strategy: Any = None,
                 augment: Callable | None = None, verbose: int = 2) -> TrainingRun:
    """The course trainer: length-bucketed integer batches, held-out masked loss after every
    epoch, ``EarlyStopping`` (``patience`` epochs without a better held-out loss) that
    restores the best weights (``patience=None``: no early stopping, every epoch runs and the
    last weights are kept), and ``ModelCheckpoint`` of the best weights if
    ``checkpoint`` (a ``….weights.h5`` path) is given.

    ``strategy``: a ``tf.distribute.Strategy`` (e.g. ``MirroredStrategy()`` for several GPUs
    of one machine) to train under. Build and compile the model inside
    ``with strategy.scope():`` first, so that its variables are mirrored on every replica;
    ``batch_size`` is then the global batch, split evenly between the replicas.

    ``augment``: ``augment(english, french, rng) -> (english, french)`` applied to every
    training pair afresh each epoch (:func:`make_augmented_dataset`); the held-out pairs are
    scored as they are.
    """
    if strategy is not None:
        import tensorflow as tf

        if not isinstance(strategy, tf.distribute.Strategy):
            raise TypeError("strategy must be a tf.distribute.Strategy, not "
                            f"{type(strategy).__name__}")
        if model.distribute_strategy is not strategy:
            raise ValueError("the model was not built under this strategy: build and compile "
                             "it inside `with strategy.scope():`, then train it")
    enc, dec = data.arrays["train"]
    if augment is None:
        dataset = make_dataset(enc, dec, batch_size=batch_size, seed=seed)
    else:
        dataset = make_augmented_dataset(
            data.train_pairs, data.input_vocab, data.target_vocab, augment,
            max_encoder_seq_length=data.max_encoder_seq_length,
            max_decoder_seq_length=data.max_decoder_seq_length, batch_size=batch_size,
            seed=seed)
    scorer = HeldOutScorer(*data.arrays["validation"], time_budget=time_budget,
                           samples_per_epoch=len(enc), verbose=verbose > 0)
    callbacks: list[keras.callbacks.Callback] = [scorer]
    stopper = None
    if patience is not None:
        stopper = keras.callbacks.EarlyStopping(monitor="heldout_loss", mode="min",
                                                patience=patience, restore_best_weights=True)
        callbacks.append(stopper)
    if checkpoint is not None:
        callbacks.append(keras.callbacks.ModelCheckpoint(
            str(checkpoint), monitor="heldout_loss", mode="min", save_best_only=True,
            save_weights_only=True))
    # the dataset draws a new batch order each epoch; shuffle=False only stops a warning
    history = model.fit(dataset, epochs=epochs, callbacks=callbacks, shuffle=False, verbose=0)
    return TrainingRun(scorer.rows, history.history, scorer.train_seconds,
                       stopper is not None and stopper.stopped_epoch > 0)


def print_table(rows: Sequence[dict[str, float]], *, title: str = "",
                out: Callable[[str], None] = print) -> None:
    """A plain-text table of a run's epochs."""
    if title:
        out(title)
    out(f"{'epoch':>5} {'seconds':>8} {'samples/s':>9} {'train loss':>10} "
        f"{'held-out loss':>13} {'held-out acc':>12}")
    for r in rows:
        out(f"{r['epoch']:>5} {r['seconds']:>8.1f} {r.get('samples_per_second', math.nan):>9.0f} "
            f"{r['train_loss']:>10.4f} {r['heldout_loss']:>13.4f} {r['heldout_accuracy']:>12.3f}")
