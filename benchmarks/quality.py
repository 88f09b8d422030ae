"""Benchmark: does the course's model really translate? The attention model, the Transformer,
the seed model (the original architecture) and a lookup baseline on sentences none of them
trained on.

    python -m benchmarks.quality                 # 1,000 sentences per held-out set
    python -m benchmarks.quality --sentences 200 # a quick look

Held-out sets (``helpers.evaluation.heldout_set``), each sentence scored against every French
reference the whole corpus has for it, ``sacrebleu`` defaults, greedy decoding:

* ``course``: the first 1,000 distinct English sentences of the course test part
  (``split_pairs(load_fra_eng(30_000)).test``), the set every shipped model is compared on;
* ``all lengths``: the first 1,000 distinct English sentences of the whole corpus's own test
  part, so that quality on longer sentences shows too (the seed model reads at most its
  longest training sentence; longer input is cut at a word boundary, as ``translate`` does).

The lookup baseline (``helpers.baselines.LookupBaseline``) answers with the French of the
most similar sentence (character 3-gram TF-IDF) of the attention model's training pairs.
Sentences/s is batched greedy decoding of the whole set in one call (after a warm-up), in the
same run for both models. The last line is

    RESULT attention_chrf=<float> seed_chrf=<float> lookup_chrf=<float> attention_exact=<float>
           attention_speed_vs_seed=<float> transformer_chrf=<float>
           transformer_speed_vs_attention=<float>

(one line; the scores are on the course set; a speed ratio is sentences/s of one model over the
other's on the course set, greedy, measured in the same run).
"""

from __future__ import annotations

import argparse
import os
import platform
import time

from benchmarks import load_average
from helpers import baselines, evaluation, models, pretrained, recipes


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", type=int, default=1000)
    parser.add_argument("--attention", default=str(models.ATTENTION_MODEL))
    parser.add_argument("--transformer", default=str(models.TRANSFORMER_MODEL))
    parser.add_argument("--seed", default=str(models.SEED_MODEL),
                        help="the seed model's .keras file (a path, not a random seed)")
    args = parser.parse_args(argv)

    print(f"{platform.machine()}, {os.cpu_count()} CPU cores, {load_average()}")
    started = time.perf_counter()
    systems = {"attention": pretrained.model_translate(models.load_translation_model(
                   args.attention)),
               "transformer": pretrained.model_translate(models.load_translation_model(
                   args.transformer)),
               "seed": pretrained.model_translate(models.load_translation_model(args.seed))}
    for run in systems.values():
        run(["Go.", "I am cold.", "Where is the station?"])  # warm-up: compile the step
    lookup = baselines.LookupBaseline(recipes.attention_split().train)
    systems["lookup"] = lookup.translate

    results: dict[tuple[str, str], evaluation.Evaluation] = {}
    for which in ("course", "all_lengths"):
        sources, refs = evaluation.heldout_set(which, args.sentences)
        for name, run in systems.items():
            results[which, name] = evaluation.evaluate(run, sources, refs)

    print(f"\n{'held-out set':<12} {'system':<10} {'chrF':>6} {'BLEU':>6} {'exact %':>8} "
          f"{'sent/s':>8}")
    for (which, name), result in results.items():
        s = result.scores
        print(f"{which:<12} {name:<10} {s.chrf:>6.2f} {s.bleu:>6.2f} {s.exact_match:>8.1f} "
              f"{result.sentences_per_second:>8.1f}")
    course = {name: results["course", name] for name in systems}
    print(f"\n{args.sentences} sentences per set; {time.perf_counter() - started:.0f} s in all; "
          f"{load_average()}")
    print(f"RESULT attention_chrf={course['attention'].scores.chrf:.2f} "
          f"seed_chrf={course['seed'].scores.chrf:.2f} "
          f"lookup_chrf={course['lookup'].scores.chrf:.2f} "
          f"attention_exact={course['attention'].scores.exact_match:.2f} "
          f"attention_speed_vs_seed="
          f"{course['attention'].sentences_per_second / course['seed'].sentences_per_second:.2f} "
          f"transformer_chrf={course['transformer'].scores.chrf:.2f} "
          f"transformer_speed_vs_attention="
          f"{speed(course['transformer']) / speed(course['attention']):.2f}")


def speed(result: evaluation.Evaluation) -> float:
    """Sentences per second of one evaluation (batched greedy, the whole set in one call)."""
    return result.sentences_per_second


if __name__ == "__main__":
    main()
