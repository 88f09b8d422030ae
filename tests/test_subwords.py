"""Subword tokens (helpers.subwords, helpers.encoding.SubwordVocabulary): byte-pair encoding as
the notebook writes it, and the sentencepiece vocabulary the Transformer reads and writes."""

from __future__ import annotations

import copy
import io
import pickle

import pytest

from helpers import encoding, subwords
from helpers.encoding import SubwordVocabulary, SubwordVocabularyError
from tests.conftest import SOURCES, TARGETS

#: Sennrich et al.'s example: five "low", two "lower", six "newest", three "widest".
WORDS = ["low"] * 5 + ["lower"] * 2 + ["newest"] * 6 + ["widest"] * 3


def test_bpe_merges_the_most_frequent_pair_first() -> None:
    # e-s, s-t and t-</w> are each seen 9 times (newest 6, widest 3); ties go in sorted order
    assert subwords.learn_bpe(WORDS, 4) == [("e", "s"), ("es", "t"), ("est", "</w>"),
                                            ("l", "o")]


def test_bpe_cuts_a_new_word_with_the_merges_learned() -> None:
    merges = subwords.learn_bpe(WORDS, 4)
    assert subwords.apply_bpe("lowest", merges) == ["lo", "w", "est</w>"]
    assert subwords.apply_bpe("zest", []) == ["z", "e", "s", "t", "</w>"]


def test_bpe_stops_when_every_word_is_one_symbol() -> None:
    merges = subwords.learn_bpe(["ab", "ab"], 10)
    assert merges == [("a", "b"), ("ab", "</w>")]
    assert subwords.apply_bpe("ab", merges) == ["ab</w>"]


def test_bpe_refuses_a_negative_number_of_merges() -> None:
    with pytest.raises(ValueError, match="num_merges"):
        subwords.learn_bpe(WORDS, -1)


@pytest.fixture(scope="module")
def vocab() -> SubwordVocabulary:
    return subwords.train_subwords(SOURCES + TARGETS, 50)


def test_ids_0_to_3_are_padding_unknown_start_and_stop(vocab) -> None:
    assert len(vocab) == 50
    assert vocab.tokens[:4] == ("<pad>", "<unk>", encoding.START_TOKEN, encoding.STOP_TOKEN)
    assert vocab.token_index["\t"] == 2 and vocab.token_index["\n"] == 3


@pytest.mark.parametrize("text", SOURCES + TARGETS)
def test_training_sentences_come_back_as_written(vocab, text) -> None:
    ids = vocab.encode(text)
    assert 1 not in ids
    assert vocab.decode(ids) == text
    assert vocab.decode([2, *ids, 3, 0, 0]) == text  # start skipped, reading ends at stop


def test_pieces_start_words_with_the_space_mark(vocab) -> None:
    pieces = vocab.pieces("Be nice.")
    assert pieces[0].startswith(encoding.WORD_START)
    assert "".join(pieces).replace(encoding.WORD_START, " ").strip() == "Be nice."


def test_unknown_characters_are_named_or_read_as_unknown(vocab) -> None:
    assert vocab.unknown_characters("Go ☃ ☃ Z") == ["☃", "Z"]
    with pytest.raises(encoding.UnknownCharacterError, match="☃"):
        vocab.encode("Go ☃")
    ids = vocab.encode("Go ☃", on_unknown="unk")
    assert encoding.UNK_INDEX in ids
    assert vocab.decode(ids) == "Go \ufffd"
    with pytest.raises(ValueError, match="on_unknown"):
        vocab.encode("Go", on_unknown="skip")
    with pytest.raises(TypeError, match="string"):
        vocab.encode(5)


def test_copies_and_pickles_carry_the_model(vocab) -> None:
    for other in (pickle.loads(pickle.dumps(vocab)), copy.deepcopy(vocab)):
        assert other == vocab
        assert other.encode("Wait!") == vocab.encode("Wait!")


def test_the_file_and_the_bytes_give_the_same_vocabulary(vocab, tmp_path) -> None:
    path = tmp_path / "toy.model"
    path.write_bytes(vocab.model_proto)
    assert SubwordVocabulary.from_file(path) == vocab


def test_what_is_not_a_course_sentencepiece_model_is_refused() -> None:
    with pytest.raises(SubwordVocabularyError, match="not a sentencepiece model"):
        SubwordVocabulary.from_proto(b"not a model")
    with pytest.raises(SubwordVocabularyError, match="bytes"):
        SubwordVocabulary.from_proto(b"")
    import sentencepiece

    model = io.BytesIO()  # sentencepiece's own default ids: unk 0, start 1, stop 2, no padding
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(SOURCES + TARGETS), model_writer=model, vocab_size=30,
        minloglevel=2)
    with pytest.raises(SubwordVocabularyError, match="0, 1, 2, 3"):
        SubwordVocabulary.from_proto(model.getvalue())


def test_training_checks_its_arguments() -> None:
    with pytest.raises(ValueError, match="vocab_size"):
        subwords.train_subwords(SOURCES, 2)
    with pytest.raises(ValueError, match="model_type"):
        subwords.train_subwords(SOURCES, 40, model_type="wordpiece")
    with pytest.raises(ValueError, match="sentencepiece could not train"):
        subwords.train_subwords(["ab"], 500)
    with pytest.raises(TypeError):
        subwords.train_subwords("Go.", 40)
