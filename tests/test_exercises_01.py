"""Notebook 01's exercises (``helpers.exercises_01``): a right answer passes, typical wrong
answers fail with a message that says what is wrong without giving the answer away, and a blank
is "not attempted"."""

from __future__ import annotations

import collections
import re

import numpy as np
import pytest

from helpers import encoding
from helpers import exercises as ex
from helpers.exercises_01 import (
    MEMORY_PAIRS,
    TOY_INPUTS,
    UNKNOWN_TEST,
    UNKNOWN_TRAIN,
    WORD_TEXTS,
    q1,
    q2,
    q3,
    q4,
)

WORD = re.compile(r"\w+(?:'\w+)*|[^\w\s]")


def words(text):
    return WORD.findall(text)


def wrong(outcome: ex.Outcome, *said: str) -> None:
    """The outcome is a failure whose message holds every part of ``said``."""
    assert outcome.status == ex.WRONG, outcome
    for part in said:
        assert part in outcome.message, outcome.message


# --- 1.1 a word-level vocabulary ------------------------------------------------------------


def build_word_vocabulary(texts):
    return ["<pad>", "<unk>", *sorted({word for text in texts for word in words(text)})]


def test_q1_correct() -> None:
    assert q1.evaluate(build_word_vocabulary).passed
    # a {token: index} dict in the same order is the same vocabulary
    assert q1.evaluate(lambda texts: {t: i for i, t in enumerate(build_word_vocabulary(texts))}
                       ).passed


@pytest.mark.parametrize(("answer", "said"), [
    (lambda texts: ["<pad>", "<unk>", *sorted({w.lower() for t in texts for w in words(t)})],
     "lower-cased"),
    (lambda texts: ["<pad>", "<unk>", *sorted({w for t in texts for w in t.split()})],
     "are not words of the texts, e.g. 'Tom!'"),
    (lambda texts: ["<pad>", "<unk>", *sorted({w for t in texts for w in words(t)
                                               if w[0].isalnum()})],
     "punctuation marks are missing"),
    (lambda texts: ["<pad>", "<unk>", *dict.fromkeys(w for t in texts for w in words(t))],
     "not sorted"),
    (lambda texts: sorted({w for t in texts for w in words(t)}), "'<pad>' and '<unk>'"),
    (lambda texts: ["<pad>", "<unk>", *[w for t in texts for w in words(t)]],
     "appears more than once"),
    (lambda texts: ["<pad>", "<unk>", *sorted({w for w in words(texts[0])})],
     "distinct words are missing"),
], ids=["lower", "split", "no-punctuation", "unsorted", "no-reserved", "repeats", "one-text"])
def test_q1_wrong(answer, said) -> None:
    outcome = q1.evaluate(answer)
    wrong(outcome, said)
    right = build_word_vocabulary(WORD_TEXTS)
    assert str(right) not in outcome.message and str(right[2:6])[1:-1] not in outcome.message


def test_q1_not_attempted_and_errors() -> None:
    def stub(texts):
        ...  # your code

    assert q1.evaluate(stub).status == ex.NOT_ATTEMPTED
    assert q1.evaluate(...).status == ex.NOT_ATTEMPTED
    wrong(q1.evaluate(lambda texts: texts[99]), "raised IndexError")
    wrong(q1.evaluate(lambda texts: "<pad> <unk>"), "should return a list of tokens, not a str")


# --- 1.2 reversed sources ---------------------------------------------------------------------


def reversed_arrays(inputs=TOY_INPUTS):
    vocab = encoding.build_vocabulary(TOY_INPUTS)
    targets = [encoding.add_start_stop(f) for f in ["Salut !", "Cours !"]]
    backwards = [text[::-1] for text in inputs]
    data, _, _ = encoding.one_hot_arrays(backwards, targets, vocab,
                                         encoding.build_vocabulary(targets))
    return data, encoding.encode_sequences(backwards, vocab)


def test_q2_correct() -> None:
    assert q2.evaluate(*reversed_arrays()).passed
    data, ids = reversed_arrays()
    assert q2.evaluate(data.astype(int).tolist(), ids.tolist()).passed  # plain lists are fine


def test_q2_wrong() -> None:
    data, ids = reversed_arrays()
    forwards, forward_ids = reversed_arrays([text[::-1] for text in TOY_INPUTS])
    wrong(q2.evaluate(forwards, forward_ids), "inputs as written")
    wrong(q2.evaluate(forwards[:, ::-1], forward_ids[:, ::-1]), "padding of 'Hi.' now comes first")
    wrong(q2.evaluate(data, data), "should be 2-D")
    outcome = q2.evaluate(data, forward_ids)
    wrong(outcome, "the integer form differs at", "the first at index (0, 0)")
    assert str(ids.tolist()) not in outcome.message
    wrong(q2.evaluate(data[:1], ids[:1]), "shape (1, 4, 9); it should have shape (2, 4, 9)")


def test_q2_not_attempted() -> None:
    assert q2.evaluate(..., ...).status == ex.NOT_ATTEMPTED
    data, _ = reversed_arrays()
    assert q2.evaluate(data, ...).status == ex.NOT_ATTEMPTED


# --- 1.3 one-hot memory ---------------------------------------------------------------------


def one_hot_bytes(inputs, targets, enc_tokens, dec_tokens):
    enc_len, dec_len = max(map(len, inputs)), max(map(len, targets))
    return 4 * len(inputs) * (enc_len * enc_tokens + 2 * dec_len * dec_tokens)


def bucketed(key=lambda inputs, targets: lambda i: (len(inputs[i]), len(targets[i])),
             drop_last=False):
    def bucketed_one_hot_bytes(inputs, targets, enc_tokens, dec_tokens, batch_size=64):
        order = list(range(len(inputs)))
        if key is not None:
            order.sort(key=key(inputs, targets))
        total = 0
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            if drop_last and len(batch) < batch_size:
                break
            total += one_hot_bytes([inputs[i] for i in batch], [targets[i] for i in batch],
                                   enc_tokens, dec_tokens)
        return total
    return bucketed_one_hot_bytes


def test_q3_correct() -> None:
    assert q3.evaluate(one_hot_bytes, bucketed()).passed
    # sorting by the English length alone gives the same batches (the lengths are distinct)
    assert q3.evaluate(one_hot_bytes, bucketed(key=lambda i, t: lambda k: len(i[k]))).passed


def test_q3_wrong() -> None:
    wrong(q3.evaluate(lambda *a: one_hot_bytes(*a) // 4, bucketed()), "numbers, not bytes")
    one_decoder = lambda i, t, e, d: 4 * len(i) * (max(map(len, i)) * e + max(map(len, t)) * d)  # noqa: E731
    wrong(q3.evaluate(one_decoder, bucketed()), "counts one decoder array")
    wrong(q3.evaluate(one_hot_bytes, bucketed(key=None)), "sort the pairs by length first")
    wrong(q3.evaluate(one_hot_bytes, bucketed(key=lambda i, t: lambda k: (len(t[k]), len(i[k])))),
          "sorted by the French length first")
    wrong(q3.evaluate(one_hot_bytes, bucketed(drop_last=True)), "the last batch is missing")
    wrong(q3.evaluate(one_hot_bytes, lambda i, t, e, d, batch_size=64: one_hot_bytes(i, t, e, d)),
          "padded to the longest")
    outcome = q3.evaluate(lambda *a: one_hot_bytes(*a) + 4, bucketed())
    wrong(outcome, "too high")
    inputs = [english for english, _ in MEMORY_PAIRS]
    targets = [encoding.add_start_stop(french) for _, french in MEMORY_PAIRS]
    right = one_hot_bytes(inputs, targets, len(encoding.build_vocabulary(inputs)),
                          len(encoding.build_vocabulary(targets)))
    assert str(right) not in outcome.message and f"{right:,}" not in outcome.message


def test_q3_not_attempted() -> None:
    def stub(*args):
        ...  # your code

    assert q3.evaluate(stub, stub).status == ex.NOT_ATTEMPTED
    assert q3.evaluate(one_hot_bytes, stub).status == ex.NOT_ATTEMPTED


# --- 1.4 unknown characters ---------------------------------------------------------------


def unknown_report(train_texts, test_texts):
    index = encoding.build_vocabulary(train_texts).token_index
    counts = collections.Counter(c for text in test_texts for c in text if c not in index)
    return counts, sum(1 for text in test_texts if any(c not in index for c in text))


def test_q4_correct() -> None:
    assert q4.evaluate(unknown_report).passed
    assert q4.evaluate(lambda a, b: (dict(unknown_report(a, b)[0]), unknown_report(a, b)[1])
                       ).passed


def test_q4_wrong() -> None:
    def but(change):
        return lambda train, test: change(*unknown_report(train, test))

    wrong(q4.evaluate(but(lambda counts, n: (set(counts), n))), "not a set")
    wrong(q4.evaluate(but(lambda counts, n: ({c: 1 for c in counts}, n))),
          "count every occurrence")
    wrong(q4.evaluate(but(lambda counts, n: (counts, sum(counts.values())))),
          "count the test sentences that hold at least one")
    wrong(q4.evaluate(lambda train, test: unknown_report(test, test)), "training texts only")
    lower = lambda train, test: unknown_report([t.lower() + t.upper() for t in train], test)  # noqa: E731
    wrong(q4.evaluate(lower), "misses")
    wrong(q4.evaluate(lambda train, test: unknown_report(train + ["é"], test)), "misses 1")
    with_known = but(lambda counts, n: ({**counts, "G": 1}, n))
    wrong(q4.evaluate(with_known), "'G', which the training texts contain")
    _, sentences = unknown_report(UNKNOWN_TRAIN, UNKNOWN_TEST)
    outcome = q4.evaluate(but(lambda counts, n: (counts, n + 1)))
    wrong(outcome, "sentences is", "too high")
    assert f"is {sentences}" not in outcome.message
    wrong(q4.evaluate(lambda train, test: unknown_report(train, test)[0]), "two things")


def test_q4_not_attempted() -> None:
    assert q4.evaluate(lambda train, test: None).status == ex.NOT_ATTEMPTED
    assert np.all([q.evaluate().status == ex.NOT_ATTEMPTED for q in (q1, q2, q3, q4)])
