"""Benchmark: how long does the shipped Transformer's recipe take to train on this machine? A probe,
not the whole run: the recipe's model (``helpers.transformer_recipe``, a fresh one) trains for
``--steps`` batches of its first epoch after ``--warmup`` batches that compile the step, and the
time per batch is multiplied out to the recipe's epochs.

    python -m benchmarks.transformer_pace              # 300 timed batches
    python -m benchmarks.transformer_pace --steps 100  # a quick look

The batches are the recipe's own (its split, the shipped tokenizer's pieces, length-bucketed in
random order, half of them changed as people type them), so their lengths are a sample of the
epoch's. Not counted: the held-out check the recipe decodes after each epoch (its card's log
gives ``decode_s``, about 12 s an epoch). The last line is

    RESULT step_ms=<float> epoch_minutes=<float> run_minutes=<float>

(one line; ``run_minutes`` is ``epoch_minutes`` times the recipe's epochs). Issue 24's goal: the
run in at most 180 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import time

import keras

from benchmarks import load_average
from helpers import models
from helpers.encoding import SubwordVocabulary
from helpers.recipes import attention_split
from helpers.transformer_recipe import TRANSFORMER_SETTINGS, _epoch_dataset, _fits, _new_model


class _BatchClock(keras.callbacks.Callback):
    """The time at the end of every batch."""

    def __init__(self) -> None:
        super().__init__()
        self.ends: list[float] = []

    def on_train_batch_end(self, batch, logs=None) -> None:
        self.ends.append(time.perf_counter())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    args = parser.parse_args(argv)
    if args.steps < 1 or args.warmup < 1:
        parser.error("--steps and --warmup must be at least 1")

    print(f"{platform.machine()}, {os.cpu_count()} CPU cores, {load_average()}")
    settings = TRANSFORMER_SETTINGS
    vocab = SubwordVocabulary.from_file(models.tokenizer_path(models.TRANSFORMER_MODEL))
    train = attention_split().train
    sources = vocab.processor.encode([e for e, _ in train])
    targets = vocab.processor.encode([f for _, f in train])
    pairs = [pair for pair, s, t in zip(train, sources, targets, strict=True)
             if _fits(s, t, settings)]
    steps_per_epoch = math.ceil(len(pairs) / settings["batch_size"])
    model = _new_model(vocab, settings, steps_per_epoch)
    clock = _BatchClock()
    batches = _epoch_dataset(pairs, vocab, settings, 0).take(args.warmup + args.steps)
    model.fit(batches, epochs=1, verbose=0, callbacks=[clock])
    step = (clock.ends[-1] - clock.ends[args.warmup - 1]) / args.steps
    epoch_minutes = step * steps_per_epoch / 60
    print(f"{len(pairs):,} training pairs, {steps_per_epoch:,} batches of "
          f"{settings['batch_size']} an epoch, {settings['epochs']} epochs; {args.steps} batches "
          f"timed after {args.warmup}: {step * 1000:.1f} ms a batch")
    print(f"an epoch {epoch_minutes:.1f} min, the run {epoch_minutes * settings['epochs']:.0f} min;"
          f" {load_average()}")
    print(f"RESULT step_ms={step * 1000:.1f} epoch_minutes={epoch_minutes:.2f} "
          f"run_minutes={epoch_minutes * settings['epochs']:.1f}")


if __name__ == "__main__":
    main()
