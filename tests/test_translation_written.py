"""A translation is read in the tokens its decoder wrote: ``translate`` returns a
:class:`helpers.decoding.Decoded` text that holds their ids, and
``translation.character_confidences`` / ``translation.attention_map`` of it (and
``translation.tokens_written``) use those, never the text cut into tokens again, which for a
subword model can give other pieces, and more than it may write."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from helpers import decoding as dec
from helpers import encoding as enc
from helpers import models, translation
from tests.conftest import SOURCES

MODES = {"greedy": {}, "beam": {"beam_width": 2},
         "sample": {"temperature": 0.1, "seed": 0}}


# --- a subword model that never ends its sentence --------------------------------------------


def _forced_piece(vocab, written: int) -> str:
    """A piece that does not start a word and that ``written`` copies of are cut into more
    pieces when the text is cut again (sentencepiece puts a ``"▁"`` before a sentence's first
    piece): what the decoder wrote differs from a re-cut of the text it wrote."""
    return next(p for p in vocab.tokens[4:] if not p.startswith("▁")
                and len(vocab.pieces(p * written)) > written)


@pytest.fixture(scope="module")
def endless_translator(transformer_toy, transformer_model):
    """The tiny Transformer's architecture, untrained, with weights set so that it writes the
    same piece (:func:`_forced_piece`) at every step and never the stop token: its last layer
    normalisation writes one vector ``u`` at every position (scale 0, offset ``u``), and the
    piece's embedding, which also gives the output probabilities (``softmax(y · Eᵀ)``), is
    ``8 u``; so it runs into its length limit, ``max_decoder_seq_length + 1`` pieces."""
    from tests.conftest import TRANSFORMER_MAX_LENGTH

    vocab = transformer_toy[0]
    keras.utils.set_random_seed(0)
    model = keras.models.clone_model(transformer_model)
    piece = vocab.token_index[_forced_piece(vocab, TRANSFORMER_MAX_LENGTH + 1)]
    last = max(layer.name for layer in model.layers if layer.name.endswith("_norm3"))
    norm = model.get_layer(last)
    u = np.zeros(norm.gamma.shape, "float32")
    u[0] = 1.0
    norm.gamma.assign(np.zeros_like(u))
    norm.beta.assign(u)
    embeddings = model.get_layer("shared_embedding").embedding.embeddings
    table = embeddings.numpy()
    table[piece] = 8 * u
    embeddings.assign(table)
    return models.TranslationModel(model, vocab, vocab, {
        "max_encoder_seq_length": TRANSFORMER_MAX_LENGTH,
        "max_decoder_seq_length": TRANSFORMER_MAX_LENGTH})


@pytest.mark.parametrize("mode", MODES)
def test_an_unfinished_subword_translation_is_read_in_the_pieces_written(endless_translator,
                                                                         mode) -> None:
    vocab = endless_translator.target_vocab
    limit = endless_translator.max_decoder_seq_length + 1
    piece = _forced_piece(vocab, limit)
    out = translation.translate(endless_translator, "Be nice.", mode=mode, **MODES[mode])
    assert not out.finished and out.text == piece * limit
    assert isinstance(out.text, dec.Decoded) and out.text.ids == (vocab.token_index[piece],) * limit
    assert len(vocab.pieces(out.text)) > limit  # the text cut again: more than were written
    assert translation.tokens_written(out.text, vocab) == [piece] * limit

    confidences = translation.character_confidences(endless_translator, out.used_input, out.text)
    probs = np.asarray(endless_translator.model(
        [np.array([vocab.encode(out.used_input)], np.int32),
         np.array([[vocab.token_index["\t"], *out.text.ids]], np.int32)], training=False))[0]
    assert confidences == pytest.approx([float(probs[t, out.text.ids[t]]) for t in range(limit)],
                                        abs=1e-5)
    columns = len(vocab.encode(out.used_input))
    for head in (None, 1):
        weights = translation.attention_map(endless_translator, out.used_input, out.text,
                                            head=head)
        assert weights.shape == (limit + 1, columns)  # a row per piece written, and stop's
        np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-5)

    # the same text as plain str is cut again: more pieces than the model may write
    with pytest.raises(translation.InputTooLongError, match=f"has {limit + 1} subword pieces"):
        translation.character_confidences(endless_translator, out.used_input, str(out.text))


def test_a_batch_of_unfinished_translations_each_keeps_its_pieces(endless_translator) -> None:
    vocab = endless_translator.target_vocab
    limit = endless_translator.max_decoder_seq_length + 1
    for out in translation.translate(endless_translator, ["Be nice.", "Go.", "Wait!"],
                                     mode="beam", beam_width=2):
        assert out.text.ids == (vocab.token_index[_forced_piece(vocab, limit)],) * limit
        assert len(translation.character_confidences(endless_translator, out.used_input,
                                                     out.text)) == limit


# --- every decoder, every vocabulary ---------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_every_mode_returns_the_ids_it_wrote(translator, transformer_translator, mode) -> None:
    for model in (translator, transformer_translator):
        vocab = model.target_vocab
        for out in translation.translate(model, SOURCES, mode=mode, **MODES[mode]):
            assert isinstance(out.text, dec.Decoded) and out.text.ids is not None
            assert vocab.decode(out.text.ids) == out.text
            assert not {0, vocab.token_index["\t"], vocab.token_index["\n"]} & set(out.text.ids)
            assert len(translation.character_confidences(model, out.used_input, out.text)) == len(
                out.text.ids) == len(translation.tokens_written(out.text, vocab))


def test_beam_search_gives_every_beam_its_ids(translator, toy) -> None:
    _, target_vocab, encoder_ids, _ = toy
    encoder_model, decoder_model = dec.inference_models_for(translator.model)
    beams = dec.beam_search(encoder_model, decoder_model, encoder_ids[:2], target_vocab,
                            beam_width=3, max_decoder_seq_length=20, return_all=True)
    for sentence in beams:
        for text, _score in sentence:
            assert text.ids == tuple(target_vocab.encode(text))


def test_text_with_ids_of_another_vocabulary_is_cut_as_plain_text(translator) -> None:
    """A Decoded whose ids do not spell its text in this model's vocabulary (another model
    wrote it) is read as its text cut into tokens, as a plain str is."""
    plain = translation.character_confidences(translator, "Go.", "Va !")
    for ids in [(999,), (5, 6), (translator.target_vocab.token_index["\t"],
                                 *translator.target_vocab.encode("Va !"))]:
        other = dec.Decoded("Va !", "stop_token", ids)
        assert translation.character_confidences(translator, "Go.", other) == plain
        assert translation.tokens_written(other, translator.target_vocab) == list("Va !")
    with pytest.raises(TypeError, match="translation must be a str"):
        translation.tokens_written(["Va"], translator.target_vocab)


def test_a_word_models_unknown_word_is_one_token() -> None:
    """A word model writes <unk> as one token: the text cut again would be three ("<", "unk",
    ">"); its confidences and the widgets' spans are of the one written."""
    from helpers import widget_html

    vocab = enc.build_word_vocabulary(["\t Je suis là ! \n"], french=True)
    ids = [vocab.token_index["Je"], enc.UNK_INDEX, vocab.token_index["!"]]
    text = dec.Decoded(vocab.decode(ids), "stop_token", ids)
    assert text == "Je <unk> !"
    assert translation.tokens_written(text, vocab) == ["Je", "<unk>", "!"]
    assert translation.tokens_written(str(text), vocab) == ["Je", "<", "unk", ">", "!"]
    assert widget_html._tokens_of(text, words=vocab) == [("", "Je"), (" ", "<unk>"), (" ", "!")]
    assert len(widget_html._tokens_of(text, words=True)) == 5  # no vocabulary: the text cut
    view = widget_html.confidence_html(text, [0.9, 0.2, 0.8], words=vocab)
    assert view.count('class="s2s-char"') == 3 and "&lt;unk&gt;</span>" in view
