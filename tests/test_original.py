"""A model trained with the original text's own code (its token indices, its space padding, no
mask) decodes through the package exactly as the original's loop decodes it."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from helpers import data, decoding, encoding, model_files, models, original, translation


def original_arrays(pairs, pad_with_space=True):
    """The original's data preparation: sorted characters numbered from 0, one-hot rows padded
    to the longest sentence (with the space character, as keras-io does, or zero vectors)."""
    input_texts = [english for english, _ in pairs]
    target_texts = ["\t" + french + "\n" for _, french in pairs]
    input_characters = sorted({ch for text in input_texts for ch in text})
    target_characters = sorted({ch for text in target_texts for ch in text})
    input_token_index = {ch: i for i, ch in enumerate(input_characters)}
    target_token_index = {ch: i for i, ch in enumerate(target_characters)}
    max_encoder_seq_length = max(len(t) for t in input_texts)
    max_decoder_seq_length = max(len(t) for t in target_texts)
    encoder_input_data = np.zeros((len(pairs), max_encoder_seq_length, len(input_characters)),
                                  "float32")
    decoder_input_data = np.zeros((len(pairs), max_decoder_seq_length, len(target_characters)),
                                  "float32")
    decoder_target_data = np.zeros_like(decoder_input_data)
    for i, (input_text, target_text) in enumerate(zip(input_texts, target_texts, strict=True)):
        for t, ch in enumerate(input_text):
            encoder_input_data[i, t, input_token_index[ch]] = 1.0
        if pad_with_space:
            encoder_input_data[i, len(input_text):, input_token_index[" "]] = 1.0
        for t, ch in enumerate(target_text):
            decoder_input_data[i, t, target_token_index[ch]] = 1.0
            if t > 0:
                decoder_target_data[i, t - 1, target_token_index[ch]] = 1.0
        if pad_with_space:
            decoder_input_data[i, len(target_text):, target_token_index[" "]] = 1.0
            decoder_target_data[i, len(target_text) - 1:, target_token_index[" "]] = 1.0
    return (input_texts, input_token_index, target_token_index, max_encoder_seq_length,
            max_decoder_seq_length, encoder_input_data, decoder_input_data, decoder_target_data)


def original_decode_sequence(input_seq, encoder_model, decoder_model, target_token_index,
                             max_decoder_seq_length):
    """The original's loop, with its own reverse index and one-hot target sequence (models
    called directly instead of through ``predict``: the same numbers, ten times faster)."""
    reverse_target_char_index = {i: ch for ch, i in target_token_index.items()}
    states_value = [np.asarray(s) for s in encoder_model(input_seq)]
    target_seq = np.zeros((1, 1, len(target_token_index)))
    target_seq[0, 0, target_token_index["\t"]] = 1.0
    decoded_sentence = ""
    while True:
        output_tokens, h, c = (np.asarray(t) for t in decoder_model([target_seq, *states_value]))
        sampled_char = reverse_target_char_index[int(np.argmax(output_tokens[0, -1, :]))]
        decoded_sentence += sampled_char
        if sampled_char == "\n" or len(decoded_sentence) > max_decoder_seq_length:
            return decoded_sentence
        target_seq = np.zeros((1, 1, len(target_token_index)))
        target_seq[0, 0, target_token_index[sampled_char]] = 1.0
        states_value = [h, c]


EPOCHS, PAIRS = 40, 150


@pytest.fixture(scope="module")
def built():
    """The original's model (not trained yet) and its arrays, on 150 pairs with spaces."""
    keras.utils.set_random_seed(3)
    pairs = [p for p in data.load_fra_eng(10_000)[::20] if " " in p[0]][:PAIRS]
    arrays = original_arrays(pairs)
    input_token_index, target_token_index = arrays[1:3]
    latent_dim = 48
    encoder_inputs = keras.Input(shape=(None, len(input_token_index)))
    _, state_h, state_c = keras.layers.LSTM(latent_dim, return_state=True)(encoder_inputs)
    encoder_states = [state_h, state_c]
    decoder_inputs = keras.Input(shape=(None, len(target_token_index)))
    decoder_lstm = keras.layers.LSTM(latent_dim, return_sequences=True, return_state=True)
    decoder_outputs, _, _ = decoder_lstm(decoder_inputs, initial_state=encoder_states)
    decoder_dense = keras.layers.Dense(len(target_token_index), activation="softmax")
    model = keras.Model([encoder_inputs, decoder_inputs], decoder_dense(decoder_outputs))
    # the original's loss; a faster optimizer than its rmsprop, so that a test can afford it
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="categorical_crossentropy")
    encoder_model = keras.Model(encoder_inputs, encoder_states)
    state_inputs = [keras.Input(shape=(latent_dim,)), keras.Input(shape=(latent_dim,))]
    outputs, h, c = decoder_lstm(decoder_inputs, initial_state=state_inputs)
    decoder_model = keras.Model([decoder_inputs, *state_inputs], [decoder_dense(outputs), h, c])
    return model, arrays, encoder_model, decoder_model


@pytest.fixture(scope="module")
def trained(built):
    """``built``, trained as the original text trains it: small and short."""
    model, arrays = built[:2]
    encoder_input_data, decoder_input_data, decoder_target_data = arrays[5:]
    model.fit([encoder_input_data, decoder_input_data], decoder_target_data, batch_size=32,
              epochs=EPOCHS, verbose=0)
    return built


def loop_outputs(trained, rows, pad_with_space=True):
    model, arrays, encoder_model, decoder_model = trained
    input_texts, _, target_token_index, _, max_decoder_seq_length, encoder_input_data = arrays[:6]
    if not pad_with_space:  # the same sentences, padded with zero vectors (the 2017 post)
        encoder_input_data = original_arrays(
            [(e, "x") for e in input_texts], pad_with_space=False)[5]
    return [original_decode_sequence(encoder_input_data[i: i + 1], encoder_model, decoder_model,
                                     target_token_index, max_decoder_seq_length)
            for i in rows]


def wrapped_model(trained, padding=" "):
    model, arrays = trained[:2]
    _, input_token_index, target_token_index, max_enc, max_dec = arrays[:5]
    return original.wrap_original_model(model, input_token_index, target_token_index,
                                        max_encoder_seq_length=max_enc,
                                        max_decoder_seq_length=max_dec, padding=padding)


def rows(trained) -> list[int]:
    """12 of the training sentences (each has a space), none of the longest."""
    input_texts, max_encoder_seq_length = trained[1][0], trained[1][3]
    shorter = [i for i, text in enumerate(input_texts) if len(text) < max_encoder_seq_length]
    return shorter[:: max(1, len(shorter) // 12)][:12]


@pytest.mark.slow  # trains the original's script; its one-sentence loop
@pytest.mark.parametrize("padding", [" ", None])
def test_batched_decoders_give_the_original_loops_strings(trained, padding) -> None:
    input_texts, chosen = trained[1][0], rows(trained)
    expected = loop_outputs(trained, chosen, pad_with_space=padding is not None)
    wrapped = wrapped_model(trained, padding)
    encoder_model, decoder_model = models.inference_models(wrapped.model)
    ids = encoding.encode_sequences([input_texts[i] for i in chosen], wrapped.input_vocab)
    assert ids.shape[1] < wrapped.max_encoder_seq_length  # the batch is padded less than trained
    greedy = decoding.greedy_decode(encoder_model, decoder_model, ids, wrapped.target_vocab,
                                    max_decoder_seq_length=wrapped.max_decoder_seq_length)
    assert greedy == [s.removesuffix("\n") for s in expected]
    assert any(" " in s for s in greedy)  # spaces are characters, not padding
    model, arrays, loop_encoder, loop_decoder = trained
    unpadded = [original_decode_sequence(arrays[5][i: i + 1, :len(input_texts[i])], loop_encoder,
                                         loop_decoder, arrays[2], arrays[4]) for i in chosen]
    assert padding is None or unpadded != expected  # the padding matters: it was read in training
    alone = decoding.greedy_decode(encoder_model, decoder_model, ids[:1, :len(input_texts[0])],
                                   wrapped.target_vocab,
                                   max_decoder_seq_length=wrapped.max_decoder_seq_length)
    assert alone == greedy[:1]  # a sentence alone decodes as in any batch
    beam = decoding.beam_search(encoder_model, decoder_model, ids, wrapped.target_vocab,
                                beam_width=1,
                                max_decoder_seq_length=wrapped.max_decoder_seq_length)
    assert beam == greedy


@pytest.mark.slow  # trains the original's script; its one-sentence loop
def test_translate_and_reload_work_with_the_wrapped_model(trained, tmp_path) -> None:
    input_texts, chosen = trained[1][0], rows(trained)
    expected = [s.removesuffix("\n") for s in loop_outputs(trained, chosen[:6])]
    wrapped = wrapped_model(trained)
    assert [translation.translate(wrapped, input_texts[i]).text for i in chosen[:6]] == expected
    path = tmp_path / "original.keras"
    models.save_translation_model(
        wrapped.model, path, input_vocab=wrapped.input_vocab, target_vocab=wrapped.target_vocab,
        max_encoder_seq_length=wrapped.max_encoder_seq_length,
        max_decoder_seq_length=wrapped.max_decoder_seq_length)
    reloaded = models.load_translation_model(path)  # safe_mode=True
    encoder_model, decoder_model = models.inference_models(reloaded.model)
    ids = encoding.encode_sequences([input_texts[i] for i in chosen[:6]], reloaded.input_vocab)
    assert decoding.greedy_decode(encoder_model, decoder_model, ids, reloaded.target_vocab,
                                  max_decoder_seq_length=reloaded.max_decoder_seq_length
                                  ) == expected
    longest = max(input_texts, key=len)
    assert translation.translate(reloaded, longest).used_input == longest
    with pytest.raises(translation.TranslationInputError):
        translation.translate(reloaded, longest + " and more")


def test_wrap_answers_bad_arguments_in_its_own_words(built, course_model) -> None:
    model, arrays = built[:2]
    _, input_token_index, target_token_index, max_enc, max_dec = arrays[:5]
    lengths = {"max_encoder_seq_length": max_enc, "max_decoder_seq_length": max_dec}
    with pytest.raises(model_files.WrongModelKindError, match="one-hot inputs"):
        original.wrap_original_model(course_model, input_token_index, target_token_index,
                                     **lengths)
    smaller = dict(list(input_token_index.items())[:-1])
    with pytest.raises(ValueError, match="input_token_index must number"):
        original.wrap_original_model(model, smaller, target_token_index, **lengths)
    with pytest.raises(TypeError, match="must be a dict"):
        original.wrap_original_model(model, list(input_token_index), target_token_index,
                                     **lengths)
    no_space = {("#" if ch == " " else ch): i for ch, i in input_token_index.items()}
    with pytest.raises(ValueError, match="padding ' ' is not a character"):
        original.wrap_original_model(model, no_space, target_token_index, **lengths)
    with pytest.raises(ValueError, match="max_encoder_seq_length"):
        original.wrap_original_model(model, input_token_index, target_token_index,
                                     max_encoder_seq_length=0, max_decoder_seq_length=max_dec)
