"""Notebook 01's exercises: a word vocabulary, reversed sources, one-hot memory, unknown characters.

Used in: notebooks/01_data_encoding.ipynb (its exercises) and its solutions notebook.

Every check runs on a few toy sentences of its own (never on the corpus), so it takes a moment
and gives the same verdict in both profiles. The toy sentences are not shown: a wrong answer is
told which property fails, not what the right output would be.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from helpers import encoding
from helpers.exercises import (
    Exercise,
    Wrong,
    call,
    expect,
    expect_array,
    expect_number,
    is_blank,
)

SOLUTIONS = "notebooks/solutions/01_data_encoding_solutions.ipynb"

# --- shared toy data ------------------------------------------------------------------------

#: The tokeniser exercise 1.1 hands the learner: a word (``don't`` stays one) or one mark.
WORD = re.compile(r"\w+(?:'\w+)*|[^\w\s]")

#: Exercise 1.1's texts: repeated words, capitals, an apostrophe, punctuation, U+202F.
WORD_TEXTS = ["I don't know, Tom!", "Tom knows.", "I know it.", "Je ne sais pas\u202f!",
              "Tom le sait.", "Je le sais."]

#: Exercise 1.2's inputs: the toy batch of the notebook's section 7.
TOY_INPUTS = ["Hi.", "Run!"]
TOY_FRENCH = ["Salut !", "Cours !"]


def _words(text: str) -> list[str]:
    return WORD.findall(text)


def _word_vocabulary(texts: Sequence[str]) -> list[str]:
    """The reference answer of exercise 1.1."""
    return ["<pad>", "<unk>", *sorted({word for text in texts for word in _words(text)})]


def _as_tokens(answer: Any) -> list[str]:
    """A list of tokens from a list, a tuple or a ``{token: index}`` dict (made in order)."""
    if isinstance(answer, Mapping):
        indices = sorted(answer.values())
        expect(indices == list(range(len(indices))),
               "your function returns a dict whose values are not the indices 0, 1, 2, … in "
               "turn: return the list of tokens")
        return sorted(answer, key=answer.__getitem__)
    tokens = getattr(answer, "tokens", answer)  # a Vocabulary-like object is fine too
    expect(isinstance(tokens, (list, tuple)),
           f"build_word_vocabulary should return a list of tokens, not a {type(answer).__name__}")
    expect(all(isinstance(token, str) for token in tokens), "every token should be a string")
    return list(tokens)


# --- exercise 1.1 ---------------------------------------------------------------------------


def check_word_vocabulary(build_word_vocabulary: Callable[[Sequence[str]], Any]) -> str:
    """Exercise 1.1: ``build_word_vocabulary(texts)`` is ``["<pad>", "<unk>", *sorted words]``."""
    tokens = _as_tokens(call(build_word_vocabulary, list(WORD_TEXTS),
                             what="build_word_vocabulary"))
    expected = _word_vocabulary(WORD_TEXTS)
    expect(tokens[:2] == ["<pad>", "<unk>"],
           "the first two tokens should be '<pad>' and '<unk>', in that order (indices 0 and 1)")
    words = tokens[2:]
    repeated = sorted({word for word in words if words.count(word) > 1})
    if repeated:
        raise Wrong(f"the token {repeated[0]!r} appears more than once; each word should have "
                    "one index")
    wanted = set(expected[2:])
    extra = [word for word in words if word not in wanted]
    if extra:
        if any(word.lower() != word and word.lower() in words for word in wanted):
            raise Wrong("the words are lower-cased: keep them as written ('Tom' and 'tom' "
                        "would be two tokens, as 'T' and 't' are two characters)")
        spaced = [word for word in extra if any(ch.isspace() for ch in word)]
        if spaced:
            raise Wrong(f"the token {spaced[0]!r} holds a space: split every text with words()")
        raise Wrong(f"{len(extra)} token(s) are not words of the texts, e.g. {extra[0]!r}: "
                    "split every text with words() and keep what it returns")
    missing = wanted - set(words)
    if missing and all(not any(ch.isalnum() for ch in word) for word in missing):
        raise Wrong("the punctuation marks are missing: words() returns them as tokens of "
                    "their own, and the vocabulary needs them too")
    if missing:
        raise Wrong(f"{len(missing)} of the texts' {len(wanted)} distinct words are missing "
                    "from the vocabulary: take the words of every text")
    first = next((i for i, (got, want) in enumerate(zip(words, expected[2:], strict=True))
                  if got != want), None)
    expect(first is None, f"the words after '<pad>' and '<unk>' are not sorted: index "
                          f"{(first or 0) + 2} is out of order (use sorted())")
    return ("Run it on input_texts and on the French sentences, and compare the sizes with "
            "the character vocabularies")


q1 = Exercise(
    number="1.1",
    title="A word-level vocabulary",
    difficulty=1,
    minutes=10,
    hints=[
        "Collect the words of every text in a set: `words(text)` splits one text.",
        "A vocabulary is a list whose position is the index: `<pad>` and `<unk>` first, then the "
        "distinct words in `sorted()` order (as `build_vocabulary` does with characters).",
        "`return [\"<pad>\", \"<unk>\", *sorted({w for text in texts for w in words(text)})]`",
    ],
    solution_code='''
def build_word_vocabulary(texts):
    distinct = {word for text in texts for word in words(text)}
    return ["<pad>", "<unk>", *sorted(distinct)]
''',
    checker=check_word_vocabulary,
    solutions_notebook=SOLUTIONS,
)


# --- exercise 1.2 ---------------------------------------------------------------------------


def _reversed_toy_arrays() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(one-hot of the reversed toy inputs, their ids, one-hot of the inputs as written)."""
    vocab = encoding.build_vocabulary(TOY_INPUTS)
    targets = [encoding.add_start_stop(french) for french in TOY_FRENCH]
    target_vocab = encoding.build_vocabulary(targets)
    backwards = [text[::-1] for text in TOY_INPUTS]
    reversed_data, _, _ = encoding.one_hot_arrays(backwards, targets, vocab, target_vocab)
    forwards, _, _ = encoding.one_hot_arrays(TOY_INPUTS, targets, vocab, target_vocab)
    return reversed_data, encoding.encode_sequences(backwards, vocab), forwards


def _array(answer: Any) -> np.ndarray | None:
    """``answer`` as an array, or None if it is a blank or cannot be read as one."""
    if is_blank(answer):
        return None
    try:
        return np.asarray(answer)
    except Exception:
        return None


def check_reversed_sources(encoder_input_data: Any, encoder_ids: Any) -> str:
    """Exercise 1.2: the toy inputs reversed, then padded, one-hot and as integers."""
    one_hot, ids, forwards = _reversed_toy_arrays()
    got = _array(encoder_input_data)
    if got is not None and got.shape == one_hot.shape:
        if np.array_equal(got, forwards):
            raise Wrong("this is encoder_input_data of the inputs as written: reverse each "
                        "text (text[::-1]) before encoding it")
        if np.array_equal(got, forwards[:, ::-1]):
            raise Wrong("the whole padded array was reversed, so the padding of 'Hi.' now "
                        "comes first: reverse each text, then pad it")
    expect_array("encoder_input_data", encoder_input_data, one_hot)
    got_ids = _array(encoder_ids)
    if got_ids is not None and got_ids.ndim == 3:
        raise Wrong("the integer form should be 2-D (sentence, step): one index per step, "
                    "not a one-hot vector")
    expect_array("the integer form", encoder_ids, ids)
    return ("The padding stays at the end, and the first English character is now the last "
            "thing the encoder reads")


q2 = Exercise(
    number="1.2",
    title="Reverse the source sentences",
    difficulty=1,
    minutes=10,
    hints=[
        "`text[::-1]` reverses a string. Reverse the texts first, then encode them: the padding "
        "is added by the encoding.",
        "Reversing does not change which characters occur, so `toy_input_vocab` still fits. "
        "`one_hot_arrays` needs targets too: pass `toy_targets`, and keep its first array.",
        "`reversed_inputs = [text[::-1] for text in toy_inputs]`, then `one_hot_arrays(reversed_"
        "inputs, toy_targets, toy_input_vocab, toy_target_vocab)[0]` and `encode_sequences("
        "reversed_inputs, toy_input_vocab)`.",
    ],
    solution_code='''
reversed_inputs = [text[::-1] for text in toy_inputs]
reversed_encoder_input_data, _, _ = one_hot_arrays(
    reversed_inputs, toy_targets, toy_input_vocab, toy_target_vocab)
reversed_encoder_ids = encode_sequences(reversed_inputs, toy_input_vocab)
''',
    checker=check_reversed_sources,
    solutions_notebook=SOLUTIONS,
)


# --- exercise 1.3 ---------------------------------------------------------------------------

#: Exercise 1.3's pairs: English lengths all different (so the order of a sort is clear), in
#: no particular order, with French lengths that do not follow the English ones.
MEMORY_PAIRS = [("Thank you very much.", "Merci beaucoup."), ("Go.", "Va\u202f!"),
                ("I see it now.", "Je le vois maintenant."), ("Help me!", "Aidez-moi\u202f!"),
                ("It's too late.", "C'est trop tard."), ("Run!", "Courez\u202f!"),
                ("I'm hungry.", "J'ai faim."), ("Hello.", "Bonjour.")]


def _padded_bytes(inputs: Sequence[str], targets: Sequence[str], enc_tokens: int,
                  dec_tokens: int) -> int:
    """The three float32 one-hot arrays, every sentence padded to the longest one."""
    enc_len, dec_len = max(map(len, inputs)), max(map(len, targets))
    return 4 * len(inputs) * (enc_len * enc_tokens + 2 * dec_len * dec_tokens)


def _batched_bytes(inputs: Sequence[str], targets: Sequence[str], enc_tokens: int,
                   dec_tokens: int, batch_size: int, *, key: Callable[[int], Any] | None,
                   drop_last: bool = False) -> int:
    """The same, cut into batches (in ``key`` order, or as given) each padded to its own
    longest sentences; ``drop_last`` leaves out a last, smaller batch."""
    order = sorted(range(len(inputs)), key=key) if key else list(range(len(inputs)))
    total = 0
    for start in range(0, len(order), batch_size):
        batch = order[start:start + batch_size]
        if drop_last and len(batch) < batch_size:
            break
        total += _padded_bytes([inputs[i] for i in batch], [targets[i] for i in batch],
                               enc_tokens, dec_tokens)
    return total


def check_one_hot_memory(one_hot_bytes: Callable[..., Any],
                         bucketed_one_hot_bytes: Callable[..., Any]) -> str:
    """Exercise 1.3: the formula against ``.nbytes``, and the batch-by-batch estimate."""
    inputs = [english for english, _ in MEMORY_PAIRS]
    targets = [encoding.add_start_stop(french) for _, french in MEMORY_PAIRS]
    enc_tokens = len(encoding.build_vocabulary(inputs))
    dec_tokens = len(encoding.build_vocabulary(targets))
    measured = sum(array.nbytes for array in encoding.one_hot_arrays(
        inputs, targets, encoding.build_vocabulary(inputs), encoding.build_vocabulary(targets)))
    got = call(one_hot_bytes, inputs, targets, enc_tokens, dec_tokens, what="one_hot_bytes")
    expect(not (isinstance(got, (int, float, np.number)) and got * 4 == measured),
           "one_hot_bytes counts numbers, not bytes: each float32 takes 4 bytes")
    expect(not (isinstance(got, (int, float, np.number)) and got == measured
                - 4 * len(inputs) * max(map(len, targets)) * dec_tokens),
           "one_hot_bytes counts one decoder array; there are two of that size (decoder input "
           "and decoder target)")
    expect_number("one_hot_bytes (compared with the .nbytes of one_hot_arrays on a few pairs)",
                  got, measured, rtol=0)

    def sweep(**options: Any) -> int:
        return _batched_bytes(inputs, targets, enc_tokens, dec_tokens, 3, **options)

    got = call(bucketed_one_hot_bytes, inputs, targets, enc_tokens, dec_tokens, 3,
               what="bucketed_one_hot_bytes")
    by_length = sweep(key=lambda i: (len(inputs[i]), len(targets[i])))
    if isinstance(got, (int, float, np.number)) and got != by_length:
        expect(got != measured, "bucketed_one_hot_bytes gives the total for every sentence "
                                "padded to the longest: pad each batch only to its own longest")
        expect(got != sweep(key=None), "the batches are cut in the pairs' own order: sort the "
                                       "pairs by length first, so that short ones go together")
        expect(got != sweep(key=lambda i: (len(targets[i]), len(inputs[i]))),
               "the pairs are sorted by the French length first: sort by the English length, "
               "then the French one")
        expect(got != sweep(key=lambda i: (len(inputs[i]), len(targets[i])), drop_last=True),
               "the last batch is missing: it is smaller than batch_size, but it is padded and "
               "stored too")
    expect_number("bucketed_one_hot_bytes (batches of 3 on a few pairs)", got, by_length, rtol=0)
    return "Now run both on the whole corpus: how much does padding each batch on its own save?"


q3 = Exercise(
    number="1.3",
    title="One-hot memory, batch by batch",
    difficulty=2,
    minutes=15,
    hints=[
        "One array holds pairs × longest sentence × tokens float32 numbers, 4 bytes each; there "
        "are three arrays, and the two decoder ones have the same size.",
        "For the batches: sort the pair indices with `key=lambda i: (len(input_texts[i]), "
        "len(target_texts[i]))`, take them `batch_size` at a time (the last batch may be "
        "smaller), and add up `one_hot_bytes` of each batch.",
        "`4 * len(input_texts) * (enc_len * num_encoder_tokens + 2 * dec_len * "
        "num_decoder_tokens)` with `enc_len, dec_len` the longest input and target; the second "
        "function is a loop over `range(0, len(order), batch_size)` that calls the first.",
    ],
    solution_code='''
def one_hot_bytes(input_texts, target_texts, num_encoder_tokens, num_decoder_tokens):
    enc_len, dec_len = max(map(len, input_texts)), max(map(len, target_texts))
    return 4 * len(input_texts) * (enc_len * num_encoder_tokens + 2 * dec_len * num_decoder_tokens)


def bucketed_one_hot_bytes(input_texts, target_texts, num_encoder_tokens, num_decoder_tokens,
                           batch_size=64):
    order = sorted(range(len(input_texts)),
                   key=lambda i: (len(input_texts[i]), len(target_texts[i])))
    total = 0
    for start in range(0, len(order), batch_size):
        batch = order[start:start + batch_size]
        total += one_hot_bytes([input_texts[i] for i in batch], [target_texts[i] for i in batch],
                               num_encoder_tokens, num_decoder_tokens)
    return total
''',
    checker=check_one_hot_memory,
    solutions_notebook=SOLUTIONS,
)


# --- exercise 1.4 ---------------------------------------------------------------------------

#: Exercise 1.4's texts: unknown capitals, an accent twice, U+202F, and known characters.
UNKNOWN_TRAIN = ["Go.", "Hi!", "Run, Tom."]
UNKNOWN_TEST = ["Go!", "Oh, héé?", "Hi, Tom.", "Run\u202f!", "No."]


def _unknown(train_texts: Sequence[str], test_texts: Sequence[str]) -> tuple[dict[str, int], int]:
    """The reference answer of exercise 1.4."""
    vocab = encoding.build_vocabulary(train_texts)
    counts: dict[str, int] = {}
    for text in test_texts:
        for char in text:
            if char not in vocab:
                counts[char] = counts.get(char, 0) + 1
    return counts, sum(1 for text in test_texts if vocab.unknown_characters(text))


def check_unknown_characters(unknown_report: Callable[..., Any]) -> str:
    """Exercise 1.4: ``unknown_report(train_texts, test_texts)`` is ``(counts, sentences)``."""
    counts, sentences = _unknown(UNKNOWN_TRAIN, UNKNOWN_TEST)
    got = call(unknown_report, list(UNKNOWN_TRAIN), list(UNKNOWN_TEST), what="unknown_report")
    expect(isinstance(got, tuple) and len(got) == 2,
           "unknown_report should return two things: (counts, sentences)")
    got_counts, got_sentences = got
    expect(isinstance(got_counts, Mapping),
           f"counts should map each unknown character to how often it occurs (a dict or a "
           f"Counter), not a {type(got_counts).__name__}")
    expect(len(got_counts) > 0, "counts is empty, but some test characters are unknown: build "
                                "the vocabulary from the training texts only")
    known = [char for char in got_counts if char not in counts and got_counts[char]]
    if known:
        raise Wrong(f"counts holds {known[0]!r}, which the training texts contain: count only "
                    "characters the training vocabulary lacks")
    missing = [char for char in counts if not got_counts.get(char)]
    if missing:
        raise Wrong(f"counts misses {len(missing)} of the unknown characters (compare character "
                    "by character: case, accents and special spaces count)")
    if all(got_counts[char] == 1 for char in counts):
        raise Wrong("counts has 1 for every unknown character: count every occurrence, not "
                    "only whether it occurs")
    for char, n in counts.items():
        if got_counts[char] != n:
            side = "too many" if got_counts[char] > n else "too few"
            raise Wrong(f"counts gives {got_counts[char]} for {char!r}, which is {side}")
    if got_sentences == sum(counts.values()):
        raise Wrong("sentences equals the number of unknown characters: count the test "
                    "sentences that hold at least one")
    expect_number("sentences", got_sentences, sentences, rtol=0)
    return "Now run it on the splits of the first NUM_SAMPLES pairs and of the whole corpus"


q4 = Exercise(
    number="1.4",
    title="Unknown characters in held-out data",
    difficulty=2,
    minutes=15,
    hints=[
        "Build one vocabulary from `train_texts` with `build_vocabulary`; a character is "
        "unknown if it is not in its `token_index`.",
        "`collections.Counter` counts every occurrence for you: feed it the unknown characters "
        "of every test text. A sentence counts once, however many unknown characters it has.",
        "`index = build_vocabulary(train_texts).token_index`, then `Counter(c for t in "
        "test_texts for c in t if c not in index)` and `sum(any(c not in index for c in t) for "
        "t in test_texts)`.",
    ],
    solution_code='''
def unknown_report(train_texts, test_texts):
    index = build_vocabulary(train_texts).token_index
    counts = collections.Counter(char for text in test_texts for char in text
                                 if char not in index)
    sentences = sum(1 for text in test_texts if any(char not in index for char in text))
    return counts, sentences
''',
    checker=check_unknown_characters,
    solutions_notebook=SOLUTIONS,
)
