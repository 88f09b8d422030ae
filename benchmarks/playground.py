"""Benchmark: which decoding should the playground start with? Held-out quality of greedy decoding
and beam search, and the time the Translator widget takes per sentence with each, in one run.

    python -m benchmarks.playground                 # the default model
    python -m benchmarks.playground --sentences 200 # a quick look

Quality: the first ``--sentences`` course held-out sentences (all references, sacrebleu), as
written and lower-cased without final punctuation (how a class types). Latency: the widget's
whole answer to one sentence (``Translator.translate_now``: translation, character confidences,
rendering), for the 45 everyday sentences of ``helpers.robustness.NOVEL_SENTENCES`` typed one at a
time, after one warm-up sentence per mode; median and 90th percentile in milliseconds. A typing
class does not notice a quarter of a second more, so a mode is fast enough when its median is at
most ``LATENCY_MARGIN_SECONDS`` (0.25 s) above greedy decoding's, the fastest decoder; the
playground takes the fast-enough mode with the best held-out chrF. The last line is

    RESULT greedy_chrf=<float> beam4_chrf=<float> greedy_ms=<float> beam4_ms=<float>
           beam4_p90_ms=<float> chosen=<mode>

(one line; ``*_ms`` are medians).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

from benchmarks import load_average
from helpers import evaluation, models, robustness
from helpers.translation import translate
from helpers.widgets import Translator

LATENCY_MARGIN_SECONDS = 0.25


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=str(models.PRETRAINED_MODEL))
    parser.add_argument("--sentences", type=int, default=1000)
    args = parser.parse_args(argv)
    print(f"{platform.machine()}, {os.cpu_count()} CPU cores, {load_average()}")
    translator = models.load_translation_model(args.model)
    modes = {"greedy": {"mode": "greedy"}, "beam2": {"mode": "beam", "beam_width": 2},
             "beam4": {"mode": "beam", "beam_width": 4}}

    sources, references = evaluation.heldout_set("course", args.sentences)
    typed = robustness.variant(robustness.variant(sources, "lower"), "nopunct")
    quality: dict[str, dict[str, float]] = {}
    for name, kwargs in modes.items():
        for label, texts in (("as written", sources), ("typed", typed)):
            outputs = [t.text for t in translate(translator, texts, on_unknown="unk",
                                                 on_overflow="truncate", **kwargs)]
            quality[name, label] = evaluation.corpus_scores(outputs, references).as_dict()

    latency: dict[str, list[float]] = {}
    sentences = [english for english, _ in robustness.NOVEL_SENTENCES]
    for name, kwargs in modes.items():
        widget = Translator(translator, debounce_seconds=3600)  # only translate_now translates
        widget.mode.value = kwargs["mode"]
        widget.beam_width.value = kwargs.get("beam_width", 4)
        widget.text.value = "Go."
        widget.translate_now()  # warm-up: compile this mode's decoder
        times = []
        for sentence in sentences:
            widget.text.value = sentence
            started = time.perf_counter()
            widget.translate_now()
            times.append(time.perf_counter() - started)
        latency[name] = times

    print(f"\n{'mode':<8} {'chrF':>6} {'exact %':>8} {'chrF typed':>11} {'exact typed':>12} "
          f"{'median ms':>10} {'p90 ms':>8}")
    p90 = {name: statistics.quantiles(times, n=10)[-1] for name, times in latency.items()}
    for name in modes:
        clean, typed_scores = quality[name, "as written"], quality[name, "typed"]
        print(f"{name:<8} {clean['chrF']:>6.2f} {clean['exact match %']:>8.1f} "
              f"{typed_scores['chrF']:>11.2f} {typed_scores['exact match %']:>12.1f} "
              f"{statistics.median(latency[name]) * 1000:>10.0f} {p90[name] * 1000:>8.0f}")
    median = {name: statistics.median(times) for name, times in latency.items()}
    fast_enough = [name for name in modes
                   if median[name] <= median["greedy"] + LATENCY_MARGIN_SECONDS]
    chosen = max(fast_enough, key=lambda name: quality[name, "as written"]["chrF"])
    print(f"\n{args.sentences} held-out sentences; {len(sentences)} typed one at a time; "
          f"fast enough (median at most {LATENCY_MARGIN_SECONDS:g} s above greedy's): "
          f"{', '.join(fast_enough)}; {load_average()}")
    print(f"RESULT greedy_chrf={quality['greedy', 'as written']['chrF']:.2f} "
          f"beam4_chrf={quality['beam4', 'as written']['chrF']:.2f} "
          f"greedy_ms={statistics.median(latency['greedy']) * 1000:.0f} "
          f"beam4_ms={statistics.median(latency['beam4']) * 1000:.0f} "
          f"beam4_p90_ms={p90['beam4'] * 1000:.0f} chosen={chosen}")


if __name__ == "__main__":
    main()
