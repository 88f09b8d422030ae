"""A translation model's files: where the shipped models are, the manifest beside each
``.keras`` file, saving and loading with a clear error for every way a file can be wrong, and a
subword model's tokenizer file.

Taught in: ``03_encoder_decoder_training`` (saving and loading a trained model; the notebooks
from ``04`` on load the shipped ones by name). :mod:`helpers.models` gives the names notebooks
use (:func:`load_translation_model`, :func:`save_translation_model`, :class:`TranslationModel`,
the models' paths) too; the builders and the inference models are there.

A saved model is a ``.keras`` file plus a JSON manifest beside it: the vocabularies, the
maximum lengths, the model's architecture record (:mod:`helpers.architecture`), the SHA-256 of
the ``.keras`` file and of the manifest itself, and the training facts. A subword model's
manifest also names its sentencepiece file and that file's SHA-256.
"""

from __future__ import annotations

import hashlib
import json
import numbers
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import keras

from helpers.architecture import (
    FAMILY_MODULES,
    Architecture,
    architecture_of,
    check_fits,
    derive_architecture,
    families,
    family,
    record,
)
from helpers.checks import check_path, check_tokens
from helpers.encoding import (
    START_TOKEN,
    STOP_TOKEN,
    SubwordVocabulary,
    SubwordVocabularyError,
    Vocabulary,
)

# --- where the models are ----------------------------------------------------------------

#: What a course translation model's manifest says it is.
TRANSLATION_KIND = "seq2seq_course.translation_model"


def _models_dir() -> Path:
    """``models/`` of the course checkout (an editable install: what ``make pretrained``
    writes); else the copy of those files that a wheel carries as ``helpers/_models/``
    (``pip install git+…`` on Colab; see ``[tool.setuptools]`` in pyproject.toml)."""
    package = Path(__file__).resolve().parent
    if (package.parent / "pyproject.toml").is_file():
        return package.parent / "models"
    return package / "_models"


#: The pretrained models, committed under ``models/`` (docs/glossary.md names each one).
MODELS_DIR = _models_dir()
#: The seed model: the original architecture on the first 30,000 pairs (notebooks 03 and 04
#: teach that architecture and load it by name; notebook 05 measures where it fails).
SEED_MODEL = MODELS_DIR / "fra_eng_seed.keras"
#: The original text's configuration, trained to the end (notebooks 03 and 04).
ORIGINAL_MODEL = MODELS_DIR / "fra_eng_original.keras"
#: The same configuration trained as the text trains it: 100 epochs, no early stopping. It
#: recites its training sentences; notebooks 03 and 04 set it beside the early-stopped one.
ORIGINAL_100_MODEL = MODELS_DIR / "fra_eng_original_100.keras"
#: The attention model (notebook 05).
ATTENTION_MODEL = MODELS_DIR / "fra_eng_attention.keras"
#: The attention model as it stood before the cycles on text as people type it (issue 20):
#: notebook 05 § 8 sets it beside the default model to show what augmentation changed.
ATTENTION_UNAUGMENTED_MODEL = MODELS_DIR / "fra_eng_attention_unaugmented.keras"
#: The Transformer of notebook 07 (``helpers.transformer_recipe`` trains it), with its
#: ``.sentencepiece.model`` tokenizer beside it.
TRANSFORMER_MODEL = MODELS_DIR / "fra_eng_transformer.keras"
#: What :func:`load_translation_model` loads when given no path: the course's default, the
#: model of the best held-out chrF among those that meet the goals on text as people type it,
#: or of all of them while none does (``helpers.model_goals.default_model_name``; a test
#: checks it against the manifests).
PRETRAINED_MODEL = TRANSFORMER_MODEL
#: Shipped files that were renamed: old name → new name. For one release
#: :func:`load_translation_model` still loads a model by its old name (with a
#: ``DeprecationWarning``) when only the renamed file is there.
RENAMED_MODEL_FILES = {"fra_eng_course.keras": SEED_MODEL.name}


# --- what can be wrong with a file ---------------------------------------------------------


class ModelFileError(ValueError):
    """Base class for every problem with a saved translation model."""


class ModelNotFoundError(ModelFileError, FileNotFoundError):
    """The ``.keras`` file or its manifest is missing."""


class ModelHashMismatchError(ModelFileError):
    """The ``.keras`` file is not the one its manifest describes (changed or damaged)."""


class CorruptModelFileError(ModelFileError):
    """The file is not a readable ``.keras`` archive."""


class WrongModelKindError(ModelFileError):
    """The file is a Keras model, but not a course translation model."""


class ManifestError(ModelFileError):
    """The manifest lacks a field, has one of the wrong type, was edited after it was written,
    or does not fit the model beside it. The message names the field."""


class UnreadableModelFileError(ModelFileError, PermissionError):
    """The model file or its manifest exists but cannot be read (permissions)."""


def _check_sizes(architecture: Architecture, input_vocab, target_vocab, where: str) -> None:
    """The model reads ``len(input_vocab)`` tokens and writes ``len(target_vocab)`` (its
    architecture record says how many), or :class:`ManifestError` says which does not fit."""
    if architecture.num_decoder_tokens != len(target_vocab):
        raise ManifestError(f"{where}: the model predicts {architecture.num_decoder_tokens} "
                            f"tokens but the target vocabulary has {len(target_vocab)}")
    if architecture.num_encoder_tokens != len(input_vocab):
        raise ManifestError(f"{where}: the model's encoder reads "
                            f"{architecture.num_encoder_tokens} tokens but the input "
                            f"vocabulary has {len(input_vocab)}")


# --- a loaded model ----------------------------------------------------------------------


@dataclass
class TranslationModel:
    """A loaded translation model with what it needs to read and write text.

    Checked when made: a Keras model, two vocabularies whose sizes fit its layers, and a
    manifest with positive maximum lengths (a wrong vocabulary would otherwise translate
    every input into the same nonsense, silently).
    """

    model: keras.Model
    input_vocab: Vocabulary
    target_vocab: Vocabulary
    manifest: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.model, keras.Model):
            raise TypeError(f"model must be a keras.Model, not {type(self.model).__name__}")
        for name in ("input_vocab", "target_vocab"):
            vocab = getattr(self, name)
            if not hasattr(vocab, "tokens") or not hasattr(vocab, "encode"):
                raise TypeError(f"{name} must be a Vocabulary, not {type(vocab).__name__}")
        if not isinstance(self.manifest, dict):
            raise TypeError(f"manifest must be a dict, not {type(self.manifest).__name__}")
        for key in ("max_encoder_seq_length", "max_decoder_seq_length"):
            value = self.manifest.get(key)
            if value is not None and (isinstance(value, bool)
                                      or not isinstance(value, numbers.Integral) or value < 1):
                raise ManifestError(f"manifest field {key!r} must be a positive whole number, "
                                    f"not {value!r}")
        try:
            architecture = architecture_of(self.model, vocabulary=self.target_vocab)
            check_fits(self.model, architecture)
        except ValueError as exc:
            raise WrongModelKindError(f"not a course translation model: {exc}") from None
        _check_sizes(architecture, self.input_vocab, self.target_vocab, "TranslationModel")
        try:  # else decoding fails later, with KeyError '\t'
            check_tokens("target_vocab", self.target_vocab,
                         {"start": START_TOKEN, "stop": STOP_TOKEN},
                         hint="the decoder starts from the one and ends at the other")
        except ValueError as exc:
            raise ManifestError(str(exc)) from None

    @property
    def architecture(self) -> Architecture:
        """What the model is (family, cell, tokens, reader, attention, sizes): its record."""
        return architecture_of(self.model, vocabulary=self.target_vocab)

    @property
    def max_encoder_seq_length(self) -> int:
        return int(self.manifest["max_encoder_seq_length"])

    @property
    def max_decoder_seq_length(self) -> int:
        return int(self.manifest["max_decoder_seq_length"])


# --- the manifest ------------------------------------------------------------------------


def file_sha256(path: str | Path) -> str:
    """SHA-256 hex digest of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def manifest_path(model_path: str | Path) -> Path:
    """``models/x.keras`` → ``models/x.json``: vocabularies, hash and training facts."""
    return Path(model_path).with_suffix(".json")


def _lean_copy(model: keras.Model) -> keras.Model:
    """The same architecture and weights, compiled the same way, without optimizer state
    (a third of the size; a reloaded model can still be trained further)."""
    copy = keras.Model.from_config(model.get_config())
    copy.set_weights(model.get_weights())
    config = model.get_compile_config() if model.compiled else None
    if config:  # compile() alone: compile_from_config() would build the optimizer's slots
        copy.compile(**keras.saving.deserialize_keras_object(config))
    return copy


#: Every field of a manifest and its type.
MANIFEST_FIELDS: dict[str, type] = {
    "kind": str, "model_file": str, "sha256": str, "input_vocabulary": list,
    "target_vocabulary": list, "max_encoder_seq_length": int, "max_decoder_seq_length": int,
    "metadata": dict, "manifest_sha256": str,
}
#: Fields a manifest may lack (written since a later release; derived when missing). A
#: subword model's manifest names its sentencepiece file and that file's SHA-256.
OPTIONAL_MANIFEST_FIELDS: dict[str, type] = {"architecture": dict, "tokenizer_file": str,
                                             "tokenizer_sha256": str, "english_words": dict}


def tokenizer_path(model_path: str | Path) -> Path:
    """``models/x.keras`` → ``models/x.sentencepiece.model``: a subword model's tokenizer."""
    return Path(model_path).with_suffix(".sentencepiece.model")


def manifest_digest(manifest: dict[str, Any]) -> str:
    """SHA-256 of the manifest's content (every field but ``manifest_sha256`` itself), so that
    an edited vocabulary or length is caught on load like a changed ``.keras`` file."""
    content = {k: v for k, v in manifest.items() if k != "manifest_sha256"}
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_manifest(model_path: str | Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """Write ``manifest`` (with its digest) beside ``model_path``; return what was written."""
    manifest = {k: v for k, v in manifest.items() if k != "manifest_sha256"}
    manifest["manifest_sha256"] = manifest_digest(manifest)
    manifest_path(model_path).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return manifest


def check_manifest(manifest: Any, model_path: str | Path, *, verify_hash: bool = True) -> None:
    """Every field present and of its type, the right model file, the content unchanged since
    it was written; else :class:`ManifestError` (or :class:`WrongModelKindError`) naming it."""
    name = manifest_path(model_path).name
    if not isinstance(manifest, dict) or manifest.get("kind") != TRANSLATION_KIND:
        raise WrongModelKindError(f"{name} does not describe a course translation model")
    for key, kind in MANIFEST_FIELDS.items():
        if key not in manifest:
            raise ManifestError(f"{name} has no field {key!r} (re-save the model with "
                                "save_translation_model())")
        value = manifest[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ManifestError(f"{name}: field {key!r} must be a {kind.__name__}, not "
                                f"{type(value).__name__} ({str(value)[:40]!r})")
    for key, kind in OPTIONAL_MANIFEST_FIELDS.items():
        if key in manifest and not isinstance(manifest[key], kind):
            raise ManifestError(f"{name}: field {key!r} must be a {kind.__name__}, not "
                                f"{type(manifest[key]).__name__} ({str(manifest[key])[:40]!r})")
    words = manifest.get("english_words", {})
    if not all(isinstance(w, str) and isinstance(n, int) and not isinstance(n, bool) and n > 0
               for w, n in words.items()):
        raise ManifestError(f"{name}: field 'english_words' must count each word of the "
                            "training English (a word → a positive whole number)")
    for key in ("max_encoder_seq_length", "max_decoder_seq_length"):
        if manifest[key] < 1:
            raise ManifestError(f"{name}: field {key!r} must be positive, not {manifest[key]}")
    for key in ("input_vocabulary", "target_vocabulary"):
        tokens = manifest[key]
        if not all(isinstance(t, str) for t in tokens) or len(set(tokens)) != len(tokens):
            raise ManifestError(f"{name}: field {key!r} must list distinct strings")
    if manifest["model_file"] != Path(model_path).name:
        raise ManifestError(f"{name}: field 'model_file' names {manifest['model_file']!r}, not "
                            f"{Path(model_path).name!r}: this manifest belongs to another model")
    if verify_hash and manifest["manifest_sha256"] != manifest_digest(manifest):
        raise ManifestError(f"{name} was edited after it was written (its content no longer "
                            "matches its field 'manifest_sha256'): restore it with git or "
                            "retrain the model with `make pretrained`")


# --- saving and loading ------------------------------------------------------------------


def save_translation_model(model: keras.Model, path: str | Path, *, input_vocab: Vocabulary,
                           target_vocab: Vocabulary, max_encoder_seq_length: int,
                           max_decoder_seq_length: int,
                           metadata: dict[str, Any] | None = None,
                           english_words: dict[str, int] | None = None) -> dict[str, Any]:
    """Save ``model`` as ``path`` (``.keras``) and its manifest beside it; return the manifest.

    The manifest records the vocabularies, the maximum lengths, the model's architecture
    (:func:`helpers.architecture.architecture_of`), the file's SHA-256 (checked by
    :func:`load_translation_model`) and whatever ``metadata`` you pass (data, split,
    hyperparameters, scores). ``english_words`` (:func:`helpers.typing_repair.count_words` of
    the training English) lets :func:`helpers.translation.translate` read typos and names the
    model never saw (:mod:`helpers.typing_repair`).
    """
    path = Path(path)
    if path.suffix != ".keras":
        raise ValueError(f"save the model as a .keras file, not {path.name!r}")
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, not {type(model).__name__}")
    try:
        architecture = architecture_of(model, vocabulary=target_vocab)
    except ValueError as exc:
        raise WrongModelKindError(f"not a translation model: {exc}") from None
    _check_sizes(architecture, input_vocab, target_vocab, path.name)
    subwords = [v for v in (input_vocab, target_vocab) if isinstance(v, SubwordVocabulary)]
    if subwords and (len(subwords) != 2 or input_vocab != target_vocab):
        raise ValueError("a subword model reads and writes one shared SubwordVocabulary: give "
                         "the same one as input_vocab and target_vocab")
    path.parent.mkdir(parents=True, exist_ok=True)
    _lean_copy(model).save(path)
    tokenizer: dict[str, str] = {}
    if subwords:
        tokenizer_path(path).write_bytes(subwords[0].model_proto)
        tokenizer = {"tokenizer_file": tokenizer_path(path).name,
                     "tokenizer_sha256": file_sha256(tokenizer_path(path))}
    manifest = {
        "kind": TRANSLATION_KIND,
        "model_file": path.name,
        "sha256": file_sha256(path),
        "input_vocabulary": list(input_vocab.tokens),
        "target_vocabulary": list(target_vocab.tokens),
        "max_encoder_seq_length": int(max_encoder_seq_length),
        "max_decoder_seq_length": int(max_decoder_seq_length),
        "architecture": architecture.as_dict(),
        **tokenizer,
        **({"english_words": dict(sorted(english_words.items()))} if english_words else {}),
        "metadata": metadata or {},
    }
    return write_manifest(path, manifest)


def _renamed(path: Path) -> Path:
    """``path``, or the file it was renamed to (:data:`RENAMED_MODEL_FILES`) when only that one
    is there, with a ``DeprecationWarning`` naming the new path."""
    new_name = RENAMED_MODEL_FILES.get(path.name)
    if new_name is None or path.exists() or not path.with_name(new_name).is_file():
        return path
    renamed = path.with_name(new_name)
    warnings.warn(f"{path.name} was renamed {new_name}: load {renamed} instead (the old name "
                  "will stop working in the next release)",
                  DeprecationWarning, stacklevel=3)
    return renamed


def load_translation_model(path: str | Path = PRETRAINED_MODEL, *,
                           verify_hash: bool = True) -> TranslationModel:
    """Load a model saved by :func:`save_translation_model` (default: the pretrained one).

    Checks, in order, with a clear error for each: both files exist
    (:class:`ModelNotFoundError`); the manifest is a translation model's
    (:class:`WrongModelKindError`); the file's SHA-256 is the manifest's
    (:class:`ModelHashMismatchError`); the file is a ``.keras`` archive
    (:class:`CorruptModelFileError`); it loads with ``safe_mode=True`` and has the
    translation layers, sized like the vocabularies (:class:`WrongModelKindError`).

    A shipped file's old name (``fra_eng_course.keras``, now ``fra_eng_seed.keras``) still
    loads the renamed file, with a ``DeprecationWarning``, for one release.
    """
    path = _renamed(check_path("path", path, what="a .keras file"))
    if not path.is_file():
        raise ModelNotFoundError(f"no model file at {path}")
    meta_path = manifest_path(path)
    if not meta_path.is_file():
        raise ModelNotFoundError(
            f"{path.name} has no manifest {meta_path.name} beside it (vocabularies and hash); "
            "save models with save_translation_model()")
    try:
        manifest = json.loads(meta_path.read_text(encoding="utf-8"))
        actual = file_sha256(path) if verify_hash else ""
    except PermissionError as exc:
        raise UnreadableModelFileError(
            f"cannot read {exc.filename or path}: permission denied. Give yourself read access "
            f"(e.g. `chmod u+r {exc.filename or path}`) or copy the model somewhere you can "
            "read it.") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CorruptModelFileError(f"{meta_path.name} is not valid JSON ({exc})") from exc
    check_manifest(manifest, path, verify_hash=verify_hash)
    if verify_hash:
        if actual != manifest.get("sha256"):
            raise ModelHashMismatchError(
                f"{path.name} has SHA-256 {actual[:12]}…, but its manifest expects "
                f"{str(manifest.get('sha256'))[:12]}…: the file was changed or damaged "
                "(retrain it with `make pretrained`, or restore it with git)")
    try:
        with zipfile.ZipFile(path) as archive:
            if "config.json" not in archive.namelist():
                raise CorruptModelFileError(f"{path.name} is a zip file but not a .keras model")
    except zipfile.BadZipFile as exc:
        raise CorruptModelFileError(
            f"{path.name} is not a .keras file (not a zip archive)") from exc
    recorded = manifest.get("architecture")
    if isinstance(recorded, dict) and recorded.get("family") in FAMILY_MODULES:
        family(recorded["family"])  # its module registers the layers the file names
    else:  # a manifest from before records: the file may name any family's layers
        families()
    try:
        with warnings.catch_warnings():
            # saved without optimizer slots on purpose (see _lean_copy); not a problem
            warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
            model = keras.saving.load_model(path, safe_mode=True)
    except Exception as exc:  # a damaged archive or a model of unknown layers
        raise CorruptModelFileError(
            f"{path.name} could not be loaded ({type(exc).__name__}: {str(exc)[:200]})") from exc
    if "architecture" in manifest:  # what the model is, as recorded when it was saved
        try:
            architecture = Architecture.from_dict(manifest["architecture"])
        except (TypeError, ValueError) as exc:
            raise ManifestError(f"{meta_path.name}: field 'architecture': {exc}") from None
    try:
        if "architecture" not in manifest:  # a manifest from before records: derived once
            architecture = derive_architecture(model)
        check_fits(model, architecture)
    except ValueError as exc:
        if len(model.inputs) == 2 and "architecture" in manifest:
            raise ManifestError(f"{meta_path.name}: field 'architecture' does not fit "
                                f"{path.name}: {exc}") from None
        raise WrongModelKindError(
            f"{path.name} is a Keras model but not a translation model ({exc})") from None
    record(model, architecture)
    if architecture.tokens == "subwords":
        vocab = _load_tokenizer(path, manifest, verify_hash)
        _check_sizes(architecture, vocab, vocab, path.name)
        return TranslationModel(model, vocab, vocab, manifest)
    try:
        input_vocab = Vocabulary(tuple(manifest["input_vocabulary"]))
        target_vocab = Vocabulary(tuple(manifest["target_vocabulary"]))
    except ValueError as exc:
        raise ManifestError(f"{meta_path.name}: a vocabulary field is not a course "
                            f"vocabulary ({exc})") from exc
    _check_sizes(architecture, input_vocab, target_vocab, path.name)
    return TranslationModel(model, input_vocab, target_vocab, manifest)


def _load_tokenizer(path: Path, manifest: dict[str, Any], verify_hash: bool) -> SubwordVocabulary:
    """A subword model's vocabulary, from the sentencepiece file its manifest names (checked:
    present, unchanged, the pieces the manifest lists)."""
    name = manifest_path(path).name
    if "tokenizer_file" not in manifest or "tokenizer_sha256" not in manifest:
        raise ManifestError(f"{name}: a subword model's manifest names its tokenizer "
                            "(fields 'tokenizer_file' and 'tokenizer_sha256')")
    file = path.with_name(manifest["tokenizer_file"])
    if not file.is_file():
        raise ModelNotFoundError(f"{path.name} needs its tokenizer {file.name} beside it")
    if verify_hash and file_sha256(file) != manifest["tokenizer_sha256"]:
        raise ModelHashMismatchError(f"{file.name} is not the tokenizer {path.name} was trained "
                                     "with (its SHA-256 differs from the manifest's)")
    try:
        vocab = SubwordVocabulary.from_file(file)
    except SubwordVocabularyError as exc:
        raise CorruptModelFileError(f"{file.name}: {exc}") from None
    for key in ("input_vocabulary", "target_vocabulary"):
        if list(vocab.tokens) != manifest[key]:
            raise ManifestError(f"{name}: field {key!r} is not the pieces of {file.name}")
    return vocab
