"""Notebook 08's exercises: a correct answer passes each check, a typical wrong one fails it with
a message that says what is wrong without giving the answer away.

The checks read the attention model (``helpers.models.ATTENTION_MODEL``, whatever the course's
default model is) at check time, and so do these tests: nothing here stores what the model
writes, so they hold for a retrained model too.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from helpers import exercises as ex
from helpers import exercises_08 as nb
from helpers import exercises_08_checks as checks
from helpers.translation import TranslationInputError, translate


@pytest.fixture(scope="module")
def model():
    return checks.attention_model()


# --- 8.1 · which English word each French word looks at --------------------------------------


def looks_at(sentence, translation, weights):
    english = [(m.group(), m.start(), m.end()) for m in re.finditer(r"\S+", sentence)]
    pairs = []
    for m in re.finditer(r"\S+", translation):
        per_character = weights[m.start():m.end()].mean(axis=0)
        per_word = [per_character[a:b].sum() for _, a, b in english]
        pairs.append((m.group(), english[int(np.argmax(per_word))][0]))
    return pairs


def test_q1_correct(model) -> None:
    outcome = nb.q1.evaluate(looks_at)
    assert outcome.passed, outcome.message
    for sentence in checks.ATTENTION_SENTENCES:
        assert repr(sentence) in outcome.message  # the note shows what the model does


def test_q1_wrong() -> None:
    def strongest_character(sentence, translation, weights):  # one character, not a word
        english = [(m.group(), m.start(), m.end()) for m in re.finditer(r"\S+", sentence)]
        pairs = []
        for m in re.finditer(r"\S+", translation):
            column = int(np.argmax(weights[m.start():m.end()].mean(axis=0)))
            pairs.append((m.group(), next(w for w, a, b in english if a <= column < b)))
        return pairs

    outcome = nb.q1.evaluate(strongest_character)
    assert outcome.status == ex.WRONG
    assert "on a made-up map" in outcome.message
    assert "for 'voiture' you chose 'a'" in outcome.message
    assert "'car'" not in outcome.message  # the right word is not given away

    def in_english_order(sentence, translation, weights):
        english = sentence.split()
        return [(f, english[min(i, len(english) - 1)])
                for i, f in enumerate(translation.split())]

    outcome = nb.q1.evaluate(in_english_order)
    assert outcome.status == ex.WRONG and "another English word" in outcome.message

    outcome = nb.q1.evaluate(lambda s, t, w: [w for w, _, _ in checks.words(s)])
    assert outcome.status == ex.WRONG and "not a (French word, English word) pair" in (
        outcome.message)


def test_q1_not_attempted() -> None:
    def stub(sentence, translation, weights):
        ...

    assert nb.q1.evaluate(stub).status == ex.NOT_ATTEMPTED
    assert nb.q1.evaluate(...).status == ex.NOT_ATTEMPTED


def test_the_toy_map_is_a_map() -> None:
    weights = checks.toy_map()
    assert weights.shape == (len(checks.TOY_TRANSLATION) + 1, len(checks.TOY_SENTENCE))
    assert np.allclose(weights.sum(axis=1), 1.0)


# --- 8.2 · the least sure step ------------------------------------------------------------------


def weakest_step(steps):
    written = steps[:-1]
    i = int(np.argmin([step.probability for step in written]))
    return i, written[i].candidates[1][0]


def test_q2_correct() -> None:
    outcome = nb.q2.evaluate(weakest_step)
    assert outcome.passed, outcome.message
    assert "came second" in outcome.message


@pytest.mark.parametrize(("answer", "said"), [
    (lambda steps: (int(np.argmin([s.probability for s in steps])),
                    steps[int(np.argmin([s.probability for s in steps]))].candidates[1][0]),
     "is the stop token"),
    (lambda steps: (int(np.argmax([s.probability for s in steps[:-1]])), "x"),
     "more sure of its character than the least sure one"),
    (lambda steps: (weakest_step(steps)[0] + 1, weakest_step(steps)[1]), "one too high"),
    (lambda steps: (weakest_step(steps)[0], steps[weakest_step(steps)[0]].chosen),
     "the character it chose there"),
    (lambda steps: weakest_step(steps)[0], "should return a pair"),
])
def test_q2_wrong(answer, said) -> None:
    outcome = nb.q2.evaluate(answer)
    assert outcome.status == ex.WRONG and said in outcome.message, outcome.message
    assert "'n'" not in outcome.message  # the toy case's runner-up is not given away


# --- 8.3 · a translator that never shows a traceback -----------------------------------------


def test_q3_correct(model) -> None:
    def safe_translate(text):
        try:
            return translate(model, text).text
        except TranslationInputError as error:
            return str(error)

    outcome = nb.q3.evaluate(safe_translate)
    assert outcome.passed, outcome.message


def test_q3_wrong(model) -> None:
    from helpers.translation import EmptyInputError

    def only_empty(text):
        try:
            return translate(model, text).text
        except EmptyInputError as error:
            return str(error)

    outcome = nb.q3.evaluate(only_empty)
    assert outcome.status == ex.WRONG
    assert "raised UnknownInputError" in outcome.message and "Traceback" not in outcome.message

    def catches_everything(text):
        try:
            return translate(model, text).text
        except Exception as error:
            return str(error)

    outcome = nb.q3.evaluate(catches_everything)
    assert outcome.status == ex.WRONG and "Catch TranslationInputError" in outcome.message

    def class_name(text):
        try:
            return translate(model, text).text
        except TranslationInputError as error:
            return type(error).__name__

    outcome = nb.q3.evaluate(class_name)
    assert outcome.status == ex.WRONG and "the error's class name" in outcome.message

    def not_attempted(text):
        ...

    assert nb.q3.evaluate(not_attempted).status == ex.NOT_ATTEMPTED


# --- 8.4 · temperature by hand -------------------------------------------------------------------


def with_temperature(probabilities, temperature):
    p = np.asarray(probabilities, dtype=float) ** (1 / temperature)
    return p / p.sum(axis=-1, keepdims=True)


def test_q4_correct() -> None:
    outcome = nb.q4.evaluate(with_temperature)
    assert outcome.passed, outcome.message

    def softmax_of_logs(probabilities, temperature):  # the other way to write it
        z = np.log(np.clip(np.asarray(probabilities), 1e-300, 1.0)) / temperature
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    assert nb.q4.evaluate(softmax_of_logs).passed


@pytest.mark.parametrize(("answer", "said"), [
    (lambda p, t: np.asarray(p) ** t / (np.asarray(p) ** t).sum(-1, keepdims=True),
     "became less likely"),
    (lambda p, t: (np.asarray(p) / t) / (np.asarray(p) / t).sum(-1, keepdims=True),
     "the distribution unchanged"),
    (lambda p, t: np.asarray(p) ** (1 / t), "not 1: renormalise"),
    (lambda p, t: with_temperature(p, t).ravel(), "should keep the shape"),
    (lambda p, t: np.exp(np.asarray(p) / t) / np.exp(np.asarray(p) / t).sum(-1, keepdims=True),
     "became less likely"),
])
def test_q4_wrong(answer, said) -> None:
    outcome = nb.q4.evaluate(answer)
    assert outcome.status == ex.WRONG and said in outcome.message, outcome.message
    assert "0.907" not in outcome.message


def test_the_reference_temperature_is_what_sampling_uses() -> None:
    """``with_temperature`` is ``helpers.decoding.sample_decode``'s softmax(log p / T)."""
    p = np.array([0.5, 0.3, 0.15, 0.05])
    for t in (0.5, 1.0, 1.5):
        logits = np.log(p) / t
        expected = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
        assert np.allclose(checks.with_temperature(p, t), expected)


# --- 8.5 · a sentence where beam search beats greedy ------------------------------------------

#: Where to look for a sentence on which beam search beats greedy decoding: held-out sentences
#: the model finds hard (the search, not the outcome, is fixed here).
CANDIDATES = ("I hate winter.", "We're a team.", "I love astronomy.", "That's a pity.",
              "I must apologize.", "We wonder why.", "I lost interest.", "Birds sing.",
              "I've been drinking.", "Something happened.", "I took my shoes off.",
              "I feel young.", "The system worked.", "She's fashionable.", "Ignore Tom.")
#: Short everyday sentences, where the two usually agree.
EVERYDAY = ("I am cold.", "Help me.", "He is sad.", "Call me.", "I love it.", "We won.",
            "I'm tired.", "Go away!")


@pytest.fixture(scope="module")
def winner(model) -> tuple[str, str, str]:
    for sentence in CANDIDATES:
        found = nb.beam_beats_greedy(sentence, model)
        if found:
            return sentence, found[0], found[1]
    pytest.fail("beam search beats greedy decoding on none of the candidate sentences")


def test_q5_correct(winner) -> None:
    outcome = nb.q5.evaluate(*winner)
    assert outcome.passed, outcome.message
    assert "beam search found the more probable translation" in outcome.message


def test_q5_wrong(model, winner) -> None:
    sentence, greedy, beam = winner
    outcome = nb.q5.evaluate(sentence, beam, beam)
    assert outcome.status == ex.WRONG and "greedy_text is not what greedy" in outcome.message
    assert greedy not in outcome.message
    outcome = nb.q5.evaluate(sentence, greedy, greedy)
    assert outcome.status == ex.WRONG and "beam_text is not what beam search" in outcome.message
    same = next((s for s in EVERYDAY if translate(model, s).text == translate(
        model, s, mode="beam", beam_width=nb.BEAM_WIDTH).text), None)
    assert same, "beam search and greedy decoding differ on every everyday sentence"
    text = translate(model, same).text
    outcome = nb.q5.evaluate(same, text, text)
    assert outcome.status == ex.WRONG and "write the same translation" in outcome.message
    outcome = nb.q5.evaluate("Привет!", "a", "b")
    assert outcome.status == ex.WRONG and "cannot translate this sentence" in outcome.message
    outcome = nb.q5.evaluate(sentence, 1, beam)
    assert outcome.status == ex.WRONG and "greedy_text should be a str" in outcome.message


def test_q5_not_attempted(winner) -> None:
    assert nb.q5.evaluate(..., ..., ...).status == ex.NOT_ATTEMPTED
    assert nb.q5.evaluate(winner[0], ..., ...).status == ex.NOT_ATTEMPTED


def test_the_score_is_the_one_beam_search_ranks_by(model, winner) -> None:
    """``mean_log_probability`` (teacher forced) agrees with beam search's own scores."""
    from helpers.decoding import beam_search, inference_models_for

    sentence = winner[0]
    encoder_model, decoder_model = inference_models_for(model.model)
    ids = np.array([model.input_vocab.encode(sentence)])
    beams = beam_search(encoder_model, decoder_model, ids, model.target_vocab,
                        beam_width=nb.BEAM_WIDTH,
                        max_decoder_seq_length=model.max_decoder_seq_length, return_all=True)[0]
    for text, score in beams[:2]:
        assert checks.mean_log_probability(model, sentence, text) == pytest.approx(score, abs=1e-3)
