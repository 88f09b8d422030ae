"""How the pretrained Transformer is trained: its tokenizer, its data, its schedule, and a run
that can stop after any epoch and go on in a later session.

Run by ``make pretrained-transformer`` (``python -m helpers.pretrained train transformer
--stage-dir build/transformer-stage``); not taught in a notebook (notebook 07 teaches the model
and trains small ones). The data is the attention model's split (:func:`helpers.recipes.
attention_split`: every course held-out source kept out), cut into subword pieces by a
sentencepiece model trained on that split's training pairs only. Each epoch, half the pairs
are changed as people type them (:func:`helpers.augmentation.augment_pair`: lower case, no
final full stop, a typo, names the corpus never uses), a fresh draw every epoch.

After every epoch the model, the epoch's log and the tokenizer are saved in the stage folder;
the same command started again goes on after the last finished epoch.
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from helpers import evaluation, typing_repair
from helpers.architecture import family
from helpers.augmentation import AUGMENT_PROBABILITIES, augment_pair
from helpers.encoding import START_TOKEN, STOP_TOKEN, SubwordVocabulary
from helpers.models import TRANSFORMER_MODEL, save_translation_model
from helpers.recipes import _corpus, _machine, attention_split
from helpers.subwords import train_subwords
from helpers.training import length_bucketed_batches, trimmed_batch
from helpers.translation import translate

#: How often each change is drawn for a pair chosen to be changed (issue 20's goals: names are
#: swapped in nearly every pair that has one, so that copying a name is learned).
TRANSFORMER_AUGMENT: dict[str, float] = {
    **AUGMENT_PROBABILITIES, "names": 0.95, "lower_case": 0.3, "no_final_punctuation": 0.45,
    "typo": 0.25, "varied_names": 0.9}

TRANSFORMER_SETTINGS: dict[str, Any] = {
    "vocab_size": 4000,
    "latent_dim": 160,
    "num_heads": 4,
    "ff_dim": 640,
    "num_layers": 2,
    "dropout": 0.1,
    "batch_size": 64,
    "epochs": 14,
    "learning_rate": 7e-4,
    "warmup_steps": 2000,
    "final_learning_rate_fraction": 0.02,
    "augmented_share": 0.5,
    "max_encoder_seq_length": 40,
    "max_decoder_seq_length": 46,
    "seed": 0,
    "epoch_seed": 1000,
    "scored_sentences": 1000,
    "num_pairs": None,  # every training pair (a number: the first ones, for a quick try)
}


def transformer_tokenizer(pairs: list[tuple[str, str]], vocab_size: int) -> SubwordVocabulary:
    """The joint English–French sentencepiece vocabulary of ``pairs`` (English first)."""
    return train_subwords([e for e, _ in pairs] + [f for _, f in pairs], vocab_size)


def _fits(source: list[int], target: list[int], settings: dict[str, Any]) -> bool:
    return (len(source) <= settings["max_encoder_seq_length"]
            and len(target) + 2 <= settings["max_decoder_seq_length"] + 2)


def _encoded(pairs, vocab: SubwordVocabulary, settings: dict[str, Any],
             fallback=None) -> tuple[np.ndarray, np.ndarray]:
    """Padded ids of ``pairs`` (targets wrapped in start and stop); a pair that no longer fits
    (a typo can add pieces) is replaced by its ``fallback``, which does."""
    width_in = settings["max_encoder_seq_length"]
    width_out = settings["max_decoder_seq_length"] + 2
    encoder_ids = np.zeros((len(pairs), width_in), np.int32)
    decoder_ids = np.zeros((len(pairs), width_out), np.int32)
    sources = vocab.processor.encode([e for e, _ in pairs])
    targets = vocab.processor.encode([f for _, f in pairs])
    start, stop = vocab.token_index[START_TOKEN], vocab.token_index[STOP_TOKEN]
    for row, (source, target) in enumerate(zip(sources, targets, strict=True)):
        if not _fits(source, target, settings):
            source, target = (vocab.processor.encode(t) for t in fallback[row])
        encoder_ids[row, :len(source)] = source
        decoder_ids[row, :len(target) + 2] = [start, *target, stop]
    return encoder_ids, decoder_ids


def _epoch_dataset(pairs, vocab: SubwordVocabulary, settings: dict[str, Any], epoch: int):
    """One epoch's batches: half the pairs changed as people type them (drawn afresh with the
    epoch's seed), length-bucketed batches in random order."""
    rng = np.random.default_rng(settings["epoch_seed"] + epoch)

    def batches():
        changed = [augment_pair(e, f, rng, probabilities=TRANSFORMER_AUGMENT)
                   if rng.random() < settings["augmented_share"] else (e, f) for e, f in pairs]
        encoder_ids, decoder_ids = _encoded(changed, vocab, settings, fallback=pairs)
        for rows in length_bucketed_batches(encoder_ids, decoder_ids, settings["batch_size"],
                                            seed=rng):
            yield trimmed_batch(encoder_ids, decoder_ids, rows)

    ids = tf.TensorSpec(shape=(None, None), dtype=tf.int32)
    steps = math.ceil(len(pairs) / settings["batch_size"])
    dataset = tf.data.Dataset.from_generator(batches, output_signature=((ids, ids), ids))
    return dataset.apply(tf.data.experimental.assert_cardinality(steps)).prefetch(4)


def _new_model(vocab: SubwordVocabulary, settings: dict[str, Any], steps: int) -> keras.Model:
    keras.utils.set_random_seed(settings["seed"])
    warmup = settings["warmup_steps"]
    schedule = keras.optimizers.schedules.CosineDecay(
        0.0, decay_steps=steps * settings["epochs"] - warmup,
        alpha=settings["final_learning_rate_fraction"], warmup_target=settings["learning_rate"],
        warmup_steps=warmup)
    return family("transformer").build(
        len(vocab), len(vocab), latent_dim=settings["latent_dim"],
        num_heads=settings["num_heads"], ff_dim=settings["ff_dim"],
        num_layers=settings["num_layers"], dropout=settings["dropout"],
        learning_rate=schedule)


def train_transformer(out: str | Path = TRANSFORMER_MODEL, *,
                      stage_dir: str | Path = "build/transformer-stage",
                      **overrides: Any) -> dict[str, Any]:
    """Train (or go on training) the Transformer and save it with its tokenizer; return its
    manifest. ``stage_dir`` keeps the tokenizer, the last finished epoch's model (with its
    optimizer) and ``state.json`` (settings and one log line per epoch: seconds, loss, greedy
    chrF on the course set); a stage folder of other settings is refused."""
    settings = {**TRANSFORMER_SETTINGS, **overrides}
    stage = Path(stage_dir)
    stage.mkdir(parents=True, exist_ok=True)
    state_path, last = stage / "state.json", stage / "last.keras"
    state = json.loads(state_path.read_text()) if state_path.is_file() else {
        "settings": settings, "epochs": 0, "log": []}
    if state.get("settings", settings) != settings:
        raise ValueError(f"{stage} holds a run of other settings ({state['settings']}): "
                         "give another stage_dir")
    split = attention_split()
    if settings["num_pairs"] is not None:
        split = dataclasses.replace(split, train=split.train[:settings["num_pairs"]])
    tokenizer_file = stage / "tokenizer.model"
    if tokenizer_file.is_file():
        vocab = SubwordVocabulary.from_file(tokenizer_file)
    else:
        vocab = transformer_tokenizer(split.train, settings["vocab_size"])
        tokenizer_file.write_bytes(vocab.model_proto)
    sources = vocab.processor.encode([e for e, _ in split.train])
    targets = vocab.processor.encode([f for _, f in split.train])
    pairs = [pair for pair, s, t in zip(split.train, sources, targets, strict=True)
             if _fits(s, t, settings)]
    steps = math.ceil(len(pairs) / settings["batch_size"])
    print(f"training pairs that fit {len(pairs)} of {len(split.train)}, {steps} steps/epoch, "
          f"after epoch {state['epochs']} of {settings['epochs']}", flush=True)
    family("transformer")  # imports helpers.transformer: its layers must be known to load
    model = (keras.saving.load_model(last, safe_mode=True) if state["epochs"]
             else _new_model(vocab, settings, steps))
    translator = None
    heldout, references = evaluation.heldout_set("course", settings["scored_sentences"])
    while state["epochs"] < settings["epochs"]:
        started = time.perf_counter()
        history = model.fit(_epoch_dataset(pairs, vocab, settings, state["epochs"]), epochs=1,
                            shuffle=False, verbose=2)  # batches come shuffled by length
        seconds = time.perf_counter() - started
        state["epochs"] += 1
        model.save(last)
        translator = _translator(model, vocab, settings)
        outputs = [t.text for t in translate(translator, heldout, on_unknown="unk",
                                             on_overflow="truncate")]
        scores = evaluation.corpus_scores(outputs, references).as_dict()
        state["log"].append({"epoch": state["epochs"], "seconds": round(seconds),
                             "loss": round(float(history.history["loss"][-1]), 4),
                             "chrF": scores["chrF"], "exact": scores.get("exact match %")})
        state_path.write_text(json.dumps(state, indent=1))
        print(state["log"][-1], flush=True)
    metadata = {
        "architecture": "transformer", "settings": settings,
        "augment": TRANSFORMER_AUGMENT, "epochs_run": state["epochs"],
        "train_seconds": sum(entry["seconds"] for entry in state["log"]),
        "epoch_log": state["log"], "machine": _machine(),
        "parameters": int(model.count_params()),
        "data": {"corpus": _corpus(), "pairs": "every pair of fra.txt",
                 "split": "the attention model's split (helpers.recipes.attention_split), "
                          "pairs longer than the model reads left out",
                 "training_pairs": len(pairs), "tokenizer": "sentencepiece BPE, "
                 f"{settings['vocab_size']} pieces, trained on the training pairs only"},
    }
    manifest = save_translation_model(
        model, out, input_vocab=vocab, target_vocab=vocab,
        max_encoder_seq_length=settings["max_encoder_seq_length"],
        max_decoder_seq_length=settings["max_decoder_seq_length"], metadata=metadata,
        english_words=typing_repair.count_words(e for e, _ in pairs))
    print(f"saved {out} ({Path(out).stat().st_size / 1e6:.1f} MB), "
          f"{metadata['train_seconds'] / 60:.1f} min training", flush=True)
    return manifest


def _translator(model: keras.Model, vocab: SubwordVocabulary, settings: dict[str, Any]):
    from helpers.models import TranslationModel

    return TranslationModel(model, vocab, vocab, {
        "max_encoder_seq_length": settings["max_encoder_seq_length"],
        "max_decoder_seq_length": settings["max_decoder_seq_length"]})
