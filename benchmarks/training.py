"""Benchmark: the original configuration against the course trainer, same data, same split,
same wall-clock budget each (notebook 03).

    python -m benchmarks.training                 # 15 minutes each (about 35 minutes in all)
    python -m benchmarks.training --minutes 2     # a quick look

Both train on the first ``--num-samples`` pairs of fra.txt (10,000, as the original), split
once by ``helpers.data.split_pairs`` (shuffled, grouped by English sentence). After every epoch
each model is scored on the same held-out pairs with the same masked loss
(``helpers.training.heldout_scores``: mean cross-entropy over the real target characters).
Training seconds exclude that scoring. L* is the best held-out loss the original
configuration reaches within its budget; the last line is

    RESULT speedup_to_seed_best=<float> seed_best_loss=<float> course_best_loss=<float>

where ``speedup_to_seed_best`` is the original's seconds to reach L* divided by the course
trainer's seconds to first reach L* (0 if it never does). (``seed`` in these keys is the
original configuration, the starting point the course trainer is measured against, not the
seed model; the keys keep that name so that earlier results still compare.) Run it alone on
the machine (``flock /tmp/course-cpu.lock python -m benchmarks.training``); the load average
is printed before and after.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
from collections.abc import Sequence

import keras

from benchmarks import load_average
from helpers import data as course_data
from helpers import models, training


def seconds_to_reach(rows: Sequence[dict[str, float]], loss: float) -> float:
    """Training seconds at the end of the first epoch whose held-out loss is ≤ ``loss``."""
    for row in rows:
        if row["heldout_loss"] <= loss:
            return row["seconds"]
    return math.inf


def main(argv: Sequence[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description="original configuration vs course trainer")
    parser.add_argument("--minutes", type=float, default=15.0,
                        help="training budget for each of the two (default 15)")
    parser.add_argument("--num-samples", type=int, default=10_000)
    parser.add_argument("--latent-dim", type=int, default=256)
    parser.add_argument("--course-batch-size", type=int, default=128)
    parser.add_argument("--course-learning-rate", type=float, default=3e-3)
    parser.add_argument("--patience", type=int, default=4)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    budget = args.minutes * 60

    print(f"benchmarks.training: {platform.machine()}, {os.cpu_count()} CPUs, "
          f"keras {keras.__version__}; budget {args.minutes:g} min each")
    print(f"start: {load_average()}", flush=True)
    pairs = course_data.load_fra_eng(args.num_samples)
    data = training.prepare_translation_data(pairs, seed=0)
    print(f"pairs {len(pairs)}: {data.sizes()}; tokens {len(data.input_vocab)} → "
          f"{len(data.target_vocab)}; max lengths {data.max_encoder_seq_length} / "
          f"{data.max_decoder_seq_length}", flush=True)

    print("\n== original configuration: one-hot arrays, batch 64, rmsprop", flush=True)
    keras.utils.set_random_seed(args.seed)
    original = models.build_original_model(len(data.input_vocab), len(data.target_vocab),
                                           latent_dim=args.latent_dim)
    original_run = training.train_as_original(original, data, epochs=10_000, batch_size=64,
                                              time_budget=budget, verbose=0)
    print(f"after the original: {load_average()}", flush=True)

    print(f"\n== course trainer: integer inputs + OneHot layer, length-bucketed batches of "
          f"{args.course_batch_size}, adam {args.course_learning_rate:g}, early stopping "
          f"(patience {args.patience})", flush=True)
    keras.utils.set_random_seed(args.seed)
    course = models.build_course_model(len(data.input_vocab), len(data.target_vocab),
                                       latent_dim=args.latent_dim,
                                       learning_rate=args.course_learning_rate)
    course_run = training.train_course(course, data, epochs=10_000,
                                       batch_size=args.course_batch_size,
                                       patience=args.patience, time_budget=budget,
                                       seed=args.seed, verbose=0)
    print(f"end: {load_average()}\n")

    training.print_table(original_run.rows, title="original configuration (held-out = "
                                                  "validation part of the shuffled split)")
    print()
    training.print_table(course_run.rows, title="course trainer"
                         + (" (stopped early)" if course_run.stopped_early else ""))
    original_best = original_run.best["heldout_loss"]
    course_best = course_run.best["heldout_loss"]
    original_seconds = seconds_to_reach(original_run.rows, original_best)
    course_seconds = seconds_to_reach(course_run.rows, original_best)
    speedup = original_seconds / course_seconds if math.isfinite(course_seconds) else 0.0
    print(f"\nL* (the original's best held-out loss) = {original_best:.4f}, reached after "
          f"{original_seconds:.0f} s; the course trainer reached it after {course_seconds:.0f} s")
    result = (f"RESULT speedup_to_seed_best={speedup:.2f} seed_best_loss={original_best:.4f} "
              f"course_best_loss={course_best:.4f}")
    print(result, flush=True)
    return result


if __name__ == "__main__":
    main()
