"""Text in, French text out: the translation API the notebooks and widgets call, with a clear
message for every input it cannot translate as given (never a TensorFlow traceback).

Taught in: ``04_inference_loop`` (used from ``05`` on, and by the widgets of ``08``).

:func:`translate` is what notebooks and widgets call with text typed by a person. What it makes
of that text (white space, typography, characters or words the model never saw, the length it
reads) and the errors that say what to do are :mod:`helpers.translation_input`'s; this module
gives the errors too (:class:`TranslationInputError`, and :class:`EmptyInputError`,
:class:`UnknownInputError`, :class:`UnknownWordsError`, :class:`InputTooLongError`), so that a
notebook catches them from where it translates. A word-level model's output is detokenised with
French spacing.

The decoding itself is :mod:`helpers.decoding`'s; :func:`character_confidences` and
:func:`attention_map` look inside one translation (the widgets show them), in the tokens its
decoder wrote (:func:`tokens_written`): a translation from :func:`translate` says which
(:attr:`helpers.decoding.Decoded.ids`), where cutting its text again could give others (a
subword model's tokenizer cuts a sentence its own way).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from helpers import typing_repair
from helpers.architecture import architecture_of, family
from helpers.checks import check_index, check_tokens
from helpers.compiled import built_for
from helpers.decoder_step import as_model_input
from helpers.decoding import (
    Decoded,
    StopReason,
    beam_search,
    greedy_decode,
    inference_models_for,
    sample_decode,
)
from helpers.encoding import (
    START_TOKEN,
    STOP_TOKEN,
    UNK_INDEX,
    UNK_TOKEN,
    SubwordVocabulary,
    Vocabulary,
    WordVocabulary,
    tokenize_words,
)
from helpers.model_files import TranslationModel
from helpers.translation_input import (
    EmptyInputError,
    InputTooLongError,
    PreparedInput,
    TranslationInputError,
    UnknownInputError,
    UnknownWordsError,
    prepare_input,
)

#: The translation API, and the errors of :mod:`helpers.translation_input` it raises.
__all__ = [
    "Mode", "Translation", "attention_heads", "attention_map", "character_confidences",
    "check_translator", "tokens_written", "translate", "unfinished",
    "EmptyInputError", "InputTooLongError", "TranslationInputError", "UnknownInputError",
    "UnknownWordsError",
]

Mode = Literal["greedy", "beam", "sample"]


# --- the translation API: text in, text out, clear messages ---------------------------------


@dataclass
class Translation:
    """One translated sentence. ``stop_reason`` says why decoding stopped: ``"stop_token"``
    (the model ended the sentence) or ``"length_limit"`` (it never did: the text is cut, and
    a notice says so); ``text`` is a :class:`helpers.decoding.Decoded` string that says it
    too, so a list of texts kept from translations can still be counted (:func:`unfinished`),
    and that holds the ids of the tokens the decoder wrote (``text.ids``: what
    :func:`character_confidences` and :func:`attention_map` read it in).
    """

    source: str
    text: str
    used_input: str
    notices: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    stop_reason: StopReason = "stop_token"
    #: What the repair of typos and names changed (:mod:`helpers.typing_repair`), also among
    #: the ``notices``.
    repairs: list[str] = field(default_factory=list)
    #: The names the repair held in place (placeholder → name), written back into ``text``.
    names: dict[str, str] = field(default_factory=dict)

    @property
    def english(self) -> str:
        """The English this translation answers: ``used_input`` with the names the repair held
        in place written back (``"Oluwaseun is hungry."``, where the model read ``"Tom is
        hungry."``); what the widgets read its confidences and attention map against."""
        return typing_repair.restore_names(self.used_input, self.names)

    @property
    def finished(self) -> bool:
        """Did the model end the sentence (not cut by the length limit)?"""
        return self.stop_reason == "stop_token"


def unfinished(results: Sequence[Translation | str]) -> list:
    """The results that did not finish (cut by the length limit), in order: from a list of
    :class:`Translation`, or of texts the decoders returned (:class:`helpers.decoding.Decoded`;
    a plain ``str`` does not say, and is taken as finished). For an evaluation:
    ``len(unfinished(evaluation.outputs))`` of a run that keeps ``t.text``."""
    if isinstance(results, str) or not isinstance(results, Sequence):
        raise TypeError("results must be a list of translations or texts, not "
                        f"{type(results).__name__}")
    return [r for r in results if getattr(r, "stop_reason", "stop_token") != "stop_token"]


def _unit(vocab: Vocabulary) -> str:
    """What a vocabulary's tokens are, for messages."""
    if isinstance(vocab, SubwordVocabulary):
        return "subword pieces"
    return "words and punctuation marks" if isinstance(vocab, WordVocabulary) else "characters"


def _unfinished_notice(vocab: Vocabulary, written: int) -> str:
    return (f"The translation did not finish: the model wrote {written} {_unit(vocab)}, the "
            "most it may write, without ending the sentence, so the text shown is cut (and "
            "often repeats itself).")


def check_translator(translator: object) -> None:
    """``TypeError`` unless ``translator`` is a :class:`~helpers.models.TranslationModel`."""
    if not isinstance(translator, TranslationModel):
        raise TypeError("translator must be a TranslationModel (helpers.models."
                        f"load_translation_model()), not {type(translator).__name__}")


def translate(translator, texts: str | Sequence[str], *, mode: Mode = "greedy",
              beam_width: int = 4, temperature: float = 1.0, top_k: int | None = None,
              seed: int | None = None, on_unknown: Literal["error", "drop", "unk"] = "error",
              on_overflow: Literal["error", "truncate"] = "error", repair: bool = True,
              ) -> Translation | list[Translation]:
    """Translate English text with a loaded translation model
    (:func:`helpers.models.load_translation_model`).

    ``texts`` is one string (returns one :class:`Translation`) or a list (returns a list,
    decoded :data:`helpers.decoding.CHUNK_SIZE` sentences at a time, with the results of one
    batch: memory stays bounded however long the list). A translation the model never ended
    (cut at ``max_decoder_seq_length + 1`` characters) has a notice saying so, and
    ``stop_reason == "length_limit"``. ``mode`` is ``"greedy"``, ``"beam"`` (``beam_width``)
    or ``"sample"`` (``temperature``, ``top_k``, ``seed``; see :mod:`helpers.decoding` for
    their limits). Bad input raises a :class:`TranslationInputError` with a sentence saying
    what to do (see :mod:`helpers.translation_input`'s rules), before any TensorFlow code
    runs.

    A model whose manifest counts the words of its training English (``english_words``: the
    Transformer) first has its input repaired (:mod:`helpers.typing_repair`): a word it never
    saw is read as the known word one typo away, or, capitalised, as a name, which the model
    reads as ``Tom`` and which is written back into the translation; each change is a notice
    and ``used_input`` is what the model read. ``repair=False``: the model alone.
    """
    check_translator(translator)
    single = isinstance(texts, str)
    if isinstance(texts, (bytes, bytearray)):
        raise TypeError("translate text (str), not bytes: decode it first, e.g. "
                        "text.decode('utf-8')")
    if not single and not isinstance(texts, (list, tuple)):
        raise TypeError("translate a sentence (str) or a list of sentences, not "
                        f"{type(texts).__name__}")
    batch = [texts] if single else list(texts)
    for position, text in enumerate(batch):
        if not isinstance(text, str):
            raise TypeError(f"sentence {position} of the list is a {type(text).__name__}, not "
                            "a str")
    if not batch:
        raise EmptyInputError("Nothing to translate: the list of sentences is empty.")
    if mode not in ("greedy", "beam", "sample"):
        raise ValueError(f"mode must be 'greedy', 'beam' or 'sample', not {mode!r}")
    max_in = int(translator.max_encoder_seq_length)
    max_out = int(translator.max_decoder_seq_length)
    if not isinstance(repair, bool):
        raise TypeError(f"repair must be True or False, not {type(repair).__name__}")
    words = translator.manifest.get("english_words") if repair else None
    characters = getattr(translator.input_vocab, "characters", None)
    repairs = [typing_repair.repair(t, words, characters) if words else None for t in batch]
    prepared = [prepare_input(t if r is None else r.text, translator.input_vocab, max_in,
                              on_unknown=on_unknown, on_overflow=on_overflow)
                for t, r in zip(batch, repairs, strict=True)]
    for p, t, r in zip(prepared, batch, repairs, strict=True):
        if r is not None:
            p.original = t
            p.notices[:0] = typing_repair.notices(r)
    encoded = [translator.input_vocab.encode(p.text if p.tokens is None else p.tokens,
                                             on_unknown="unk") for p in prepared]
    ids = np.zeros((len(prepared), max(len(e) for e in encoded)), dtype=np.int32)
    for row, e in enumerate(encoded):
        ids[row, : len(e)] = e
    encoder_model, decoder_model = inference_models_for(translator.model)
    common = {"max_decoder_seq_length": max_out}
    if mode == "greedy":
        outputs = greedy_decode(encoder_model, decoder_model, ids, translator.target_vocab,
                                **common)
    elif mode == "beam":
        outputs = beam_search(encoder_model, decoder_model, ids, translator.target_vocab,
                              beam_width=beam_width, **common)
    else:
        outputs = sample_decode(encoder_model, decoder_model, ids, translator.target_vocab,
                                temperature=temperature, top_k=top_k, seed=seed, **common)
    results = [_result(p, _named(out, r), translator.target_vocab, max_out, r)
               for p, out, r in zip(prepared, outputs, repairs, strict=True)]
    return results[0] if single else results


def _named(output: Decoded, repaired: typing_repair.Repaired | None) -> Decoded:
    """``output`` with the names :func:`helpers.typing_repair.repair` held in place written
    back; its ``ids`` only if they still spell it (the decoder wrote the placeholders)."""
    if repaired is None or not repaired.names:
        return output
    text = typing_repair.restore_names(output, repaired.names)
    return Decoded(text, output.stop_reason, output.ids if text == output else None)


def _result(prepared: PreparedInput, output: Decoded, target_vocab: Vocabulary,
            max_out: int, repaired: typing_repair.Repaired | None = None) -> Translation:
    """The :class:`Translation` of one decoded sentence, with a notice if it was cut."""
    notices = list(prepared.notices)
    if not output.finished:
        notices.append(_unfinished_notice(target_vocab, max_out + 1))
    return Translation(source=prepared.original, text=output, used_input=prepared.text,
                       notices=notices, unknown=list(prepared.unknown),
                       stop_reason=output.stop_reason,
                       repairs=[] if repaired is None else typing_repair.notices(repaired),
                       names={} if repaired is None else dict(repaired.names))


def _written_ids(translation: str, vocab: Vocabulary) -> list[int] | None:
    """The ids of the tokens a decoder wrote to give ``translation``: its
    :attr:`~helpers.decoding.Decoded.ids` if it is a :class:`~helpers.decoding.Decoded` that
    has them and they are ``vocab``'s spelling of it (ids inside ``vocab``, none of them padding,
    start or stop, decoding to the text); else ``None`` (plain text, or a text another model
    wrote): the text is then cut into ``vocab``'s tokens."""
    ids = translation.ids if isinstance(translation, Decoded) else None
    if ids is None:
        return None
    try:
        read = vocab._read(ids, STOP_TOKEN, (START_TOKEN,))
    except ValueError:  # an id outside this vocabulary: another model's
        return None
    return read if read == list(ids) and vocab.decode(read) == translation else None


def tokens_written(translation: str, vocab: Vocabulary) -> list[str]:
    """The tokens of ``translation`` that :func:`character_confidences` gives a probability
    each and :func:`attention_map` a row each, as ``vocab`` (the model's target vocabulary)
    holds them: for a text :func:`translate` returned (a :class:`~helpers.decoding.Decoded`
    with :attr:`~helpers.decoding.Decoded.ids`), the tokens its decoder wrote; for any other
    text, the text cut into tokens: its characters, its words and punctuation marks
    (:func:`helpers.encoding.tokenize_words`), or a subword model's pieces (``"▁gentil"``: a
    ``"▁"`` starts a word). An unknown token is written as the text writes it (``"\\ufffd"``,
    ``"<unk>"`` for a word model).

    Cutting a subword model's translation again could give other pieces than it wrote, and
    more: its tokenizer puts a ``"▁"`` before a sentence's first piece and cuts each word its
    own way, where a decoder may write any pieces that spell it."""
    if not isinstance(translation, str):
        raise TypeError(f"translation must be a str, not {type(translation).__name__}")
    ids = _written_ids(translation, vocab)
    words = isinstance(vocab, WordVocabulary)
    if ids is not None:
        unknown = UNK_TOKEN if words else "\ufffd"
        return [unknown if i == UNK_INDEX else vocab.tokens[i] for i in ids]
    if isinstance(vocab, SubwordVocabulary):
        return vocab.pieces(translation)
    return tokenize_words(translation) if words else list(translation)


def _teacher_forced_ids(translator, source: str,
                        translation: str) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """``(encoder_ids, decoder_ids, targets)`` of one teacher-forced pass: ``source``'s ids,
    start token + ``translation``'s ids, and ``translation``'s ids + stop token; a text
    :func:`translate` returned is read in the tokens its decoder wrote (:func:`_written_ids`),
    any other text as ``target_vocab.encode`` cuts it. Refused (:class:`InputTooLongError`)
    past the model's lengths: ``source`` longer than ``max_encoder_seq_length``,
    ``translation`` than ``max_decoder_seq_length + 1`` (what the decoders write at most), in
    its tokens (characters, words and punctuation marks, or subword pieces)."""
    for name, value in (("source", source), ("translation", translation)):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    start, stop = check_tokens("target_vocab", translator.target_vocab,
                               {"start": START_TOKEN, "stop": STOP_TOKEN})
    source_ids = translator.input_vocab.encode(source, on_unknown="unk")
    written = _written_ids(translation, translator.target_vocab)
    if written is None:
        written = translator.target_vocab.encode(translation, on_unknown="unk")
    if len(source_ids) > translator.max_encoder_seq_length:
        raise InputTooLongError(
            f"The source has {len(source_ids)} {_unit(translator.input_vocab)}; this model "
            f"reads at most {translator.max_encoder_seq_length} (max_encoder_seq_length). "
            "Shorten it.")
    if len(written) > translator.max_decoder_seq_length + 1:
        raise InputTooLongError(
            f"The translation has {len(written)} {_unit(translator.target_vocab)}; this model "
            f"writes at most {translator.max_decoder_seq_length + 1} (max_decoder_seq_length "
            "+ 1). Shorten it.")
    return (np.array([source_ids], np.int32), np.array([[start, *written]], np.int32),
            [*written, stop])


def character_confidences(translator, source: str, translation: str) -> list[float]:
    """The model's probability of each character of ``translation`` given ``source`` and the
    characters before it (one teacher-forced pass of the training model). For a word-level
    model: of each word and punctuation mark (:func:`helpers.encoding.tokenize_words`); for a
    subword model, of each piece. A text :func:`translate` returned is read in the tokens its
    decoder wrote: one probability for each of :func:`tokens_written`.

    Limits (else :class:`InputTooLongError`): ``source`` at most the model's
    ``max_encoder_seq_length`` characters, ``translation`` at most
    ``max_decoder_seq_length + 1``, the most the decoders write (so an unfinished translation
    can still be shown): the pass costs time and memory in proportion to both.
    """
    check_translator(translator)
    enc_ids, dec_ids, targets = _teacher_forced_ids(translator, source, translation)
    if not translation:
        return []
    model = translator.model
    probs = np.asarray(model([as_model_input(enc_ids, model),
                              as_model_input(dec_ids, model, index=1)], training=False))
    return [float(probs[0, t, targets[t]]) for t in range(len(targets) - 1)]


def attention_map(translator, source: str, translation: str, *,
                  head: int | None = None) -> np.ndarray:
    """Where an attention model looked while writing ``translation`` of ``source``: weights of
    shape ``(len(translation) + 1, len(source))``, one row per written character and a last
    row for the stop token, each row summing to 1 over the source characters (tokens, for a
    word or subword model: one row for each of :func:`tokens_written`, the pieces its decoder
    wrote for a text :func:`translate` returned). A model with several attention heads (the
    Transformer) shows their mean, or head number ``head`` (from 0; :func:`attention_heads`
    says how many).

    One teacher-forced pass of the training model, so the rows are exactly the weights greedy
    decoding used when it wrote ``translation``. Raises :class:`TypeError` for a model
    without attention. Limits (else :class:`InputTooLongError`): ``source`` at most the
    model's ``max_encoder_seq_length`` characters, ``translation`` at most
    ``max_decoder_seq_length + 1`` (the most the decoders write): the map has one weight per
    pair of them.
    """
    check_translator(translator)
    model = translator.model
    if not architecture_of(model).attention:
        raise TypeError("this model has no attention layer: only attention models "
                        "(helpers.attention.build_attention_model) have an attention map")
    enc_ids, dec_ids, _ = _teacher_forced_ids(translator, source, translation)
    if not source:
        raise EmptyInputError("Nothing to show: the source sentence is empty.")
    chosen = family(architecture_of(model).family)
    if head is None:
        reader = built_for(model, "attention_reader", chosen.attention_weights)
        return np.asarray(reader([enc_ids, dec_ids], training=False))[0]
    heads = attention_heads(translator)
    if not heads:
        raise ValueError("this model attends with one attention, not several heads: leave "
                         "head out to see its map")
    check_index("head", head, heads, what="a head number")
    reader = built_for(model, "attention_heads_reader", chosen.attention_heads)
    return np.asarray(reader([enc_ids, dec_ids], training=False))[0, head]


def attention_heads(translator) -> int:
    """How many attention heads an attention map can show one by one (0: the model attends
    with one attention, shown as a whole; :func:`attention_map`'s ``head``)."""
    check_translator(translator)
    model = translator.model
    chosen = family(architecture_of(model).family)
    if not chosen.attention or chosen.attention_heads is None:
        return 0
    reader = built_for(model, "attention_heads_reader", chosen.attention_heads)
    return int(reader.outputs[0].shape[1])
