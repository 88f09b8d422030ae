"""helpers.decoding and helpers.evaluation, on tiny models trained in seconds."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from helpers import decoding as dec
from helpers import encoding as enc
from helpers import evaluation as ev
from helpers import models, translation
from tests.conftest import MAX_OUT, SOURCES, TARGETS


def original_loop(encoder_model, decoder_model, encoder_ids, target_vocab, one_hot_width=None):
    out = []
    for row in encoder_ids:
        seq = row[row != 0][None, :]
        if one_hot_width:
            seq = enc.one_hot(seq, one_hot_width)
        text = dec.decode_sequence(seq, encoder_model, decoder_model, target_vocab, MAX_OUT)
        out.append(text[:-1] if text.endswith("\n") else text)
    return out


def test_course_model_learns_the_toy_set(toy, course_model) -> None:
    _, target_vocab, encoder_ids, _ = toy
    encoder_model, decoder_model = models.inference_models(course_model)
    assert dec.greedy_decode(encoder_model, decoder_model, encoder_ids, target_vocab,
                             max_decoder_seq_length=MAX_OUT) == TARGETS


def test_batched_greedy_equals_the_original_loop(toy, course_model) -> None:
    _, target_vocab, encoder_ids, _ = toy
    encoder_model, decoder_model = models.inference_models(course_model)
    batched = dec.greedy_decode(encoder_model, decoder_model, encoder_ids, target_vocab,
                                max_decoder_seq_length=MAX_OUT)
    assert batched == original_loop(encoder_model, decoder_model, encoder_ids, target_vocab)


def test_original_layout_after_reload(toy, original_model) -> None:
    input_vocab, target_vocab, encoder_ids, _ = toy
    encoder_ids = encoder_ids[:3]  # predict() per character is slow: three sentences suffice
    encoder_model, decoder_model = models.inference_models(original_model)
    assert [len(o.shape) for o in decoder_model.outputs] == [3, 2, 2]
    looped = original_loop(encoder_model, decoder_model, encoder_ids, target_vocab,
                           one_hot_width=len(input_vocab))
    batched = dec.greedy_decode(encoder_model, decoder_model, encoder_ids, target_vocab,
                                max_decoder_seq_length=MAX_OUT)
    assert batched == looped  # equal-length groups: the unmasked encoder never sees padding


def test_padding_does_not_change_an_encoding(toy, course_model) -> None:
    _, _, encoder_ids, _ = toy
    encoder_model, _ = models.inference_models(course_model)
    padded = np.pad(encoder_ids, ((0, 0), (0, 5)))
    together = dec.encode(encoder_model, padded)
    for i, row in enumerate(encoder_ids):
        alone = dec.encode(encoder_model, row[row != 0][None, :])
        for a, b in zip(alone, together, strict=True):
            np.testing.assert_allclose(a[0], b[i], atol=1e-5)


def test_inference_models_reject_other_models() -> None:
    inputs = keras.Input(shape=(3,))
    plain = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    with pytest.raises(models.WrongModelKindError, match="two inputs"):
        models.inference_models(plain)


def test_beam_search(toy, course_model) -> None:
    _, target_vocab, encoder_ids, _ = toy
    encoder_model, decoder_model = models.inference_models(course_model)
    greedy = dec.greedy_decode(encoder_model, decoder_model, encoder_ids, target_vocab,
                               max_decoder_seq_length=MAX_OUT)
    assert dec.beam_search(encoder_model, decoder_model, encoder_ids, target_vocab, beam_width=1,
                           max_decoder_seq_length=MAX_OUT) == greedy
    beams = dec.beam_search(encoder_model, decoder_model, encoder_ids, target_vocab, beam_width=3,
                            max_decoder_seq_length=MAX_OUT, return_all=True)
    for hyps in beams:
        assert len(hyps) == 3 and len({h for h, _ in hyps}) == 3  # distinct beams
        scores = [s for _, s in hyps]
        assert scores == sorted(scores, reverse=True)
    assert [hyps[0][0] for hyps in beams] == TARGETS
    with pytest.raises(ValueError, match="beam_width"):
        dec.beam_search(encoder_model, decoder_model, encoder_ids, target_vocab, beam_width=0,
                        max_decoder_seq_length=MAX_OUT)


def test_sampling(toy, course_model) -> None:
    _, target_vocab, encoder_ids, _ = toy
    encoder_model, decoder_model = models.inference_models(course_model)
    kwargs = {"max_decoder_seq_length": MAX_OUT}
    first = dec.sample_decode(encoder_model, decoder_model, encoder_ids, target_vocab,
                              temperature=1.5, seed=7, **kwargs)
    assert first == dec.sample_decode(encoder_model, decoder_model, encoder_ids, target_vocab,
                                      temperature=1.5, seed=7, **kwargs)
    cold = dec.sample_decode(encoder_model, decoder_model, encoder_ids, target_vocab,
                             temperature=1e-3, seed=1, **kwargs)
    assert cold == TARGETS  # almost no temperature: sampling is greedy
    assert dec.sample_decode(encoder_model, decoder_model, encoder_ids, target_vocab, top_k=1,
                             seed=3, **kwargs) == TARGETS
    hot = [dec.sample_decode(encoder_model, decoder_model, encoder_ids, target_vocab,
                             temperature=5.0, seed=s, **kwargs) for s in range(3)]
    assert any(h != TARGETS for h in hot)
    with pytest.raises(ValueError, match="temperature"):
        dec.sample_decode(encoder_model, decoder_model, encoder_ids, target_vocab,
                          temperature=0, **kwargs)


def test_a_seeded_sample_does_not_depend_on_the_rest_of_the_batch(toy, course_model) -> None:
    _, target_vocab, encoder_ids, _ = toy
    encoder_model, decoder_model = models.inference_models(course_model)

    def sample(ids, seed=11):
        return dec.sample_decode(encoder_model, decoder_model, ids, target_vocab,
                                 temperature=3.0, seed=seed, max_decoder_seq_length=MAX_OUT)

    batch = sample(encoder_ids)
    alone = [sample(encoder_ids[row:row + 1])[0] for row in range(len(encoder_ids))]
    assert alone == batch
    assert sample(encoder_ids[::-1]) == batch[::-1]  # another order, the same samples
    assert any(sample(encoder_ids, seed=s) != batch for s in range(12, 16))  # the seed matters


def test_decoding_steps(toy, course_model) -> None:
    input_vocab, target_vocab, encoder_ids, _ = toy
    encoder_model, decoder_model = models.inference_models(course_model)
    steps = dec.decoding_steps(encoder_model, decoder_model, encoder_ids[3:4, :8], target_vocab,
                               max_decoder_seq_length=MAX_OUT)
    assert steps[-1].chosen == "⏎" and steps[-1].text_so_far == TARGETS[3]
    assert all(len(s.candidates) == 5 and s.candidates[0][0] == s.chosen for s in steps)
    assert all(s.candidates[0][1] >= s.candidates[1][1] for s in steps)


# --- the translation API --------------------------------------------------------------------


def test_translate(translator) -> None:
    one = translation.translate(translator, "  Be   nice. ")
    assert isinstance(one, translation.Translation)
    assert one.text == "Soyez gentil !" and one.used_input == "Be nice." and not one.notices
    many = translation.translate(translator, SOURCES, mode="beam", beam_width=2)
    assert [t.text for t in many] == TARGETS
    sampled = translation.translate(translator, ["Go."], mode="sample", temperature=1e-3, seed=0)
    assert sampled[0].text == "Va !"
    conf = translation.character_confidences(translator, "Go.", "Va !")
    assert len(conf) == 4 and all(0 < p <= 1 for p in conf) and min(conf) > 0.3
    assert min(translation.character_confidences(translator, "Go.", "Vx !")) < 0.1


@pytest.mark.parametrize("text", ["", "   ", "\t\n", "\u3000"])
def test_empty_input(translator, text: str) -> None:
    with pytest.raises(translation.EmptyInputError, match="Nothing to translate"):
        translation.translate(translator, text)


@pytest.mark.parametrize("text", ["Go 🙂", "Иди.", "去。", "Go\u00e9."])
def test_unknown_characters(translator, text: str) -> None:
    with pytest.raises(translation.UnknownInputError, match="never saw") as info:
        translation.translate(translator, text)
    assert isinstance(info.value, enc.UnknownCharacterError)
    assert info.value.unknown
    dropped = translation.translate(translator, text + " Go.", on_unknown="drop")
    assert dropped.notices and dropped.unknown == info.value.unknown
    assert all(ch in translator.input_vocab for ch in dropped.used_input)
    as_unk = translation.translate(translator, text, on_unknown="unk")
    assert as_unk.notices and isinstance(as_unk.text, str)


def test_only_unknown_characters_left_is_empty(translator) -> None:
    with pytest.raises(translation.EmptyInputError, match="Nothing left"):
        translation.translate(translator, "🙂🙂", on_unknown="drop")


def test_tabs_and_newlines_are_white_space_not_tokens(translator) -> None:
    result = translation.translate(translator, "Be\tnice.\n")
    assert result.used_input == "Be nice." and result.text == "Soyez gentil !"


def test_typographic_apostrophe_is_mapped(translator) -> None:
    vocab = enc.build_vocabulary(["I'm ok."])
    assert translation.prepare_input("I\u2019m ok.", vocab, 20).text == "I'm ok."
    notices = translation.prepare_input("I\u2019m ok\u2026", vocab, 20).notices
    assert notices == ["Typographic characters were read as the corpus writes them: "
                       "\u2019 as ', \u2026 as ..."]
    assert translation.prepare_input("I'm ok.", vocab, 20).notices == []


def test_too_long(translator) -> None:
    limit = translator.max_encoder_seq_length
    long_text = "Be nice. " * 5
    with pytest.raises(translation.InputTooLongError, match=f"at most {limit}"):
        translation.translate(translator, long_text)
    cut = translation.translate(translator, long_text, on_overflow="truncate")
    assert len(cut.used_input) <= limit and cut.notices
    assert cut.used_input == "Be nice."  # cut at a word boundary


def test_bad_arguments(translator) -> None:
    with pytest.raises(TypeError):
        translation.translate(translator, [None])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="mode"):
        translation.translate(translator, "Go.", mode="fast")  # type: ignore[arg-type]
    with pytest.raises(translation.EmptyInputError):
        translation.translate(translator, [])
    with pytest.raises(ValueError, match="on_unknown"):
        translation.translate(translator, "Go.", on_unknown="ignore")  # type: ignore[arg-type]


# --- evaluation ---------------------------------------------------------------------------


def test_corpus_scores() -> None:
    perfect = ev.corpus_scores(["Va !", "Salut !"], [["Va !"], ["Salut !"]])
    assert perfect.chrf == pytest.approx(100) and perfect.exact_match == 100
    multi = ev.corpus_scores(["Marche.", "Salut !"], [["Va !", "Marche."], ["Salut !"]])
    assert multi.exact_match == 100  # any reference counts
    wrong = ev.corpus_scores(["Bonjour", "Merci"], [["Va !"], ["Salut !"]])
    assert wrong.chrf < 20 and wrong.exact_match == 0
    with pytest.raises(ValueError):
        ev.corpus_scores(["a"], [])
    with pytest.raises(ValueError):
        ev.corpus_scores(["a"], [[]])


def test_references_by_source() -> None:
    refs = ev.references_by_source([("Go.", "Va !"), ("Go.", "Marche."), ("Hi.", "Salut !")])
    assert refs == {"Go.": ["Va !", "Marche."], "Hi.": ["Salut !"]}
