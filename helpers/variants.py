"""The variants the original text names in its "Bonus FAQ": a GRU instead of an LSTM, training
without teacher forcing (and scheduled sampling, the practical middle way), and a word-level
model with ``Embedding`` layers.

Taught in: ``06_original_variants``.

Every model keeps the course's layer names (``encoder_onehot``/``encoder_embedding``,
``encoder_lstm``/``encoder_gru``, ``decoder_onehot``/``decoder_embedding``,
``decoder_lstm``/``decoder_gru``, ``decoder_dense``), is made of stock layers and
:class:`helpers.layers.OneHot` only (no ``Lambda``), saves as ``.keras`` and reloads with
``safe_mode=True``; :func:`helpers.translation.translate` takes them apart with
:func:`variant_inference_models`, which this module registers for the ``"gru"`` and ``"word"``
families (:mod:`helpers.architecture`). :class:`ScheduledSampling` is a way of *training* a course
model: the model it trains is an ordinary one, saved and translated as such.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import keras
import numpy as np
from keras import layers, ops

from helpers import data as course_data
from helpers.architecture import register_family
from helpers.checks import check_positive
from helpers.encoding import (
    add_start_stop,
    build_word_vocabulary,
    tokenize_words,
)
from helpers.evaluation import corpus_scores
from helpers.layers import OneHot
from helpers.model_files import TranslationModel
from helpers.training import (
    TranslationData,
    heldout_scores,
    length_bucketed_batches,
    make_dataset,
    trimmed_batch,
)
from helpers.translation import translate

# --- a GRU: one state instead of two --------------------------------------------------------


def build_gru_model(num_encoder_tokens: int, num_decoder_tokens: int, *,
                    latent_dim: int = 256, learning_rate: float = 3e-3) -> keras.Model:
    """The course model (notebook 03) with ``GRU`` layers in place of the ``LSTM`` ones.

    A GRU carries one state vector ``h`` from step to step where an LSTM carries two
    (``h`` and ``c``), so ``encoder_gru`` returns ``[output, state_h]`` and ``decoder_gru``
    starts from ``initial_state=[state_h]``. Everything else is the course model: integer
    ids one-hot-ed inside (``encoder_onehot`` masks padding), ``decoder_dense`` softmax,
    adam with ``clipnorm=1.0``, the masked loss and accuracy.
    """
    from helpers.training import masked_accuracy, masked_loss

    check_positive(num_encoder_tokens=num_encoder_tokens,
                   num_decoder_tokens=num_decoder_tokens, latent_dim=latent_dim,
                   learning_rate=learning_rate)
    encoder_inputs = keras.Input(shape=(None,), dtype="int32", name="encoder_inputs")
    encoder_onehot = OneHot(num_encoder_tokens, mask_zero=True, name="encoder_onehot")
    encoder = layers.GRU(latent_dim, return_state=True, name="encoder_gru")
    _, state_h = encoder(encoder_onehot(encoder_inputs))
    encoder_states = [state_h]  # one state: the LSTM had [state_h, state_c]
    decoder_inputs = keras.Input(shape=(None,), dtype="int32", name="decoder_inputs")
    decoder_onehot = OneHot(num_decoder_tokens, name="decoder_onehot")
    decoder_gru = layers.GRU(latent_dim, return_sequences=True, return_state=True,
                             name="decoder_gru")
    decoder_outputs, _ = decoder_gru(decoder_onehot(decoder_inputs),
                                     initial_state=encoder_states)
    decoder_dense = layers.Dense(num_decoder_tokens, activation="softmax", name="decoder_dense")
    decoder_outputs = decoder_dense(decoder_outputs)
    model = keras.Model([encoder_inputs, decoder_inputs], decoder_outputs, name="gru_seq2seq")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=1.0), loss=masked_loss,
                  metrics=[masked_accuracy])
    return model


def gru_inference_models(model: keras.Model) -> tuple[keras.Model, keras.Model]:
    """``(encoder_model, decoder_model)`` of a trained GRU model, sharing its layers.

    ``encoder_model(encoder_ids) -> [state_h]`` (a list of one state);
    ``decoder_model([decoder_ids, state_h]) -> [probabilities, state_h]``: notebook 04's
    models with one state where the LSTM's have two.
    """
    encoder_gru = model.get_layer("encoder_gru")
    decoder_gru = model.get_layer("decoder_gru")
    decoder_dense = model.get_layer("decoder_dense")
    _, state_h = encoder_gru.output
    encoder_model = keras.Model(model.inputs[0], [state_h], name="encoder_model")

    latent_dim = int(decoder_gru.units)
    decoder_inputs = keras.Input(shape=(None,), dtype="int32", name="decoder_inputs")
    decoder_state_input_h = keras.Input(shape=(latent_dim,), name="decoder_state_input_h")
    x = model.get_layer("decoder_onehot")(decoder_inputs)
    decoder_outputs, state_h = decoder_gru(x, initial_state=[decoder_state_input_h])
    decoder_outputs = decoder_dense(decoder_outputs)
    decoder_model = keras.Model([decoder_inputs, decoder_state_input_h],
                                [decoder_outputs, state_h], name="decoder_model")
    return encoder_model, decoder_model


def variant_inference_models(model: keras.Model) -> tuple[keras.Model, keras.Model]:
    """``(encoder_model, decoder_model)`` of any course encoder–decoder without attention:
    LSTM (``encoder_lstm``, ``decoder_lstm``) or GRU (``encoder_gru``, ``decoder_gru``), read
    through ``decoder_onehot`` or ``decoder_embedding``. The encoder returns the list of states
    (``[h, c]`` or ``[h]``); the decoder takes ``[decoder_ids, *states]`` and returns
    ``[probabilities, *states]``. What :func:`helpers.translation.translate` uses for them.
    """
    names = {layer.name for layer in model.layers} if isinstance(model, keras.Model) else set()
    rnn = "gru" if "decoder_gru" in names else "lstm"
    reader = "decoder_embedding" if "decoder_embedding" in names else "decoder_onehot"
    missing = {f"encoder_{rnn}", f"decoder_{rnn}", reader, "decoder_dense"} - names
    if not names or len(model.inputs) != 2 or missing:
        raise ValueError("expected a course encoder–decoder with two inputs and the layers "
                         "encoder_lstm or encoder_gru, decoder_onehot or decoder_embedding, "
                         "decoder_lstm or decoder_gru, and decoder_dense"
                         + (f" (missing: {', '.join(sorted(missing))})" if missing else ""))
    encoder_states = list(model.get_layer(f"encoder_{rnn}").output[1:])  # [h, c] or [h]
    encoder_model = keras.Model(model.inputs[0], encoder_states, name="encoder_model")
    decoder_rnn = model.get_layer(f"decoder_{rnn}")
    latent_dim = int(decoder_rnn.units)
    decoder_inputs = keras.Input(shape=(None,), dtype="int32", name="decoder_inputs")
    state_inputs = [keras.Input(shape=(latent_dim,), name=f"decoder_state_input_{n}")
                    for n in (("h",) if rnn == "gru" else ("h", "c"))]
    decoder_outputs, *states = decoder_rnn(model.get_layer(reader)(decoder_inputs),
                                           initial_state=state_inputs)
    probabilities = model.get_layer("decoder_dense")(decoder_outputs)
    decoder_model = keras.Model([decoder_inputs, *state_inputs], [probabilities, *states],
                                name="decoder_model")
    return encoder_model, decoder_model


# --- training without teacher forcing, and scheduled sampling -------------------------------


class ScheduledSampling(keras.Model):
    """Trains the layers of a course encoder–decoder ``seq2seq`` one decoder step at a time,
    feeding the decoder its own predictions.

    At step ``t`` the decoder reads the true previous token with probability
    ``teacher_forcing``, otherwise the token it predicted itself at step ``t - 1`` (its most
    likely one; no gradient flows through that choice). ``teacher_forcing=1.0`` is teacher
    forcing, ``0.0`` is training without it; :class:`TeacherForcingSchedule` lowers it while
    training (scheduled sampling). The layers are ``seq2seq``'s own, found by name, so the
    trained ``seq2seq`` saves, reloads and translates like any course model.
    """

    def __init__(self, seq2seq, teacher_forcing=1.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        names = {layer.name for layer in seq2seq.layers}
        rnn = "gru" if "decoder_gru" in names else "lstm"
        reader = "decoder_embedding" if "decoder_embedding" in names else "decoder_onehot"
        self.seq2seq = seq2seq
        encoder_states = seq2seq.get_layer(f"encoder_{rnn}").output[1:]  # [h, c] or [h]
        self.encoder = keras.Model(seq2seq.inputs[0], encoder_states)
        self.reader = seq2seq.get_layer(reader)                   # token ids → vectors
        self.cell = seq2seq.get_layer(f"decoder_{rnn}").cell      # ONE step of the decoder
        self.dense = seq2seq.get_layer("decoder_dense")
        self.teacher_forcing = keras.Variable(teacher_forcing, trainable=False,
                                              name="teacher_forcing")
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.accuracy_tracker = keras.metrics.Mean(name="masked_accuracy")

    def call(self, inputs, training=False):
        return self.seq2seq(inputs, training=training)  # teacher-forced, as seq2seq itself

    def decode_steps(self, encoder_ids, decoder_ids, teacher_forcing, training=False):
        """One pass over a batch, one decoder step at a time: the summed cross-entropy of the
        real target tokens, how many of them were the most likely token, and their number."""
        decoder_ids = ops.cast(decoder_ids, "int32")
        targets = ops.pad(decoder_ids[:, 1:], [[0, 0], [0, 1]])  # shifted one step left
        coins = keras.random.uniform(ops.shape(decoder_ids), seed=self.seed_generator)
        use_truth = coins < teacher_forcing  # one coin per sentence and step
        states = self.encoder(encoder_ids, training=training)
        states = list(states) if isinstance(states, list | tuple) else [states]

        def step(t, carry):
            token, states, loss_sum, hits = carry
            output, states = self.cell(self.reader(token), states, training=training)
            probabilities = self.dense(output)
            target = ops.take(targets, t, axis=1)
            real = ops.cast(ops.not_equal(target, 0), "float32")
            loss = keras.losses.sparse_categorical_crossentropy(target, probabilities)
            loss_sum = loss_sum + ops.sum(loss * real)
            predicted = ops.cast(ops.argmax(probabilities, axis=-1), "int32")
            hits = hits + ops.sum(ops.cast(ops.equal(predicted, target), "float32") * real)
            # the next input: the true token (probability teacher_forcing) or our own guess
            token = ops.where(ops.take(use_truth, t, axis=1), target, predicted)
            return token, states, loss_sum, hits

        zero = ops.zeros((), "float32")
        carry = (decoder_ids[:, 0], states, zero, zero)  # start from the start token
        _, _, loss_sum, hits = ops.fori_loop(0, ops.shape(decoder_ids)[1], step, carry)
        count = ops.sum(ops.cast(ops.not_equal(targets, 0), "float32"))
        return loss_sum, hits, count

    def train_step(self, data):
        import tensorflow as tf

        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)  # targets: made from decoder_ids
        encoder_ids, decoder_ids = x
        with tf.GradientTape() as tape:
            loss_sum, hits, count = self.decode_steps(encoder_ids, decoder_ids,
                                                      self.teacher_forcing, training=True)
            loss = loss_sum / ops.maximum(count, 1.0)  # the masked loss of notebook 03
        gradients = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply(gradients, self.trainable_variables)
        self.loss_tracker.update_state(loss)
        self.accuracy_tracker.update_state(hits / ops.maximum(count, 1.0))
        return {"loss": self.loss_tracker.result(),
                "masked_accuracy": self.accuracy_tracker.result()}

    @property
    def metrics(self):
        return [self.loss_tracker, self.accuracy_tracker]  # reset at every epoch


class TeacherForcingSchedule(keras.callbacks.Callback):
    """Scheduled sampling: before every batch, set a :class:`ScheduledSampling` model's
    ``teacher_forcing`` on a straight line from ``start`` (first batch) to ``end`` (batch
    number ``total_batches``, and every batch after it)."""

    def __init__(self, total_batches, start=1.0, end=0.0):
        super().__init__()
        self.total_batches = total_batches
        self.start = start
        self.end = end
        self.batches_seen = 0

    def on_train_batch_begin(self, batch, logs=None):
        progress = min(self.batches_seen / max(self.total_batches - 1, 1), 1.0)
        self.model.teacher_forcing.assign(self.start + (self.end - self.start) * progress)
        self.batches_seen += 1


# --- the word-level model -------------------------------------------------------------------


def build_word_model(num_encoder_words: int, num_decoder_words: int, *,
                     embedding_dim: int = 128, latent_dim: int = 256,
                     learning_rate: float = 3e-3) -> keras.Model:
    """The course model on word ids: ``Embedding`` layers in place of the one-hot layers,
    then the same ``encoder_lstm`` → ``decoder_lstm`` → ``decoder_dense``.

    ``encoder_embedding`` / ``decoder_embedding`` turn each word id into a trained vector of
    ``embedding_dim`` numbers (a one-hot vector would have one number per word of the
    vocabulary). As with the one-hot layers, the encoder's masks padding (``mask_zero=True``)
    and the decoder's does not need to. ``decoder_dense`` is a softmax over
    ``num_decoder_words``. Compiled like the course model.
    """
    from helpers.training import masked_accuracy, masked_loss

    check_positive(num_encoder_words=num_encoder_words, num_decoder_words=num_decoder_words,
                   embedding_dim=embedding_dim, latent_dim=latent_dim,
                   learning_rate=learning_rate)
    encoder_inputs = keras.Input(shape=(None,), dtype="int32", name="encoder_inputs")
    encoder_embedding = layers.Embedding(num_encoder_words, embedding_dim, mask_zero=True,
                                         name="encoder_embedding")
    encoder = layers.LSTM(latent_dim, return_state=True, name="encoder_lstm")
    _, state_h, state_c = encoder(encoder_embedding(encoder_inputs))
    encoder_states = [state_h, state_c]
    decoder_inputs = keras.Input(shape=(None,), dtype="int32", name="decoder_inputs")
    decoder_embedding = layers.Embedding(num_decoder_words, embedding_dim,
                                         name="decoder_embedding")
    decoder_lstm = layers.LSTM(latent_dim, return_sequences=True, return_state=True,
                               name="decoder_lstm")
    decoder_outputs, _, _ = decoder_lstm(decoder_embedding(decoder_inputs),
                                         initial_state=encoder_states)
    decoder_dense = layers.Dense(num_decoder_words, activation="softmax", name="decoder_dense")
    decoder_outputs = decoder_dense(decoder_outputs)
    model = keras.Model([encoder_inputs, decoder_inputs], decoder_outputs, name="word_seq2seq")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=1.0), loss=masked_loss,
                  metrics=[masked_accuracy])
    return model


def word_translation_data(split: course_data.Split, *, min_count: int = 1) -> TranslationData:
    """:func:`helpers.training.translation_data_from_split` with words for characters: word
    vocabularies (:func:`helpers.encoding.build_word_vocabulary`, the French one with French
    spacing) from ``split.train``, and padded arrays of word ids for each part. Held-out
    words the training pairs never show become ``<unk>``; held-out pairs longer (in tokens)
    than every training pair are dropped."""
    if not split.train:
        raise ValueError("no training pairs after the split")
    input_vocab = build_word_vocabulary((e for e, _ in split.train), min_count=min_count)
    target_vocab = build_word_vocabulary((add_start_stop(f) for _, f in split.train),
                                         french=True, min_count=min_count)
    max_enc = max(len(tokenize_words(e)) for e, _ in split.train)
    max_dec = max(len(tokenize_words(add_start_stop(f))) for _, f in split.train)

    def padded(texts, vocab, width):
        ids = np.zeros((len(texts), width), np.int32)
        for row, text in enumerate(texts):
            encoded = vocab.encode(text, on_unknown="unk")
            ids[row, : len(encoded)] = encoded
        return ids

    arrays: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    kept: dict[str, list[tuple[str, str]]] = {}
    for name, part in (("train", split.train), ("validation", split.validation),
                       ("test", split.test)):
        part = [(e, f) for e, f in part if len(tokenize_words(e)) <= max_enc
                and len(tokenize_words(add_start_stop(f))) <= max_dec]
        kept[name] = part
        arrays[name] = (padded([e for e, _ in part], input_vocab, max_enc),
                        padded([add_start_stop(f) for _, f in part], target_vocab, max_dec))
    return TranslationData(input_vocab, target_vocab, kept["train"],  # type: ignore[arg-type]
                           kept["validation"], kept["test"], arrays)


# --- training and scoring the variants alike -------------------------------------------------


def translator_for(model: keras.Model, data: TranslationData) -> TranslationModel:
    """A :class:`helpers.models.TranslationModel` of a trained variant and its data, for
    :func:`helpers.translation.translate`."""
    return TranslationModel(model, data.input_vocab, data.target_vocab, {
        "max_encoder_seq_length": data.max_encoder_seq_length,
        "max_decoder_seq_length": data.max_decoder_seq_length})


def greedy_outputs(model: keras.Model, data: TranslationData, sources: Sequence[str]) -> list[str]:
    """Greedy translations of ``sources``, every one of them: unknown characters or words read
    as ``<unk>``, text longer than the model reads cut (as ``helpers.pretrained`` scores)."""
    return [t.text for t in translate(translator_for(model, data), list(sources),
                                      on_unknown="unk", on_overflow="truncate")]


def free_running_scores(seq2seq: keras.Model, encoder_ids: np.ndarray, decoder_ids: np.ndarray,
                        *, teacher_forcing: float = 0.0, batch_size: int = 256,
                        seed: int = 0) -> dict[str, float]:
    """The masked loss and accuracy of ``seq2seq`` on held-out pairs when its decoder reads its
    own previous prediction (``teacher_forcing=0.0``; 1.0 gives
    :func:`helpers.training.heldout_scores`' numbers), over every real target token."""
    import tensorflow as tf

    runner = ScheduledSampling(seq2seq, teacher_forcing=teacher_forcing, seed=seed)
    ids = tf.TensorSpec((None, None), tf.int32)
    run = tf.function(lambda e, d: runner.decode_steps(e, d, runner.teacher_forcing),
                      input_signature=[ids, ids])
    totals = np.zeros(3)
    for rows in length_bucketed_batches(encoder_ids, decoder_ids, batch_size, seed=seed):
        (enc, dec), _ = trimmed_batch(np.asarray(encoder_ids), np.asarray(decoder_ids), rows)
        totals += [float(x) for x in run(enc.astype(np.int32), dec.astype(np.int32))]
    loss_sum, hits, count = totals
    return {"loss": loss_sum / count, "accuracy": hits / count}


@dataclass
class VariantRun:
    """One variant's training: a row per epoch (``epoch``, ``seconds`` of training so far,
    ``epoch_seconds``, ``train_loss``, held-out ``heldout_loss`` / ``heldout_accuracy``
    (teacher-forced, masked) and greedy ``chrf``; ``teacher_forcing`` at the epoch's end for
    a :class:`ScheduledSampling` run)."""

    name: str
    rows: list[dict[str, float]]
    outputs: list[str]

    @property
    def train_seconds(self) -> float:
        return self.rows[-1]["seconds"]

    @property
    def seconds_per_epoch(self) -> float:
        """Median seconds per epoch (robust to one slow epoch, e.g. the first one's tracing)."""
        return float(np.median([r["epoch_seconds"] for r in self.rows]))


class _EpochScores(keras.callbacks.Callback):
    def __init__(self, seq2seq, data, sources, references, verbose):
        super().__init__()
        self.seq2seq, self.data = seq2seq, data
        self.sources, self.references = list(sources), list(references)
        self.verbose = verbose
        self.rows: list[dict[str, float]] = []
        self.outputs: list[str] = []
        self.seconds = 0.0
        self._started = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self._started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        epoch_seconds = time.perf_counter() - self._started  # scoring is not training time
        self.seconds += epoch_seconds
        held = heldout_scores(self.seq2seq, *self.data.arrays["test"])
        self.outputs = greedy_outputs(self.seq2seq, self.data, self.sources)
        row = {"epoch": epoch + 1, "seconds": self.seconds, "epoch_seconds": epoch_seconds,
               "train_loss": float((logs or {}).get("loss", math.nan)),
               "heldout_loss": held["loss"], "heldout_accuracy": held["accuracy"],
               "chrf": corpus_scores(self.outputs, self.references).chrf}
        if hasattr(self.model, "teacher_forcing"):  # a ScheduledSampling run (any copy of it)
            row["teacher_forcing"] = float(self.model.teacher_forcing.numpy())
        self.rows.append(row)
        if self.verbose:
            print(f"  epoch {row['epoch']}: {epoch_seconds:5.1f} s, train loss "
                  f"{row['train_loss']:.3f}, held-out loss {held['loss']:.3f}, "
                  f"chrF {row['chrf']:.1f}", flush=True)


def train_variant(name: str, model: keras.Model, data: TranslationData, *, epochs: int,
                  sources: Sequence[str], references: Sequence[Sequence[str]],
                  batch_size: int = 128, seed: int = 0,
                  callbacks: Sequence[keras.callbacks.Callback] = (),
                  verbose: bool = True) -> VariantRun:
    """Train a compiled variant (a course model, or a :class:`ScheduledSampling` wrapping one)
    for exactly ``epochs`` epochs on length-bucketed batches of ``data.arrays["train"]`` (no
    early stopping: every variant gets the same number of passes), and after every epoch score
    the held-out pairs ``data.arrays["test"]`` (teacher-forced masked loss and accuracy) and the
    greedy translations of ``sources`` (chrF against ``references``). Training seconds exclude
    the scoring."""
    seq2seq = getattr(model, "seq2seq", model)
    dataset = make_dataset(*data.arrays["train"], batch_size=batch_size, seed=seed)
    scorer = _EpochScores(seq2seq, data, sources, references, verbose)
    model.fit(dataset, epochs=epochs, callbacks=[*callbacks, scorer], shuffle=False, verbose=0)
    return VariantRun(name, scorer.rows, scorer.outputs)


register_family(
    "gru", build=build_gru_model, inference_models=variant_inference_models,
    cell="gru", tokens="characters", reader="one-hot layer", attention=False,
    description="the course model with GRU layers in place of the LSTM ones (notebook 06)")
register_family(
    "word", build=build_word_model, inference_models=variant_inference_models,
    cell="lstm", tokens="words", reader="embedding", attention=False,
    description="the course model on words, with Embedding layers (notebook 06)")
