"""What a translation model is, written down: its architecture record, and the registry of model
families that build it and take it apart for decoding.

Used in: every notebook that loads or builds a translation model, through :mod:`helpers.models`
(the record is written into each model's manifest and carried by ``TranslationModel``) and
:mod:`helpers.decoding` (which asks the registry for a model's inference models). Plumbing, not
a concept the course teaches: no notebook writes this module out.

- :class:`Architecture`: a model's family (``"original"``, ``"attention"``, ``"gru"``,
  ``"word"``, ``"transformer"``), recurrent cell (or self-attention), token level, how it reads
  tokens, whether it attends, and its sizes. Every course builder records it on the model it
  returns (:func:`record`); :func:`helpers.models.save_translation_model` writes it into the
  manifest and :func:`helpers.models.load_translation_model` reads it back.
- :func:`architecture_of`: a model's record. A model that has none (one saved before records
  existed, or built by a notebook's own code) gets it derived once, by
  :func:`derive_architecture`: the one function that looks at layer names. The token level is
  the one thing layers cannot tell (a Transformer's layers are the same on characters and on
  subwords): when the model's vocabulary is given, :func:`token_level` reads it from that.
- :func:`register_family` / :func:`family`: each family's module registers its builder and its
  inference models. Decoding, translation, the widgets and the pretrained models ask the
  registry and import no family module; :data:`FAMILY_MODULES` says which module to import for
  a family the first time it is asked for. A new family is one module that calls
  :func:`register_family`, plus its line in :data:`FAMILY_MODULES`.
"""

from __future__ import annotations

import importlib
import inspect
import weakref
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

import keras

#: The families the course ships, and the module that registers each (imported when first
#: asked for, so that no consumer imports a family module).
FAMILY_MODULES: dict[str, str] = {
    "original": "helpers.models",
    "attention": "helpers.attention",
    "gru": "helpers.variants",
    "word": "helpers.variants",
    "transformer": "helpers.transformer",
}
#: What each encoder and decoder step is: a recurrent cell, or (the Transformer) none: layers of
#: self-attention.
CELLS = ("lstm", "gru", "self-attention")
TOKEN_LEVELS = ("characters", "words", "subwords")
#: How a model reads token ids: one-hot arrays given to it (the original text's models), a
#: ``OneHot`` layer inside it (the course's), or an ``Embedding`` layer (word level).
READERS = ("one-hot input", "one-hot layer", "embedding")
#: The course's vocabulary classes (:mod:`helpers.encoding`) and the token level each holds.
VOCABULARY_LEVELS = {"Vocabulary": "characters", "WordVocabulary": "words",
                     "SubwordVocabulary": "subwords"}


@dataclass(frozen=True)
class Architecture:
    """A translation model's description: what decoding and the widgets need to know of it."""

    family: str
    cell: str
    tokens: str
    reader: str
    attention: bool
    latent_dim: int
    num_encoder_tokens: int
    num_decoder_tokens: int

    def __post_init__(self) -> None:
        for name, allowed in (("cell", CELLS), ("tokens", TOKEN_LEVELS), ("reader", READERS)):
            if getattr(self, name) not in allowed:
                raise ValueError(f"architecture field {name!r} must be one of {allowed}, not "
                                 f"{getattr(self, name)!r}")
        if not isinstance(self.family, str) or not self.family:
            raise ValueError(f"architecture field 'family' must be a name, not {self.family!r}")
        if not isinstance(self.attention, bool):
            raise ValueError(f"architecture field 'attention' must be true or false, not "
                             f"{self.attention!r}")
        for name in ("latent_dim", "num_encoder_tokens", "num_decoder_tokens"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"architecture field {name!r} must be a positive whole number, "
                                 f"not {value!r}")

    def as_dict(self) -> dict[str, Any]:
        """The record as a manifest stores it."""
        return asdict(self)

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> Architecture:
        """A record read from a manifest; ``ValueError`` naming the field that is wrong."""
        if not isinstance(record, Mapping):
            raise ValueError(f"an architecture record must be a mapping, not "
                             f"{type(record).__name__}")
        names = [f.name for f in fields(cls)]
        missing = [n for n in names if n not in record]
        extra = sorted(set(record) - set(names))
        if missing or extra:
            raise ValueError("an architecture record has the fields " + ", ".join(names)
                             + (f"; missing: {', '.join(missing)}" if missing else "")
                             + (f"; unknown: {', '.join(extra)}" if extra else ""))
        return cls(**{n: record[n] for n in names})


# --- the record of each model object ------------------------------------------------------

_RECORDS: weakref.WeakKeyDictionary[keras.Model, Architecture] = weakref.WeakKeyDictionary()


def record(model: keras.Model, architecture: Architecture) -> keras.Model:
    """Note ``model``'s architecture (the builders do, and the loader from the manifest);
    return ``model``. Forgotten with the model."""
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, not {type(model).__name__}")
    if not isinstance(architecture, Architecture):
        raise TypeError(f"architecture must be an Architecture, not "
                        f"{type(architecture).__name__}")
    _RECORDS[model] = architecture
    return model


def check_fits(model: keras.Model, architecture: Architecture) -> None:
    """``ValueError`` unless ``model`` has the shape every family's training model has and its
    record states: two inputs (source and target ids) and one probability per target token.
    Looks at no layer name (a new family's models pass as they are)."""
    if len(model.inputs) != 2:
        raise ValueError("expected an encoder–decoder training model with two inputs "
                         f"(encoder_inputs, decoder_inputs), not {len(model.inputs)}")
    width = model.outputs[0].shape[-1] if len(model.outputs) == 1 else None
    if width != architecture.num_decoder_tokens:
        raise ValueError(f"its output is not one probability per target token: the record "
                         f"says {architecture.num_decoder_tokens} tokens, the model gives "
                         f"{width}")


def token_level(vocabulary: Any) -> str | None:
    """The token level a vocabulary holds, from its class (:data:`VOCABULARY_LEVELS`):
    ``"characters"`` for a :class:`helpers.encoding.Vocabulary`, ``"words"`` for a
    ``WordVocabulary``, ``"subwords"`` for a ``SubwordVocabulary`` (a notebook's own copy of one
    of these classes counts, by its name); ``None`` when that is not known (``None``, or an
    object of another class)."""
    for cls in type(vocabulary).__mro__ if vocabulary is not None else ():
        if cls.__name__ in VOCABULARY_LEVELS:
            return VOCABULARY_LEVELS[cls.__name__]
    return None


def architecture_of(model: keras.Model, *, vocabulary: Any = None) -> Architecture:
    """``model``'s architecture: its record, or (a model without one) derived from its layers
    once by :func:`derive_architecture` and recorded. ``vocabulary``, the model's vocabulary
    when the caller has it (either side: a course model reads and writes one kind of token),
    settles the token level (:func:`token_level`): a record that says otherwise was a guess
    (a builder records its family's usual level, and the Transformer's layers are the same
    for characters and subwords) and is corrected, so that a manifest written from it names
    the vocabulary the model was trained with."""
    if not isinstance(model, keras.Model):
        raise TypeError("model must be a keras.Model (a course training model, e.g. "
                        f"translator.model), not {type(model).__name__}")
    found = _RECORDS.get(model)
    if found is None:
        found = derive_architecture(model, vocabulary=vocabulary)
        _RECORDS[model] = found
    level = token_level(vocabulary)
    if level is not None and level != found.tokens:
        found = _RECORDS[model] = replace(found, tokens=level)
    return found


def _attention_name() -> str:
    from helpers.layers import LuongAttention  # the layer every attention family uses

    return keras.saving.get_registered_name(LuongAttention)


def derive_architecture(model: keras.Model, *, vocabulary: Any = None) -> Architecture:
    """The architecture of a model that carries no record, from its layers: the one place the
    course looks at layer names and types (models saved before manifests had records, and
    models a notebook builds with its own code). An attention layer is recognised by its
    registered name, so a notebook's own copy of :class:`helpers.layers.LuongAttention` counts.
    ``ValueError`` if it is not a course encoder–decoder.

    The token level comes from ``vocabulary`` when it is given (:func:`token_level`). Without
    it, from the layers: one-hot readers read characters and an ``Embedding`` reader words;
    a Transformer's layers are the same on characters and on subwords (notebook 07 § 8 trains
    both), so without a vocabulary it gets its family's usual level, ``"subwords"`` (what
    :mod:`helpers.transformer` builds for, and what every shipped Transformer reads) — a
    default, not something its layers show."""
    level = token_level(vocabulary)
    if len(model.inputs) != 2:
        raise ValueError("expected an encoder–decoder training model with two inputs "
                         "(encoder_inputs, decoder_inputs)")
    by_name = {layer.name: layer for layer in model.layers}
    embedding = by_name.get("shared_embedding")
    if embedding is not None and keras.saving.get_registered_name(
            type(embedding)) == "seq2seq_course>PositionalEmbedding":
        heads = [layer for layer in model.layers
                 if isinstance(layer, keras.layers.MultiHeadAttention)]
        if heads:  # the Transformer (notebook 07): one vocabulary, width d_model
            size = int(embedding.vocab_size)
            return Architecture(family="transformer", cell="self-attention",
                                tokens=level or "subwords",
                                reader="embedding", attention=True,
                                latent_dim=int(embedding.d_model), num_encoder_tokens=size,
                                num_decoder_tokens=size)
    attention = any(keras.saving.get_registered_name(type(layer)) == _attention_name()
                    for layer in model.layers)
    cell = "gru" if "decoder_gru" in by_name else "lstm"
    recurrent = by_name.get(f"decoder_{cell}") or next(
        (layer for layer in model.layers
         if isinstance(layer, keras.layers.LSTM) and layer.return_sequences), None)
    denses = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    dense = by_name.get("decoder_dense") or (denses[-1] if denses else None)
    if recurrent is None or dense is None:
        raise ValueError("not a course encoder–decoder: it needs a decoder LSTM or GRU and a "
                         "Dense softmax (decoder_lstm / decoder_gru, decoder_dense)")
    if "decoder_embedding" in by_name:
        reader, tokens = "embedding", "words"
        num_encoder_tokens = int(by_name["encoder_embedding"].input_dim)
    elif len(model.inputs[0].shape) == 3:
        reader, tokens = "one-hot input", "characters"
        num_encoder_tokens = int(model.inputs[0].shape[-1])
    else:
        reader, tokens = "one-hot layer", "characters"
        onehot = by_name.get("encoder_onehot")  # a OneHot layer, or a one-hot lookup table
        size = getattr(onehot, "num_tokens", None) or getattr(onehot, "input_dim", None)
        if size is None:
            raise ValueError("not a course encoder–decoder: no encoder_onehot layer reads its "
                             "token ids")
        num_encoder_tokens = int(size)
    family = ("attention" if attention else "word" if reader == "embedding"
              else "gru" if cell == "gru" else "original")
    return Architecture(family=family, cell=cell, tokens=level or tokens, reader=reader,
                        attention=attention, latent_dim=int(recurrent.units),
                        num_encoder_tokens=num_encoder_tokens,
                        num_decoder_tokens=int(dense.units))


# --- the registry of families -----------------------------------------------------------

InferenceModels = Callable[[keras.Model], tuple[keras.Model, keras.Model]]


@dataclass(frozen=True)
class Family:
    """A model family: its builder (``builder(num_encoder_tokens, num_decoder_tokens, *,
    latent_dim, …)`` → a compiled training model: the function a notebook teaches, word for
    word), what every model it builds is (``cell``, ``tokens``, ``reader``, ``attention``), and
    its inference models (training model → ``(encoder_model, decoder_model)``, the interface
    :mod:`helpers.decoding` decodes with). A family with attention also gives
    ``attention_weights``: training model → a model of the same inputs whose output is the
    attention weights (what :func:`helpers.translation.attention_map` shows); a family with
    several attention heads may give ``attention_heads`` too, the same head by head
    (``(batch, heads, target_steps, source_steps)``)."""

    name: str
    builder: Callable[..., keras.Model]
    inference_models: InferenceModels
    description: str
    cell: str
    tokens: str
    reader: str
    attention: bool
    attention_weights: Callable[[keras.Model], keras.Model] | None = None
    attention_heads: Callable[[keras.Model], keras.Model] | None = None

    def build(self, num_encoder_tokens: int, num_decoder_tokens: int,
              **kwargs: Any) -> keras.Model:
        """``builder``'s model, with its architecture recorded (:func:`record`)."""
        model = self.builder(num_encoder_tokens, num_decoder_tokens, **kwargs)
        latent_dim = kwargs.get("latent_dim",
                                inspect.signature(self.builder).parameters["latent_dim"].default)
        return record(model, Architecture(self.name, self.cell, self.tokens, self.reader,
                                          self.attention, int(latent_dim),
                                          int(num_encoder_tokens), int(num_decoder_tokens)))


_FAMILIES: dict[str, Family] = {}


def register_family(name: str, *, build: Callable[..., keras.Model],
                    inference_models: InferenceModels, description: str, cell: str,
                    tokens: str, reader: str, attention: bool,
                    attention_weights: Callable[[keras.Model], keras.Model] | None = None,
                    attention_heads: Callable[[keras.Model], keras.Model] | None = None,
                    ) -> Family:
    """Make a family known (each family's module calls this once, when it is imported):
    ``build`` is its builder, whose models are what the other arguments say; a family with
    attention gives ``attention_weights`` too (see :class:`Family`)."""
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"a family name must be a short identifier, not {name!r}")
    for what, function in (("build", build), ("inference_models", inference_models)):
        if not callable(function):
            raise TypeError(f"{what} must be a function, not {type(function).__name__}")
    for what, function in (("attention_weights", attention_weights),
                           ("attention_heads", attention_heads)):
        if function is not None and not callable(function):
            raise TypeError(f"{what} must be a function, not {type(function).__name__}")
    if attention and attention_weights is None:
        raise TypeError("a family with attention must give attention_weights (the model of its "
                        "attention weights that attention maps read)")
    if "latent_dim" not in inspect.signature(build).parameters:
        raise TypeError("build must take latent_dim (the width the record states)")
    Architecture(name, cell, tokens, reader, attention, 1, 1, 1)  # the fields are valid
    _FAMILIES[name] = Family(name, build, inference_models, description, cell, tokens, reader,
                             attention, attention_weights, attention_heads)
    return _FAMILIES[name]


def family(name: str) -> Family:
    """The registered family ``name`` (its module is imported the first time, from
    :data:`FAMILY_MODULES`); ``ValueError`` naming the known families otherwise."""
    if name not in _FAMILIES and name in FAMILY_MODULES:
        importlib.import_module(FAMILY_MODULES[name])
    if name not in _FAMILIES:
        known = sorted(set(_FAMILIES) | set(FAMILY_MODULES))
        raise ValueError(f"no model family {name!r}: the course knows {', '.join(known)} "
                         "(a new family registers itself with register_family)")
    return _FAMILIES[name]


def families() -> dict[str, Family]:
    """Every family the course ships, and any registered since."""
    for name in FAMILY_MODULES:
        family(name)
    return dict(_FAMILIES)
