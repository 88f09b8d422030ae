"""helpers.variants (notebook 06): the GRU model, training without teacher forcing and scheduled
sampling, the word-level model and its vocabulary, and translate() on all of them — on tiny
models trained in seconds on the toy pairs of ``tests/conftest.py``."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest

from helpers import decoding as dec
from helpers import encoding as enc
from helpers import models, training, translation, translation_input, variants
from tests.conftest import (
    MAX_OUT,
    SOURCES,
    TARGETS,
    fit_full_batches,
    recite_toy_pairs,
    toy_translator,
)

STOCK_LAYERS = {"InputLayer", "OneHot", "Embedding", "LSTM", "GRU", "Dense"}


def fit_toy(model, encoder_ids, decoder_ids, epochs=120):
    return fit_full_batches(model, encoder_ids, decoder_ids, steps=epochs)


@pytest.fixture(scope="module")
def gru_model(toy):
    """A tiny GRU model (helpers.variants) trained to recite the toy pairs."""
    return recite_toy_pairs(variants.build_gru_model, toy)


@pytest.fixture(scope="module")
def gru_translator(toy, gru_model):
    return toy_translator(gru_model, toy)


@pytest.fixture(scope="module")
def words():
    """Word-level data of the toy pairs: (input_vocab, target_vocab, encoder_ids, decoder_ids)."""
    from helpers.data import Split

    pairs = list(zip(SOURCES, TARGETS, strict=True))
    data = variants.word_translation_data(Split(train=pairs, validation=pairs[:2],
                                                test=pairs[:2]))
    return data


@pytest.fixture(scope="module")
def word_model(words):
    keras.utils.set_random_seed(0)
    model = variants.build_word_model(len(words.input_vocab), len(words.target_vocab),
                                      embedding_dim=16, latent_dim=32, learning_rate=1e-2)
    return fit_toy(model, *words.arrays["train"])


@pytest.fixture(scope="module")
def word_translator(words, word_model):
    return variants.translator_for(word_model, words)


def as_list(outputs) -> list[np.ndarray]:
    """A model's outputs as a list of arrays (a one-output model returns a bare tensor)."""
    return [np.asarray(o) for o in (outputs if isinstance(outputs, list | tuple) else [outputs])]


def plain_loop(encoder_model, decoder_model, ids, target_vocab, max_out=MAX_OUT):
    """The original loop, one sentence at a time (no padding), for any number of states."""
    out = []
    for row in ids:
        states = encoder_model.predict(row[row != 0][None, :], verbose=0)
        states = list(states) if isinstance(states, list) else [states]
        token, tokens = target_vocab.token_index["\t"], []
        for _ in range(max_out + 1):
            probabilities, *states = decoder_model.predict([np.array([[token]]), *states],
                                                           verbose=0)
            token = int(np.argmax(probabilities[0, -1]))
            if target_vocab.tokens[token] == "\n":
                break
            tokens.append(token)
        out.append(target_vocab.decode(tokens))
    return out


# --- the GRU ------------------------------------------------------------------------------------


def test_gru_model_has_one_state_and_the_course_layer_names(toy) -> None:
    input_vocab, target_vocab, _, _ = toy
    model = variants.build_gru_model(len(input_vocab), len(target_vocab), latent_dim=8)
    names = {layer.name for layer in model.layers}
    assert {"encoder_onehot", "encoder_gru", "decoder_onehot", "decoder_gru",
            "decoder_dense"} <= names
    assert not names & {"encoder_lstm", "decoder_lstm"}
    assert len(model.get_layer("encoder_gru").output) == 2  # output and h: no c
    assert model.get_layer("encoder_onehot").mask_zero
    assert model.loss is training.masked_loss
    u, i = 8, len(input_vocab)
    assert model.get_layer("encoder_gru").count_params() == 3 * u * (i + u + 2)
    with pytest.raises(ValueError, match="latent_dim must be positive"):
        variants.build_gru_model(5, 6, latent_dim=0)


@pytest.mark.slow  # the one-sentence loop, sentence by sentence
def test_gru_learns_the_toy_set_and_batched_greedy_equals_the_loop(toy, gru_model) -> None:
    _, target_vocab, encoder_ids, _ = toy
    encoder_model, decoder_model = variants.gru_inference_models(gru_model)
    assert len(decoder_model.inputs) == 2 and len(decoder_model.outputs) == 2
    padded = np.pad(encoder_ids, ((0, 0), (0, 4)))
    batched = dec.greedy_decode(encoder_model, decoder_model, padded, target_vocab,
                                max_decoder_seq_length=MAX_OUT)
    assert batched == TARGETS
    assert batched == plain_loop(encoder_model, decoder_model, encoder_ids, target_vocab)


def test_gru_inference_models_agree_with_the_generic_ones(toy, gru_model) -> None:
    _, _, encoder_ids, decoder_ids = toy
    (enc_a, dec_a), (enc_b, dec_b) = (variants.gru_inference_models(gru_model),
                                      variants.variant_inference_models(gru_model))
    (h_a,), (h_b,) = as_list(enc_a(encoder_ids)), as_list(enc_b(encoder_ids))
    np.testing.assert_allclose(h_a, h_b, atol=1e-6)
    out_a = dec_a([decoder_ids, h_a])
    out_b = dec_b([decoder_ids, h_b])
    for a, b in zip(out_a, out_b, strict=True):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-6)
    # the step model over the whole target is the training model, teacher forced
    np.testing.assert_allclose(np.asarray(out_a[0]),
                               np.asarray(gru_model([encoder_ids, decoder_ids])), atol=1e-5)


def test_translate_works_on_a_gru_model_with_its_input_rules(gru_translator) -> None:
    assert dec.inference_models_for(gru_translator.model)[1].outputs[1].shape[-1] == 32
    results = translation.translate(gru_translator, SOURCES)
    assert [r.text for r in results] == TARGETS
    assert translation.translate(gru_translator, "  Be   nice. ").text == "Soyez gentil !"
    with pytest.raises(translation.EmptyInputError):
        translation.translate(gru_translator, "   ")
    with pytest.raises(translation.UnknownInputError, match="'z'"):
        translation.translate(gru_translator, "Go z.")
    with pytest.raises(translation.InputTooLongError):
        translation.translate(gru_translator, "Go. " * 10)
    cut = translation.translate(gru_translator, "Go. " * 10, on_overflow="truncate")
    assert cut.notices and len(cut.used_input) <= gru_translator.max_encoder_seq_length
    beam = translation.translate(gru_translator, SOURCES, mode="beam", beam_width=3)
    assert [r.text for r in beam] == TARGETS
    steps = dec.decoding_steps(*dec.inference_models_for(gru_translator.model),
                               np.array([gru_translator.input_vocab.encode("Hi.")]),
                               gru_translator.target_vocab, max_decoder_seq_length=MAX_OUT)
    assert steps[-1].text_so_far == "Salut !" and steps[-1].chosen == "⏎"


# --- no Lambda, save and reload with safe_mode ----------------------------------------------------


@pytest.mark.slow  # saves and reloads every variant
def test_every_variant_saves_and_reloads_with_safe_mode(tmp_path, toy, gru_model, words,
                                                        word_model) -> None:
    _, _, encoder_ids, decoder_ids = toy
    keras.utils.set_random_seed(0)
    scheduled = models.build_course_model(gru_model.get_layer("encoder_onehot").num_tokens,
                                          gru_model.get_layer("decoder_onehot").num_tokens,
                                          latent_dim=8)
    trainer = variants.ScheduledSampling(scheduled, teacher_forcing=0.5, seed=0)
    trainer.compile(optimizer=keras.optimizers.Adam(1e-2))
    trainer.fit([encoder_ids, decoder_ids], enc.shift_left(decoder_ids), epochs=2,
                batch_size=3, verbose=0)
    for name, model, ids in [("gru", gru_model, (encoder_ids, decoder_ids)),
                             ("word", word_model, words.arrays["train"]),
                             ("scheduled", scheduled, (encoder_ids, decoder_ids))]:
        assert {type(layer).__name__ for layer in model.layers} <= STOCK_LAYERS, name
        path = tmp_path / f"{name}.keras"
        model.save(path)
        config = json.loads(__import__("zipfile").ZipFile(path).read("config.json"))
        assert "Lambda" not in json.dumps(config)
        reloaded = keras.saving.load_model(path, safe_mode=True)
        np.testing.assert_array_equal(np.asarray(model(list(ids))), np.asarray(reloaded(list(ids))))
        # and the reloaded model decodes
        enc_model, dec_model = dec.inference_models_for(reloaded)
        assert len(dec_model.outputs) == (2 if name == "gru" else 3)


# --- training without teacher forcing -------------------------------------------------------------


@pytest.fixture
def fresh(toy):
    """An untrained course model and its toy arrays."""
    input_vocab, target_vocab, encoder_ids, decoder_ids = toy
    keras.utils.set_random_seed(5)
    model = models.build_course_model(len(input_vocab), len(target_vocab), latent_dim=16,
                                      learning_rate=1e-2)
    return model, encoder_ids, decoder_ids


def test_teacher_forcing_one_is_the_models_own_masked_loss(fresh) -> None:
    model, encoder_ids, decoder_ids = fresh
    runner = variants.ScheduledSampling(model, teacher_forcing=1.0, seed=0)
    loss_sum, hits, count = (float(x) for x in runner.decode_steps(encoder_ids, decoder_ids, 1.0))
    forced = float(training.masked_loss(enc.shift_left(decoder_ids),
                                        model([encoder_ids, decoder_ids])))
    assert count == (enc.shift_left(decoder_ids) != 0).sum()
    np.testing.assert_allclose(loss_sum / count, forced, rtol=1e-6)
    accuracy = float(training.masked_accuracy(enc.shift_left(decoder_ids),
                                              model([encoder_ids, decoder_ids])))
    np.testing.assert_allclose(hits / count, accuracy, rtol=1e-6)


def test_teacher_forcing_zero_feeds_the_models_own_predictions(fresh) -> None:
    model, encoder_ids, decoder_ids = fresh
    runner = variants.ScheduledSampling(model, seed=0)
    loss_sum, _, count = (float(x) for x in runner.decode_steps(encoder_ids, decoder_ids, 0.0))
    # the same by hand: greedy decoding, scoring the reference token at every step
    encoder_model, decoder_model = models.inference_models(model)
    h, c = (np.asarray(s) for s in encoder_model(encoder_ids))
    targets = enc.shift_left(decoder_ids)
    token = decoder_ids[:, :1]
    total = 0.0
    for t in range(decoder_ids.shape[1]):
        probabilities, h, c = (np.asarray(x) for x in decoder_model([token, h, c]))
        p = probabilities[:, 0, :]
        real = targets[:, t] != 0
        total += -np.log(np.clip(p[np.arange(len(p)), targets[:, t]], 1e-7, 1.0))[real].sum()
        token = p.argmax(axis=-1)[:, None].astype(np.int32)
    np.testing.assert_allclose(loss_sum, total, rtol=1e-5)
    forced_sum = float(runner.decode_steps(encoder_ids, decoder_ids, 1.0)[0])
    assert abs(loss_sum - forced_sum) / count > 1e-3  # fed its own guesses: another loss


@pytest.mark.slow  # trains two models
def test_one_training_step_at_teacher_forcing_one_is_a_teacher_forced_step(toy) -> None:
    input_vocab, target_vocab, encoder_ids, decoder_ids = toy
    twins = []
    for _ in range(2):
        keras.utils.set_random_seed(7)
        twins.append(models.build_course_model(len(input_vocab), len(target_vocab),
                                               latent_dim=16, learning_rate=1e-2))
    forced, looped = twins
    trainer = variants.ScheduledSampling(looped, teacher_forcing=1.0, seed=0)
    trainer.compile(optimizer=keras.optimizers.Adam(1e-2, clipnorm=1.0))
    targets = enc.shift_left(decoder_ids)
    for _ in range(3):
        a = forced.train_on_batch([encoder_ids, decoder_ids], targets, return_dict=True)
        b = trainer.train_on_batch([encoder_ids, decoder_ids], targets, return_dict=True)
    np.testing.assert_allclose(a["loss"], b["loss"], rtol=1e-5)
    for w_forced, w_looped in zip(forced.get_weights(), looped.get_weights(), strict=True):
        np.testing.assert_allclose(w_forced, w_looped, atol=1e-5)


@pytest.mark.slow  # trains two models
def test_free_running_training_changes_other_weights_than_teacher_forcing(toy) -> None:
    input_vocab, target_vocab, encoder_ids, decoder_ids = toy
    after = []
    for teacher_forcing in (1.0, 0.0):
        keras.utils.set_random_seed(7)
        model = models.build_course_model(len(input_vocab), len(target_vocab), latent_dim=16)
        trainer = variants.ScheduledSampling(model, teacher_forcing=teacher_forcing, seed=0)
        trainer.compile(optimizer=keras.optimizers.Adam(1e-2))
        trainer.train_on_batch([encoder_ids, decoder_ids], enc.shift_left(decoder_ids))
        after.append(model.get_weights())
    assert not all(np.allclose(a, b) for a, b in zip(*after, strict=True))


@pytest.mark.slow  # trains three models
def test_scheduled_sampling_trains_gru_and_word_models_too(toy, words) -> None:
    input_vocab, target_vocab, encoder_ids, decoder_ids = toy
    keras.utils.set_random_seed(0)
    for model, (e, d) in [
            (variants.build_gru_model(len(input_vocab), len(target_vocab), latent_dim=8),
             (encoder_ids, decoder_ids)),
            (variants.build_word_model(len(words.input_vocab), len(words.target_vocab),
                                       embedding_dim=4, latent_dim=8), words.arrays["train"])]:
        forced = training.heldout_scores(model, e, d)["loss"]
        looped = variants.free_running_scores(model, e, d, teacher_forcing=1.0)["loss"]
        np.testing.assert_allclose(looped, forced, rtol=1e-5)
        trainer = variants.ScheduledSampling(model, teacher_forcing=0.0, seed=0)
        trainer.compile(optimizer=keras.optimizers.Adam(1e-2))
        history = trainer.fit([e, d], enc.shift_left(d), epochs=2, verbose=0)
        assert np.isfinite(history.history["loss"]).all()


@pytest.mark.slow  # trains for several epochs
def test_teacher_forcing_schedule_is_a_straight_line_then_flat(fresh) -> None:
    model, encoder_ids, decoder_ids = fresh
    trainer = variants.ScheduledSampling(model, seed=0)
    trainer.compile(optimizer=keras.optimizers.Adam(1e-3))
    seen = []

    class Spy(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            seen.append(float(self.model.teacher_forcing.numpy()))

    schedule = variants.TeacherForcingSchedule(5, start=1.0, end=0.2)
    trainer.fit([encoder_ids, decoder_ids], enc.shift_left(decoder_ids), batch_size=2, epochs=3,
                callbacks=[schedule, Spy()], verbose=0)
    np.testing.assert_allclose(seen, [1.0, 0.8, 0.6, 0.4, 0.2, 0.2, 0.2, 0.2, 0.2], atol=1e-6)


@pytest.mark.slow  # trains for several epochs
def test_train_variant_scores_every_epoch(toy, words) -> None:
    input_vocab, target_vocab, encoder_ids, decoder_ids = toy
    from helpers.data import Split

    pairs = list(zip(SOURCES, TARGETS, strict=True))
    data = training.translation_data_from_split(Split(train=pairs, validation=pairs[:2],
                                                      test=pairs[:2]))
    keras.utils.set_random_seed(0)
    model = models.build_course_model(len(data.input_vocab), len(data.target_vocab), latent_dim=8)
    trainer = variants.ScheduledSampling(model, seed=0)
    trainer.compile(optimizer=keras.optimizers.Adam(1e-2))
    run = variants.train_variant("scheduled", trainer, data, epochs=2, sources=SOURCES[:2],
                                 references=[[t] for t in TARGETS[:2]], batch_size=3,
                                 callbacks=[variants.TeacherForcingSchedule(4, end=0.0)],
                                 verbose=False)
    assert [r["epoch"] for r in run.rows] == [1, 2]
    assert run.rows[-1]["teacher_forcing"] == 0.0
    assert run.train_seconds == pytest.approx(sum(r["epoch_seconds"] for r in run.rows))
    assert len(run.outputs) == 2 and all(0 <= r["chrf"] <= 100 for r in run.rows)
    assert run.rows[-1]["heldout_loss"] == pytest.approx(
        training.heldout_scores(model, *data.arrays["test"])["loss"])


# --- the word level ------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "tokens"), [
    ("Va !", ["Va", "!"]),
    ("J'ai froid.", ["J'", "ai", "froid", "."]),
    ("Qu'est-ce que c'est ?", ["Qu'", "est", "-", "ce", "que", "c'", "est", "?"]),
    ("I'm   cold.", ["I'", "m", "cold", "."]),
    ("Cours\u202f!", ["Cours", "!"]),
    ("\tVa !\n", ["\t", "Va", "!", "\n"]),
])
def test_tokenize_words(text, tokens) -> None:
    assert enc.tokenize_words(text) == tokens


def test_detokenize_words_puts_the_spaces_back() -> None:
    for text in ["Va !", "J'ai froid.", "Qu'est-ce que c'est ?", "Va-t'en !", "Attendez...",
                 "Oui, monsieur."]:
        assert enc.detokenize_words(enc.tokenize_words(text)) == text
    assert enc.detokenize_words(["Go", "!"], french=False) == "Go!"
    assert enc.detokenize_words(["Va", "!"]) == "Va !"
    assert enc.detokenize_words([]) == ""


def test_word_vocabulary(words) -> None:
    vocab = enc.build_word_vocabulary(["Va !", "Va vite !", "Cours !"], french=True)
    assert vocab.tokens[:4] == (enc.PAD_TOKEN, enc.UNK_TOKEN, "!", "Va")  # most frequent first
    assert "Va" in vocab and enc.PAD_TOKEN not in vocab
    assert vocab.decode(vocab.encode("Va vite !")) == "Va vite !"
    with pytest.raises(enc.UnknownWordError, match="'Marche'"):
        vocab.encode("Marche !")
    assert vocab.encode("Marche !", on_unknown="unk") == [enc.UNK_INDEX, vocab.token_index["!"]]
    assert vocab.decode([enc.UNK_INDEX, vocab.token_index["!"], 0]) == "<unk> !"
    rare = enc.build_word_vocabulary(["Va !", "Va vite !", "Cours !"], min_count=2)
    assert rare.words == ("!", "Va")
    target = words.target_vocab
    assert target.french and "\t" in target and "\n" in target
    assert not words.input_vocab.french


def test_word_data_lengths(words) -> None:
    encoder_ids, decoder_ids = words.arrays["train"]
    assert encoder_ids.shape == (len(SOURCES), max(len(enc.tokenize_words(s)) for s in SOURCES))
    assert (decoder_ids[:, 0] == words.target_vocab.token_index["\t"]).all()
    assert [words.target_vocab.decode(row) for row in decoder_ids] == TARGETS


@pytest.mark.slow  # the one-sentence loop, sentence by sentence
def test_word_model_learns_and_batched_greedy_equals_the_loop(words, word_model) -> None:
    encoder_ids, _ = words.arrays["train"]
    encoder_model, decoder_model = variants.variant_inference_models(word_model)
    assert word_model.get_layer("encoder_embedding").mask_zero
    padded = np.pad(encoder_ids, ((0, 0), (0, 3)))
    batched = dec.greedy_decode(encoder_model, decoder_model, padded, words.target_vocab,
                                max_decoder_seq_length=10)
    assert batched == TARGETS
    assert batched == plain_loop(encoder_model, decoder_model, encoder_ids, words.target_vocab,
                                 max_out=10)


def test_translate_a_word_level_model(word_translator) -> None:
    results = translation.translate(word_translator, SOURCES)
    assert [r.text for r in results] == TARGETS
    assert translation.translate(word_translator, "Be   nice.").used_input == "Be nice."
    assert translation.translate(word_translator, "Be nice.", mode="beam").text == "Soyez gentil !"
    steps = dec.decoding_steps(*dec.inference_models_for(word_translator.model),
                               np.array([word_translator.input_vocab.encode("Be nice.")]),
                               word_translator.target_vocab, max_decoder_seq_length=10)
    assert [s.chosen for s in steps] == ["Soyez", "gentil", "!", "⏎"]
    assert steps[-1].text_so_far == "Soyez gentil !"


def test_word_level_bad_input(word_translator) -> None:
    with pytest.raises(translation.UnknownWordsError, match="'Stop'") as caught:
        translation.translate(word_translator, "Stop nice.")
    assert isinstance(caught.value, translation.UnknownInputError)
    assert caught.value.unknown == ["Stop"]
    dropped = translation.translate(word_translator, "Be very nice.", on_unknown="drop")
    assert dropped.used_input == "Be nice." and dropped.unknown == ["very"]
    assert dropped.notices == ["Left out words the model never saw: very"]
    unk = translation.translate(word_translator, "Be very.", on_unknown="unk")
    assert unk.used_input == "Be very." and "<unk>" in unk.notices[0]
    for empty in ["", "   ", "\t\n"]:
        with pytest.raises(translation.EmptyInputError):
            translation.translate(word_translator, empty)
    with pytest.raises(translation.EmptyInputError, match="never saw any"):
        translation.translate(word_translator, "Zebras", on_unknown="drop")
    longest = word_translator.max_encoder_seq_length
    too_long = " ".join(["Go."] * longest)  # 2 tokens each
    with pytest.raises(translation.InputTooLongError, match=f"at most {longest}"):
        translation.translate(word_translator, too_long)
    cut = translation.translate(word_translator, too_long, on_overflow="truncate")
    assert len(enc.tokenize_words(cut.used_input)) == longest and cut.notices
    # no crash:
    assert translation.translate(word_translator, "Be nice\u2019.", on_unknown="drop").text
    with pytest.raises(TypeError):
        translation.translate(word_translator, None)  # type: ignore[arg-type]


def test_typographic_apostrophe_in_a_word(words, word_model) -> None:
    vocab = enc.build_word_vocabulary(["I'm here.", "Go."])
    prepared = translation_input.prepare_input("I\u2019m here.", vocab, 10)
    assert prepared.tokens == ["I'", "m", "here", "."] and prepared.notices
    assert translation_input.prepare_input("I'm here.", vocab, 10).notices == []


def test_variant_inference_models_refuse_other_models() -> None:
    inputs = keras.Input(shape=(3,))
    plain = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    with pytest.raises(ValueError, match="missing"):
        variants.variant_inference_models(plain)
    with pytest.raises(ValueError):
        variants.variant_inference_models("not a model")  # type: ignore[arg-type]
