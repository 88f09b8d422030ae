"""Saved models as a hostile user meets them: tampered copies of the real shipped files must
raise the package's own error naming what is wrong, never load and translate wrongly."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from helpers import model_files, translation
from helpers.encoding import Vocabulary


@pytest.fixture
def copy(tmp_path) -> Path:
    """A copy of the shipped seed model and its manifest."""
    target = tmp_path / model_files.SEED_MODEL.name
    shutil.copy(model_files.SEED_MODEL, target)
    shutil.copy(model_files.manifest_path(model_files.SEED_MODEL),
                model_files.manifest_path(target))
    return target


def edit(path: Path, change, *, rehash: bool = False) -> None:
    meta = model_files.manifest_path(path)
    manifest = json.loads(meta.read_text(encoding="utf-8"))
    change(manifest)
    if rehash:  # a consistent manifest that is still wrong for the model
        model_files.write_manifest(path, manifest)
    else:
        meta.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def test_the_untouched_copy_loads(copy) -> None:
    assert translation.translate(model_files.load_translation_model(copy), "Go.").text


def test_the_seed_models_old_file_name_still_loads_with_a_warning(copy) -> None:
    """``fra_eng_course.keras`` was renamed ``fra_eng_seed.keras``: for one release the old
    path loads the new file, and says so."""
    assert copy.name == "fra_eng_seed.keras"
    old = copy.with_name("fra_eng_course.keras")
    with pytest.warns(DeprecationWarning, match="fra_eng_course.keras was renamed fra_eng_seed"):
        loaded = model_files.load_translation_model(old)
    assert loaded.manifest["model_file"] == copy.name
    assert loaded.manifest == model_files.load_translation_model(copy).manifest
    copy.unlink()
    with pytest.raises(model_files.ModelNotFoundError, match="fra_eng_course.keras"):
        model_files.load_translation_model(old)  # neither file: the path asked for is named


def test_a_swapped_vocabulary_is_caught(copy) -> None:
    def swap(manifest):
        vocab = manifest["input_vocabulary"]
        a, e = vocab.index("a"), vocab.index("e")
        vocab[a], vocab[e] = "e", "a"
    edit(copy, swap)
    with pytest.raises(model_files.ManifestError, match="edited after it was written"):
        model_files.load_translation_model(copy)


def test_a_vocabulary_that_does_not_fit_the_model_is_caught(copy) -> None:
    edit(copy, lambda m: m["input_vocabulary"].append("ß"), rehash=True)
    with pytest.raises(model_files.ManifestError, match="encoder reads .* tokens but the input"):
        model_files.load_translation_model(copy)


@pytest.mark.parametrize("field", ["input_vocabulary", "max_encoder_seq_length", "sha256",
                                   "manifest_sha256"])
def test_a_missing_field_is_named(copy, field) -> None:
    edit(copy, lambda m: m.pop(field))
    with pytest.raises(model_files.ManifestError, match=f"no field '{field}'"):
        model_files.load_translation_model(copy)


@pytest.mark.parametrize(("field", "value"), [("max_encoder_seq_length", "twenty"),
                                              ("max_decoder_seq_length", True),
                                              ("target_vocabulary", "abc"),
                                              ("metadata", [])])
def test_a_field_of_the_wrong_type_is_named(copy, field, value) -> None:
    edit(copy, lambda m: m.__setitem__(field, value), rehash=True)
    with pytest.raises(model_files.ManifestError, match=f"field '{field}' must be"):
        model_files.load_translation_model(copy)


def test_a_manifest_of_another_model_is_caught(copy) -> None:
    edit(copy, lambda m: m.__setitem__("model_file", "other.keras"), rehash=True)
    with pytest.raises(model_files.ManifestError, match="belongs to another model"):
        model_files.load_translation_model(copy)


def test_a_changed_model_file_is_caught(copy) -> None:
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    copy.write_bytes(bytes(data))
    with pytest.raises(model_files.ModelHashMismatchError):
        model_files.load_translation_model(copy)


def test_an_unreadable_file_says_which_and_what_to_do(copy, monkeypatch) -> None:
    # Tests run as root in CI, where chmod cannot take read access away: refuse the read.
    real_read_text = Path.read_text

    def refuse(self, *args, **kwargs):
        if self.suffix == ".json":
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", refuse)
    with pytest.raises(model_files.UnreadableModelFileError, match="chmod u\\+r .*json"):
        model_files.load_translation_model(copy)


def test_a_hand_built_translation_model_with_wrong_vocabularies_is_refused(translator, toy) \
        -> None:
    input_vocab, target_vocab, _, _ = toy
    with pytest.raises(model_files.ManifestError, match="input vocabulary"):
        model_files.TranslationModel(translator.model, target_vocab, target_vocab, {})
    with pytest.raises(model_files.ManifestError, match="target vocabulary"):
        model_files.TranslationModel(translator.model, input_vocab, input_vocab, {})
    with pytest.raises(model_files.ManifestError, match="positive whole number"):
        model_files.TranslationModel(translator.model, input_vocab, target_vocab,
                                     {"max_encoder_seq_length": "20"})
    with pytest.raises(TypeError, match="keras.Model"):
        model_files.TranslationModel("model", input_vocab, target_vocab, {})


@pytest.mark.parametrize(("value", "words"), [(None, "NoneType"), (42, "int"), (1.5, "float"),
                                              (b"Go.", "bytes"), (["Go.", 3], "sentence 1")])
def test_translate_answers_wrong_types_in_its_own_words(translator, value, words) -> None:
    with pytest.raises(TypeError, match=words):
        translation.translate(translator, value)


def test_a_path_the_system_cannot_hold_is_refused_in_words() -> None:
    with pytest.raises(ValueError, match="path has a name of 5000 bytes"):
        model_files.load_translation_model("x" * 5000)


@pytest.mark.parametrize(("token", "name"), [("\t", "start"), ("\n", "stop")])
def test_a_target_vocabulary_without_start_or_stop_is_refused_when_made(translator, toy, token,
                                                                         name) -> None:
    input_vocab, target_vocab, _, _ = toy
    lacking = Vocabulary(tuple("§" if t == token else t for t in target_vocab.tokens))
    with pytest.raises(model_files.ManifestError, match=rf"target_vocab has no {name} token"):
        model_files.TranslationModel(translator.model, input_vocab, lacking, translator.manifest)


@pytest.mark.parametrize("words", [["cold"], {"cold": 0}, {"cold": "3"}, {"cold": True}])
def test_english_words_that_are_not_counts_are_named(copy, words) -> None:
    edit(copy, lambda m: m.__setitem__("english_words", words), rehash=True)
    with pytest.raises(model_files.ManifestError, match="'english_words' must"):
        model_files.load_translation_model(copy)
