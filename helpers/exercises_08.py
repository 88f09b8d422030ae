"""The exercises of notebook 08 (the playground), each with its check, hints and solution.

Used in: notebooks/08_translation_playground.ipynb (its exercises) and its solutions notebook.

``q1`` pairs each French word with the English word it looks at most (an attention map read word
by word), ``q2`` finds the step where greedy decoding was least sure and the runner-up there,
``q3`` wraps ``translate`` so that bad input becomes its message, ``q4`` applies a sampling
temperature to a distribution by hand, ``q5`` finds a sentence where beam search writes a more
probable translation than greedy decoding.

Each exercise here is what a learner meets: its title, difficulty, hints and worked solution.
Its check is in :mod:`helpers.exercises_08_checks`; the solutions notebook also reads
:data:`BEAM_WIDTH`, :func:`beam_beats_greedy` and :func:`mean_log_probabilities` from here.
"""

from __future__ import annotations

from helpers.exercises import Exercise
from helpers.exercises_08_checks import (
    BEAM_WIDTH,
    beam_beats_greedy,
    check_beam,
    check_looks_at,
    check_safe_translate,
    check_weakest_step,
    check_with_temperature,
    mean_log_probabilities,
)

SOLUTIONS = "notebooks/solutions/08_translation_playground_solutions.ipynb"
#: The exercises, and what the solutions notebook reads of their checks.
__all__ = ["q1", "q2", "q3", "q4", "q5", "BEAM_WIDTH", "beam_beats_greedy",
           "mean_log_probabilities"]

# --- 8.1 · where the model looks, word by word -------------------------------------------------

q1 = Exercise(
    "8.1", "Which English word each French word looks at", 2, 15,
    hints=(
        "Split both sentences into words with their character positions: "
        "[(m.group(), m.start(), m.end()) for m in re.finditer(r'\\S+', text)]. A French word "
        "owns the rows start:end of weights; an English word owns the columns start:end.",
        "For one French word, weights[start:end].mean(axis=0) is one weight per English "
        "character. Add those up over each English word's columns and take the word with the "
        "largest total (np.argmax): a single strong character is not the whole word.",
        "english = the (word, start, end) list of sentence (hint 1); for each (french, s, e) of "
        "translation: row = weights[s:e].mean(axis=0); totals = [row[a:b].sum() for _, a, b in "
        "english]; append (french, english[int(np.argmax(totals))][0]).",
    ),
    solution_code='''
import re

def looks_at(sentence, translation, weights):
    english = [(m.group(), m.start(), m.end()) for m in re.finditer(r"\\S+", sentence)]
    pairs = []
    for m in re.finditer(r"\\S+", translation):
        per_character = weights[m.start():m.end()].mean(axis=0)
        per_word = [per_character[a:b].sum() for _, a, b in english]
        pairs.append((m.group(), english[int(np.argmax(per_word))][0]))
    return pairs

q1.check(looks_at)
''',
    checker=check_looks_at, solutions_notebook=SOLUTIONS)

# --- 8.2 · the least sure step -----------------------------------------------------------------

q2 = Exercise(
    "8.2", "The least sure step", 2, 10,
    hints=(
        "steps = widgets.StepThrough(attention_model, 'I am cold.').steps (or step_widget.steps) "
        "is a list of decoding steps: step.chosen is the character greedy decoding kept, "
        "step.probability the probability it had, step.candidates the five best (character, "
        "probability) pairs, best first.",
        "The last step chooses the stop token '⏎': it is not a character of the translation, "
        "so leave it out (steps[:-1]). Then np.argmin over the probabilities gives the index.",
        "written = steps[:-1]; i = int(np.argmin([s.probability for s in written])); "
        "return i, written[i].candidates[1][0]",
    ),
    solution_code='''
def weakest_step(steps):
    written = steps[:-1]  # the last step chooses the stop token
    i = int(np.argmin([step.probability for step in written]))
    return i, written[i].candidates[1][0]

q2.check(weakest_step)
''',
    checker=check_weakest_step, solutions_notebook=SOLUTIONS)

# --- 8.3 · bad input becomes a message ---------------------------------------------------------

q3 = Exercise(
    "8.3", "A translator that never shows a traceback", 1, 5,
    hints=(
        "translate raises an EmptyInputError, an UnknownInputError or an InputTooLongError for "
        "bad input, and all three are TranslationInputErrors: one except clause catches them.",
        "try: return translate(attention_model, text).text, then except TranslationInputError as "
        "error: return str(error). Do not catch Exception: a TypeError means the program is "
        "wrong, and should still show.",
    ),
    solution_code='''
def safe_translate(text):
    try:
        return translate(attention_model, text).text
    except TranslationInputError as error:
        return str(error)

q3.check(safe_translate)
''',
    checker=check_safe_translate, solutions_notebook=SOLUTIONS)

# --- 8.4 · temperature by hand -----------------------------------------------------------------

q4 = Exercise(
    "8.4", "Temperature by hand", 2, 10,
    hints=(
        "Sampling at temperature T divides the log-probabilities by T and takes a softmax "
        "again. Work it out on paper: exp(log p / T) is p ** (1 / T).",
        "So: raise the probabilities to the power 1 / T, then divide each row by its sum "
        "(np.sum(..., axis=-1, keepdims=True)) so that it adds up to 1 again. Below 1, T "
        "sharpens the distribution; above 1 it flattens it.",
        "p = np.asarray(probabilities, dtype=float) ** (1 / temperature); "
        "return p / p.sum(axis=-1, keepdims=True)",
    ),
    solution_code='''
def with_temperature(probabilities, temperature):
    p = np.asarray(probabilities, dtype=float) ** (1 / temperature)
    return p / p.sum(axis=-1, keepdims=True)

q4.check(with_temperature)
''',
    checker=check_with_temperature, solutions_notebook=SOLUTIONS)

# --- 8.5 · beam beats greedy -------------------------------------------------------------------

q5 = Exercise(
    "8.5", "A sentence where beam search beats greedy", 2, 15,
    hints=(
        "Translate a list of sentences both ways: greedy = translate(attention_model, "
        f"sentences) and beam = translate(attention_model, sentences, mode='beam', "
        f"beam_width={BEAM_WIDTH}) each "
        "return one Translation per sentence (.text). Keep those whose two texts differ.",
        "Short everyday sentences like those of § 5's table mostly agree. Differences come "
        "where the model is unsure: rarer words, sentences it never saw, longer sentences. Any "
        "English sentence made of characters the model knows will do.",
        "for s, g, b in zip(sentences, translate(attention_model, sentences), "
        f"translate(attention_model, sentences, mode='beam', beam_width={BEAM_WIDTH})): if "
        "g.text != b.text: print(s, "
        "g.text, b.text). Then pass one of them, with its two translations, to q5.check.",
    ),
    solution_code=f'''
candidates = ["I hate winter.", "We're a team.", "I love astronomy.", "That's a pity.",
              "I must apologize.", "We wonder why.", "I lost interest.", "Birds sing."]
greedy = translate(attention_model, candidates)
beam = translate(attention_model, candidates, mode="beam", beam_width={BEAM_WIDTH})
for s, g, b in zip(candidates, greedy, beam):
    if g.text != b.text:  # the first where they differ
        sentence, greedy_text, beam_text = s, g.text, b.text
        break
q5.check(sentence, greedy_text, beam_text)
''',
    checker=check_beam, solutions_notebook=SOLUTIONS)
