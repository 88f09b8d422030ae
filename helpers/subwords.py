"""Subword tokens: pieces between a character and a word, learned from the training text.

Taught in: ``07_transformer``.

Characters make sentences long (a Transformer's cost grows with the square of the length);
words leave a quarter of held-out sentences with a word never seen (notebook 06). Byte-pair
encoding (BPE, Sennrich et al. 2016) starts from characters and merges, again and again, the
pair of adjacent symbols seen most often in the training words, until the vocabulary has the
size asked for: frequent words end up as one piece, rare ones as a few, and any word made of
known characters can still be written.

- :func:`learn_bpe` and :func:`apply_bpe`: the idea in a few lines, on a toy corpus.
- :func:`train_subwords`: the course's tokenizer, a ``sentencepiece`` BPE model trained on the
  training split only, as a :class:`helpers.encoding.SubwordVocabulary`.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable, Sequence

from helpers.checks import check_count, check_texts
from helpers.encoding import SubwordVocabulary

#: How a word ends in :func:`learn_bpe`'s symbols (so "st" inside a word and "st" at its end
#: stay different pieces).
END_OF_WORD = "</w>"


def learn_bpe(words: Iterable[str], num_merges: int) -> list[tuple[str, str]]:
    """The first ``num_merges`` merges of byte-pair encoding on ``words`` (each word a
    sequence of characters plus :data:`END_OF_WORD`): each time, the adjacent pair of symbols
    seen most often (ties: the first in sorted order) becomes one symbol. Stops early when no
    pair is left."""
    check_count("num_merges", num_merges, minimum=0)
    vocab = Counter(tuple(word) + (END_OF_WORD,) for word in words)
    merges: list[tuple[str, str]] = []
    for _ in range(num_merges):
        pairs: Counter[tuple[str, str]] = Counter()
        for symbols, count in vocab.items():
            for pair in zip(symbols, symbols[1:], strict=False):
                pairs[pair] += count
        if not pairs:
            break
        best = min(pairs, key=lambda pair: (-pairs[pair], pair))
        merges.append(best)
        vocab = Counter({_merge(symbols, best): count for symbols, count in vocab.items()})
    return merges


def _merge(symbols: tuple[str, ...], pair: tuple[str, str]) -> tuple[str, ...]:
    """``symbols`` with every adjacent ``pair`` joined into one symbol."""
    out: list[str] = []
    i = 0
    while i < len(symbols):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
            out.append(symbols[i] + symbols[i + 1])
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return tuple(out)


def apply_bpe(word: str, merges: Sequence[tuple[str, str]]) -> list[str]:
    """``word`` cut into pieces by ``merges``, applied in the order they were learned."""
    symbols = tuple(word) + (END_OF_WORD,)
    for pair in merges:
        symbols = _merge(symbols, tuple(pair))  # type: ignore[arg-type]
    return list(symbols)


def train_subwords(texts: Sequence[str], vocab_size: int, *,
                   model_type: str = "bpe") -> SubwordVocabulary:
    """A ``sentencepiece`` model of ``vocab_size`` pieces trained on ``texts`` (English and
    French training sentences together: one vocabulary for both), as a
    :class:`~helpers.encoding.SubwordVocabulary`. Ids 0–3 are padding, unknown, start and stop;
    text is taken as written (no normalisation) and every character seen is kept."""
    texts = check_texts("texts", texts)
    check_count("vocab_size", vocab_size, minimum=8)
    if model_type not in ("bpe", "unigram"):
        raise ValueError(f"model_type must be 'bpe' or 'unigram', not {model_type!r}")
    import sentencepiece

    model = io.BytesIO()
    try:
        sentencepiece.SentencePieceTrainer.train(
            sentence_iterator=iter(texts), model_writer=model, vocab_size=vocab_size,
            model_type=model_type, character_coverage=1.0, pad_id=0, unk_id=1, bos_id=2,
            eos_id=3, input_sentence_size=0, shuffle_input_sentence=False, num_threads=2,
            normalization_rule_name="identity", minloglevel=2)
    except RuntimeError as exc:  # e.g. a vocabulary larger than the text allows
        raise ValueError(f"sentencepiece could not train on these texts: {exc}") from None
    return SubwordVocabulary.from_proto(model.getvalue())
