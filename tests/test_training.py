"""helpers.training and the translation section of helpers.models: the masked loss and
accuracy, the OneHot layer and the encoder's mask, length bucketing, held-out scoring, the
course trainer, save/reload with safe_mode=True, clear errors for bad files, the pretrained
model, and agreement with notebook 03's own versions."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import keras
import numpy as np
import pytest

from helpers import model_files, models, training
from helpers.encoding import (
    Vocabulary,
    add_start_stop,
    build_vocabulary,
    encode_sequences,
    one_hot,
    shift_left,
)
from tests.notebook_tools import taught

INPUTS = ["Go.", "Hi.", "Run!", "Be nice.", "I see.", "Wait!", "Help me.", "Stop it."]
TARGETS = ["Va !", "Salut !", "Cours !", "Soyez gentil !", "Je comprends.", "Attends !",
           "Aidez-moi.", "Arrête ça."]


@pytest.fixture(scope="module")
def eight_pairs():
    input_vocab = build_vocabulary(INPUTS)
    target_vocab = build_vocabulary(add_start_stop(t) for t in TARGETS)
    enc = encode_sequences(INPUTS, input_vocab)
    dec = encode_sequences([add_start_stop(t) for t in TARGETS], target_vocab)
    return input_vocab, target_vocab, enc, dec


def tiny_course_model(pairs, latent_dim: int = 8, seed: int = 1) -> keras.Model:
    input_vocab, target_vocab, _, _ = pairs
    keras.utils.set_random_seed(seed)
    return models.build_course_model(len(input_vocab), len(target_vocab), latent_dim=latent_dim)


def random_probs(shape, seed=0) -> np.ndarray:
    p = np.random.default_rng(seed).random(shape).astype("float32") + 0.05
    return p / p.sum(axis=-1, keepdims=True)


# --- masked loss and accuracy ----------------------------------------------------------


def manual_masked_loss(y_true, probs) -> float:
    real = y_true != 0
    picked = np.take_along_axis(probs, y_true[..., None], axis=-1)[..., 0]
    return float(-np.log(picked[real]).mean())


def test_masked_loss_is_the_mean_over_real_characters() -> None:
    y_true = np.array([[3, 1, 2, 0, 0], [4, 0, 0, 0, 0]])
    probs = random_probs((2, 5, 6))
    got = float(training.masked_loss(y_true, probs))
    assert got == pytest.approx(manual_masked_loss(y_true, probs), rel=1e-5)
    # counting padding (as class 0) would give another number
    every_step = float(keras.losses.sparse_categorical_crossentropy(y_true, probs).numpy().mean())
    assert abs(got - every_step) > 1e-3


def test_masked_loss_and_accuracy_ignore_padded_predictions_only() -> None:
    y_true = np.array([[3, 1, 2, 0, 0]])
    probs = random_probs((1, 5, 6))
    loss, acc = float(training.masked_loss(y_true, probs)), \
        float(training.masked_accuracy(y_true, probs))
    changed_padding = probs.copy()
    changed_padding[0, 3:] = random_probs((2, 6), seed=5)
    assert float(training.masked_loss(y_true, changed_padding)) == pytest.approx(loss)
    assert float(training.masked_accuracy(y_true, changed_padding)) == pytest.approx(acc)
    changed_real = probs.copy()
    changed_real[0, 0] = np.eye(6)[3] * 0.9 + 0.1 / 6
    assert float(training.masked_loss(y_true, changed_real)) != pytest.approx(loss)


def test_masked_accuracy_counts_real_characters() -> None:
    y_true = np.array([[5, 3, 0, 0, 0, 0]])
    probs = np.full((1, 6, 8), 0.02, dtype="float32")
    probs[0, 0, 5] = 0.86  # right
    probs[0, 1, 7] = 0.86  # wrong
    assert float(training.masked_accuracy(y_true, probs)) == pytest.approx(0.5)
    assert training.accuracy_counting_padding(y_true, probs) == pytest.approx(5 / 6)
    perfect = np.eye(8, dtype="float32")[y_true]
    assert float(training.masked_accuracy(y_true, perfect)) == pytest.approx(1.0)
    assert float(training.masked_loss(y_true, perfect)) < 1e-5


# --- the OneHot layer and the encoder's mask ----------------------------------------------


def test_one_hot_layer_matches_encoding_one_hot(eight_pairs) -> None:
    input_vocab, _, enc, _ = eight_pairs
    layer = models.OneHot(len(input_vocab), mask_zero=True)
    np.testing.assert_array_equal(np.asarray(layer(enc)), one_hot(enc, len(input_vocab)))
    np.testing.assert_array_equal(np.asarray(layer.compute_mask(enc)), enc != 0)
    assert models.OneHot(5).compute_mask(enc) is None
    clone = models.OneHot.from_config(layer.get_config())
    assert (clone.num_tokens, clone.mask_zero) == (len(input_vocab), True)
    with pytest.raises(ValueError, match="num_tokens"):
        models.OneHot(0)


def encoder_of(model: keras.Model) -> keras.Model:
    lstm = model.get_layer("encoder_lstm")
    return keras.Model(model.get_layer("encoder_inputs").output, lstm.output[1:])


def test_padding_does_not_change_the_encoding(eight_pairs) -> None:
    _, _, enc, dec = eight_pairs
    model = tiny_course_model(eight_pairs)
    encoder = encoder_of(model)
    row = 0  # "Go.", shorter than the batch's longest sentence
    length = int((enc[row] != 0).sum())
    assert length < enc.shape[1]
    alone_h, alone_c = (np.asarray(s) for s in encoder(enc[row:row + 1, :length]))
    batch_h, batch_c = (np.asarray(s) for s in encoder(enc))
    np.testing.assert_allclose(batch_h[row], alone_h[0], atol=1e-6)
    np.testing.assert_allclose(batch_c[row], alone_c[0], atol=1e-6)
    # and the decoder's outputs at real steps do not depend on the batch's padding either
    dec_len = int((dec[row] != 0).sum())
    alone = np.asarray(model([enc[row:row + 1, :length], dec[row:row + 1, :dec_len]]))
    batch = np.asarray(model([enc, dec]))
    np.testing.assert_allclose(batch[row, :dec_len], alone[0], atol=1e-6)


def test_course_and_original_models_have_the_same_weights(eight_pairs) -> None:
    input_vocab, target_vocab, _, _ = eight_pairs
    course = tiny_course_model(eight_pairs)
    original = models.build_original_model(len(input_vocab), len(target_vocab), latent_dim=8)
    assert course.count_params() == original.count_params()
    for name in ("encoder_lstm", "decoder_lstm", "decoder_dense"):
        shapes = [tuple(w.shape) for w in course.get_layer(name).weights]
        assert shapes == [tuple(w.shape) for w in original.get_layer(name).weights], name
    # so the original's weights load into the course model, layer by layer
    for name in ("encoder_lstm", "decoder_lstm", "decoder_dense"):
        course.get_layer(name).set_weights(original.get_layer(name).get_weights())
    with pytest.raises(ValueError, match="latent_dim"):
        models.build_course_model(5, 5, latent_dim=0)


# --- bucketing and the dataset ----------------------------------------------------------


def test_bucketing_yields_every_example_once() -> None:
    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 30, size=203)
    dec = np.zeros((203, 32), dtype=np.int32)
    for i, n in enumerate(lengths):
        dec[i, :n] = 5
    enc = dec[:, :20].copy()
    batches = training.length_bucketed_batches(enc, dec, 16, seed=3)
    rows = np.concatenate(batches)
    assert sorted(rows.tolist()) == list(range(203))
    assert [len(b) for b in batches].count(16) == 12 and len(batches) == 13
    spread = max(int(np.ptp(lengths[b])) for b in batches)
    assert spread <= 3, "batches mix short and long sentences"
    other = training.length_bucketed_batches(enc, dec, 16, seed=4)
    assert [b.tolist() for b in other] != [b.tolist() for b in batches]
    for bad in (0, -1):
        with pytest.raises(ValueError, match="batch_size"):
            training.length_bucketed_batches(enc, dec, bad)
    with pytest.raises(ValueError, match="same number of rows"):
        training.length_bucketed_batches(enc, dec[:5], 4)


def test_dataset_batches_are_trimmed_and_shifted(eight_pairs) -> None:
    _, _, enc, dec = eight_pairs
    dataset = training.make_dataset(enc, dec, batch_size=3, seed=0)
    assert int(dataset.cardinality()) == 3
    seen = []
    for (enc_batch, dec_batch), target in dataset:
        enc_batch, dec_batch, target = (np.asarray(t) for t in (enc_batch, dec_batch, target))
        assert (enc_batch != 0).sum(axis=1).max() == enc_batch.shape[1]  # no all-padding column
        np.testing.assert_array_equal(target, shift_left(dec_batch))
        seen += [tuple(r[r != 0]) for r in dec_batch]
    assert sorted(seen) == sorted(tuple(r[r != 0]) for r in dec)


# --- held-out scoring and the trainer -----------------------------------------------------


def test_heldout_scores_equal_a_full_padded_computation(eight_pairs) -> None:
    _, _, enc, dec = eight_pairs
    model = tiny_course_model(eight_pairs)
    scores = training.heldout_scores(model, enc, dec, batch_size=3)
    probs = np.asarray(model([enc, dec]), dtype=np.float64)
    target = shift_left(dec)
    assert scores["loss"] == pytest.approx(manual_masked_loss(target, probs), rel=1e-5)
    real = target != 0
    hits = (probs.argmax(-1) == target) & real
    assert scores["accuracy"] == pytest.approx(hits.sum() / real.sum())
    assert scores["accuracy_with_padding"] == pytest.approx((hits | ~real).mean())


@pytest.mark.slow  # trains for several epochs
def test_course_trainer_keeps_the_best_weights(eight_pairs, tmp_path) -> None:
    input_vocab, target_vocab, enc, dec = eight_pairs
    prepared = training.TranslationData(input_vocab, target_vocab, [], [], [],
                                        {"train": (enc, dec), "validation": (enc, dec)})
    model = tiny_course_model(eight_pairs)
    checkpoint = tmp_path / "best.weights.h5"
    run = training.train_course(model, prepared, epochs=3, batch_size=4, patience=1,
                                checkpoint=checkpoint, verbose=0)
    assert 1 <= len(run.rows) <= 3 and checkpoint.is_file()
    assert [r["epoch"] for r in run.rows] == list(range(1, len(run.rows) + 1))
    after = training.heldout_scores(model, enc, dec)["loss"]
    assert after == pytest.approx(run.best["heldout_loss"], rel=1e-5)


@pytest.mark.slow  # trains for several epochs
def test_course_trainer_without_early_stopping_keeps_every_epoch_and_the_last(eight_pairs) -> None:
    input_vocab, target_vocab, enc, dec = eight_pairs
    prepared = training.TranslationData(input_vocab, target_vocab, [], [], [],
                                        {"train": (enc, dec), "validation": (enc, dec)})
    model = tiny_course_model(eight_pairs)
    model.optimizer.learning_rate.assign(0.5)  # so large that the held-out loss cannot only fall
    run = training.train_course(model, prepared, epochs=4, batch_size=4, patience=None,
                                verbose=0)
    assert [r["epoch"] for r in run.rows] == [1, 2, 3, 4] and not run.stopped_early
    after = training.heldout_scores(model, enc, dec)["loss"]
    assert after == pytest.approx(run.rows[-1]["heldout_loss"], rel=1e-5)

# --- save, reload, and bad files ---------------------------------------------------------


@pytest.fixture(scope="module")
def saved(eight_pairs, tmp_path_factory):
    input_vocab, target_vocab, enc, dec = eight_pairs
    model = tiny_course_model(eight_pairs)
    path = tmp_path_factory.mktemp("model") / "eight_pairs.keras"
    manifest = models.save_translation_model(
        model, path, input_vocab=input_vocab, target_vocab=target_vocab,
        max_encoder_seq_length=enc.shape[1], max_decoder_seq_length=dec.shape[1],
        metadata={"note": "toy"})
    return model, path, manifest


def test_reload_with_safe_mode_gives_identical_predictions(eight_pairs, saved) -> None:
    input_vocab, target_vocab, enc, dec = eight_pairs
    model, path, manifest = saved
    loaded = models.load_translation_model(path)
    assert loaded.input_vocab == input_vocab and loaded.target_vocab == target_vocab
    assert loaded.max_decoder_seq_length == dec.shape[1]
    assert manifest["metadata"] == {"note": "toy"}
    np.testing.assert_array_equal(np.asarray(model.predict_on_batch([enc, dec])),
                                  np.asarray(loaded.model.predict_on_batch([enc, dec])))
    with warnings.catch_warnings():  # saved without optimizer slots, on purpose
        warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
        plain = keras.saving.load_model(path, safe_mode=True)
    assert isinstance(plain.get_layer("encoder_onehot"), models.OneHot)
    assert plain.get_layer("encoder_onehot").mask_zero
    # compiled with the masked loss, and can train further
    assert loaded.model.loss is training.masked_loss


def copy_model(saved, tmp_path: Path) -> Path:
    _, path, _ = saved
    target = tmp_path / path.name
    target.write_bytes(path.read_bytes())
    models.manifest_path(target).write_text(models.manifest_path(path).read_text("utf-8"),
                                            "utf-8")
    return target


def test_changed_file_fails_the_hash_check(saved, tmp_path) -> None:
    path = copy_model(saved, tmp_path)
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(model_files.ModelHashMismatchError, match="SHA-256"):
        models.load_translation_model(path)


def rewrite_hash(path: Path) -> None:
    """A consistent manifest for a replaced file (hash and content digest rewritten), so that
    the check under test is the one that fires."""
    meta = models.manifest_path(path)
    manifest = json.loads(meta.read_text("utf-8"))
    manifest["sha256"] = model_files.file_sha256(path)
    model_files.write_manifest(path, manifest)


def test_corrupt_file_gives_a_clear_error(saved, tmp_path) -> None:
    path = copy_model(saved, tmp_path)
    path.write_bytes(b"this is not a zip archive")
    rewrite_hash(path)
    with pytest.raises(model_files.CorruptModelFileError, match="not a .keras file"):
        models.load_translation_model(path)


def test_model_of_another_kind_gives_a_clear_error(saved, tmp_path) -> None:
    path = copy_model(saved, tmp_path)
    other = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    other.save(path)
    rewrite_hash(path)
    with pytest.raises(model_files.WrongModelKindError, match="not a translation model"):
        models.load_translation_model(path)
    with pytest.raises(model_files.WrongModelKindError):
        models.save_translation_model(other, tmp_path / "x.keras", input_vocab=Vocabulary(
            ("<pad>", "<unk>")), target_vocab=Vocabulary(("<pad>", "<unk>")),
            max_encoder_seq_length=1, max_decoder_seq_length=1)


def test_missing_or_foreign_manifest(saved, tmp_path) -> None:
    path = copy_model(saved, tmp_path)
    meta = models.manifest_path(path)
    meta.write_text(json.dumps({"kind": "something else"}), "utf-8")
    with pytest.raises(model_files.WrongModelKindError, match="does not describe"):
        models.load_translation_model(path)
    meta.unlink()
    with pytest.raises(model_files.ModelNotFoundError, match="manifest"):
        models.load_translation_model(path)
    with pytest.raises(model_files.ModelNotFoundError):
        models.load_translation_model(tmp_path / "absent.keras")
    assert issubclass(model_files.ModelFileError, ValueError)


# --- notebook 03's own versions agree with helpers ----------------------------------------


def test_taught_build_original_model_agrees(eight_pairs) -> None:
    input_vocab, target_vocab, enc, dec = eight_pairs
    mine = taught("helpers.models.build_original_model")(len(input_vocab), len(target_vocab),
                                                          latent_dim=8)
    ours = models.build_original_model(len(input_vocab), len(target_vocab), latent_dim=8)
    assert [(layer.name, type(layer)) for layer in mine.layers] == \
        [(layer.name, type(layer)) for layer in ours.layers]
    mine_config, ours_config = mine.get_compile_config(), ours.get_compile_config()
    for config in (mine_config, ours_config):
        del config["optimizer"]["config"]["name"]  # rm_sprop_1, rm_sprop_2, …
    assert mine_config == ours_config
    ours.set_weights(mine.get_weights())
    x = [one_hot(enc, len(input_vocab)), one_hot(dec, len(target_vocab))]
    np.testing.assert_allclose(np.asarray(mine(x)), np.asarray(ours(x)), atol=1e-6)


def test_taught_one_hot_agrees(eight_pairs) -> None:
    input_vocab, _, enc, _ = eight_pairs
    mine = taught("helpers.models.OneHot")(len(input_vocab), mask_zero=True)
    ours = models.OneHot(len(input_vocab), mask_zero=True)
    np.testing.assert_array_equal(np.asarray(mine(enc)), np.asarray(ours(enc)))
    np.testing.assert_array_equal(np.asarray(mine.compute_mask(enc)),
                                  np.asarray(ours.compute_mask(enc)))
    assert mine.get_config()["num_tokens"] == ours.get_config()["num_tokens"]


def agree_on_random_batches(mine, ours) -> None:
    rng = np.random.default_rng(7)
    for seed in range(3):
        y_true = rng.integers(0, 6, size=(4, 7))
        probs = random_probs((4, 7, 6), seed=seed)
        assert float(mine(y_true, probs)) == pytest.approx(float(ours(y_true, probs)), rel=1e-6)


def test_taught_masked_loss_agrees() -> None:
    agree_on_random_batches(taught("helpers.training.masked_loss"), training.masked_loss)


def test_taught_masked_accuracy_agrees() -> None:
    agree_on_random_batches(taught("helpers.training.masked_accuracy"), training.masked_accuracy)


def test_taught_length_bucketed_batches_agrees(eight_pairs) -> None:
    _, _, enc, dec = eight_pairs
    mine = taught("helpers.training.length_bucketed_batches")
    for batch_size, seed in [(1, 0), (3, 1), (5, 2), (100, 3)]:
        a = mine(enc, dec, batch_size, seed=seed)
        b = training.length_bucketed_batches(enc, dec, batch_size, seed=seed)
        assert [x.tolist() for x in a] == [x.tolist() for x in b]
    with pytest.raises(ValueError):
        mine(enc, dec, 0)
