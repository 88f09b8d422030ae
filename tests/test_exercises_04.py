"""Notebook 04's exercises (``helpers.exercises_04``): a correct answer passes each check, and
typical wrong answers fail with a message that says what is wrong without giving the answer."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
import sacrebleu

from helpers import exercises as ex
from helpers.decoding import beam_search, greedy_decode
from helpers.encoding import encode_sequences
from helpers.evaluation import sentence_chrf
from helpers.exercises_04 import q1, q2, q3, q4, q5
from helpers.exercises_04_checks import CHRF_CASES, char_ngrams, chrf_variant, tiny_translator
from helpers.models import inference_models, load_translation_model, save_translation_model


def _wrong(outcome: ex.Outcome, *said: str) -> None:
    assert outcome.status == ex.WRONG, outcome
    for part in said:
        assert part in outcome.message, outcome.message


# --- 4.1 · chrF by hand -------------------------------------------------------------------------


def _chrf(hypothesis, references):
    best = 0.0
    for reference in references:
        precisions, recalls = [], []
        for n in range(1, 7):
            hyp, ref = char_ngrams(hypothesis, n), char_ngrams(reference, n)
            if hyp and ref:
                matches = sum((hyp & ref).values())
                precisions.append(matches / sum(hyp.values()))
                recalls.append(matches / sum(ref.values()))
        if precisions:
            p, r = np.mean(precisions), np.mean(recalls)
            if p + r:
                best = max(best, 100 * 5 * p * r / (4 * p + r))
    return best


def test_q1_correct() -> None:
    assert q1.evaluate(_chrf).passed
    assert q1.evaluate(lambda h, refs: sacrebleu.sentence_chrf(h, refs).score).passed


def test_q1_the_reference_implementation_is_sacrebleus() -> None:
    for hypothesis, references in CHRF_CASES:
        assert chrf_variant(hypothesis, references) == pytest.approx(
            sacrebleu.sentence_chrf(hypothesis, references).score, abs=1e-9)


@pytest.mark.parametrize(("answer", "said"), [
    (lambda h, refs: _chrf(h, refs) / 100, "0–1 scale"),
    (lambda h, refs: chrf_variant(h, refs, spaces=True), "keep the spaces"),
    (lambda h, refs: chrf_variant(h, refs, beta=1.0), "β = 1"),
    (lambda h, refs: chrf_variant(h, refs, swap=True), "swapped"),
    (lambda h, refs: chrf_variant(h, refs, clip=False), "clip the matches"),
    (lambda h, refs: chrf_variant(h, refs, effective=False), "orders with no n-grams"),
    (lambda h, refs: chrf_variant(h, refs, f_per_order=True), "averages the F-scores"),
    (lambda h, refs: _chrf(h, refs[:1]), "first reference only"),
    (lambda h, refs: np.mean([_chrf(h, [r]) for r in refs]), "averages over the references"),
    (lambda h, refs: _chrf(h, refs) + 1.0, "which is too high"),
    (lambda h, refs: f"{_chrf(h, refs):.1f}", "should be a number"),
])
def test_q1_wrong(answer, said) -> None:
    outcome = q1.evaluate(answer)
    _wrong(outcome, said)
    for hypothesis, references in CHRF_CASES[:-1]:
        right = sacrebleu.sentence_chrf(hypothesis, references).score
        assert f"{right:.4f}" not in outcome.message


def test_q1_a_division_by_zero_is_named() -> None:
    def no_guard(hypothesis, references):
        p = r = 0.0 if hypothesis == "xyz" else 0.5
        return 100 * 5 * p * r / (4 * p + r)

    _wrong(q1.evaluate(no_guard), "chrf('xyz', …) raised ZeroDivisionError")


def test_q1_not_attempted() -> None:
    def chrf(hypothesis, references):
        ...  # your code

    assert q1.evaluate(chrf).status == ex.NOT_ATTEMPTED


# --- 4.2 · Save, reload, decode -----------------------------------------------------------------


def _reload(translator, encoder_ids, *, decoder=None):
    path = Path(tempfile.mkdtemp()) / "copy.keras"
    save_translation_model(translator.model, path, input_vocab=translator.input_vocab,
                           target_vocab=translator.target_vocab,
                           max_encoder_seq_length=translator.max_encoder_seq_length,
                           max_decoder_seq_length=translator.max_decoder_seq_length)
    reloaded = load_translation_model(path)
    encoder_model, decoder_model = inference_models(reloaded.model)
    if decoder is not None:
        return decoder(encoder_model, decoder_model, encoder_ids, reloaded)
    return greedy_decode(encoder_model, decoder_model, encoder_ids, reloaded.target_vocab,
                         max_decoder_seq_length=reloaded.max_decoder_seq_length)


def _with_stop(encoder_model, decoder_model, encoder_ids, reloaded):
    """The original loop's strings, "\n" kept (as decode_sequence gives them, faster)."""
    return [text + "\n" for text in greedy_decode(
        encoder_model, decoder_model, encoder_ids, reloaded.target_vocab,
        max_decoder_seq_length=reloaded.max_decoder_seq_length)]


def test_the_tiny_models_outputs_end_with_the_stop_character() -> None:
    """So that a loop's "\n" left on the strings is caught."""
    translator = tiny_translator()
    ids = encode_sequences(["Go.", "Run!", "Hi there.", "Be nice."], translator.input_vocab)
    outputs = greedy_decode(*inference_models(translator.model), ids, translator.target_vocab,
                            max_decoder_seq_length=translator.max_decoder_seq_length)
    assert all(0 < len(o) < translator.max_decoder_seq_length for o in outputs), outputs
    assert len(set(outputs)) > 1, outputs


def _other_model(translator, encoder_ids):
    other = tiny_translator(seed=13)
    return greedy_decode(*inference_models(other.model), encoder_ids, other.target_vocab,
                         max_decoder_seq_length=other.max_decoder_seq_length)


def test_q2_correct() -> None:
    outcome = q2.evaluate(_reload)
    assert outcome.passed, outcome


@pytest.mark.parametrize(("answer", "said"), [
    (lambda t, ids: _reload(t, ids, decoder=_with_stop), "stop character \\n"),
    (_other_model, "differ from the model's before saving"),
    (lambda t, ids: _reload(t, ids)[:2], "returned 2 translations for 4 sentences"),
    (lambda t, ids: t.model.layers[2](ids), "not a"),
    (lambda t, ids: "Va !", "should return a list of strings"),
])
def test_q2_wrong(answer, said) -> None:
    _wrong(q2.evaluate(answer), said)


def test_q2_not_attempted() -> None:
    def decode_after_reload(translator, encoder_ids):
        ...  # your code

    assert q2.evaluate(decode_after_reload).status == ex.NOT_ATTEMPTED


# --- 4.3 · Length penalty and 4.4 · Beam width --------------------------------------------------


@pytest.fixture(scope="module")
def tiny():
    translator = tiny_translator()
    sentences = ["Go.", "Run!", "Hi there.", "Be nice.", "Go there.", "Hi."]
    ids = encode_sequences(sentences, translator.input_vocab)
    return translator, ids, inference_models(translator.model)


def _beams(tiny, **kwargs):
    translator, ids, (encoder_model, decoder_model) = tiny
    return beam_search(encoder_model, decoder_model, ids, translator.target_vocab,
                       max_decoder_seq_length=translator.max_decoder_seq_length, **kwargs)


def _by_length(n, step):
    """Outputs for ``n`` sentences whose length grows by ``step`` per penalty."""
    return {p: ["x" * (5 + int(step * p) + i % 3) for i in range(n)] for p in (0, 0.5, 1, 2)}


def test_q3_correct(tiny) -> None:
    outcome = q3.evaluate({p: _beams(tiny, length_penalty=p) for p in (0.0, 0.5, 1.0, 2.0)})
    assert outcome.passed, outcome
    assert q3.evaluate(_by_length(60, 4)).passed


@pytest.mark.parametrize(("answer", "said"), [
    ({p: v for p, v in _by_length(60, -4).items()}, "is shorter than at 0"),
    (_by_length(60, 0), "the same for every length_penalty"),
    ({0: ["a"], 0.5: ["a"], 1: ["a"]}, "no outputs for length_penalty 2"),
    ({0: ["a"], 0.5: ["a"], 1: ["a"], 2: ["a"], 3: ["a"]}, "not one of length_penalty"),
    ({0: ["a"], 0.5: ["a", "b"], 1: ["a"], 2: ["a"]}, "decode the same sentences"),
    ({0: "a", 0.5: ["a"], 1: ["a"], 2: ["a"]}, "should be the list of output strings"),
    ([["a"], ["a"]], "should be a dict"),
])
def test_q3_wrong(answer, said) -> None:
    _wrong(q3.evaluate(answer), said)


def test_q3_not_attempted() -> None:
    assert q3.evaluate(...).status == ex.NOT_ATTEMPTED
    assert q3.evaluate({0: ..., 0.5: ..., 1: ..., 2: ...}).status == ex.NOT_ATTEMPTED


def test_q4_correct(tiny) -> None:
    translator, ids, (encoder_model, decoder_model) = tiny
    greedy = greedy_decode(encoder_model, decoder_model, ids, translator.target_vocab,
                           max_decoder_seq_length=translator.max_decoder_seq_length)
    outcome = q4.evaluate({k: _beams(tiny, beam_width=k) for k in (1, 2, 4, 8)}, greedy)
    assert outcome.passed, outcome


def _widths(n, *, same=False):
    greedy = [f"g{i}" for i in range(n)]
    return {k: greedy if k == 1 or same else [f"b{k}{i}" for i in range(n)]
            for k in (1, 2, 4, 8)}, greedy


@pytest.mark.parametrize(("answer", "said"), [
    (lambda: (_widths(60)[0], [f"x{i}" for i in range(60)]), "with beam_width=1, 60 of 60"),
    (lambda: _widths(60, same=True), "are greedy decoding's, every one"),
    (lambda: (_widths(60)[0], _widths(59)[1]), "decode the same sentences"),
    (lambda: ({1: ["a"], 2: ["a"], 4: ["a"]}, ["a"]), "no outputs for beam_width 8"),
])
def test_q4_wrong(answer, said) -> None:
    outcome = q4.evaluate(*answer())
    _wrong(outcome, said)


def test_q4_not_attempted() -> None:
    assert q4.evaluate(..., ...).status == ex.NOT_ATTEMPTED
    assert q4.evaluate(_widths(3)[0], ...).status == ex.NOT_ATTEMPTED


# --- 4.5 · N-best lists -------------------------------------------------------------------------


def _closest(all_beams, references):
    return [max(range(len(beams)), key=lambda i, beams=beams, refs=refs:
                sentence_chrf(beams[i][0], refs))
            for beams, refs in zip(all_beams, references, strict=True)]


def test_q5_correct() -> None:
    outcome = q5.evaluate(_closest)
    assert outcome.passed, outcome
    assert q5.evaluate(lambda b, r: np.array(_closest(b, r))).passed


@pytest.mark.parametrize(("answer", "said"), [
    (lambda b, r: [0] * len(b), "picks the first beam every time"),
    (lambda b, r: _closest(b, [refs[:1] for refs in r]), "first reference only"),
    (lambda b, r: [i + 1 for i in _closest(b, r)], "count from 1"),
    (lambda b, r: [len(beams) - 1 - _closest([beams[::-1]], [refs])[0]
                   for beams, refs in zip(b, r, strict=True)], "keep the first"),
    (lambda b, r: [beams[i][0] for beams, i in zip(b, _closest(b, r), strict=True)],
     "returned the text"),
    (lambda b, r: _closest(b, r)[:3], "returned 3 indices for 5 sentences"),
    (lambda b, r: [1, 0, 0, 0, 0], "another beam than the closest for 3 of 5"),
])
def test_q5_wrong(answer, said) -> None:
    outcome = q5.evaluate(answer)
    _wrong(outcome, said)
    assert "[1, 1, 2, 0, 1]" not in outcome.message


def test_q5_not_attempted() -> None:
    assert q5.evaluate(lambda b, r: None).status == ex.NOT_ATTEMPTED
