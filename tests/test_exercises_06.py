"""Notebook 06's exercises: a correct answer passes each check, a typical wrong one fails it with
a message that says what is wrong without giving the answer away."""

from __future__ import annotations

import pytest

from helpers import exercises as ex
from helpers import exercises_06 as nb
from helpers.encoding import build_word_vocabulary, tokenize_words

# --- 6.1 · parameters -----------------------------------------------------------------------


def count_parameters(cell, num_encoder_tokens, num_decoder_tokens, latent_dim):
    u = latent_dim
    gates, biases = (4, 1) if cell == "lstm" else (3, 2)
    recurrent = sum(gates * u * (inputs + u + biases)
                    for inputs in (num_encoder_tokens, num_decoder_tokens))
    return recurrent + (u + 1) * num_decoder_tokens


def test_q1_correct() -> None:
    outcome = nb.q1.evaluate(count_parameters)
    assert outcome.passed, outcome.message
    assert "3.1 times as many" in outcome.message


def test_q1_wrong() -> None:
    def one_gru_bias(cell, e, d, u):  # the GRU counted with one bias vector, as the LSTM
        gates = 4 if cell == "lstm" else 3
        return sum(gates * u * (n + u + 1) for n in (e, d)) + (u + 1) * d

    outcome = nb.q1.evaluate(one_gru_bias)
    assert outcome.status == ex.WRONG
    assert "count_parameters('gru', 5, 7, latent_dim=3) is" in outcome.message
    assert "too low" in outcome.message
    assert str(nb.keras_parameters("gru", 5, 7, 3)) not in outcome.message

    def no_dense(cell, e, d, u):
        return count_parameters(cell, e, d, u) - (u + 1) * d

    outcome = nb.q1.evaluate(no_dense)
    assert outcome.status == ex.WRONG and "'lstm', 5, 7" in outcome.message


def test_q1_not_attempted() -> None:
    def stub(cell, e, d, u):
        ...

    assert nb.q1.evaluate(stub).status == ex.NOT_ATTEMPTED
    assert nb.q1.evaluate(...).status == ex.NOT_ATTEMPTED


# --- 6.2 · how far to schedule ----------------------------------------------------------------


def exposure_gap(model, encoder_ids, decoder_ids):
    from helpers.training import heldout_scores
    from helpers.variants import free_running_scores

    forced = heldout_scores(model, encoder_ids, decoder_ids)["loss"]
    free = free_running_scores(model, encoder_ids, decoder_ids, teacher_forcing=0.0)["loss"]
    return {"teacher_forced": forced, "free_running": free, "gap": free - forced}


def results(**changes):
    rows = {0.0: (2.5, 2.9, 5.5), 0.5: (2.2, 3.0, 9.0), 0.9: (2.0, 3.4, 9.7)}
    out = {end: {"teacher_forced": f, "free_running": r, "gap": r - f, "chrf": c}
           for end, (f, r, c) in rows.items()}
    out.update(changes)
    return out


def test_q2_correct() -> None:
    outcome = nb.q2.evaluate(exposure_gap, results())
    assert outcome.passed, outcome.message
    assert "smallest when the schedule ends at 0.0" in outcome.message
    assert "highest when it ends at 0.9" in outcome.message


def test_q2_wrong() -> None:
    def forced_minus_free(model, encoder_ids, decoder_ids):
        right = exposure_gap(model, encoder_ids, decoder_ids)
        return {**right, "gap": -right["gap"]}

    outcome = nb.q2.evaluate(forced_minus_free, results())
    assert outcome.status == ex.WRONG
    assert "['gap'] is not free_running minus teacher_forced" in outcome.message

    def still_teacher_forced(model, encoder_ids, decoder_ids):
        from helpers.training import heldout_scores
        from helpers.variants import free_running_scores

        forced = heldout_scores(model, encoder_ids, decoder_ids)["loss"]
        free = free_running_scores(model, encoder_ids, decoder_ids, teacher_forcing=1.0)["loss"]
        return {"teacher_forced": forced, "free_running": free, "gap": free - forced}

    outcome = nb.q2.evaluate(still_teacher_forced, results())
    assert outcome.status == ex.WRONG
    assert "exposure_gap(...)['free_running'] is" in outcome.message
    expected = nb._gap_case()[3]["free_running"]
    assert f"{expected:.4f}" not in outcome.message

    same = results()[0.5]
    outcome = nb.q2.evaluate(exposure_gap, results(**{"0.9": same}) | {0.9: same})
    assert outcome.status == ex.WRONG and "end points" in outcome.message
    outcome = nb.q2.evaluate(exposure_gap, {**results(), 0.9: dict(same)})
    assert outcome.status == ex.WRONG and "exactly the same numbers" in outcome.message
    outcome = nb.q2.evaluate(exposure_gap, {k: v for k, v in results().items() if k != 0.9})
    assert outcome.status == ex.WRONG and "should have exactly [0.0, 0.5, 0.9]" in outcome.message


def test_q2_not_attempted() -> None:
    def stub(model, encoder_ids, decoder_ids):
        ...

    assert nb.q2.evaluate(stub, {}).status == ex.NOT_ATTEMPTED
    assert nb.q2.evaluate(exposure_gap, {}).status == ex.NOT_ATTEMPTED
    blank = {end: ... for end in (0.0, 0.5, 0.9)}  # the exercise cell as committed
    assert nb.q2.evaluate(stub, blank).status == ex.NOT_ATTEMPTED
    assert nb.q2.evaluate(exposure_gap, blank).status == ex.NOT_ATTEMPTED


# --- 6.3 · times and percentages --------------------------------------------------------------


def solution_namespace(exercise) -> dict:
    """The names the exercise's shown solution defines (its code run, its check included)."""
    namespace = {"q3": exercise}
    exec(exercise.solution_code, namespace)
    return namespace


def test_q3_correct() -> None:
    assert nb.q3.evaluate(solution_namespace(nb.q3)["detokenize_words_v2"]).passed


def test_q3_wrong() -> None:
    from helpers.encoding import detokenize_words

    outcome = nb.q3.evaluate(detokenize_words)  # the old rules: times are split
    assert outcome.status == ex.WRONG
    assert outcome.message.endswith("'Maintenant, il est 2:30.' does not come back: your function "
                                    "writes 'Maintenant, il est 2 : 30.'")

    def glue_every_colon(tokens, *, french=True):  # brings times back, breaks "Attention :"
        text = ""
        for i, token in enumerate(tokens):
            previous = tokens[i - 1] if i else ""
            glued = (i == 0 or previous.endswith(("'", "’")) or previous in ("-", "(", ":")
                     or token in (".", ",", ")", "-", "…", ":", "%")
                     or (not french and token in ("!", "?", ";")))
            text += token if glued else " " + token
        return text

    outcome = nb.q3.evaluate(glue_every_colon)
    assert outcome.status == ex.WRONG
    assert "'Attention : chien méchant !' has no time and no percentage" in outcome.message


def test_q3_not_attempted() -> None:
    def stub(tokens, *, french=True):
        ...

    assert nb.q3.evaluate(stub).status == ex.NOT_ATTEMPTED


# --- 6.4 · unknown words ----------------------------------------------------------------------


def unknown_word_stats(train_sentences, heldout_sentences, min_count):
    vocab = build_word_vocabulary(train_sentences, min_count=min_count)
    tokens = [tokenize_words(s) for s in heldout_sentences]
    unknown = sum(t not in vocab for sentence in tokens for t in sentence)
    return {"words": len(vocab.words),
            "sentences_with_unknown": sum(bool(vocab.unknown_words(t)) for t in tokens),
            "unknown_token_share": unknown / sum(map(len, tokens))}


def test_q4_correct() -> None:
    assert nb.q4.evaluate(unknown_word_stats).passed


@pytest.mark.parametrize(("change", "said"), [
    (lambda s, v, tokens: {**s, "words": len(v)}, "counts the two reserved tokens"),
    (lambda s, v, tokens: {**s, "unknown_token_share": 100 * s["unknown_token_share"]},
     "a share lies between 0 and 1"),
    (lambda s, v, tokens: {**s, "unknown_token_share": sum(len(v.unknown_words(t)) for t in tokens)
                           / sum(map(len, tokens))},  # distinct unknown words, not tokens
     "min_count=1, 'unknown_token_share' is 0.142857142857142"),
    (lambda s, v, tokens: {k: s[k] for k in ("words", "sentences_with_unknown")},
     "it should have exactly ['words', 'sentences_with_unknown', 'unknown_token_share']"),
])
def test_q4_wrong(change, said) -> None:
    def wrong(train_sentences, heldout_sentences, min_count):
        vocab = build_word_vocabulary(train_sentences, min_count=min_count)
        tokens = [tokenize_words(s) for s in heldout_sentences]
        return change(unknown_word_stats(train_sentences, heldout_sentences, min_count), vocab,
                      tokens)

    outcome = nb.q4.evaluate(wrong)
    assert outcome.status == ex.WRONG and said in outcome.message, outcome.message
    assert "0.190476" not in outcome.message  # the right share at min_count 1


def test_q4_min_count_off_by_one() -> None:
    def more_than(train_sentences, heldout_sentences, min_count):
        return unknown_word_stats(train_sentences, heldout_sentences, min_count + 1)

    outcome = nb.q4.evaluate(more_than)
    assert outcome.status == ex.WRONG
    assert "min_count=1, 'words' is 7, which is too low" in outcome.message
