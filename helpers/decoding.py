"""From a trained encoder–decoder to French text: the original inference loop, batched greedy
decoding, beam search, sampling, and a translation API that never shows a TensorFlow traceback.

Taught in: ``04_inference_loop``.

The building blocks take the two inference models the original text builds
(:func:`helpers.models.inference_models`): ``encoder_model(encoder_ids) -> [h, c]`` and
``decoder_model([decoder_ids, h, c]) -> [probabilities, h, c]``. Both course models (integer
inputs) and models built exactly as in the original text (one-hot inputs) are handled; the
latter get their one-hot vectors made here.

:func:`translate` is what notebooks and widgets call with text typed by a person. Its rules:

* surrounding white space is removed and any run of white space inside (tabs and newlines
  too: they are the start and stop tokens, never input) becomes one space;
* empty or white-space-only text raises :class:`EmptyInputError`;
* characters outside the model's input vocabulary (emoji, other scripts, ``é`` for a model
  that never saw one) raise :class:`UnknownInputError` naming them, unless you ask to
  ``"drop"`` them or map them to ``"unk"`` — then :attr:`Translation.notices` says so;
* text longer than the model's longest training sentence raises :class:`InputTooLongError`,
  unless ``on_overflow="truncate"``: then it is cut (at a word boundary where there is one)
  and a notice says so.
"""

from __future__ import annotations

import re
import unicodedata
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import keras
import numpy as np
import tensorflow as tf

from helpers.attention import attention_inference_models, has_attention
from helpers.encoding import (
    PAD_INDEX,
    START_TOKEN,
    STOP_TOKEN,
    UnknownCharacterError,
    Vocabulary,
)
from helpers.models import inference_models

Mode = Literal["greedy", "beam", "sample"]


# --- the inference models' inputs ------------------------------------------------------


def _wants_one_hot(model: keras.Model) -> bool:
    """True for models whose first input is one-hot ``(batch, steps, tokens)`` (the original's)."""
    return len(model.inputs[0].shape) == 3


def _as_model_input(ids: np.ndarray | tf.Tensor, model: keras.Model):
    """Integer ids as the model wants them: unchanged, or one-hot with padding all zeros."""
    if not _wants_one_hot(model):
        return ids
    depth = int(model.inputs[0].shape[-1])
    vectors = tf.one_hot(ids, depth)
    return vectors * tf.cast(tf.not_equal(ids, PAD_INDEX), vectors.dtype)[..., None]


def _masks_padding(encoder_model: keras.Model) -> bool:
    """Does the encoder skip padded steps (so padding cannot change a sentence's states)?"""
    return any(getattr(layer, "mask_zero", False) or isinstance(layer, keras.layers.Masking)
               for layer in encoder_model.layers)


def _as_list(outputs) -> list:
    return list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]


def encode(encoder_model: keras.Model, encoder_ids: np.ndarray) -> list:
    """The decoder's starting state for a padded batch of integer ids: the encoder's states
    (``[h, c]`` for an LSTM, ``[h]`` for a GRU), and for an attention model, whose encoder
    returns ``[encoder_outputs, *states]``, ``[*states, encoder_outputs, encoder_ids]``: what
    every decoder step reads besides the previous token (the last two never change).

    A padded sentence must get the states it gets alone. Course encoders mask padding; for an
    encoder that does not (the original's), sentences are encoded in groups of equal length,
    so no sentence is ever padded.
    """
    encoder_ids = np.asarray(encoder_ids, dtype=np.int32)
    if _masks_padding(encoder_model):
        lengths = (encoder_ids != PAD_INDEX).sum(axis=1)
        trimmed = encoder_ids[:, : max(int(lengths.max()), 1)]
        out = _as_list(encoder_model(_as_model_input(trimmed, encoder_model), training=False))
        if len(out[0].shape) == 3:  # attention: [encoder_outputs, *states]
            return [*out[1:], out[0], tf.constant(trimmed)]
        return [np.asarray(s) for s in out]
    lengths = (encoder_ids != PAD_INDEX).sum(axis=1)
    states: list[np.ndarray] | None = None
    for length in np.unique(lengths):
        rows = np.flatnonzero(lengths == length)
        group = encoder_ids[rows, : max(int(length), 1)]
        out = [np.asarray(s) for s in _as_list(
            encoder_model(_as_model_input(group, encoder_model), training=False))]
        if states is None:
            states = [np.zeros((len(encoder_ids), s.shape[-1]), s.dtype) for s in out]
        for full, part in zip(states, out, strict=True):
            full[rows] = part
    assert states is not None
    return states


# --- the original loop: one sentence, one predict() per character ------------------------


def decode_sequence(input_seq: np.ndarray, encoder_model: keras.Model,
                    decoder_model: keras.Model, target_vocab: Vocabulary,
                    max_decoder_seq_length: int) -> str:
    """The original text's inference loop for one sentence (``input_seq``: ``(1, steps)`` ids,
    or the one-hot ``(1, steps, tokens)`` of the original), greedy, batch size 1.

    Returns the decoded characters up to and including the stop token ``"\\n"`` (as the
    original does), or ``max_decoder_seq_length + 1`` characters if it never stops.
    """
    states_value = encoder_model.predict(input_seq, verbose=0)
    target_seq = _start_tokens(1, decoder_model, target_vocab)
    decoded_sentence = ""
    while True:
        output_tokens, h, c = decoder_model.predict([target_seq, *states_value], verbose=0)
        sampled_token_index = int(np.argmax(output_tokens[0, -1, :]))
        sampled_char = target_vocab.tokens[sampled_token_index]
        decoded_sentence += sampled_char
        if sampled_char == STOP_TOKEN or len(decoded_sentence) > max_decoder_seq_length:
            return decoded_sentence
        target_seq = _tokens_input(np.array([[sampled_token_index]]), decoder_model)
        states_value = [h, c]


def _tokens_input(ids: np.ndarray, decoder_model: keras.Model) -> np.ndarray:
    if not _wants_one_hot(decoder_model):
        return ids.astype(np.int32)
    return np.asarray(_as_model_input(ids.astype(np.int32), decoder_model))


def _start_tokens(batch: int, decoder_model: keras.Model, target_vocab: Vocabulary) -> np.ndarray:
    start = target_vocab.token_index[START_TOKEN]
    return _tokens_input(np.full((batch, 1), start, dtype=np.int32), decoder_model)


# --- one decoder step as a compiled function ------------------------------------------------


class _Stepper:
    """``step(token_ids, state) -> (probabilities, state, attention_weights)``: one decoder
    step for a whole batch, compiled once with ``tf.function`` for any batch size (no
    ``predict`` overhead per call, no retracing when the batch shrinks as sentences finish).

    ``state`` is what :func:`encode` returned: the recurrent states (``[h, c]`` or ``[h]``),
    then for an attention model ``encoder_outputs, encoder_ids`` (its decoder model has an
    input named ``encoder_outputs`` and returns the attention weights last);
    ``attention_weights`` is ``(batch, source_steps)`` for an attention model, else ``None``.
    """

    def __init__(self, decoder_model: keras.Model):
        one_hot = _wants_one_hot(decoder_model)
        depth = int(decoder_model.inputs[0].shape[-1]) if one_hot else 0
        self.attention = attention = any(
            t.name == "encoder_outputs" for t in decoder_model.inputs)
        self.num_states = num_states = len(decoder_model.outputs) - 1 - int(attention)
        specs = [tf.TensorSpec((None,), tf.int32)] + [
            tf.TensorSpec((None, *t.shape[1:]), t.dtype) for t in decoder_model.inputs[1:]]

        @tf.function(input_signature=specs)
        def step(token_ids, *state):
            tokens = token_ids[:, None]
            if one_hot:
                tokens = tf.one_hot(tokens, depth)
            out = _as_list(decoder_model([tokens, *state], training=False))
            last = [out[0][:, -1, :], *out[1:1 + num_states]]
            return [*last, out[-1][:, -1, :]] if attention else last

        self.step = step

    def __call__(self, token_ids: np.ndarray, state: list):
        out = self.step(tf.constant(token_ids, tf.int32), *state)
        k = self.num_states
        return out[0], [*out[1:1 + k], *state[k:]], (out[-1] if self.attention else None)


_STEPPERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _stepper(decoder_model: keras.Model) -> _Stepper:
    if decoder_model not in _STEPPERS:
        _STEPPERS[decoder_model] = _Stepper(decoder_model)
    return _STEPPERS[decoder_model]


def _rows(state: list, rows: np.ndarray) -> list:
    """The decoder state of the given batch rows (finished sentences leave, beams copy)."""
    return [tf.gather(s, rows) for s in state]


# --- batched greedy decoding -------------------------------------------------------------------


def greedy_decode(encoder_model: keras.Model, decoder_model: keras.Model,
                  encoder_ids: np.ndarray, target_vocab: Vocabulary, *,
                  max_decoder_seq_length: int) -> list[str]:
    """Greedy decoding of a whole batch at once: one compiled decoder step per character for
    all sentences, stopping when every sentence has emitted ``"\\n"`` or the length limit.

    Gives the same strings as :func:`decode_sequence` (without its trailing ``"\\n"``).
    """
    encoder_ids = np.asarray(encoder_ids, dtype=np.int32)
    state = encode(encoder_model, encoder_ids)
    step = _stepper(decoder_model)
    batch = len(encoder_ids)
    start = target_vocab.token_index[START_TOKEN]
    stop = target_vocab.token_index[STOP_TOKEN]
    tokens = np.full(batch, start, dtype=np.int32)
    out = np.zeros((batch, max_decoder_seq_length + 1), dtype=np.int32)
    active = np.arange(batch)  # sentences still decoding; finished ones leave the batch
    for t in range(max_decoder_seq_length + 1):
        probs, state, _ = step(tokens, state)
        tokens = np.argmax(probs.numpy(), axis=-1).astype(np.int32)
        out[active, t] = tokens
        going = tokens != stop
        if not going.all():
            active, tokens = active[going], tokens[going]
            state = _rows(state, np.flatnonzero(going))
            if not len(active):
                break
    return [target_vocab.decode(row) for row in out]


# --- beam search ------------------------------------------------------------------------------


def beam_search(encoder_model: keras.Model, decoder_model: keras.Model,
                encoder_ids: np.ndarray, target_vocab: Vocabulary, *, beam_width: int = 4,
                max_decoder_seq_length: int, length_penalty: float = 1.0,
                return_all: bool = False) -> list[str] | list[list[tuple[str, float]]]:
    """Beam search for a whole batch: keep the ``beam_width`` most probable prefixes of every
    sentence, extend each by every character, keep the best ``beam_width`` again.

    Hypotheses are ranked at the end by ``log p / length ** length_penalty`` (length
    normalisation: without it, short outputs win because every character costs probability).
    ``beam_width=1`` is greedy decoding. With ``return_all``, each sentence's beams come back
    as ``(text, normalised score)``, best first.
    """
    if beam_width < 1:
        raise ValueError(f"beam_width must be at least 1, got {beam_width}")
    encoder_ids = np.asarray(encoder_ids, dtype=np.int32)
    batch, k = len(encoder_ids), beam_width
    state = _rows(encode(encoder_model, encoder_ids), np.repeat(np.arange(batch), k))
    step = _stepper(decoder_model)
    start = target_vocab.token_index[START_TOKEN]
    stop = target_vocab.token_index[STOP_TOKEN]
    steps = max_decoder_seq_length + 1
    seqs = np.zeros((batch, k, steps), dtype=np.int32)
    scores = np.full((batch, k), -np.inf)
    scores[:, 0] = 0.0  # one live beam at first, so the k beams do not start as copies
    lengths = np.zeros((batch, k), dtype=np.int32)
    finished = np.zeros((batch, k), dtype=bool)
    tokens = np.full(batch * k, start, dtype=np.int32)
    live = np.arange(batch)  # sentences with an unfinished beam; the others leave the batch
    for t in range(steps):
        probs, state, _ = step(tokens, state)
        n = len(live)
        logp = np.log(np.clip(probs.numpy(), 1e-12, 1.0)).reshape(n, k, -1)
        vocab_size = logp.shape[-1]
        live_scores, live_finished = scores[live], finished[live]
        cand = live_scores[..., None] + logp
        # A finished beam keeps its score and only "extends" with padding.
        cand = np.where(live_finished[..., None], -np.inf, cand)
        cand[..., PAD_INDEX] = np.where(live_finished, live_scores, -np.inf)
        flat = cand.reshape(n, k * vocab_size)
        best = np.argpartition(-flat, k - 1, axis=1)[:, :k]
        parent, token = best // vocab_size, (best % vocab_size).astype(np.int32)
        rows = np.arange(n)[:, None]
        scores[live] = flat[rows, best]
        live_seqs = seqs[live][rows, parent]
        was_finished = live_finished[rows, parent]
        lengths[live] = lengths[live][rows, parent] + (~was_finished)
        live_seqs[:, :, t] = np.where(was_finished, PAD_INDEX, token)
        seqs[live] = live_seqs
        now_finished = was_finished | (token == stop)
        finished[live] = now_finished
        flat_parent = (rows * k + parent).reshape(-1)
        state = _rows(state, flat_parent)
        tokens = np.where(now_finished, stop, token).reshape(-1).astype(np.int32)
        done = now_finished.all(axis=1)
        if done.any():
            keep = np.repeat(~done, k)
            live, tokens = live[~done], tokens[keep]
            state = _rows(state, np.flatnonzero(keep))
            if not len(live):
                break
    normalised = scores / np.maximum(lengths, 1) ** length_penalty
    order = np.argsort(-normalised, axis=1)
    if return_all:
        return [[(target_vocab.decode(seqs[b, i]), float(normalised[b, i])) for i in order[b]
                 if np.isfinite(normalised[b, i])] for b in range(batch)]
    return [target_vocab.decode(seqs[b, order[b, 0]]) for b in range(batch)]


# --- sampling ---------------------------------------------------------------------------------


def sample_decode(encoder_model: keras.Model, decoder_model: keras.Model,
                  encoder_ids: np.ndarray, target_vocab: Vocabulary, *,
                  max_decoder_seq_length: int, temperature: float = 1.0, top_k: int | None = None,
                  seed: int | None = None) -> list[str]:
    """Draw each next character at random from the model's distribution, sharpened
    (``temperature`` < 1) or flattened (> 1), optionally from the ``top_k`` most likely only.
    The same ``seed`` gives the same outputs."""
    if not temperature > 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    if top_k is not None and top_k < 1:
        raise ValueError(f"top_k must be at least 1, got {top_k}")
    rng = np.random.default_rng(seed)
    encoder_ids = np.asarray(encoder_ids, dtype=np.int32)
    state = encode(encoder_model, encoder_ids)
    step = _stepper(decoder_model)
    batch = len(encoder_ids)
    stop = target_vocab.token_index[STOP_TOKEN]
    tokens = np.full(batch, target_vocab.token_index[START_TOKEN], dtype=np.int32)
    out = np.zeros((batch, max_decoder_seq_length + 1), dtype=np.int32)
    finished = np.zeros(batch, dtype=bool)
    for t in range(max_decoder_seq_length + 1):
        probs, state, _ = step(tokens, state)
        logits = np.log(np.clip(probs.numpy().astype(np.float64), 1e-12, 1.0)) / temperature
        logits[:, PAD_INDEX] = -np.inf  # padding is never a character
        if top_k is not None and top_k < logits.shape[-1]:
            cutoff = np.sort(logits, axis=-1)[:, -top_k][:, None]
            logits = np.where(logits < cutoff, -np.inf, logits)
        p = np.exp(logits - logits.max(axis=-1, keepdims=True))
        p /= p.sum(axis=-1, keepdims=True)
        u = rng.random((batch, 1))
        tokens = np.minimum((p.cumsum(axis=-1) < u).sum(axis=-1), p.shape[-1] - 1).astype(np.int32)
        out[:, t] = np.where(finished, PAD_INDEX, tokens)
        finished |= tokens == stop
        if finished.all():
            break
    return [target_vocab.decode(row) for row in out]


# --- looking inside: the candidates at every step --------------------------------------------


@dataclass
class Step:
    """One greedy decoding step: the character chosen and the top candidates."""

    chosen: str
    probability: float
    candidates: list[tuple[str, float]]
    text_so_far: str
    #: For an attention model: the weight of each source character at this step.
    attention: list[float] | None = None


def decoding_steps(encoder_model: keras.Model, decoder_model: keras.Model,
                   encoder_ids: np.ndarray, target_vocab: Vocabulary, *,
                   max_decoder_seq_length: int, top: int = 5) -> list[Step]:
    """Greedy decoding of ONE sentence (``encoder_ids``: ``(1, steps)``), step by step, with
    the ``top`` most probable next characters at each step (for figures and the step-through
    widget). Tokens are shown with :func:`display_token`; the last step is the one that chose
    ``"\\n"`` (``"⏎"``)."""
    encoder_ids = np.asarray(encoder_ids, dtype=np.int32).reshape(1, -1)
    state = encode(encoder_model, encoder_ids)
    step = _stepper(decoder_model)
    token = np.array([target_vocab.token_index[START_TOKEN]], dtype=np.int32)
    stop = target_vocab.token_index[STOP_TOKEN]
    steps: list[Step] = []
    text = ""
    for _ in range(max_decoder_seq_length + 1):
        probs, state, weights = step(token, state)
        p = probs.numpy()[0]
        order = np.argsort(-p)[:top]
        chosen = int(order[0])
        if chosen != stop:
            text += target_vocab.decode([chosen], stop_at=None, skip=())
        steps.append(Step(display_token(target_vocab, chosen), float(p[chosen]),
                          [(display_token(target_vocab, int(i)), float(p[i])) for i in order],
                          text, None if weights is None else weights.numpy()[0].tolist()))
        if chosen == stop:
            break
        token = np.array([chosen], dtype=np.int32)
    return steps


def display_token(vocab: Vocabulary, index: int) -> str:
    """A token as a person can read it: ``"⏎"`` for stop, ``"␣"`` for a space, ``"⍽"`` for a
    narrow no-break space, the reserved names for padding and unknown."""
    token = vocab.tokens[index]
    return {STOP_TOKEN: "⏎", START_TOKEN: "⇥", " ": "␣", "\u202f": "⍽", "\xa0": "⍽"}.get(
        token, token)


# --- the translation API: text in, text out, clear messages ---------------------------------


class TranslationInputError(ValueError):
    """Base class for text that cannot be translated as given; the message says why."""


class EmptyInputError(TranslationInputError):
    """Nothing to translate."""


class InputTooLongError(TranslationInputError):
    """Longer than the longest sentence the model was trained on."""


class UnknownInputError(TranslationInputError, UnknownCharacterError):
    """Characters the model has never seen."""

    def __init__(self, text: str, unknown: Sequence[str]):
        UnknownCharacterError.__init__(self, text, unknown)
        shown = " ".join(f"{ch!r} (U+{ord(ch):04X})" for ch in self.unknown)
        self.args = (f"The model never saw these character(s): {shown}. Remove them, or "
                     "translate with on_unknown='drop' or 'unk'.",)


#: Typographic characters a person types that the corpus spells differently.
_TYPOGRAPHY = {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2026": "...",
               "\u2013": "-", "\u2014": "-"}


@dataclass
class PreparedInput:
    """The text a model will read, and what was done to get it."""

    original: str
    text: str
    notices: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def prepare_input(text: str, vocab: Vocabulary, max_length: int, *,
                  on_unknown: Literal["error", "drop", "unk"] = "error",
                  on_overflow: Literal["error", "truncate"] = "error") -> PreparedInput:
    """Clean ``text`` for the model, following the rules in this module's docstring."""
    if not isinstance(text, str):
        raise TypeError(f"translate text (str), not {type(text).__name__}")
    if on_unknown not in ("error", "drop", "unk"):
        raise ValueError(f"on_unknown must be 'error', 'drop' or 'unk', not {on_unknown!r}")
    if on_overflow not in ("error", "truncate"):
        raise ValueError(f"on_overflow must be 'error' or 'truncate', not {on_overflow!r}")
    cleaned = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()
    if not cleaned:
        raise EmptyInputError("Nothing to translate: type a sentence (e.g. 'I am cold.').")
    rewritten = sorted({ch for ch in cleaned if ch not in vocab and ch in _TYPOGRAPHY})
    cleaned = "".join(ch if ch in vocab else _TYPOGRAPHY.get(ch, ch) for ch in cleaned)
    prepared = PreparedInput(original=text, text=cleaned)
    if rewritten:
        prepared.notices.append("Typographic characters were read as the corpus writes them: "
                                + ", ".join(f"{ch} as {_TYPOGRAPHY[ch]}" for ch in rewritten))
    unknown = vocab.unknown_characters(cleaned)
    if unknown:
        prepared.unknown = unknown
        if on_unknown == "error":
            raise UnknownInputError(cleaned, unknown)
        listed = " ".join(unknown)
        if on_unknown == "drop":
            cleaned = re.sub(r"\s+", " ", "".join(ch for ch in cleaned if ch in vocab)).strip()
            prepared.notices.append(f"Left out characters the model never saw: {listed}")
            if not cleaned:
                raise EmptyInputError(
                    f"Nothing left to translate: the model never saw any of {listed}.")
        else:
            prepared.notices.append(f"Characters the model never saw were read as unknown: "
                                    f"{listed}")
    if len(cleaned) > max_length:
        if on_overflow == "error":
            raise InputTooLongError(
                f"The text has {len(cleaned)} characters; this model reads at most "
                f"{max_length} (its longest training sentence). Shorten it, or translate "
                "with on_overflow='truncate'.")
        cut = cleaned[:max_length]
        if " " in cut and not cleaned[max_length].isspace():
            cut = cut[: cut.rindex(" ")]
        cleaned = cut.rstrip()
        prepared.notices.append(
            f"Only the first {len(cleaned)} characters were translated (the model reads at most "
            f"{max_length}).")
    prepared.text = cleaned
    return prepared


@dataclass
class Translation:
    """One translated sentence."""

    source: str
    text: str
    used_input: str
    notices: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)



_INFERENCE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def inference_models_for(model: keras.Model) -> tuple[keras.Model, keras.Model]:
    """The inference models of any course training model (with or without attention),
    built once per model and forgotten with it."""
    if model not in _INFERENCE:
        _INFERENCE[model] = (attention_inference_models(model) if has_attention(model)
                             else inference_models(model))
    return _INFERENCE[model]


def translate(translator, texts: str | Sequence[str], *, mode: Mode = "greedy",
              beam_width: int = 4, temperature: float = 1.0, top_k: int | None = None,
              seed: int | None = None, on_unknown: Literal["error", "drop", "unk"] = "error",
              on_overflow: Literal["error", "truncate"] = "error",
              ) -> Translation | list[Translation]:
    """Translate English text with a loaded course model
    (:func:`helpers.models.load_translation_model`).

    ``texts`` is one string (returns one :class:`Translation`) or a list (returns a list, all
    decoded as one batch). ``mode`` is ``"greedy"``, ``"beam"`` (``beam_width``) or
    ``"sample"`` (``temperature``, ``top_k``, ``seed``). Bad input raises a
    :class:`TranslationInputError` with a sentence saying what to do (see the module's rules),
    before any TensorFlow code runs.
    """
    single = isinstance(texts, str)
    if isinstance(texts, (bytes, bytearray)):
        raise TypeError("translate text (str), not bytes: decode it first, e.g. "
                        "text.decode('utf-8')")
    if not single and not isinstance(texts, (list, tuple)):
        raise TypeError("translate a sentence (str) or a list of sentences, not "
                        f"{type(texts).__name__}")
    batch = [texts] if single else list(texts)
    for position, text in enumerate(batch):
        if not isinstance(text, str):
            raise TypeError(f"sentence {position} of the list is a {type(text).__name__}, not "
                            "a str")
    if not batch:
        raise EmptyInputError("Nothing to translate: the list of sentences is empty.")
    if mode not in ("greedy", "beam", "sample"):
        raise ValueError(f"mode must be 'greedy', 'beam' or 'sample', not {mode!r}")
    max_in = int(translator.max_encoder_seq_length)
    max_out = int(translator.max_decoder_seq_length)
    prepared = [prepare_input(t, translator.input_vocab, max_in, on_unknown=on_unknown,
                              on_overflow=on_overflow) for t in batch]
    ids = np.zeros((len(prepared), max(len(p.text) for p in prepared)), dtype=np.int32)
    for row, p in enumerate(prepared):
        ids[row, : len(p.text)] = translator.input_vocab.encode(p.text, on_unknown="unk")
    encoder_model, decoder_model = inference_models_for(translator.model)
    common = {"max_decoder_seq_length": max_out}
    if mode == "greedy":
        outputs = greedy_decode(encoder_model, decoder_model, ids, translator.target_vocab,
                                **common)
    elif mode == "beam":
        outputs = beam_search(encoder_model, decoder_model, ids, translator.target_vocab,
                              beam_width=beam_width, **common)
    else:
        outputs = sample_decode(encoder_model, decoder_model, ids, translator.target_vocab,
                                temperature=temperature, top_k=top_k, seed=seed, **common)
    results = [Translation(source=p.original, text=str(out), used_input=p.text,
                           notices=list(p.notices), unknown=list(p.unknown))
               for p, out in zip(prepared, outputs, strict=True)]
    return results[0] if single else results


def character_confidences(translator, source: str, translation: str) -> list[float]:
    """The model's probability of each character of ``translation`` given ``source`` and the
    characters before it (one teacher-forced pass of the training model)."""
    if not translation:
        return []
    vocab = translator.target_vocab
    enc_ids = np.array([translator.input_vocab.encode(source, on_unknown="unk")], np.int32)
    dec_ids = np.array([vocab.encode(START_TOKEN + translation, on_unknown="unk")], np.int32)
    model = translator.model
    probs = np.asarray(model([_as_model_input(enc_ids, model),
                              _as_model_input_decoder(dec_ids, model)], training=False))
    targets = np.array(vocab.encode(translation + STOP_TOKEN, on_unknown="unk"))
    return [float(probs[0, t, targets[t]]) for t in range(len(translation))]


def _as_model_input_decoder(ids: np.ndarray, model: keras.Model):
    if len(model.inputs[1].shape) != 3:
        return ids
    return tf.one_hot(ids, int(model.inputs[1].shape[-1]))


_ATTENTION_READERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def attention_map(translator, source: str, translation: str) -> np.ndarray:
    """Where an attention model looked while writing ``translation`` of ``source``: weights of
    shape ``(len(translation) + 1, len(source))``, one row per written character and a last
    row for the stop token, each row summing to 1 over the source characters.

    One teacher-forced pass of the training model, so the rows are exactly the weights greedy
    decoding used when it wrote ``translation``. Raises :class:`TypeError` for a model
    without attention.
    """
    model = translator.model
    if not has_attention(model):
        raise TypeError("this model has no attention layer: only attention models "
                        "(helpers.attention.build_attention_model) have an attention map")
    for name, value in (("source", source), ("translation", translation)):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if not source:
        raise EmptyInputError("Nothing to show: the source sentence is empty.")
    if model not in _ATTENTION_READERS:
        _ATTENTION_READERS[model] = keras.Model(model.inputs,
                                                model.get_layer("attention").output[1])
    enc_ids = np.array([translator.input_vocab.encode(source, on_unknown="unk")], np.int32)
    dec_ids = np.array([translator.target_vocab.encode(START_TOKEN + translation,
                                                       on_unknown="unk")], np.int32)
    weights = _ATTENTION_READERS[model]([enc_ids, dec_ids], training=False)
    return np.asarray(weights)[0]
