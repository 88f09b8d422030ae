"""Benchmark: 3-digit addition, three models, one run on one machine (notebook 02).

    python -m benchmarks.addition              # about 20 minutes on 2 cores
    python -m benchmarks.addition --cap 3      # a quick look (the RESULT line is then meaningless)

All three models learn from the same 45,000 questions and are scored on the same 5,000 held-out
ones (``helpers.data.addition_split``: no held-out question, in either order, is in training),
which is the ``addition_rnn`` example's "50,000 examples, 10% held out":

1. the same-length LSTM, least-significant digit first (``helpers.models.build_same_length_lstm``
   on ``helpers.encoding.addition_columns``);
2. the ``addition_rnn`` configuration as the example publishes it: reversed ``"535+61"`` strings,
   LSTM 128 → RepeatVector(4) → LSTM 128 → softmax, adam (learning rate 0.001), batch 32;
3. the course's encoder–decoder: the same architecture and data, tuned (see ``COURSE``): batch 256,
   adam starting at 0.01 and shrinking along a cosine over 15 epochs.

Each trains until its held-out exact match (the whole answer right) reaches 99% or ``--cap``
epochs. The rule is the same for all: after every epoch, predict the held-out questions and
compare whole answers (vectorised numpy). Wall seconds run from the start of ``fit`` to the end
of the epoch that first reaches 99% and include that scoring and the first epoch's tracing.
The last line is

    RESULT same_length_seconds_to_99=<float> seq2seq_speedup_vs_addition_rnn=<float>

where the speedup is the ``addition_rnn`` configuration's seconds to 99% divided by the course
model's (when a model never reaches 99%, its seconds at the cap are used and the output says
so). Other jobs slow it down: run it alone if you can
(``flock /tmp/course-cpu.lock python -m benchmarks.addition``); the load average is printed
before and after.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import time
from collections.abc import Sequence
from dataclasses import dataclass

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # no TensorFlow start-up chatter in the log

import keras  # noqa: E402
import numpy as np  # noqa: E402

from benchmarks import load_average
from helpers.addition import (  # noqa: E402
    ADDITION_CHARACTERS,
    addition_columns,
    addition_split,
    addition_strings,
    build_addition_encoder_decoder,
    build_same_length_lstm,
)
from helpers.encoding import build_vocabulary, encode_sequences, one_hot  # noqa: E402

# Each model traces its own predict function; TensorFlow warns about "retracing" when it sees
# several. That is expected here.
logging.getLogger("tensorflow").setLevel(logging.ERROR)

SEED = 42
DIGITS = 3
NUM_TRAIN = 45_000
NUM_HELD_OUT = 5_000
TARGET = 0.99

#: ``addition_rnn`` as published: LSTM 128, adam at Keras' default rate, batch 32.
ADDITION_RNN = {"latent_dim": 128, "learning_rate": 1e-3, "batch_size": 32}
#: The course's tuning: the same layers and data, 8× the batch, 10× the learning rate, and the
#: rate shrinking along a cosine over ``decay_epochs`` (to 5% of its start) so that the held-out
#: score settles instead of jumping around.
COURSE = {"latent_dim": 128, "learning_rate": 1e-2, "batch_size": 256, "decay_epochs": 15}
#: The same-length LSTM.
SAME_LENGTH = {"units": 64, "learning_rate": 1e-2, "batch_size": 128}


class ExactMatchUntil(keras.callbacks.Callback):
    """After every epoch: held-out exact match (and per-character accuracy), seconds since
    training began; stops training once exact match reaches ``target``."""

    def __init__(self, inputs: np.ndarray, targets: np.ndarray, target: float = TARGET,
                 label: str = ""):
        super().__init__()
        self.inputs, self.targets, self.target, self.label = inputs, targets, target, label
        self.exact: list[float] = []
        self.per_char: list[float] = []
        self.seconds: list[float] = []
        self.reached_at: int | None = None
        self._start = 0.0

    def on_train_begin(self, logs=None) -> None:
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        predicted = self.model.predict(self.inputs, batch_size=1024, verbose=0).argmax(axis=-1)
        right = predicted == self.targets
        self.exact.append(float(right.all(axis=1).mean()))
        self.per_char.append(float(right.mean()))
        self.seconds.append(time.perf_counter() - self._start)
        print(f"  {self.label} epoch {epoch + 1:2d}  {self.seconds[-1]:7.1f} s  "
              f"loss {logs['loss']:.4f}  held-out exact match {self.exact[-1]:.4f}  "
              f"per character {self.per_char[-1]:.4f}", flush=True)
        if self.exact[-1] >= self.target and self.reached_at is None:
            self.reached_at = epoch + 1
            self.model.stop_training = True


@dataclass
class Outcome:
    name: str
    config: str
    epochs: int
    seconds: float
    exact: float
    reached: bool


def train_until(name: str, config: str, model: keras.Model, data: tuple, *, batch_size: int,
                cap: int) -> Outcome:
    x, y, x_held_out, y_held_out = data
    print(f"\n{name}: {config}", flush=True)
    scorer = ExactMatchUntil(x_held_out, y_held_out, label=name.split()[0])
    model.fit(x, y, batch_size=batch_size, epochs=cap, shuffle=True, verbose=0,
              callbacks=[scorer])
    return Outcome(name, config, len(scorer.exact), scorer.seconds[-1], scorer.exact[-1],
                   scorer.reached_at is not None)


def machine() -> str:
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} cores, {cpu}"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cap", type=int, default=30, help="most epochs per model (30)")
    args = parser.parse_args(argv)
    if args.cap < 1:
        parser.error("--cap must be at least 1")

    print(f"benchmarks.addition on {machine()}; keras {keras.__version__}; {load_average()}")
    train, held_out = addition_split(NUM_TRAIN, NUM_HELD_OUT, digits=DIGITS, seed=0)
    print(f"{len(train):,} training and {len(held_out):,} held-out {DIGITS}-digit questions; "
          f"target {TARGET:.0%} held-out exact match; cap {args.cap} epochs", flush=True)

    columns = (*addition_columns(train, digits=DIGITS, order="lsb"),
               *addition_columns(held_out, digits=DIGITS, order="lsb"))
    vocab = build_vocabulary([ADDITION_CHARACTERS])

    def strings(questions):
        queries, answers = addition_strings(questions, digits=DIGITS, reverse=True)
        return one_hot(encode_sequences(queries, vocab), len(vocab)), encode_sequences(answers,
                                                                                       vocab)

    reversed_strings = (*strings(train), *strings(held_out))

    outcomes = []
    keras.utils.set_random_seed(SEED)
    model = build_same_length_lstm(units=SAME_LENGTH["units"],
                                   learning_rate=SAME_LENGTH["learning_rate"])
    outcomes.append(train_until(
        "same-length LSTM (LSB first)",
        "LSTM {units} → Dense, adam {learning_rate}, batch {batch_size}".format(**SAME_LENGTH),
        model, columns, batch_size=SAME_LENGTH["batch_size"], cap=args.cap))

    for name, cfg in (("course encoder–decoder", COURSE),
                      ("addition_rnn as published", ADDITION_RNN)):
        keras.utils.set_random_seed(SEED)
        learning_rate = cfg["learning_rate"]
        config = ("LSTM {latent_dim} → RepeatVector → LSTM {latent_dim}, reversed input, "
                  "adam {learning_rate}, batch {batch_size}").format(**cfg)
        if "decay_epochs" in cfg:
            steps_per_epoch = -(-len(train) // cfg["batch_size"])
            learning_rate = keras.optimizers.schedules.CosineDecay(
                learning_rate, decay_steps=cfg["decay_epochs"] * steps_per_epoch, alpha=0.05)
            config += " (cosine decay over {decay_epochs} epochs)".format(**cfg)
        model = build_addition_encoder_decoder(len(vocab), DIGITS + 1,
                                               latent_dim=cfg["latent_dim"],
                                               learning_rate=learning_rate)
        outcomes.append(train_until(name, config, model, reversed_strings,
                                    batch_size=cfg["batch_size"], cap=args.cap))

    print(f"\n{'model':<30} {'epochs':>6} {'wall s':>8} {'held-out exact':>14}  reached 99%")
    for o in outcomes:
        print(f"{o.name:<30} {o.epochs:>6d} {o.seconds:>8.1f} {o.exact:>14.4f}  "
              f"{'yes' if o.reached else f'no (cap {args.cap} epochs)'}")
    same, course, reference = outcomes
    for o in outcomes:
        if not o.reached:
            print(f"note: {o.name} did not reach 99% within {args.cap} epochs; "
                  f"its time at the cap ({o.seconds:.1f} s) is used below")
    print(f"{load_average()} (after)")
    print(f"RESULT same_length_seconds_to_99={same.seconds:.1f} "
          f"seq2seq_speedup_vs_addition_rnn={reference.seconds / course.seconds:.2f}")


if __name__ == "__main__":
    main()
