"""Benchmark: does the default model hold up when a class types at it? Held-out course sentences
as written, lower-cased, without final punctuation, with one typo, with names the corpus never
uses, and everyday sentences that are not in the corpus (``helpers.robustness``).

    python -m benchmarks.robustness                        # the default model, greedy
    python -m benchmarks.robustness --mode beam            # beam search, width 4
    python -m benchmarks.robustness --model build/x.keras  # any saved translation model

Every set is scored against every French reference the corpus has for each sentence
(``sacrebleu`` chrF and BLEU, exact match); renamed sentences against references renamed the same
way. ``same`` is the share of outputs identical to the clean input's; ``carried`` the share of
renamed sentences whose output writes every new name exactly. The names are
``helpers.augmentation.HELD_OUT_NAMES``: none occurs in the corpus or among the training names.

A model whose manifest counts its training English (the Transformer) is scored twice: the model
alone (``translate(..., repair=False)``), then as ``translate`` and the playground use it, with
typos and names it never saw repaired (``helpers.typing_repair``); the RESULT line is the
second. The last line is

    RESULT clean_chrf=<float> lower_chrf=<float> nopunct_chrf=<float> typo_chrf=<float>
           names_chrf=<float> names_carried=<float> novel_exact=<float>

(one line). Issue 20's goals: lower case and no final punctuation cost at most 3 chrF against
clean, a typo at most 10, unseen names at most 5 against the same sentences with their corpus
names (``names_clean``, printed in the table), names carried ≥ 90%, novel exact ≥ 50%.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

from benchmarks import load_average
from helpers import models, robustness
from helpers.translation import translate


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=str(models.PRETRAINED_MODEL))
    parser.add_argument("--mode", choices=["greedy", "beam"], default="greedy")
    parser.add_argument("--beam-width", type=int, default=4)
    parser.add_argument("--sentences", type=int, default=1000)
    args = parser.parse_args(argv)

    print(f"{platform.machine()}, {os.cpu_count()} CPU cores, {load_average()}")
    print(f"model {args.model}, {args.mode}"
          + (f" (width {args.beam_width})" if args.mode == "beam" else ""))
    started = time.perf_counter()
    translator = models.load_translation_model(args.model)

    def runner(repair: bool):
        def run(texts: list[str]) -> list[str]:
            return [t.text for t in translate(translator, texts, mode=args.mode,
                                              beam_width=args.beam_width, on_unknown="unk",
                                              on_overflow="truncate", repair=repair)]
        return run

    if translator.manifest.get("english_words"):
        print("\nthe model alone (translate(..., repair=False)):")
        _table(robustness.robustness_scores(runner(False), count=args.sentences))
        print("\nthe translator: typos and names the model never saw repaired "
              "(helpers.typing_repair), as translate() and the playground do:")
    results = robustness.robustness_scores(runner(True), count=args.sentences)
    _table(results)
    clean = results["clean"]["chrF"]
    print(f"{time.perf_counter() - started:.0f} s in all; {load_average()}")
    print(f"RESULT clean_chrf={clean:.2f} lower_chrf={results['lower']['chrF']:.2f} "
          f"nopunct_chrf={results['nopunct']['chrF']:.2f} "
          f"typo_chrf={results['typo']['chrF']:.2f} names_chrf={results['names']['chrF']:.2f} "
          f"names_carried={results['names']['carried %']:.2f} "
          f"novel_exact={results['novel']['exact match %']:.2f}")


def _table(results: dict[str, dict[str, float]]) -> None:
    """The scores of every set, and what each change costs."""
    print(f"{'set':<12} {'sentences':>9} {'chrF':>6} {'BLEU':>6} {'exact %':>8} "
          f"{'same %':>7} {'carried %':>9}")
    for which, s in results.items():
        same = f"{s['same as clean %']:.1f}" if "same as clean %" in s else "–"
        carried = f"{s['carried %']:.1f}" if "carried %" in s else "–"
        print(f"{which:<12} {s['sentences']:>9} {s['chrF']:>6.2f} {s['BLEU']:>6.2f} "
              f"{s['exact match %']:>8.1f} {same:>7} {carried:>9}")
    clean = results["clean"]["chrF"]
    print(f"\ncost against clean: lower {clean - results['lower']['chrF']:.2f}, no final "
          f"punctuation {clean - results['nopunct']['chrF']:.2f}, typo "
          f"{clean - results['typo']['chrF']:.2f}; names against the same sentences with their "
          f"corpus names {results['names_clean']['chrF'] - results['names']['chrF']:.2f}")


if __name__ == "__main__":
    main()
