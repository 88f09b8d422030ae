"""The checks of notebook 04's exercises (:mod:`helpers.exercises_04`): for each, what a right
answer is, computed here, and the slips a wrong one is told about.

Used in: notebooks/04_inference_loop.ipynb, through the exercises of
:mod:`helpers.exercises_04` (``q1.check(...)`` …), and its tests.

The checks of functions run them on tiny inputs of their own (a few sentences, an 8-unit model
with weights the check sets itself); the checks of decoded outputs test properties that hold
for any honest run (beam width 1 is greedy decoding; ranked with a larger length penalty, the
same beams never give a shorter output).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import sacrebleu

from helpers.decoding import greedy_decode
from helpers.encoding import add_start_stop, build_vocabulary, encode_sequences
from helpers.evaluation import sentence_chrf
from helpers.exercises import NotAttempted, Wrong, call, expect, expect_number, is_blank
from helpers.model_files import TranslationModel
from helpers.models import build_course_model, inference_models

_NUMBER = (int, float, np.integer, np.floating)

# --- 4.1 · chrF by hand ----------------------------------------------------------------------


def char_ngrams(text: str, n: int, *, spaces: bool = False) -> Counter:
    """The character ``n``-grams of ``text`` with their counts; white space removed first
    unless ``spaces`` (sacrebleu's chrF removes it)."""
    if not spaces:
        text = "".join(text.split())
    return Counter(text[i:i + n] for i in range(len(text) - n + 1))


def chrf_variant(hypothesis: str, references: Sequence[str], *, beta: float = 2.0,
                 spaces: bool = False, clip: bool = True, effective: bool = True,
                 swap: bool = False, f_per_order: bool = False, pick: str = "best",
                 scale: float = 100.0, order: int = 6) -> float:
    """Sentence chrF as sacrebleu computes it (the defaults), or with one of the slips the
    check recognises switched on."""
    scores = []
    for reference in references[:1] if pick == "first" else references:
        precisions, recalls, f_scores = [], [], []
        for n in range(1, order + 1):
            hyp, ref = char_ngrams(hypothesis, n, spaces=spaces), char_ngrams(
                reference, n, spaces=spaces)
            n_hyp = sum(hyp.values()) if ref else 0
            n_ref = sum(ref.values())
            if clip:
                matches = sum((hyp & ref).values())
            else:
                matches = sum(count for gram, count in hyp.items() if gram in ref)
            if n_hyp and n_ref:
                p, r = matches / n_hyp, matches / n_ref
            elif effective:
                continue
            else:
                p = r = 0.0
            precisions.append(p)
            recalls.append(r)
            f_scores.append(_f_score(p, r, beta, swap))
        if not precisions:
            scores.append(0.0)
        elif f_per_order:
            scores.append(scale * float(np.mean(f_scores)))
        else:
            scores.append(scale * _f_score(float(np.mean(precisions)),
                                           float(np.mean(recalls)), beta, swap))
    return float(np.mean(scores)) if pick == "mean" else max(scores)


def _f_score(p: float, r: float, beta: float, swap: bool) -> float:
    if swap:
        p, r = r, p
    factor = beta ** 2
    return (1 + factor) * p * r / (factor * p + r) if p + r else 0.0


#: (hypothesis, references) pairs: the worked example's, one whose best reference is the
#: second, a short one (orders 4–6 have no n-grams), repeated n-grams, and no match at all.
CHRF_CASES: list[tuple[str, list[str]]] = [
    ("Je suis très fatigué.", ["Je suis vraiment fatigué.", "Je suis épuisé."]),
    ("Mille mercis.", ["Merci beaucoup !", "Mille mercis."]),
    ("Ouvrez la porte !", ["Ouvre la porte.", "Ouvrez la porte, s'il vous plaît."]),
    ("Va !", ["Va-t'en !", "Pars !"]),
    ("Sois gentil gentil !", ["Soyez gentil !", "Sois gentille !", "Sois sage."]),
    ("Tom nage.", ["Je lis."]),
    ("xyz", ["Bonjour !"]),
]
_CHRF_SLIPS = [
    ({"scale": 1.0}, "it is on a 0–1 scale; sacrebleu's chrF runs from 0 to 100"),
    ({"spaces": True}, "its n-grams keep the spaces; chrF removes white space before it cuts "
                       "the text into n-grams"),
    ({"beta": 1.0}, "it weighs precision and recall equally (β = 1); chrF uses β = 2, recall "
                    "counting more than precision"),
    ({"swap": True}, "precision and recall are swapped in its F-score: recall is the share of "
                     "the reference's n-grams the hypothesis has"),
    ({"clip": False}, "an n-gram the hypothesis repeats counts as matched more often than the "
                      "reference has it (clip the matches: (hyp & ref) of two Counters)"),
    ({"effective": False}, "for a short sentence it counts the orders with no n-grams as 0; "
                           "chrF leaves them out of the mean precision and recall"),
    ({"f_per_order": True}, "it averages the F-scores of the six orders; chrF averages the "
                            "precisions and the recalls first, then computes one F-score"),
    ({"pick": "first"}, "it scores against the first reference only; chrF takes the "
                        "best-matching reference"),
    ({"pick": "mean"}, "it averages over the references; chrF takes the best-matching one"),
    ({"order": 4}, "it stops at 4-grams; chrF uses character n-grams up to 6"),
]


def check_chrf(chrf: Callable[[str, Sequence[str]], float]) -> str:
    """Exercise 4.1: ``chrf`` on :data:`CHRF_CASES`, against sacrebleu's sentence chrF; a
    known slip (one of :func:`chrf_variant`'s switches) is named."""
    got = {}
    for hypothesis, references in CHRF_CASES:
        value = call(chrf, hypothesis, list(references), what=f"chrf({hypothesis!r}, …)")
        if isinstance(value, bool) or not isinstance(value, _NUMBER):
            raise Wrong(f"chrf({hypothesis!r}, …) should be a number, not a "
                        f"{type(value).__name__}")
        got[hypothesis] = float(value)

    def close(a: float, b: float) -> bool:
        return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-4)

    right = {h: sacrebleu.sentence_chrf(h, refs).score for h, refs in CHRF_CASES}
    wrong = [(h, refs) for h, refs in CHRF_CASES if not close(got[h], right[h])]
    if not wrong:
        return "your chrF gives sacrebleu's score, to four decimals, on every test sentence"
    for change, slip in _CHRF_SLIPS:
        variant = {h: chrf_variant(h, refs, **change) for h, refs in CHRF_CASES}
        if all(close(got[h], variant[h]) for h, _ in CHRF_CASES):
            worst = max(wrong, key=lambda case: abs(got[case[0]] - right[case[0]]))[0]
            raise Wrong(f"chrf({worst!r}, …) is {got[worst]:.4f}: {slip}")
    hypothesis, references = wrong[0]
    expect_number(f"chrf({hypothesis!r}, {references!r})", got[hypothesis], right[hypothesis],
                  rtol=1e-6, atol=1e-4)
    raise Wrong(f"chrf({hypothesis!r}, …) differs from sacrebleu's sentence chrF")


# --- 4.2 · Save, reload, decode --------------------------------------------------------------

_ENGLISH = ["Go.", "Run!", "Hi there.", "Be nice."]
_FRENCH = ["Va !", "Cours !", "Salut !", "Sois gentil !"]
_MAX_DECODER = 12


def tiny_translator(seed: int = 234, scale: float = 1.2) -> TranslationModel:
    """An 8-unit course model with fixed random weights and the vocabularies of four toy
    pairs, as a :class:`~helpers.models.TranslationModel`. Like a trained model it never
    writes padding, ``<unk>`` or the start token; the default weights give different outputs,
    each ended by the stop character before the length limit."""
    input_vocab = build_vocabulary(_ENGLISH)
    target_vocab = build_vocabulary(add_start_stop(f) for f in _FRENCH)
    model = build_course_model(len(input_vocab), len(target_vocab), latent_dim=8)
    rng = np.random.default_rng(seed)
    weights = [rng.normal(0.0, scale, w.shape).astype("float32") for w in model.get_weights()]
    weights[-1][:3] = -20.0  # decoder_dense's bias: no padding, <unk> or start token
    model.set_weights(weights)
    manifest = {"max_encoder_seq_length": max(len(e) for e in _ENGLISH),
                "max_decoder_seq_length": _MAX_DECODER}
    return TranslationModel(model, input_vocab, target_vocab, manifest)


def check_reload(decode_after_reload: Callable[[TranslationModel, np.ndarray], list[str]]
                  ) -> str:
    """Exercise 4.2: ``decode_after_reload`` gives :func:`tiny_translator`'s greedy
    translations after a save and a reload."""
    if is_blank(decode_after_reload):
        raise NotAttempted
    translator = tiny_translator()
    ids = encode_sequences(_ENGLISH, translator.input_vocab)
    got = call(decode_after_reload, translator, ids.copy(), what="decode_after_reload")
    expected = greedy_decode(*inference_models(translator.model), ids, translator.target_vocab,
                             max_decoder_seq_length=_MAX_DECODER)
    expect(isinstance(got, (list, tuple)),
           f"decode_after_reload should return a list of strings, not a {type(got).__name__}")
    expect(len(got) == len(ids), f"decode_after_reload returned {len(got)} translations for "
                                 f"{len(ids)} sentences")
    for i, text in enumerate(got):
        expect(isinstance(text, str),
               f"translation {i} is a {type(text).__name__}, not a string")
    if any(text.endswith("\n") for text in got) and [t.removesuffix("\n") for t in got] == list(
            expected):
        raise Wrong("your translations end with the stop character \\n: greedy_decode drops "
                    "it (the original loop, decode_sequence, keeps it)")
    differ = [i for i, (a, b) in enumerate(zip(got, expected, strict=True)) if a != b]
    expect(not differ, f"{len(differ)} of {len(ids)} translations differ from the model's before "
                       f"saving, the first for sentence {differ[0] if differ else 0}: is it the "
                       "reloaded model that decodes, with greedy decoding?")
    return f"the {len(ids)} translations of a tiny model are the same after a save and a reload"


# --- 4.3 · Length penalty --------------------------------------------------------------------

LENGTH_PENALTIES = (0.0, 0.5, 1.0, 2.0)
BEAM_WIDTHS = (1, 2, 4, 8)
#: With at least this many sentences, an honest run has some output that the setting changes.
_ENOUGH = 50


def _outputs_by(answer: Any, name: str, keys: tuple, label: str) -> dict[Any, list[str]]:
    """``answer`` as ``{key: list of strings}`` with exactly ``keys`` and equal lengths."""
    if is_blank(answer):
        raise NotAttempted
    expect(isinstance(answer, dict), f"{name} should be a dict {{{label}: list of outputs}}, "
                                     f"not a {type(answer).__name__}")
    found: dict[Any, list[str]] = {}
    for key, outputs in answer.items():
        if isinstance(key, bool) or not isinstance(key, _NUMBER):
            raise Wrong(f"{name} has a key {key!r}; its keys should be the values of {label}")
        match = [k for k in keys if math.isclose(float(key), k)]
        expect(bool(match), f"{name} has a key {key!r}, not one of {label} "
                            f"{', '.join(f'{k:g}' for k in keys)}")
        if is_blank(outputs):
            raise NotAttempted
        expect(isinstance(outputs, (list, tuple)) and all(isinstance(o, str) for o in outputs),
               f"{name}[{key!r}] should be the list of output strings beam_search returned")
        found[match[0]] = list(outputs)
    missing = [f"{k:g}" for k in keys if k not in found]
    expect(not missing, f"{name} has no outputs for {label} {', '.join(missing)}")
    sizes = {len(v) for v in found.values()}
    expect(len(sizes) == 1 and 0 not in sizes,
           f"{name} holds lists of {sorted(sizes)} outputs: decode the same sentences each time")
    return found


def check_length_penalty(outputs_by_penalty: Any) -> str:
    """Exercise 4.3: ``outputs_by_penalty`` holds beam search's outputs for each of
    :data:`LENGTH_PENALTIES`, none shorter under a larger penalty."""
    found = _outputs_by(outputs_by_penalty, "outputs_by_penalty", LENGTH_PENALTIES,
                        "length_penalty")
    for low, high in zip(LENGTH_PENALTIES, LENGTH_PENALTIES[1:], strict=False):
        shorter = [i for i, (a, b) in enumerate(zip(found[low], found[high], strict=True))
                   if len(b) < len(a)]
        first = shorter[0] if shorter else 0
        expect(not shorter,
               f"for {len(shorter)} sentences (the first is sentence {first})"
               f" the output at length_penalty {high:g} is shorter than at {low:g}. The penalty "
               "only re-ranks the same finished beams, and a larger one never prefers a shorter "
               "beam: were both decoded from the same sentences, with beam_search's "
               "length_penalty?")
    n = len(found[0.0])
    if n >= _ENOUGH:
        expect(found[0.0] != found[2.0],
               "your outputs are the same for every length_penalty: does the value reach "
               "beam_search(..., length_penalty=...)?")
    mean = {p: np.mean([len(o) for o in found[p]]) for p in LENGTH_PENALTIES}
    return ("mean output length " + ", ".join(f"{mean[p]:.1f}" for p in LENGTH_PENALTIES)
            + " characters from length_penalty 0 to 2")


# --- 4.4 · Beam width ------------------------------------------------------------------------


def check_beam_width(outputs_by_width: Any, greedy_outputs: Any = ...) -> str:
    """Exercise 4.4: ``outputs_by_width`` holds beam search's outputs for each of
    :data:`BEAM_WIDTHS`, width 1 giving ``greedy_outputs``."""
    found = _outputs_by(outputs_by_width, "outputs_by_width", BEAM_WIDTHS, "beam_width")
    if is_blank(greedy_outputs):
        raise NotAttempted
    expect(isinstance(greedy_outputs, (list, tuple)),
           f"greedy_outputs should be the list greedy_decode returned, not a "
           f"{type(greedy_outputs).__name__}")
    n = len(found[1])
    expect(len(greedy_outputs) == n, f"greedy_outputs has {len(greedy_outputs)} outputs and "
                                     f"outputs_by_width[1] {n}: decode the same sentences")
    differ = [i for i, (a, b) in enumerate(zip(found[1], greedy_outputs, strict=True)) if a != b]
    expect(not differ, f"with beam_width=1, {len(differ)} of {n} outputs differ from greedy "
                       f"decoding's (the first: sentence {differ[0] if differ else 0}); one beam "
                       "is greedy decoding: were both decoded from the same sentences?")
    if n >= _ENOUGH:
        same = [k for k in BEAM_WIDTHS[1:] if found[k] == found[1]]
        expect(not same, f"your outputs for beam_width {same[0] if same else 0} are greedy "
                         "decoding's, every one: does the width reach beam_search?")
    changed = {k: sum(a != b for a, b in zip(found[k], found[1], strict=True))
               for k in BEAM_WIDTHS[1:]}
    return ("beam_width 1 is greedy decoding; wider beams change "
            + ", ".join(f"{changed[k]}" for k in BEAM_WIDTHS[1:])
            + f" of the {n} outputs (k = 2, 4, 8)")


# --- 4.5 · N-best lists ----------------------------------------------------------------------

#: Each sentence's beams as beam_search(..., return_all=True) gives them (best first), and its
#: references. The closest beam is not always the first, is sometimes closest to a second
#: reference only, and two beams tie in the last sentence.
NBEST_BEAMS: list[list[tuple[str, float]]] = [
    [("Je suis fatigué.", -0.21), ("Je suis fatiguée.", -0.25), ("Je suis crevé.", -0.31)],
    [("Merci beaucoup !", -0.12), ("Mille mercis.", -0.18)],
    [("Ouvrez les mains !", -0.20), ("Ouvre la porte.", -0.24), ("Ouvrez la porte !", -0.26)],
    [("Va !", -0.10)],
    [("Il pleut.", -0.30), ("Je t'aime.", -0.33), ("Je t'aime.", -0.35)],
]
NBEST_REFERENCES: list[list[str]] = [
    ["Je suis crevée.", "Je suis fatiguée."],
    ["Merci infiniment !", "Mille mercis."],
    ["Ouvrez la porte !", "Ouvre la porte !"],
    ["Va-t'en !"],
    ["Je t'aime !"],
]


def closest_beam_variants(all_beams: Sequence[Sequence[tuple[str, float]]],
                          references: Sequence[Sequence[str]]) -> dict[str, list[int]]:
    """The index of each sentence's closest beam (first on a tie), and the usual slips."""

    def pick(beams: Sequence[tuple[str, float]], refs: Sequence[str], *, reverse: bool = False,
             last: bool = False) -> int:
        scores = [sentence_chrf(text, list(refs)) for text, _ in beams]
        best = min(scores) if reverse else max(scores)
        matching = [i for i, s in enumerate(scores) if s == best]
        return matching[-1] if last else matching[0]

    pairs = list(zip(all_beams, references, strict=True))
    return {
        "closest": [pick(b, r) for b, r in pairs],
        "first reference": [pick(b, r[:1]) for b, r in pairs],
        "furthest": [pick(b, r, reverse=True) for b, r in pairs],
        "last on a tie": [pick(b, r, last=True) for b, r in pairs],
        "from 1": [pick(b, r) + 1 for b, r in pairs],
        "first beam": [0 for _ in pairs],
    }


_NBEST_SLIPS = {
    "first beam": "it picks the first beam every time: the closest beam is the one with the "
                  "highest sentence chrF against the references, whatever the model's score",
    "first reference": "it compares the beams with the first reference only; a beam close to "
                       "any reference counts (sentence_chrf takes the whole list)",
    "furthest": "it picks the beam FURTHEST from the references (the lowest chrF)",
    "last on a tie": "on a tie it picks the last of the closest beams; keep the first",
    "from 1": "its indices count from 1; the first beam is beam 0",
}


def check_closest_beams(closest_beams: Callable[[list, list], list[int]]) -> str:
    """Exercise 4.5: ``closest_beams`` picks each sentence's beam of :data:`NBEST_BEAMS`
    closest to its references (:func:`closest_beam_variants`); a known slip is named."""
    got = call(closest_beams, [list(b) for b in NBEST_BEAMS], [list(r) for r in NBEST_REFERENCES],
               what="closest_beams")
    if isinstance(got, np.ndarray):
        got = got.tolist()
    expect(isinstance(got, (list, tuple)),
           f"closest_beams should return a list of indices, not a {type(got).__name__}")
    expect(len(got) == len(NBEST_BEAMS), f"closest_beams returned {len(got)} indices for "
                                         f"{len(NBEST_BEAMS)} sentences")
    for i, index in enumerate(got):
        if isinstance(index, str):
            raise Wrong(f"closest_beams returned the text {index!r} for sentence {i}; return the "
                        "index of the beam in its list (0 for the first)")
        expect(isinstance(index, (int, np.integer)) and not isinstance(index, bool),
               f"closest_beams returned a {type(index).__name__} for sentence {i}, not an index")
    got = [int(i) for i in got]
    variants = closest_beam_variants(NBEST_BEAMS, NBEST_REFERENCES)
    if got == variants["closest"]:
        return "your picks are the closest beams of the check's test sentences, ties included"
    for key, slip in _NBEST_SLIPS.items():
        if got == variants[key]:
            raise Wrong(f"closest_beams: {slip}")
    differ = [i for i, (a, b) in enumerate(zip(got, variants["closest"], strict=True)) if a != b]
    raise Wrong(f"closest_beams picks another beam than the closest for {len(differ)} of "
                f"{len(got)} test sentences, the first being sentence {differ[0]} "
                f"({NBEST_BEAMS[differ[0]][0][0]!r} …)")
