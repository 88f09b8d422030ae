"""helpers.encoding: vocabularies, the three one-hot arrays, integer form, round trips."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import encoding as enc

INPUTS = ["Go.", "Hi.", "Run!", "Be nice."]
TARGETS = ["Va !", "Salut !", "Cours\u202f!", "Soyez gentil !"]


@pytest.fixture
def vocabs():
    return (enc.build_vocabulary(INPUTS),
            enc.build_vocabulary([enc.add_start_stop(t) for t in TARGETS]))


def test_vocabulary_layout(vocabs) -> None:
    source, target = vocabs
    assert source.tokens[:2] == (enc.PAD_TOKEN, enc.UNK_TOKEN)
    assert list(source.characters) == sorted(set("".join(INPUTS)))
    assert enc.START_TOKEN in target and enc.STOP_TOKEN in target
    assert enc.START_TOKEN not in source
    assert target.token_index["\t"] == target.tokens.index("\t")
    assert enc.PAD_TOKEN not in source  # reserved tokens are not characters


def test_vocabulary_rejects_bad_tokens() -> None:
    with pytest.raises(ValueError):
        enc.Vocabulary(("a", "b"))
    with pytest.raises(ValueError):
        enc.Vocabulary((*enc.RESERVED_TOKENS, "a", "a"))


def test_unknown_characters_error_by_default(vocabs) -> None:
    source, _ = vocabs
    with pytest.raises(enc.UnknownCharacterError, match="'z'") as info:
        source.encode("Go zzz!")
    assert info.value.unknown == ["z"]
    assert source.encode("Gz.", on_unknown="unk") == [
        source.token_index["G"], enc.UNK_INDEX, source.token_index["."]]
    assert source.decode(source.encode("Gz.", on_unknown="unk")) == "G\ufffd."
    with pytest.raises(ValueError, match="on_unknown"):
        source.encode("Go.", on_unknown="skip")  # type: ignore[arg-type]


def test_one_hot_arrays_as_in_the_original(vocabs) -> None:
    source, target = vocabs
    wrapped = [enc.add_start_stop(t) for t in TARGETS]
    encoder_input_data, decoder_input_data, decoder_target_data = enc.one_hot_arrays(
        INPUTS, wrapped, source, target)
    assert encoder_input_data.shape == (4, max(map(len, INPUTS)), len(source))
    assert decoder_input_data.shape == (4, max(map(len, wrapped)), len(target))
    assert encoder_input_data.dtype == np.float32
    # Each real character is one 1.0; padding positions are all-zero vectors.
    for i, text in enumerate(INPUTS):
        for t, ch in enumerate(text):
            assert encoder_input_data[i, t].sum() == 1.0
            assert encoder_input_data[i, t, source.token_index[ch]] == 1.0
        assert not encoder_input_data[i, len(text):].any()
    # Teacher forcing: the target is the decoder input one step ahead.
    np.testing.assert_array_equal(decoder_target_data[:, :-1], decoder_input_data[:, 1:])
    assert not decoder_target_data[:, -1].any()
    assert decoder_input_data[0, 0, target.token_index["\t"]] == 1.0
    assert decoder_target_data[0, len(wrapped[0]) - 2, target.token_index["\n"]] == 1.0


def test_integer_round_trip(vocabs) -> None:
    source, target = vocabs
    wrapped = [enc.add_start_stop(t) for t in TARGETS]
    encoder_ids, decoder_ids = enc.integer_arrays(INPUTS, wrapped, source, target)
    assert encoder_ids.dtype == np.int32
    assert enc.decode_sequences(encoder_ids, source) == INPUTS
    assert enc.decode_sequences(decoder_ids, target) == TARGETS
    onehot = enc.one_hot(decoder_ids, len(target))
    assert enc.decode_sequences(onehot, target) == TARGETS
    assert enc.decode_sequences(enc.shift_left(decoder_ids), target) == TARGETS


def test_one_hot_equals_integer_form(vocabs) -> None:
    source, target = vocabs
    wrapped = [enc.add_start_stop(t) for t in TARGETS]
    encoder_input_data, _, _ = enc.one_hot_arrays(INPUTS, wrapped, source, target)
    encoder_ids, _ = enc.integer_arrays(INPUTS, wrapped, source, target)
    ids_back = np.where(encoder_input_data.any(-1), encoder_input_data.argmax(-1), 0)
    np.testing.assert_array_equal(ids_back, encoder_ids)


def test_targets_need_start_and_stop(vocabs) -> None:
    source, target = vocabs
    with pytest.raises(ValueError, match="add_start_stop"):
        enc.integer_arrays(INPUTS, TARGETS, source, target)


def test_empty_and_overlong_texts(vocabs) -> None:
    source, _ = vocabs
    with pytest.raises(ValueError, match="empty"):
        enc.encode_sequences(["Go.", ""], source)
    with pytest.raises(ValueError, match="no texts"):
        enc.encode_sequences([], source)
    with pytest.raises(ValueError, match="max_len=3"):
        enc.encode_sequences(["Be nice."], source, max_len=3)
    padded = enc.encode_sequences(["Go."], source, max_len=6)
    assert padded.shape == (1, 6) and (padded[0, 3:] == enc.PAD_INDEX).all()


def test_decode_rejects_out_of_range(vocabs) -> None:
    source, _ = vocabs
    with pytest.raises(ValueError, match="outside"):
        source.decode([len(source)])


def test_vocabulary_rebuilt_from_its_tokens_is_the_same(vocabs) -> None:
    _, target = vocabs  # what a manifest stores: the token list
    again = enc.Vocabulary(tuple(list(target.tokens)))
    assert again == target and again.token_index == target.token_index


def test_max_len_is_a_whole_number_numpy_included() -> None:
    vocab = enc.build_vocabulary(["ab"])
    assert enc.encode_sequences(["ab"], vocab, max_len=np.int64(3)).shape == (1, 3)
    with pytest.raises(TypeError, match="max_len must be a whole number"):
        enc.encode_sequences(["ab"], vocab, max_len="5")
    with pytest.raises(TypeError, match="max_len must be a whole number"):
        enc.encode_sequences(["ab"], vocab, max_len=2.5)
