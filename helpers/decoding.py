"""From a trained encoder–decoder to French tokens: the original inference loop, batched greedy
decoding, beam search and sampling, and the inference models of every course model.

Taught in: ``04_inference_loop`` (the GRU and word-level models' inference models: ``06``).

The building blocks take the two inference models the original text builds
(:func:`helpers.models.inference_models`): ``encoder_model(encoder_ids) -> [h, c]`` and
``decoder_model([decoder_ids, h, c]) -> [probabilities, h, c]``. Both course models (integer
inputs) and models built exactly as in the original text (one-hot inputs) are handled; the
latter get their one-hot vectors made for them. The decoder state is a list: ``[h, c]`` for the
LSTM models, ``[h]`` for a GRU, ``[h, c, encoder_outputs, encoder_ids]`` with attention. What
every strategy shares, the models' inputs, the starting state
(:func:`~helpers.decoder_step.encode`) and one compiled decoder step, is
:mod:`helpers.decoder_step`. Text in, text out (with the checks a person's typing needs) is
:mod:`helpers.translation`.

Every decoded sentence is a :class:`Decoded` string that also says why decoding stopped
(``stop_reason``): the model wrote its stop token, or it reached the length limit first and
the text is cut; and which tokens the decoder wrote (``ids``). Long batches are decoded
:data:`CHUNK_SIZE` sentences at a time.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

import keras
import numpy as np

from helpers.architecture import architecture_of, family
from helpers.checks import (
    check_between,
    check_count,
    check_count_at_most,
    check_index,
    check_optional_count,
    check_positive_finite,
)
from helpers.compiled import built_for
from helpers.decoder_step import (
    _rows,
    _sentences,
    _start_stop,
    _stepper,
    _wants_one_hot,
    as_model_input,
    encode,
)
from helpers.encoding import (
    PAD_INDEX,
    START_TOKEN,
    STOP_TOKEN,
    Vocabulary,
)

#: The most sentences decoded together; a longer batch is decoded chunk after chunk, so memory
#: stays bounded whatever its length. Each sentence is decoded on its own (its own rows, its
#: own random stream), so the strings are those of one batch (float32 sums in a batch of
#: another size can differ in the last digit: beam scores agree to about 1e-6). Beam search
#: decodes ``CHUNK_SIZE // beam_width`` sentences at a time (at least one): as many rows.
CHUNK_SIZE = 512

#: The widest beam :func:`beam_search` accepts (see its docstring).
MAX_BEAM_WIDTH = 64

#: The largest ``length_penalty`` :func:`beam_search` accepts (see its docstring).
MAX_LENGTH_PENALTY = 5.0

StopReason = Literal["stop_token", "length_limit"]


class Decoded(str):
    """A decoded sentence: a ``str`` (it compares, prints and joins as its text) that also says
    why decoding stopped, :attr:`stop_reason`:

    * ``"stop_token"``: the model wrote its stop token ``"\\n"``: it ended the sentence;
    * ``"length_limit"``: it wrote ``max_decoder_seq_length + 1`` tokens without ending the
      sentence, and decoding stopped there: the text is cut (often a loop, "très très …").

    and which tokens the decoder wrote, :attr:`ids`: their ids in the target vocabulary, as
    the text spells them (padding and start tokens left out, the stop token and what follows
    it too), or ``None`` where they are not known (:func:`decode_sequence`'s text, a
    ``Decoded`` made by hand). Cutting the text into tokens again need not give them: a subword
    model's tokenizer cuts a sentence its own way (and puts a ``"▁"`` before its first piece),
    where a decoder may write any pieces that spell it. The confidences and the attention map
    of a translation (:mod:`helpers.translation`) are of the tokens its ``ids`` say.

    Copies and pickles keep both. String methods (``strip``, ``+`` …) return a plain ``str``,
    which no longer says.
    """

    stop_reason: StopReason
    ids: tuple[int, ...] | None

    def __new__(cls, text: str, stop_reason: StopReason,
                ids: Iterable[int] | None = None) -> Decoded:
        if stop_reason not in ("stop_token", "length_limit"):
            raise ValueError(f"stop_reason must be 'stop_token' or 'length_limit', not "
                             f"{stop_reason!r}")
        decoded = super().__new__(cls, text)
        decoded.stop_reason = stop_reason
        decoded.ids = None if ids is None else tuple(int(i) for i in ids)
        return decoded

    def __getnewargs__(self) -> tuple[str, str, tuple[int, ...] | None]:  # type: ignore[override]
        return str(self), self.stop_reason, self.ids  # (copy and pickle)

    @property
    def finished(self) -> bool:
        """Did the model end the sentence (``stop_reason == "stop_token"``)?"""
        return self.stop_reason == "stop_token"


def _decoded(target_vocab: Vocabulary, ids: np.ndarray, stopped: bool) -> Decoded:
    """The :class:`Decoded` of one row of ids a decoder wrote (after its start token)."""
    written = target_vocab._read(ids, STOP_TOKEN, (START_TOKEN,))
    return Decoded(target_vocab.decode(written), "stop_token" if stopped else "length_limit",
                   written)


# --- what every decoding call shares ------------------------------------------------------


def _check_lengths(max_decoder_seq_length: int) -> int:
    """``max_decoder_seq_length`` as an ``int``, checked: a whole number ≥ 1."""
    return check_count("max_decoder_seq_length", max_decoder_seq_length)


def _in_chunks(decode_chunk: Callable[[np.ndarray], list], encoder_ids: np.ndarray,
               size: int) -> list:
    """``decode_chunk`` on ``size`` rows of ``encoder_ids`` at a time (at least one), joined."""
    size = max(1, int(size))
    return [out for begin in range(0, len(encoder_ids), size)
            for out in decode_chunk(encoder_ids[begin:begin + size])]


# --- the original loop: one sentence, one predict() per character ------------------------


def decode_sequence(input_seq: np.ndarray, encoder_model: keras.Model,
                    decoder_model: keras.Model, target_vocab: Vocabulary,
                    max_decoder_seq_length: int) -> Decoded:
    """The original text's inference loop for one sentence (``input_seq``: ``(1, steps)`` ids,
    or the one-hot ``(1, steps, tokens)`` of the original), greedy, batch size 1, for a model
    without attention (its decoder reads ``[tokens, h, c]``).

    Returns the decoded characters up to and including the stop token ``"\\n"`` (as the
    original does), or ``max_decoder_seq_length + 1`` characters if it never stops (a
    :class:`Decoded`: its ``stop_reason`` says which).
    """
    _check_lengths(max_decoder_seq_length)
    _check_original_layout(decoder_model)
    if not (_wants_one_hot(encoder_model) and np.ndim(input_seq) == 3):
        input_seq = _sentences("input_seq", input_seq, encoder_model)
    if len(input_seq) != 1:
        raise ValueError(f"input_seq must hold one sentence (batch size 1), not {len(input_seq)}: "
                         "decode a batch with greedy_decode")
    _start_stop(target_vocab)
    states_value = encoder_model.predict(input_seq, verbose=0)
    target_seq = _start_tokens(1, decoder_model, target_vocab)
    decoded_sentence = ""
    while True:
        output_tokens, h, c = decoder_model.predict([target_seq, *states_value], verbose=0)
        sampled_token_index = int(np.argmax(output_tokens[0, -1, :]))
        sampled_char = target_vocab.tokens[sampled_token_index]
        decoded_sentence += sampled_char
        if sampled_char == STOP_TOKEN or len(decoded_sentence) > max_decoder_seq_length:
            return Decoded(decoded_sentence,
                           "stop_token" if sampled_char == STOP_TOKEN else "length_limit")
        target_seq = _tokens_input(np.array([[sampled_token_index]]), decoder_model)
        states_value = [h, c]


def _check_original_layout(decoder_model: keras.Model) -> None:
    """The original loop's decoder reads ``[tokens, h, c]`` and returns
    ``[probabilities, h, c]``; an attention or GRU decoder does not."""
    inputs = len(getattr(decoder_model, "inputs", None) or ())
    if inputs != 3 or len(decoder_model.outputs) != 3:
        raise ValueError(
            "decode_sequence is the original loop for a model without attention, whose decoder "
            f"reads [tokens, h, c]; this decoder reads {inputs} inputs (an attention or GRU "
            "model): decode it with greedy_decode, or translate()")


def _tokens_input(ids: np.ndarray, decoder_model: keras.Model) -> np.ndarray:
    return np.asarray(as_model_input(ids.astype(np.int32), decoder_model, zero_padding=False))


def _start_tokens(batch: int, decoder_model: keras.Model, target_vocab: Vocabulary) -> np.ndarray:
    start = target_vocab.token_index[START_TOKEN]
    return _tokens_input(np.full((batch, 1), start, dtype=np.int32), decoder_model)


# --- batched greedy decoding -------------------------------------------------------------------


def greedy_decode(encoder_model: keras.Model, decoder_model: keras.Model,
                  encoder_ids: np.ndarray, target_vocab: Vocabulary, *,
                  max_decoder_seq_length: int) -> list[Decoded]:
    """Greedy decoding of a whole batch at once: one compiled decoder step per character for
    all sentences, stopping when every sentence has emitted ``"\\n"`` or the length limit
    (:data:`CHUNK_SIZE` sentences at a time).

    Gives the same strings as :func:`decode_sequence` (without its trailing ``"\\n"``), as
    :class:`Decoded` strings that say why each stopped.
    """
    _check_lengths(max_decoder_seq_length)
    encoder_ids = _sentences("encoder_ids", encoder_ids, encoder_model)
    _start_stop(target_vocab)
    return _in_chunks(lambda ids: _greedy_chunk(encoder_model, decoder_model, ids, target_vocab,
                                                max_decoder_seq_length), encoder_ids, CHUNK_SIZE)


def _greedy_chunk(encoder_model: keras.Model, decoder_model: keras.Model,
                  encoder_ids: np.ndarray, target_vocab: Vocabulary,
                  max_decoder_seq_length: int) -> list[Decoded]:
    """:func:`greedy_decode` of one chunk."""
    state = encode(encoder_model, encoder_ids)
    step = _stepper(decoder_model)
    batch = len(encoder_ids)
    start, stop = _start_stop(target_vocab)
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
    return [_decoded(target_vocab, row, (row == stop).any()) for row in out]


# --- beam search ------------------------------------------------------------------------------


def beam_search(encoder_model: keras.Model, decoder_model: keras.Model,
                encoder_ids: np.ndarray, target_vocab: Vocabulary, *, beam_width: int = 4,
                max_decoder_seq_length: int, length_penalty: float = 1.0,
                return_all: bool = False) -> list[Decoded] | list[list[tuple[Decoded, float]]]:
    """Beam search for a whole batch: keep the ``beam_width`` most probable prefixes of every
    sentence, extend each by every character, keep the best ``beam_width`` again.

    Hypotheses are ranked at the end by ``log p / length ** length_penalty`` (length
    normalisation: without it, short outputs win because every character costs probability).
    ``beam_width=1`` is greedy decoding. With ``return_all``, each sentence's beams come back
    as ``(text, normalised score)``, best first. Texts are :class:`Decoded` strings.

    Limits: ``beam_width`` at most 64 (:data:`MAX_BEAM_WIDTH`): translations stop changing
    long before (the course compares 1 to 8), and memory and time grow with the width;
    ``length_penalty`` from 0 (no normalisation) to 5 (:data:`MAX_LENGTH_PENALTY`; the course
    tries 0 to 2; far above, ``length ** length_penalty`` overflows and ranks nothing).
    """
    beam_width = check_count_at_most(
        "beam_width", beam_width, MAX_BEAM_WIDTH,
        why="wider beams cost memory and time and no longer change the translations")
    length_penalty = check_between("length_penalty", length_penalty, 0, MAX_LENGTH_PENALTY)
    _check_lengths(max_decoder_seq_length)
    encoder_ids = _sentences("encoder_ids", encoder_ids, encoder_model)
    _start_stop(target_vocab)
    return _in_chunks(lambda ids: _beam_chunk(
        encoder_model, decoder_model, ids, target_vocab, beam_width, max_decoder_seq_length,
        length_penalty, return_all), encoder_ids, CHUNK_SIZE // beam_width)


def _beam_chunk(encoder_model: keras.Model, decoder_model: keras.Model,
                encoder_ids: np.ndarray, target_vocab: Vocabulary, beam_width: int,
                max_decoder_seq_length: int, length_penalty: float, return_all: bool) -> list:
    """:func:`beam_search` of one chunk."""
    batch, k = len(encoder_ids), beam_width
    state = _rows(encode(encoder_model, encoder_ids), np.repeat(np.arange(batch), k))
    step = _stepper(decoder_model)
    start, stop = _start_stop(target_vocab)
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
        return [[(_decoded(target_vocab, seqs[b, i], finished[b, i]), float(normalised[b, i]))
                 for i in order[b] if np.isfinite(normalised[b, i])] for b in range(batch)]
    return [_decoded(target_vocab, seqs[b, order[b, 0]], finished[b, order[b, 0]])
            for b in range(batch)]


# --- sampling ---------------------------------------------------------------------------------


def sample_decode(encoder_model: keras.Model, decoder_model: keras.Model,
                  encoder_ids: np.ndarray, target_vocab: Vocabulary, *,
                  max_decoder_seq_length: int, temperature: float = 1.0, top_k: int | None = None,
                  seed: int | None = None) -> list[Decoded]:
    """Draw each next character at random from the model's distribution, sharpened
    (``temperature`` < 1) or flattened (> 1), optionally from the ``top_k`` most likely only.

    The same ``seed`` gives the same outputs, and a sentence's output does not depend on the
    other sentences of the batch or its place among them: each sentence draws from its own
    random stream, seeded by ``seed`` and the sentence's ids (two equal sentences draw alike),
    so decoding :data:`CHUNK_SIZE` sentences at a time changes nothing. ``seed=None``: fresh
    randomness every call (one draw of it for the whole call). ``seed``: a whole number ≥ 0.

    ``temperature``: any positive, finite number. As it nears 0 sampling becomes greedy
    decoding, and very small ones (down to the smallest float) pick greedy's character
    (padding aside, which is never drawn); ``inf`` (uniform noise) and ``nan`` are refused.
    """
    temperature = check_positive_finite("temperature", temperature)
    top_k = check_optional_count("top_k", top_k)
    seed = check_optional_count("seed", seed, minimum=0)
    _check_lengths(max_decoder_seq_length)
    encoder_ids = _sentences("encoder_ids", encoder_ids, encoder_model)
    _start_stop(target_vocab)
    entropy = np.random.SeedSequence().entropy if seed is None else seed
    return _in_chunks(lambda ids: _sample_chunk(
        encoder_model, decoder_model, ids, target_vocab, max_decoder_seq_length, temperature,
        top_k, entropy), encoder_ids, CHUNK_SIZE)


def _sample_chunk(encoder_model: keras.Model, decoder_model: keras.Model,
                  encoder_ids: np.ndarray, target_vocab: Vocabulary,
                  max_decoder_seq_length: int, temperature: float, top_k: int | None,
                  entropy: int) -> list[Decoded]:
    """:func:`sample_decode` of one chunk; ``entropy`` is the call's seed."""
    rngs = [np.random.default_rng([entropy, zlib.crc32(row[row != PAD_INDEX].tobytes())])
            for row in encoder_ids]
    state = encode(encoder_model, encoder_ids)
    step = _stepper(decoder_model)
    batch = len(encoder_ids)
    start, stop = _start_stop(target_vocab)
    tokens = np.full(batch, start, dtype=np.int32)
    out = np.zeros((batch, max_decoder_seq_length + 1), dtype=np.int32)
    finished = np.zeros(batch, dtype=bool)
    for t in range(max_decoder_seq_length + 1):
        probs, state, _ = step(tokens, state)
        p = _sampling_distribution(probs.numpy(), temperature, top_k)
        u = np.array([[rng.random()] for rng in rngs])
        tokens = np.minimum((p.cumsum(axis=-1) < u).sum(axis=-1), p.shape[-1] - 1).astype(np.int32)
        out[:, t] = np.where(finished, PAD_INDEX, tokens)
        finished |= tokens == stop
        if finished.all():
            break
    return [_decoded(target_vocab, row, stopped) for row, stopped in zip(out, finished,
                                                                         strict=True)]


def _sampling_distribution(probs: np.ndarray, temperature: float,
                           top_k: int | None) -> np.ndarray:
    """``softmax(log p / temperature)`` over the ``top_k`` most likely tokens, padding never.
    The most likely token's log-probability is taken away before dividing, so a tiny
    temperature gives it probability 1 (no overflow to ``nan``)."""
    logp = np.log(np.clip(probs.astype(np.float64), 1e-12, 1.0))
    logp[:, PAD_INDEX] = -np.inf  # padding is never a character
    if top_k is not None and top_k < logp.shape[-1]:
        cutoff = np.sort(logp, axis=-1)[:, -top_k][:, None]
        logp = np.where(logp < cutoff, -np.inf, logp)
    with np.errstate(over="ignore"):  # (log p - max) / tiny temperature → -inf: probability 0
        p = np.exp((logp - logp.max(axis=-1, keepdims=True)) / temperature)
    return p / p.sum(axis=-1, keepdims=True)


# --- looking inside: the candidates at every step --------------------------------------------


@dataclass
class Step:
    """One greedy decoding step: the character chosen (as a person reads it, and its id) and
    the top candidates."""

    chosen: str
    probability: float
    candidates: list[tuple[str, float]]
    text_so_far: str
    #: For an attention model: the weight of each source character at this step.
    attention: list[float] | None = None
    #: The id of the chosen token in the target vocabulary (the stop token is this id, never
    #: a look-alike character).
    chosen_id: int = -1


def decoding_steps(encoder_model: keras.Model, decoder_model: keras.Model,
                   encoder_ids: np.ndarray, target_vocab: Vocabulary, *,
                   max_decoder_seq_length: int, top: int = 5) -> list[Step]:
    """Greedy decoding of ONE sentence (``encoder_ids``: ``(1, steps)``), step by step, with
    the ``top`` most probable next characters at each step (for figures and the step-through
    widget). Tokens are shown with :func:`display_token`; the last step is the one that chose
    ``"\\n"`` (``"⏎"``)."""
    _check_lengths(max_decoder_seq_length)
    top = check_count("top", top)
    encoder_ids = _sentences("encoder_ids", np.asarray(encoder_ids).reshape(1, -1),
                             encoder_model)
    start, stop = _start_stop(target_vocab)
    state = encode(encoder_model, encoder_ids)
    step = _stepper(decoder_model)
    token = np.array([start], dtype=np.int32)
    steps: list[Step] = []
    written: list[int] = []
    text = ""
    for _ in range(max_decoder_seq_length + 1):
        probs, state, weights = step(token, state)
        p = probs.numpy()[0]
        order = np.argsort(-p)[:top]
        chosen = int(order[0])
        if chosen != stop:
            written.append(chosen)  # decoded as a whole: word tokens need their spaces
            text = target_vocab.decode(written, stop_at=None, skip=())
        steps.append(Step(display_token(target_vocab, chosen), float(p[chosen]),
                          [(display_token(target_vocab, int(i)), float(p[i])) for i in order],
                          text, None if weights is None else weights.numpy()[0].tolist(),
                          chosen))
        if chosen == stop:
            break
        token = np.array([chosen], dtype=np.int32)
    return steps


def display_token(vocab: Vocabulary, index: int) -> str:
    """A token as a person can read it: ``"⏎"`` for stop, ``"␣"`` for a space, ``"⍽"`` for a
    narrow no-break space, the reserved names for padding and unknown. ``index``: a token id,
    from 0 to ``len(vocab) - 1``."""
    return visible_token(vocab.tokens[check_index("index", index, len(vocab))])


def visible_token(token: str) -> str:
    """``token`` (a character or a word) as a person can read it: ``"⏎"`` for stop, ``"⇥"``
    for start, ``"␣"`` for a space, ``"⍽"`` for a no-break space (narrow or not), any other
    token as it is. :func:`display_token` shows a token id so; the widgets, each character of a
    sentence."""
    return {STOP_TOKEN: "⏎", START_TOKEN: "⇥", " ": "␣", "\u202f": "⍽", "\xa0": "⍽"}.get(
        token, token)


# --- the inference models of any course model ---------------------------------------------


def inference_models_for(model: keras.Model) -> tuple[keras.Model, keras.Model]:
    """The inference models of any course training model (with or without attention; LSTM or
    GRU, characters or words), built once per model and forgotten with it."""
    if not isinstance(model, keras.Model):
        raise TypeError("model must be a keras.Model (a course training model, e.g. "
                        f"translator.model), not {type(model).__name__}")
    return built_for(model, "inference_models", _build_inference_models)


def _build_inference_models(model: keras.Model) -> tuple[keras.Model, keras.Model]:
    """:func:`inference_models_for` without the cache: the builder of the model's family (its
    architecture record names it; :mod:`helpers.architecture` knows who builds each)."""
    return family(architecture_of(model).family).inference_models(model)
