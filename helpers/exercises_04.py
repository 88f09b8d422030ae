"""Notebook 04's exercises, with ``check()``, ``hint()`` and ``solution()``: chrF by hand, decoding
after a save and a reload, the length penalty and the width of beam search, and the beam an
oracle would pick.

Used in: notebooks/04_inference_loop.ipynb (its exercises) and its solutions notebook.

Each exercise here is what a learner meets: its title, difficulty, hints and worked solution.
Its check, what a right answer is and the slips a wrong one is told about, is in
:mod:`helpers.exercises_04_checks`.
"""

from __future__ import annotations

from helpers.exercises import Exercise
from helpers.exercises_04_checks import (
    check_beam_width,
    check_chrf,
    check_closest_beams,
    check_length_penalty,
    check_reload,
)

SOLUTIONS = "notebooks/solutions/04_inference_loop_solutions.ipynb"

# --- 4.1 · chrF by hand ----------------------------------------------------------------------

q1 = Exercise(
    number="4.1",
    title="chrF by hand",
    difficulty=2,
    minutes=20,
    hints=[
        "Start from the worked example's loop: for one reference, the mean precision and the "
        "mean recall over n = 1…6, then F = 5PR / (4P + R) (β = 2), times 100.",
        "Leave out of the two means every order for which the hypothesis or the reference has "
        "no n-gram (a sentence shorter than 6 characters); if no order is left, or P + R is 0, "
        "the score is 0.",
        "Compute that score for every reference and return the largest. Compare with "
        "sacrebleu.sentence_chrf(hypothesis, references).score.",
    ],
    solution_code='''
def chrf(hypothesis, references):
    best = 0.0
    for reference in references:
        precisions, recalls = [], []
        for n in range(1, 7):
            hyp, ref = char_ngrams(hypothesis, n), char_ngrams(reference, n)
            if hyp and ref:  # orders with no n-gram are left out
                matches = sum((hyp & ref).values())
                precisions.append(matches / sum(hyp.values()))
                recalls.append(matches / sum(ref.values()))
        if precisions:
            p, r = np.mean(precisions), np.mean(recalls)
            if p + r:
                best = max(best, 100 * 5 * p * r / (4 * p + r))
    return best


print(chrf(hypothesis, references), sacrebleu.sentence_chrf(hypothesis, references).score)
q1.check(chrf)
''',
    checker=check_chrf,
    solutions_notebook=SOLUTIONS,
)

# --- 4.2 · Save, reload, decode --------------------------------------------------------------

q2 = Exercise(
    number="4.2",
    title="Save, reload, decode",
    difficulty=2,
    minutes=10,
    hints=[
        "Three steps: save_translation_model(translator.model, path, input_vocab=…, "
        "target_vocab=…, max_encoder_seq_length=…, max_decoder_seq_length=…) with path a "
        ".keras file in a temporary folder; load_translation_model(path); then decode.",
        "The reloaded TranslationModel has .model, .target_vocab and .max_decoder_seq_length; "
        "rebuild its inference models with this notebook's inference_models(reloaded.model).",
        "Return greedy_decode(encoder_model, decoder_model, encoder_ids, reloaded.target_vocab, "
        "max_decoder_seq_length=reloaded.max_decoder_seq_length).",
    ],
    solution_code='''
import tempfile
from pathlib import Path

from helpers.models import save_translation_model


def decode_after_reload(translator, encoder_ids):
    path = Path(tempfile.mkdtemp()) / "copy.keras"
    save_translation_model(translator.model, path, input_vocab=translator.input_vocab,
                           target_vocab=translator.target_vocab,
                           max_encoder_seq_length=translator.max_encoder_seq_length,
                           max_decoder_seq_length=translator.max_decoder_seq_length)
    reloaded = load_translation_model(path)
    encoder_again, decoder_again = inference_models(reloaded.model)
    return greedy_decode(encoder_again, decoder_again, encoder_ids, reloaded.target_vocab,
                         max_decoder_seq_length=reloaded.max_decoder_seq_length)


print(decode_after_reload(seed_model, heldout_ids) == greedy_outputs)
q2.check(decode_after_reload)
''',
    checker=check_reload,
    solutions_notebook=SOLUTIONS,
)

# --- 4.3 · Length penalty --------------------------------------------------------------------

q3 = Exercise(
    number="4.3",
    title="Length penalty",
    difficulty=2,
    minutes=15,
    hints=[
        "Call beam_search on heldout_ids with beam_width=BEAM_WIDTH four times, once per "
        "length_penalty, and keep each list of outputs under its penalty.",
        "outputs_by_penalty = {penalty: beam_search(encoder_model, decoder_model, heldout_ids, "
        "target_vocab, beam_width=BEAM_WIDTH, max_decoder_seq_length=max_decoder_seq_length, "
        "length_penalty=penalty) for penalty in (0.0, 0.5, 1.0, 2.0)}",
        "For each penalty print np.mean([len(o) for o in outputs]) and the corpus chrF "
        "(evaluation.corpus_scores(outputs, [test_refs[s] for s in heldout_sources]).chrf).",
    ],
    solution_code='''
references = [test_refs[s] for s in heldout_sources]
outputs_by_penalty = {}
for penalty in (0.0, 0.5, 1.0, 2.0):
    outputs = beam_search(encoder_model, decoder_model, heldout_ids, target_vocab,
                          beam_width=BEAM_WIDTH, max_decoder_seq_length=max_decoder_seq_length,
                          length_penalty=penalty)
    outputs_by_penalty[penalty] = outputs
    print(f"length_penalty {penalty}: mean length {np.mean([len(o) for o in outputs]):.1f}, "
          f"chrF {evaluation.corpus_scores(outputs, references).chrf:.1f}")
q3.check(outputs_by_penalty)
''',
    checker=check_length_penalty,
    solutions_notebook=SOLUTIONS,
)

# --- 4.4 · Beam width ------------------------------------------------------------------------

q4 = Exercise(
    number="4.4",
    title="Beam width",
    difficulty=2,
    minutes=15,
    hints=[
        "Run beam_search on heldout_ids with beam_width 1, 2, 4 and 8 (length_penalty as "
        "default) and time each run with time.perf_counter().",
        "outputs_by_width[k] = beam_search(encoder_model, decoder_model, heldout_ids, "
        "target_vocab, beam_width=k, max_decoder_seq_length=max_decoder_seq_length); print "
        "len(heldout_ids) / seconds and the corpus chrF of each.",
        "q4.check(outputs_by_width, greedy_outputs): greedy_outputs is section 4's greedy "
        "decoding of the same heldout_ids.",
    ],
    solution_code='''
references = [test_refs[s] for s in heldout_sources]
outputs_by_width = {}
for k in (1, 2, 4, 8):
    started = time.perf_counter()
    outputs_by_width[k] = beam_search(encoder_model, decoder_model, heldout_ids, target_vocab,
                                      beam_width=k, max_decoder_seq_length=max_decoder_seq_length)
    seconds = time.perf_counter() - started
    print(f"k={k}: chrF {evaluation.corpus_scores(outputs_by_width[k], references).chrf:.1f}, "
          f"{len(heldout_ids) / seconds:,.0f} sentences/s")
q4.check(outputs_by_width, greedy_outputs)
''',
    checker=check_beam_width,
    solutions_notebook=SOLUTIONS,
)

# --- 4.5 · N-best lists ----------------------------------------------------------------------

q5 = Exercise(
    number="4.5",
    title="N-best lists",
    difficulty=2,
    minutes=15,
    hints=[
        "For one sentence, score each beam's text with evaluation.sentence_chrf(text, "
        "references) and keep the index of the highest score (the first one on a tie).",
        "max(range(len(beams)), key=lambda i: evaluation.sentence_chrf(beams[i][0], refs)) "
        "gives the first of the highest; do it for every (beams, refs) pair.",
        "Then: the share of sentences whose closest beam is 0, and the corpus chrF of the "
        "oracle's picks [beams[i][0] for beams, i in zip(all_beams, picks)] next to that of the "
        "first beams.",
    ],
    solution_code='''
def closest_beams(all_beams, references):
    return [max(range(len(beams)), key=lambda i, beams=beams, refs=refs:
                evaluation.sentence_chrf(beams[i][0], refs))
            for beams, refs in zip(all_beams, references, strict=True)]


references = [test_refs[s] for s in heldout_sources]
picks = closest_beams(beam_all, references)
print(f"the closest beam is the first for {np.mean(np.array(picks) == 0):.0%} of the sentences")
oracle = [beams[i][0] for beams, i in zip(beam_all, picks, strict=True)]
print(evaluation.corpus_scores(beam_outputs, references).chrf,
      evaluation.corpus_scores(oracle, references).chrf)
q5.check(closest_beams)
''',
    checker=check_closest_beams,
    solutions_notebook=SOLUTIONS,
)
