"""The checks of notebook 08's exercises (:mod:`helpers.exercises_08`): for each, what a right
answer is, computed here, and what a wrong one is told.

Used in: notebooks/08_translation_playground.ipynb, through the exercises of
:mod:`helpers.exercises_08` (``q1.check(...)`` …), its solutions notebook and its tests.

Every check first runs the learner's function on a small case of its own (no model: a blank
function is "not attempted" at once), then, where the exercise is about the model, on a sentence
through the attention model (:data:`helpers.models.ATTENTION_MODEL`, the LSTM with attention of
notebook 05, whatever the course's default model is: the exercises read characters) as it is at
check time: nothing here stores the model's outputs, so the checks keep working when the model
is retrained.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import numpy as np

from helpers.decoder_step import as_model_input
from helpers.decoding import Step, decoding_steps, inference_models_for
from helpers.encoding import START_TOKEN, STOP_TOKEN
from helpers.exercises import NotAttempted, Wrong, call, expect, is_blank
from helpers.model_files import ATTENTION_MODEL, TranslationModel, load_translation_model
from helpers.translation import TranslationInputError, attention_map, translate

#: The beam width of notebook 08's comparison table, and of exercise 8.5.
BEAM_WIDTH = 4


@cache
def attention_model() -> TranslationModel:
    """The attention model (:data:`helpers.models.ATTENTION_MODEL`: characters, one attention),
    loaded once per process (the checks' reference, as notebook 08's ``attention_model``)."""
    return load_translation_model(ATTENTION_MODEL)


def words(text: str) -> list[tuple[str, int, int]]:
    """The words of ``text`` (runs of non-space characters) as ``(word, start, end)``."""
    return [(m.group(), m.start(), m.end()) for m in re.finditer(r"\S+", text)]


# --- 8.1 · where the model looks, word by word -------------------------------------------------


def looks_at(sentence: str, translation: str, weights: np.ndarray) -> list[tuple[str, str]]:
    """For each French word of ``translation``: the English word of ``sentence`` whose
    characters get the most attention, the rows of the French word's characters averaged
    (``weights``: an attention map, one row per French character and one for the stop token)."""
    english = words(sentence)
    pairs = []
    for french, start, end in words(translation):
        per_character = np.asarray(weights)[start:end].mean(axis=0)
        per_word = [per_character[a:b].sum() for _, a, b in english]
        pairs.append((french, english[int(np.argmax(per_word))][0]))
    return pairs


#: A made-up map for "a red car" → "une voiture rouge": "voiture" puts its single largest weight
#: on the "a" of "a" but more on the word "car" as a whole, and the stop row looks at "red".
TOY_SENTENCE, TOY_TRANSLATION = "a red car", "une voiture rouge"


def toy_map() -> np.ndarray:
    """The attention map of the toy case (rows sum to 1)."""
    source, target = TOY_SENTENCE, TOY_TRANSLATION
    weights = np.full((len(target) + 1, len(source)), 0.01)
    looks = {"une": "a", "voiture": "car", "rouge": "red"}
    for french, start, end in words(target):
        word = next(w for w in words(source) if w[0] == looks[french])
        weights[start:end, word[1]:word[2]] += 0.3
    weights[4:11, 0] += 0.5  # "voiture": one strong character in "a", but "car" wins as a word
    weights[-1, 2:5] += 0.5  # the stop token
    weights[[3, 11], 3] += 0.4  # the spaces between French words
    return weights / weights.sum(axis=1, keepdims=True)


#: Sentences whose French puts an adjective after its noun (checked through the attention model).
ATTENTION_SENTENCES = ("She bought a red dress.", "He has a big black dog.")


def _expect_pairs(where: str, got: Any, sentence: str, translation: str,
                  expected: list[tuple[str, str]]) -> list[tuple[str, str]]:
    if is_blank(got):
        raise NotAttempted
    if not isinstance(got, (list, tuple)):
        raise Wrong(f"{where} should return a list of (French word, English word) pairs, "
                    f"not a {type(got).__name__}")
    if len(got) != len(expected):
        raise Wrong(f"{where} returns {len(got)} pairs; {translation!r} has "
                    f"{len(expected)} French words (split on spaces)")
    english = {w for w, _, _ in words(sentence)}
    pairs = []
    for i, (item, (french, right)) in enumerate(zip(got, expected, strict=True), start=1):
        if not isinstance(item, (list, tuple)) or len(item) != 2:
            raise Wrong(f"{where}: item {i} is {item!r}, not a (French word, English word) pair")
        if item[0] != french:
            raise Wrong(f"{where}: pair {i} starts with {item[0]!r}, but French word {i} of "
                        f"{translation!r} is {french!r} (keep the words as split on spaces, "
                        "punctuation included)")
        if item[1] not in english:
            raise Wrong(f"{where}: pair {i} ({french!r}) names {item[1]!r}, which is not a "
                        f"word of {sentence!r} as split on spaces")
        if item[1] != right:
            raise Wrong(f"{where}: for {french!r} you chose {item[1]!r}, but another English "
                        "word gets more of its attention (add up the weights of each English "
                        "word's characters, averaged over the French word's rows)")
        pairs.append((str(item[0]), str(item[1])))
    return pairs


def check_looks_at(function: Callable[..., Any]) -> str:
    """Exercise 8.1: ``function`` pairs the words of the toy map and of the attention
    model's maps as :func:`looks_at` does, and leaves the weights as it found them."""
    weights = toy_map()
    given = weights.copy()
    got = call(function, TOY_SENTENCE, TOY_TRANSLATION, given, what="looks_at")
    _expect_pairs(f"on a made-up map for {TOY_SENTENCE!r} → {TOY_TRANSLATION!r}, looks_at",
                  got, TOY_SENTENCE, TOY_TRANSLATION,
                  looks_at(TOY_SENTENCE, TOY_TRANSLATION, weights))
    expect(np.array_equal(given, weights), "looks_at changed the weights it was given: read "
                                           "them, do not write into them")
    model = attention_model()
    shown = []
    for sentence in ATTENTION_SENTENCES:
        translation = translate(model, sentence).text
        weights = attention_map(model, sentence, translation)
        got = call(function, sentence, translation, weights, what="looks_at")
        pairs = _expect_pairs(f"for the model's {sentence!r} → {translation!r}, looks_at",
                              got, sentence, translation,
                              looks_at(sentence, translation, weights))
        shown.append(f"{sentence!r} → {translation!r}: "
                     + ", ".join(f"{f} → {e}" for f, e in pairs))
    return "Where the attention model looks, word by word: " + "; ".join(shown)


# --- 8.2 · the least sure step -----------------------------------------------------------------


def weakest_step(steps: Sequence[Step]) -> tuple[int, str]:
    """The index of the step (stop token left out) whose chosen character had the lowest
    probability, and the character ranked second at that step."""
    written = list(steps)[:-1] if steps and steps[-1].chosen == "⏎" else list(steps)
    index = int(np.argmin([step.probability for step in written]))
    return index, written[index].candidates[1][0]


def _toy_step(chosen: str, p: float, second: str, so_far: str) -> Step:
    rest = (1.0 - p) / 4
    candidates = [(chosen, p), (second, rest * 2), ("x", rest), ("y", rest / 2),
                  ("z", rest / 2)]
    return Step(chosen, p, candidates, so_far)


def toy_steps() -> list[Step]:
    """Made-up steps for "Oui." : least sure at index 1 ("u", runner-up "n"), and a stop step
    that is less sure still (it is not a character of the translation)."""
    return [_toy_step("O", 0.9, "N", "O"), _toy_step("u", 0.41, "n", "Ou"),
            _toy_step("i", 0.62, "e", "Oui"), _toy_step(".", 0.8, "!", "Oui."),
            _toy_step("⏎", 0.3, " ", "Oui.")]


#: Sentences the check decodes step by step through the attention model.
STEP_SENTENCES = ("I am cold.", "Help me.")


def _model_steps(sentence: str) -> list[Step]:
    model = attention_model()
    encoder_model, decoder_model = inference_models_for(model.model)
    ids = np.array([model.input_vocab.encode(sentence)])
    return decoding_steps(encoder_model, decoder_model, ids, model.target_vocab,
                          max_decoder_seq_length=model.max_decoder_seq_length)


def _expect_weakest(where: str, got: Any, steps: list[Step]) -> tuple[int, str]:
    if is_blank(got):
        raise NotAttempted
    if not isinstance(got, (list, tuple)) or len(got) != 2:
        raise Wrong(f"{where} should return a pair (step index, runner-up character), not "
                    f"{got!r}")
    index, second = got
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
        raise Wrong(f"{where}: the step index should be an int, not a {type(index).__name__}")
    right, right_second = weakest_step(steps)
    index = int(index)
    if index == len(steps) - 1 and steps[-1].chosen == "⏎":
        raise Wrong(f"{where}: step {index} is the stop token (⏎), which is not a character "
                    "of the translation: leave the last step out")
    if index == right + 1:
        raise Wrong(f"{where}: the index is one too high: count the steps from 0, as "
                    "positions in the list (the widget counts from 1)")
    if not 0 <= index < len(steps):
        raise Wrong(f"{where}: there is no step {index} (the list has {len(steps)} steps)")
    if index != right:
        said = ("more sure of its character than the least sure one: look for the lowest "
                "probability, not the highest" if steps[index].probability >
                steps[right].probability else "not the least sure one")
        raise Wrong(f"{where}: at step {index} the model was {said}")
    if second != right_second:
        which = ("the character it chose there; the runner-up is the next candidate"
                 if second == steps[right].chosen else "not the character ranked second "
                 "at that step (step.candidates, best first)")
        raise Wrong(f"{where}: the step is right, but {second!r} is {which}")
    return index, second


def check_weakest_step(function: Callable[..., Any]) -> str:
    """Exercise 8.2: ``function`` finds :func:`weakest_step`'s step and runner-up in
    :func:`toy_steps` and in the attention model's steps."""
    steps = toy_steps()
    _expect_weakest("on made-up steps for 'Oui.', weakest_step",
                    call(function, list(steps), what="weakest_step"), steps)
    shown = []
    for sentence in STEP_SENTENCES:
        steps = _model_steps(sentence)
        index, second = _expect_weakest(
            f"on the attention model's steps for {sentence!r}, weakest_step",
            call(function, list(steps), what="weakest_step"), steps)
        step = steps[index]
        shown.append(f"for {sentence!r} ({steps[-1].text_so_far!r}) at steps[{index}] (the "
                     f"widget's step {index + 1}): it chose {step.chosen!r} with "
                     f"{step.probability:.0%}, {second!r} came second")
    return "The attention model was least sure " + "; ".join(shown)


# --- 8.3 · bad input becomes a message ---------------------------------------------------------

#: Input that ``translate`` refuses (and one sentence it translates), as notebook 08 § 4 tries.
BAD_INPUTS = ("", "   ", "I am cold 🥶", "Привет!", "I am cold and I want to go home now, " * 9)
GOOD_INPUT = "I am cold."


def safe_translate(text: str) -> str:
    """The greedy translation of ``text``, or the message of the error ``translate`` raises for
    bad input (:class:`~helpers.translation.TranslationInputError`)."""
    try:
        return translate(attention_model(), text).text
    except TranslationInputError as error:
        return str(error)


def _short(text: str) -> str:
    return repr(text if len(text) <= 20 else text[:17] + "...")


def check_safe_translate(function: Callable[..., Any]) -> str:
    """Exercise 8.3: ``function`` returns the message of each error ``translate``
    raises for :data:`BAD_INPUTS`, translates :data:`GOOD_INPUT`, and still raises for a number."""
    call(function, BAD_INPUTS[0], what=f"safe_translate({_short(BAD_INPUTS[0])})")  # blank?
    model = attention_model()
    for text in BAD_INPUTS:
        try:
            translate(model, text)
        except TranslationInputError as error:
            expected, kind = str(error), type(error).__name__
        else:  # a retrained model that reads this: the case tests nothing
            continue
        got = call(function, text, what=f"safe_translate({_short(text)})")
        if not isinstance(got, str):
            raise Wrong(f"safe_translate({_short(text)}) returned a {type(got).__name__}; it "
                        "should return a str")
        if got == kind:
            raise Wrong(f"safe_translate({_short(text)}) returned the error's class name; "
                        "return its message, str(error): the sentence the widgets show")
        expect(got == expected, f"safe_translate({_short(text)}) returned {got!r}, which is "
                                f"not the message of the {kind} that translate raises")
    got = call(function, GOOD_INPUT, what=f"safe_translate({GOOD_INPUT!r})")
    expect(got == translate(model, GOOD_INPUT).text,
           f"safe_translate({GOOD_INPUT!r}) returned {got!r}, which is not the greedy "
           "translation (translate(attention_model, text).text)")
    try:
        got = function(42)
    except TranslationInputError:
        raise Wrong("safe_translate(42) raised a TranslationInputError: a number is not text "
                    "at all") from None
    except Exception:  # any other error: what a program error should do
        pass
    else:
        raise Wrong(f"safe_translate(42) returned {got!r}: a number is a bug in the calling "
                    "program, not bad input, so it should still raise. Catch "
                    "TranslationInputError, not every exception")
    return ("Every bad input became its message, and a program error (a number instead of "
            "text) still raises")


# --- 8.4 · temperature by hand -----------------------------------------------------------------


def with_temperature(probabilities: Any, temperature: float) -> np.ndarray:
    """The distribution sampling draws from at ``temperature``: each row of ``probabilities``
    (last axis) raised to the power 1 / temperature and renormalised, i.e.
    softmax(log p / temperature), as :func:`helpers.decoding.sample_decode` does."""
    p = np.asarray(probabilities, dtype=np.float64) ** (1.0 / float(temperature))
    return p / p.sum(axis=-1, keepdims=True)


#: (probabilities, temperature) the check tries: one row, a batch of rows, a zero probability.
TEMPERATURE_CASES: tuple[tuple[tuple, float], ...] = (
    ((0.7, 0.2, 0.1), 0.5), ((0.7, 0.2, 0.1), 1.5), ((0.7, 0.2, 0.1), 1.0),
    (((0.5, 0.3, 0.2, 0.0), (0.25, 0.25, 0.4, 0.1)), 0.5),
    (((0.6, 0.3, 0.1), (0.1, 0.1, 0.8)), 2.0),
)


def check_with_temperature(function: Callable[..., Any]) -> str:
    """Exercise 8.4: ``function`` gives :func:`with_temperature` of every case of
    :data:`TEMPERATURE_CASES`, and leaves its input as it was."""
    for values, temperature in TEMPERATURE_CASES:
        p = np.array(values, dtype=np.float64)
        given = p.copy()
        where = f"with_temperature({np.round(p, 2).tolist()}, {temperature})"
        got = call(function, given, temperature, what="with_temperature")
        try:
            got = np.asarray(got, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise Wrong(f"{where} cannot be read as an array of numbers") from error
        expect(np.array_equal(given, p), "with_temperature changed the probabilities it was "
                                         "given: compute a new array")
        expect(got.shape == p.shape, f"{where} has shape {got.shape}; it should keep the shape "
                                     f"{p.shape} of the probabilities")
        expect(bool(np.all(np.isfinite(got))), f"{where} holds a value that is not a finite "
                                               "number (a log of 0 left as it is?)")
        sums = got.sum(axis=-1)
        if not np.allclose(sums, 1.0, atol=1e-6):
            row = int(np.argmax(np.abs(sums - 1.0)))
            raise Wrong(f"{where}: a row adds up to {np.atleast_1d(sums)[row]:.3f}, not 1: "
                        "renormalise along the last axis")
        expected = with_temperature(p, temperature)
        top = np.argmax(p, axis=-1)
        got_top = np.take_along_axis(got, top[..., None], axis=-1)
        p_top = np.take_along_axis(p, top[..., None], axis=-1)
        if temperature < 1 and np.all(got_top < p_top - 1e-9):
            raise Wrong(f"{where}: the most likely character became less likely; a "
                        "temperature below 1 should sharpen the distribution (power 1/T, "
                        "not T)")
        if temperature != 1 and np.allclose(got, p, atol=1e-9):
            raise Wrong(f"{where} is the distribution unchanged: dividing probabilities by "
                        "T and renormalising changes nothing; scale the log-probabilities "
                        "(or raise p to the power 1/T)")
        if not np.allclose(got, expected, atol=1e-6, rtol=0):
            wrong = np.argwhere(~np.isclose(got, expected, atol=1e-6, rtol=0))
            raise Wrong(f"{where} differs from p ** (1/T) renormalised at {len(wrong)} of "
                        f"{expected.size} positions, the first at index "
                        f"{tuple(int(i) for i in wrong[0])}")
    sharp = np.round(with_temperature((0.7, 0.2, 0.1), 0.5), 3).tolist()
    flat = np.round(with_temperature((0.7, 0.2, 0.1), 1.5), 3).tolist()
    return (f"[0.7, 0.2, 0.1] becomes {sharp} at T=0.5 and {flat} at T=1.5: the same "
            "ranking, sharper or flatter")


# --- 8.5 · beam beats greedy -------------------------------------------------------------------


def mean_log_probabilities(translator: TranslationModel, sources: Sequence[str],
                           texts: Sequence[str]) -> np.ndarray:
    """The score beam search ranks its beams by, for each pair: the model's log-probability of
    ``texts[i]`` given ``sources[i]``, stop token included, divided by the number of tokens
    (one teacher-forced pass for the whole padded batch; a character model)."""
    vocab, model = translator.target_vocab, translator.model
    enc = [translator.input_vocab.encode(source, on_unknown="unk") for source in sources]
    dec = [vocab.encode(START_TOKEN + text, on_unknown="unk") for text in texts]
    targets = [vocab.encode(text + STOP_TOKEN, on_unknown="unk") for text in texts]
    enc_ids = np.zeros((len(enc), max(map(len, enc))), np.int32)
    dec_ids = np.zeros((len(dec), max(map(len, dec))), np.int32)
    for row, (e, d) in enumerate(zip(enc, dec, strict=True)):
        enc_ids[row, :len(e)], dec_ids[row, :len(d)] = e, d
    probs = np.asarray(model([as_model_input(enc_ids, model),
                              as_model_input(dec_ids, model, index=1)], training=False))
    return np.array([np.mean(np.log(np.clip(probs[row, np.arange(len(t)), t], 1e-12, 1.0)))
                     for row, t in enumerate(targets)])


def mean_log_probability(translator: TranslationModel, source: str, text: str) -> float:
    """:func:`mean_log_probabilities` of one sentence."""
    return float(mean_log_probabilities(translator, [source], [text])[0])


def beam_beats_greedy(sentence: str, translator: TranslationModel | None = None
                      ) -> tuple[str, str, float, float] | None:
    """``(greedy, beam, greedy score, beam score)`` when beam search (width
    :data:`BEAM_WIDTH`) writes another translation of ``sentence`` than greedy decoding and it
    scores higher (:func:`mean_log_probability`); else None."""
    model = translator or attention_model()
    greedy = translate(model, sentence).text
    beam = translate(model, sentence, mode="beam", beam_width=BEAM_WIDTH).text
    if greedy == beam:
        return None
    g, b = mean_log_probabilities(model, [sentence, sentence], [greedy, beam])
    return (greedy, beam, float(g), float(b)) if b > g else None


def check_beam(sentence: Any, greedy_text: Any, beam_text: Any) -> str:
    """Exercise 8.5: ``greedy_text`` and ``beam_text`` are the attention model's two
    translations of ``sentence``; they differ, and beam search's scores higher."""
    for name, value in (("sentence", sentence), ("greedy_text", greedy_text),
                        ("beam_text", beam_text)):
        if is_blank(value):
            raise NotAttempted
        if not isinstance(value, str):
            raise Wrong(f"{name} should be a str, not a {type(value).__name__}")
    model = attention_model()
    try:
        greedy = translate(model, sentence).text
    except TranslationInputError as error:
        raise Wrong(f"the model cannot translate this sentence: {error}") from None
    beam = translate(model, sentence, mode="beam", beam_width=BEAM_WIDTH).text
    expect(greedy_text == greedy, "greedy_text is not what greedy decoding writes for this "
                                  "sentence: copy translate(attention_model, sentence).text")
    expect(beam_text == beam, "beam_text is not what beam search of width "
                              f"{BEAM_WIDTH} writes for this sentence: copy "
                              f"translate(attention_model, sentence, mode='beam', "
                              f"beam_width={BEAM_WIDTH}).text")
    expect(greedy != beam, "for this sentence beam search and greedy decoding write the same "
                           "translation: look for one where they differ (short everyday "
                           "sentences often agree; try harder or rarer ones)")
    g, b = mean_log_probabilities(model, [sentence, sentence], [greedy, beam])
    expect(b > g, "the two differ, but the model does not score beam search's translation "
                  "higher than greedy's here (beam search is not exact: it can drop a beam that "
                  "would have won): try another sentence")
    return (f"The model scores greedy's {greedy!r} {g:.3f} and beam search's {beam!r} {b:.3f} "
            "(mean log-probability per character): beam search found the more probable "
            "translation. Is it the better one?")
