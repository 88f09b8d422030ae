"""The exercises of notebook 06 (variants of the original), each with its check, hints and solution.

Used in: notebooks/06_original_variants.ipynb (its exercises) and its solutions notebook.

``q1`` counts the parameters of the LSTM and GRU models (compared with what Keras counts),
``q2`` measures exposure bias for three schedules (the function against the course's numbers on
a small model with fixed weights, the experiment by what holds for any honest run), ``q3`` repairs
the word detokeniser for times and percentages, ``q4`` counts unknown words for a ``min_count``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import numpy as np

from helpers.encoding import build_word_vocabulary, detokenize_words, tokenize_words
from helpers.exercises import (
    Exercise,
    NotAttempted,
    Wrong,
    call,
    expect,
    expect_number,
    is_blank,
    is_stub,
)

SOLUTIONS = "notebooks/solutions/06_original_variants_solutions.ipynb"

# --- 6.1 · parameters of the LSTM and GRU models -----------------------------------------------

#: (cell, num_encoder_tokens, num_decoder_tokens, latent_dim) the check counts: tiny ones, and
#: the original's width with notebook 06's vocabularies.
PARAMETER_CASES: tuple[tuple[str, int, int, int], ...] = (
    ("lstm", 5, 7, 3), ("gru", 5, 7, 3), ("gru", 10, 12, 4), ("lstm", 71, 93, 256),
    ("gru", 71, 93, 256))


@cache
def keras_parameters(cell: str, num_encoder_tokens: int, num_decoder_tokens: int,
                     latent_dim: int) -> int:
    """What Keras counts for ``build_course_model`` (``cell="lstm"``) or ``build_gru_model``."""
    from helpers.models import build_course_model
    from helpers.variants import build_gru_model

    builder = build_gru_model if cell == "gru" else build_course_model
    return int(builder(num_encoder_tokens, num_decoder_tokens,
                       latent_dim=latent_dim).count_params())


def _check_parameters(count_parameters: Callable[..., Any]) -> str:
    for cell, encoder_tokens, decoder_tokens, latent_dim in PARAMETER_CASES:
        where = (f"count_parameters({cell!r}, {encoder_tokens}, {decoder_tokens}, "
                 f"latent_dim={latent_dim})")
        got = call(count_parameters, cell, encoder_tokens, decoder_tokens, latent_dim,
                   what="count_parameters")
        expect_number(where, got, keras_parameters(cell, encoder_tokens, decoder_tokens,
                                                   latent_dim), rtol=0)
    lstm = [call(count_parameters, "lstm", 71, 93, u) for u in (128, 256)]
    return (f"At the original's latent_dim 256 the baseline of notebook 06 has {lstm[1]:,} "
            f"parameters, {lstm[1] / lstm[0]:.1f} times as many as at 128: the recurrent weights "
            "grow with the square of latent_dim")


q1 = Exercise(
    "6.1", "Parameters at the original's width", 1, 10,
    hints=(
        "Three layers have weights: encoder_lstm/encoder_gru, decoder_lstm/decoder_gru and "
        "decoder_dense. The one-hot layers have none. Add the three counts.",
        "Per recurrent layer with u = latent_dim units reading `inputs` numbers per step: an "
        "LSTM has 4·u·(inputs + u + 1), a GRU 3·u·(inputs + u + 2) (Keras' GRU has two bias "
        "vectors per transform). A Dense layer from u to n has (u + 1)·n.",
        "The encoder reads num_encoder_tokens numbers per step, the decoder num_decoder_tokens; "
        "decoder_dense maps latent_dim to num_decoder_tokens: "
        "gates·u·(num_encoder_tokens + u + b) + gates·u·(num_decoder_tokens + u + b) "
        "+ (u + 1)·num_decoder_tokens.",
    ),
    solution_code='''
def count_parameters(cell, num_encoder_tokens, num_decoder_tokens, latent_dim):
    u = latent_dim
    gates, biases = (4, 1) if cell == "lstm" else (3, 2)
    recurrent = sum(gates * u * (inputs + u + biases)
                    for inputs in (num_encoder_tokens, num_decoder_tokens))
    return recurrent + (u + 1) * num_decoder_tokens

q1.check(count_parameters)
''',
    checker=_check_parameters, solutions_notebook=SOLUTIONS)

# --- 6.2 · how far to schedule -----------------------------------------------------------------

GAP_KEYS = ("teacher_forced", "free_running", "gap")
END_POINTS = (0.0, 0.5, 0.9)


@cache
def _gap_case() -> tuple[Any, np.ndarray, np.ndarray, dict[str, float]]:
    """A small course model with fixed weights, eight padded pairs, and the course's numbers."""
    import keras

    from helpers.models import build_course_model
    from helpers.training import heldout_scores
    from helpers.variants import free_running_scores

    keras.utils.set_random_seed(6)
    model = build_course_model(6, 8, latent_dim=8)
    rng = np.random.default_rng(6)
    encoder_ids = rng.integers(2, 6, (8, 6)).astype(np.int32)
    encoder_ids[4:, 4:] = 0
    decoder_ids = rng.integers(3, 8, (8, 7)).astype(np.int32)
    decoder_ids[:, 0] = 1
    decoder_ids[5:, 5:] = 0
    forced = heldout_scores(model, encoder_ids, decoder_ids)["loss"]
    free = free_running_scores(model, encoder_ids, decoder_ids, teacher_forcing=0.0)["loss"]
    return model, encoder_ids, decoder_ids, {
        "teacher_forced": forced, "free_running": free, "gap": free - forced}


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise Wrong(f"{name} should be a number, but it is a {type(value).__name__}")
    if not math.isfinite(float(value)):
        raise Wrong(f"{name} is {value}, not a finite number")
    return float(value)


def _check_gap_entry(name: str, entry: Any, keys: Sequence[str]) -> dict[str, float]:
    if not isinstance(entry, dict):
        raise Wrong(f"{name} should be a dict, but it is a {type(entry).__name__}")
    if set(entry) != set(keys):
        raise Wrong(f"{name} has the keys {list(entry)}; it should have exactly "
                    f"{list(keys)}")
    values = {key: _number(f"{name}[{key!r}]", entry[key]) for key in keys}
    expect(math.isclose(values["gap"], values["free_running"] - values["teacher_forced"],
                        abs_tol=1e-6),
           f"{name}['gap'] is not free_running minus teacher_forced")
    return values


def _check_schedules(exposure_gap: Callable[..., Any], results: Any) -> str:
    if is_stub(exposure_gap):
        raise NotAttempted  # its body is still ``...``: no need to build the small model
    model, encoder_ids, decoder_ids, expected = _gap_case()
    got = _check_gap_entry("exposure_gap(...)", call(
        exposure_gap, model, encoder_ids, decoder_ids, what="exposure_gap"), GAP_KEYS)
    for key in GAP_KEYS:
        expect_number(f"on a small model with fixed weights, exposure_gap(...)[{key!r}]",
                      got[key], expected[key], rtol=1e-4, atol=1e-5)
    if isinstance(results, dict) and (not results or any(map(is_blank, results.values()))):
        raise NotAttempted
    if not isinstance(results, dict):
        raise Wrong(f"results should be a dict (end point → scores), not a "
                    f"{type(results).__name__}")
    if set(results) != set(END_POINTS):
        raise Wrong(f"results has the end points {list(results)}; it should have exactly "
                    f"{list(END_POINTS)}")
    rows = {end: _check_gap_entry(f"results[{end}]", results[end], (*GAP_KEYS, "chrf"))
            for end in END_POINTS}
    for end, row in rows.items():
        expect(row["teacher_forced"] > 0 and row["free_running"] > 0,
               f"results[{end}] has a loss that is not positive: a cross-entropy is above 0")
        expect(0 <= row["chrf"] <= 100, f"results[{end}]['chrf'] is {row['chrf']}: chrF "
                                        "lies between 0 and 100")
    distinct = {tuple(row.values()) for row in rows.values()}
    expect(len(distinct) == len(END_POINTS),
           "two end points have exactly the same numbers: did each train its own fresh model?")
    smallest = min(rows, key=lambda end: rows[end]["gap"])
    best = max(rows, key=lambda end: rows[end]["chrf"])
    return (f"In your run the gap is smallest when the schedule ends at {smallest} and the chrF "
            f"highest when it ends at {best}")


q2 = Exercise(
    "6.2", "How far to schedule", 2, 20,
    hints=(
        "exposure_gap needs two numbers you have met in this section: heldout_scores (the "
        "teacher-forced masked loss) and variants.free_running_scores (the same loss with the "
        "decoder fed its own predictions). Use their 'loss'.",
        "free_running_scores(model, encoder_ids, decoder_ids, teacher_forcing=0.0) reads only "
        "the model's own predictions. The gap is free-running minus teacher-forced. For each end "
        "point copy the scheduled-sampling cell: a fresh build_course_model, a ScheduledSampling "
        "trainer, a TeacherForcingSchedule(epochs * batches_per_epoch, start=1.0, end=end).",
        "run = variants.train_variant(f'to {end}', trainer, char_data, epochs=4, "
        "sources=sources, references=references, batch_size=BATCH_SIZE, seed=SEED, "
        "callbacks=[schedule], verbose=False); then results[end] = {**exposure_gap(model, "
        "*char_data.arrays['test']), 'chrf': run.rows[-1]['chrf']}.",
    ),
    solution_code='''
def exposure_gap(model, encoder_ids, decoder_ids):
    forced = heldout_scores(model, encoder_ids, decoder_ids)["loss"]
    free = variants.free_running_scores(model, encoder_ids, decoder_ids,
                                        teacher_forcing=0.0)["loss"]
    return {"teacher_forced": forced, "free_running": free, "gap": free - forced}

results = {}
for end in (0.0, 0.5, 0.9):
    keras.utils.set_random_seed(SEED)
    model = build_course_model(num_encoder_tokens, num_decoder_tokens, latent_dim=LATENT_DIM,
                               learning_rate=LEARNING_RATE)
    trainer = ScheduledSampling(model, teacher_forcing=1.0, seed=SEED)
    trainer.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE, clipnorm=1.0))
    schedule = TeacherForcingSchedule(4 * batches_per_epoch, start=1.0, end=end)
    run = variants.train_variant(f"to {end}", trainer, char_data, epochs=4, sources=sources,
                                 references=references, batch_size=BATCH_SIZE, seed=SEED,
                                 callbacks=[schedule], verbose=False)
    results[end] = {**exposure_gap(model, *char_data.arrays["test"]), "chrf": run.rows[-1]["chrf"]}

q2.check(exposure_gap, results)
''',
    checker=_check_schedules, solutions_notebook=SOLUTIONS)

# --- 6.3 · where detokenisation fails ------------------------------------------------------------

#: Sentences with a time or a percentage: they must come back exactly (text, french).
MUST_COME_BACK: tuple[tuple[str, bool], ...] = (
    ("Maintenant, il est 2:30.", True), ("J'en suis sûr à 99%.", True),
    ("Le train part à 10:45 !", True), ("Les prix ont baissé de 20%, pas plus.", True),
    ("It's 2:30.", False), ("I'm 99% sure.", False))
#: Sentences without either: the new rules must write them as detokenize_words does.
MUST_NOT_CHANGE: tuple[tuple[str, bool], ...] = (
    ("Attention : chien méchant !", True), ("Tom a 30 ans : il est vieux.", True),
    ("Voici la liste : 3 pommes.", True), ("Qu'est-ce que c'est ?", True),
    ("Va-t'en !", True), ("J'ai 2 chats ; Tom en a 3.", True), ("Tout le monde à bord!", True),
    ("Note: 3 apples.", False), ("Go!", False), ("I'm cold.", False))


def _check_detokenize(detokenize_words_v2: Callable[..., Any]) -> str:
    for text, french in MUST_COME_BACK:
        got = call(detokenize_words_v2, tokenize_words(text), french=french,
                   what="detokenize_words_v2")
        expect(isinstance(got, str), f"detokenize_words_v2 should return a str, not a "
                                     f"{type(got).__name__}")
        expect(got == text, f"{text!r} does not come back: your function writes {got!r}")
    for text, french in MUST_NOT_CHANGE:
        tokens = tokenize_words(text)
        got = call(detokenize_words_v2, tokens, french=french, what="detokenize_words_v2")
        expect(got == detokenize_words(tokens, french=french),
               f"{text!r} has no time and no percentage, yet your function writes it "
               f"{got!r}, not as detokenize_words does")
    return ("Times and percentages come back, and the sentences without them are written as "
            "before")


q3 = Exercise(
    "6.3", "Times and percentages come back", 2, 15,
    hints=(
        "tokenize_words('il est 2:30.') gives '2', ':', '30', '.': the rule that puts a space "
        "before ':' in French is right for 'Attention :' and wrong between two numbers. Which "
        "tokens around ':' and '%' tell the two cases apart?",
        "Glue ':' to both sides only when the token before it and the token after it are "
        "digits (str.isdigit()); glue '%' when the token before it is a number. Look one token "
        "ahead (tokens[i + 1]) as well as one back.",
        "Add to the `glued` condition of detokenize_words: (token == ':' and previous.isdigit() "
        "and following.isdigit()), (previous == ':' and token.isdigit() and "
        "tokens[i - 2].isdigit()), and (token == '%' and previous.isdigit()).",
    ),
    solution_code='''
def detokenize_words_v2(tokens, *, french=True):
    text = ""
    for i, token in enumerate(tokens):
        previous = tokens[i - 1] if i else ""
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        glued = (i == 0 or previous.endswith(("'", "’")) or previous in ("-", "(")
                 or token in (".", ",", ")", "-", "…")
                 or (not french and token in ("!", "?", ":", ";"))
                 or (token == ":" and previous.isdigit() and following.isdigit())
                 or (previous == ":" and token.isdigit() and i >= 2 and tokens[i - 2].isdigit())
                 or (token == "%" and previous.isdigit()))
        text += token if glued else " " + token
    return text

q3.check(detokenize_words_v2)
''',
    checker=_check_detokenize, solutions_notebook=SOLUTIONS)

# --- 6.4 · unknown words ------------------------------------------------------------------------

#: A tiny corpus: English training sentences and held-out ones, some with words never seen.
TRAIN_SENTENCES: tuple[str, ...] = (
    "I like cats.", "I like dogs.", "Tom likes cats.", "I am cold.", "I am Tom.", "Tom is cold!",
    "We like Tom.")
HELDOUT_SENTENCES: tuple[str, ...] = (
    "I like birds, birds.", "Tom is cold.", "I am.", "We like cats!", "Dogs like cats.")
STATS_KEYS = ("words", "sentences_with_unknown", "unknown_token_share")


def reference_stats(train_sentences: Sequence[str], heldout_sentences: Sequence[str],
                    min_count: int) -> dict[str, float]:
    """What exercise 6.4 asks for, computed with ``helpers.encoding``."""
    vocab = build_word_vocabulary(train_sentences, min_count=min_count)
    tokens = [tokenize_words(s) for s in heldout_sentences]
    unknown = sum(t not in vocab for sentence in tokens for t in sentence)
    return {"words": len(vocab.words),
            "sentences_with_unknown": sum(bool(vocab.unknown_words(t)) for t in tokens),
            "unknown_token_share": unknown / sum(map(len, tokens))}


def _check_stats(unknown_word_stats: Callable[..., Any]) -> str:
    for min_count in (1, 2, 3):
        got = call(unknown_word_stats, list(TRAIN_SENTENCES), list(HELDOUT_SENTENCES), min_count,
                   what="unknown_word_stats")
        where = f"on a tiny corpus with min_count={min_count}"
        if not isinstance(got, dict):
            raise Wrong(f"unknown_word_stats should return a dict, not a {type(got).__name__}")
        if set(got) != set(STATS_KEYS):
            raise Wrong(f"your dict has the keys {list(got)}; it should have exactly "
                        f"{list(STATS_KEYS)}")
        expected = reference_stats(TRAIN_SENTENCES, HELDOUT_SENTENCES, min_count)
        words = _number("words", got["words"])
        expect(words != expected["words"] + 2,
               f"{where}, 'words' counts the two reserved tokens (padding and <unk>) too")
        expect_number(f"{where}, 'words'", got["words"], expected["words"], rtol=0)
        expect_number(f"{where}, 'sentences_with_unknown'", got["sentences_with_unknown"],
                      expected["sentences_with_unknown"], rtol=0)
        share = _number("unknown_token_share", got["unknown_token_share"])
        expect(0 <= share <= 1, f"{where}, 'unknown_token_share' is {share}: a share lies "
                                "between 0 and 1 (not a percentage)")
        expect_number(f"{where}, 'unknown_token_share'", share,
                      expected["unknown_token_share"], rtol=1e-9)
    return None


q4 = Exercise(
    "6.4", "Unknown words for a min_count", 2, 15,
    hints=(
        "build_word_vocabulary(train_sentences, min_count=min_count) keeps the tokens seen at "
        "least min_count times. Its .words are the words without padding and <unk>; "
        "`token in vocab` says whether a token is known.",
        "Tokenise each held-out sentence with tokenize_words. A sentence counts once however "
        "many unknown tokens it has (vocab.unknown_words(tokens) is a list of them); the share "
        "counts every unknown token, repeats included, over all held-out tokens.",
        "vocab = build_word_vocabulary(train, min_count=min_count); tokens = [tokenize_words(s) "
        "for s in heldout]; return {'words': len(vocab.words), 'sentences_with_unknown': "
        "sum(bool(vocab.unknown_words(t)) for t in tokens), 'unknown_token_share': "
        "unknown tokens / all tokens}.",
    ),
    solution_code='''
def unknown_word_stats(train_sentences, heldout_sentences, min_count):
    vocab = build_word_vocabulary(train_sentences, min_count=min_count)
    tokens = [tokenize_words(s) for s in heldout_sentences]
    unknown = sum(t not in vocab for sentence in tokens for t in sentence)
    return {"words": len(vocab.words),
            "sentences_with_unknown": sum(bool(vocab.unknown_words(t)) for t in tokens),
            "unknown_token_share": unknown / sum(map(len, tokens))}

q4.check(unknown_word_stats)
english = [e for e, _ in train_pairs]
for min_count in (1, 2, 3):
    print(min_count, unknown_word_stats(english, sources, min_count))
''',
    checker=_check_stats, solutions_notebook=SOLUTIONS)
