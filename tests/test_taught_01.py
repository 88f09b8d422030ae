"""Notebook 01 writes out the encoding helpers in full; its versions must agree with
``helpers.encoding`` on small inputs (tokens, indices, arrays, dtypes, decoded texts)."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import encoding
from tests.notebook_tools import taught

# A tiny fixture of our own: punctuation, an apostrophe, accents, U+202F and U+00A0 before
# French punctuation, and sentences of different lengths (so that padding is exercised).
ENGLISH = ["Hi.", "Stop it!", "Is it cold?", "We're late, sorry.", "Ok."]
FRENCH = [
    "Salut\u202f!",
    "Arrête\u202f!",
    "Fait-il froid\u00a0?",
    "Nous sommes en retard, désolé.",
    "D'accord.",
]
TARGETS = ["\t" + text + "\n" for text in FRENCH]


def both_vocabularies(texts):
    return taught("helpers.encoding.build_vocabulary")(texts), encoding.build_vocabulary(texts)


def test_fixture_exercises_padding_and_special_spaces() -> None:
    assert len({len(text) for text in ENGLISH}) > 1 and len({len(text) for text in TARGETS}) > 1
    assert any("\u202f" in text for text in FRENCH) and any("\u00a0" in text for text in FRENCH)


@pytest.mark.parametrize("texts", [ENGLISH, TARGETS, ["b", "a", "b"]],
                         ids=["english", "targets", "tiny"])
def test_build_vocabulary_agrees(texts) -> None:
    mine, theirs = both_vocabularies(texts)
    assert tuple(mine.tokens) == theirs.tokens
    assert mine.token_index == theirs.token_index
    assert len(mine) == len(theirs)
    # the order of the texts must not matter
    reordered, _ = both_vocabularies(list(reversed(texts)))
    assert tuple(reordered.tokens) == theirs.tokens


def test_one_hot_arrays_agrees() -> None:
    mine_in, theirs_in = both_vocabularies(ENGLISH)
    mine_out, theirs_out = both_vocabularies(TARGETS)
    got = taught("helpers.encoding.one_hot_arrays")(ENGLISH, TARGETS, mine_in, mine_out)
    want = encoding.one_hot_arrays(ENGLISH, TARGETS, theirs_in, theirs_out)
    assert len(got) == 3
    for name, g, w in zip(["encoder_input", "decoder_input", "decoder_target"], got, want,
                          strict=True):
        assert g.dtype == w.dtype, name
        assert g.shape == w.shape, name
        assert np.array_equal(g, w), name
    # the fixture really has padding rows (all zero) and real rows (exactly one 1)
    assert (want[0].sum(axis=-1) == 0).any() and (want[1].sum(axis=-1) == 0).any()


def test_one_hot_arrays_accepts_helpers_vocabularies() -> None:
    _, theirs_in = both_vocabularies(ENGLISH)
    _, theirs_out = both_vocabularies(TARGETS)
    got = taught("helpers.encoding.one_hot_arrays")(ENGLISH[:2], TARGETS[:2], theirs_in, theirs_out)
    want = encoding.one_hot_arrays(ENGLISH[:2], TARGETS[:2], theirs_in, theirs_out)
    assert all(np.array_equal(g, w) and g.dtype == w.dtype for g, w in zip(got, want, strict=True))


@pytest.mark.parametrize("max_len", [None, 40])
def test_encode_sequences_agrees(max_len) -> None:
    mine_encode = taught("helpers.encoding.encode_sequences")
    for texts in (ENGLISH, TARGETS):
        mine, theirs = both_vocabularies(texts)
        got = mine_encode(texts, mine, max_len=max_len)
        want = encoding.encode_sequences(texts, theirs, max_len=max_len)
        assert got.dtype == want.dtype == np.int32
        assert np.array_equal(got, want)
        assert (want == encoding.PAD_INDEX).any()  # padding is exercised


def test_encode_sequences_unknown_characters_agree() -> None:
    mine_encode = taught("helpers.encoding.encode_sequences")
    mine, theirs = both_vocabularies(ENGLISH)
    strange = ["Hi \u2665!", "Zoë?"]
    got = mine_encode(strange, mine, on_unknown="unk")
    want = encoding.encode_sequences(strange, theirs, on_unknown="unk")
    assert np.array_equal(got, want) and got.dtype == want.dtype
    assert (want == encoding.UNK_INDEX).any()
    with pytest.raises(encoding.UnknownCharacterError):
        mine_encode(strange, mine)
    with pytest.raises(encoding.UnknownCharacterError):
        encoding.encode_sequences(strange, theirs)


def test_encode_sequences_too_long_raises_like_helpers() -> None:
    mine, theirs = both_vocabularies(ENGLISH)
    with pytest.raises(ValueError):
        taught("helpers.encoding.encode_sequences")(ENGLISH, mine, max_len=3)
    with pytest.raises(ValueError):
        encoding.encode_sequences(ENGLISH, theirs, max_len=3)


def test_decode_sequences_agrees() -> None:
    mine_decode = taught("helpers.encoding.decode_sequences")
    for texts, expected in ((ENGLISH, ENGLISH), (TARGETS, FRENCH)):
        mine, theirs = both_vocabularies(texts)
        ids = encoding.encode_sequences(texts, theirs, max_len=40)
        one_hot = encoding.one_hot(ids, len(theirs))
        for array in (ids, one_hot):
            got = mine_decode(array, mine)
            assert got == encoding.decode_sequences(array, theirs)
            assert got == expected


def test_decode_sequences_unknown_and_early_stop_agree() -> None:
    mine, theirs = both_vocabularies(TARGETS)
    stop, start = theirs.token_index["\n"], theirs.token_index["\t"]
    a = theirs.token_index["a"]
    ids = np.array([[start, a, encoding.UNK_INDEX, a, stop, a, a],
                    [a, 0, a, stop, 0, 0, 0]], dtype=np.int32)
    got = taught("helpers.encoding.decode_sequences")(ids, mine)
    assert got == encoding.decode_sequences(ids, theirs) == ["a\ufffda", "aa"]


def test_round_trip_through_the_notebook_functions() -> None:
    build = taught("helpers.encoding.build_vocabulary")
    encode = taught("helpers.encoding.encode_sequences")
    decode = taught("helpers.encoding.decode_sequences")
    vocab = build(TARGETS)
    assert decode(encode(TARGETS, vocab), vocab) == FRENCH
