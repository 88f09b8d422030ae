"""Benchmark: does ``translate`` keep its memory bounded on a long list (issue 22)?

    python -m benchmarks.memory                      # the default model, 100,000 sentences
    python -m benchmarks.memory --model models/fra_eng_attention.keras  # the attention LSTM
    python -m benchmarks.memory --sentences 5000     # a quick look

Loads the model, translates one sentence (so the decoders are built and compiled), and takes the
process's resident memory then as the baseline: the loaded model. Then ``translate`` gets the
whole list of ``--sentences`` English sentences of the corpus at once (greedy, the default mode;
sentences repeat once the corpus's distinct ones run out) while a thread samples resident memory
every 20 ms; the peak above the baseline is what the list costs. Then the same sentences go
through ``translate`` in batches of 1,000, and every string is compared with the one-call
result. ``translate`` decodes :data:`helpers.decoding.CHUNK_SIZE` sentences at a time, so the
peak should not grow with the list. The last line is

    RESULT sentences=<int> peak_above_model_gb=<float> same_as_batches_of_1000=<true|false>
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import threading
import time

import psutil

from benchmarks import load_average
from helpers import data, models
from helpers.decoding import CHUNK_SIZE
from helpers.translation import translate

BATCH = 1000
GIB = 1024 ** 3


class PeakMemory:
    """Samples this process's resident memory every ``interval`` seconds while in a ``with``."""

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.peak = 0
        self._process = psutil.Process()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._process.memory_info().rss)
            time.sleep(self.interval)

    def __enter__(self) -> PeakMemory:
        self.peak = self._process.memory_info().rss
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._process.memory_info().rss)


def english_sentences(count: int) -> list[str]:
    """``count`` English sentences of the corpus, in corpus order, distinct ones first."""
    distinct = list(dict.fromkeys(english for english, _ in data.load_fra_eng()))
    return list(itertools.islice(itertools.cycle(distinct), count))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=str(models.PRETRAINED_MODEL))
    parser.add_argument("--sentences", type=int, default=100_000)
    args = parser.parse_args(argv)
    print(f"{platform.machine()}, {os.cpu_count()} CPU cores, {load_average()}")
    sentences = english_sentences(args.sentences)
    translator = models.load_translation_model(args.model)
    options = {"on_unknown": "unk", "on_overflow": "truncate"}
    translate(translator, sentences[0], **options)
    baseline = psutil.Process().memory_info().rss
    print(f"model: {args.model}; resident memory with the model loaded: {baseline / GIB:.2f} GB")

    start = time.perf_counter()
    with PeakMemory() as memory:
        whole = [t.text for t in translate(translator, sentences, **options)]
    whole_seconds = time.perf_counter() - start
    after = psutil.Process().memory_info().rss
    peak_above = (memory.peak - baseline) / GIB
    print(f"one call, {len(sentences):,} sentences ({CHUNK_SIZE} decoded at a time): "
          f"{whole_seconds:.0f} s, peak {memory.peak / GIB:.2f} GB = {peak_above:.2f} GB above "
          f"the loaded model; {(after - baseline) / GIB:.2f} GB above it after the call "
          "(the results)")

    start = time.perf_counter()
    batched: list[str] = []
    for begin in range(0, len(sentences), BATCH):
        batched += [t.text for t in translate(translator, sentences[begin:begin + BATCH],
                                              **options)]
    batched_seconds = time.perf_counter() - start
    differ = [i for i, (a, b) in enumerate(zip(whole, batched, strict=True)) if a != b]
    print(f"batches of {BATCH:,}: {batched_seconds:.0f} s; strings that differ from the one "
          f"call: {len(differ)} of {len(sentences):,}"
          + (f" (first: {sentences[differ[0]]!r}: {whole[differ[0]]!r} vs "
             f"{batched[differ[0]]!r})" if differ else ""))
    print(load_average())
    print(f"RESULT sentences={len(sentences)} peak_above_model_gb={peak_above:.2f} "
          f"same_as_batches_of_1000={str(not differ).lower()}")


if __name__ == "__main__":
    main()
