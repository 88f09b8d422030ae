"""Benchmark: the original inference loop against batched greedy decoding and beam search, on
the seed model and held-out English sentences it never trained on (notebook 04).

    python -m benchmarks.decoding                          # 1,000 sentences, loop on 20
    python -m benchmarks.decoding --sentences 200 --loop-sentences 5   # a quick look

The held-out sentences are the model's own test split, rebuilt from its manifest
(``helpers.training.prepare_translation_data`` with the same pairs, fractions and seed; the
vocabularies must equal the saved ones): the first ``--sentences`` distinct English sentences of
that shuffled test part, each scored against all of its French references.

In one run, on the same sentences:

* the original loop (``helpers.decoding.decode_sequence``: one ``predict`` per character, one
  sentence at a time) on the first ``--loop-sentences`` of them; its sentences/s is extrapolated
  from the mean time per sentence;
* batched greedy decoding (``helpers.decoding.greedy_decode``) on all of them;
* beam search with k=4 (``helpers.decoding.beam_search``) on all of them.

Warm-up is excluded: each decoder is run once on a few sentences first (tracing the compiled
step, the first ``predict``). Batched timings are the median of ``--repeats`` runs. ``identical``
counts the loop's sample where greedy's output equals the loop's (minus its final ``"\\n"``).
The last line is

    RESULT greedy_speedup=<float> identical=<n>/<m> beam4_speedup=<float>
           greedy_chrf=<float> beam4_chrf=<float>

(one line; ``*_speedup`` is sentences/s over the original loop's).

Run it alone on the machine (``flock /tmp/course-cpu.lock python -m benchmarks.decoding``); the
load average is printed before and after.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from benchmarks import load_average
from helpers import data as course_data
from helpers import decoding, encoding, evaluation, models, training


def heldout_sentences(translator: models.TranslationModel,
                      count: int) -> tuple[list[str], dict[str, list[str]]]:
    """The first ``count`` distinct English sentences of the model's own test split, and every
    reference translation of each."""
    settings = translator.manifest["metadata"]["settings"]
    prepared = training.prepare_translation_data(
        course_data.load_fra_eng(settings["num_samples"]),
        validation_fraction=settings["validation_fraction"],
        test_fraction=settings["test_fraction"], seed=settings["split_seed"])
    if prepared.input_vocab != translator.input_vocab or \
            prepared.target_vocab != translator.target_vocab:
        raise SystemExit("the rebuilt split's vocabularies differ from the model's: "
                         "not the split it was trained on")
    refs = evaluation.references_by_source(prepared.test_pairs)
    sources = list(refs)[:count]
    if len(sources) < count:
        print(f"note: the test split has only {len(sources)} distinct English sentences")
    return sources, refs


def timed(run: Callable[[], list[str]], repeats: int) -> tuple[list[str], float]:
    """Outputs of ``run()`` and the median of ``repeats`` wall-clock timings."""
    seconds = []
    outputs: list[str] = []
    for _ in range(repeats):
        started = time.perf_counter()
        outputs = run()
        seconds.append(time.perf_counter() - started)
    return outputs, statistics.median(seconds)


def main(argv: Sequence[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description="original inference loop vs batched decoding")
    parser.add_argument("--model", default=str(models.SEED_MODEL),
                        help="a .keras translation model with its manifest (default: the seed "
                             "model)")
    parser.add_argument("--sentences", type=int, default=1_000)
    parser.add_argument("--loop-sentences", type=int, default=20)
    parser.add_argument("--beam-width", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    if args.loop_sentences > args.sentences:
        parser.error("--loop-sentences must not exceed --sentences")

    print(f"decoding benchmark · {platform.machine()}, {len(os.sched_getaffinity(0))} CPU cores "
          f"· TensorFlow {tf.__version__} · Keras {keras.__version__}")
    print(f"start: {load_average()}", flush=True)
    translator = models.load_translation_model(Path(args.model))
    settings = translator.manifest["metadata"]["settings"]
    sources, refs = heldout_sentences(translator, args.sentences)
    references = [refs[s] for s in sources]
    ids = encoding.encode_sequences(sources, translator.input_vocab, on_unknown="unk")
    target_vocab = translator.target_vocab
    max_out = translator.max_decoder_seq_length
    encoder_model, decoder_model = models.inference_models(translator.model)
    print(f"model {Path(args.model).name} (first {settings['num_samples']:,} pairs, split seed "
          f"{settings['split_seed']}); {len(sources):,} held-out English sentences; "
          f"max_decoder_seq_length {max_out}", flush=True)

    def greedy(x: np.ndarray) -> list[str]:
        return decoding.greedy_decode(encoder_model, decoder_model, x, target_vocab,
                                      max_decoder_seq_length=max_out)

    def beam(x: np.ndarray) -> list[str]:
        return decoding.beam_search(encoder_model, decoder_model, x, target_vocab,
                                    beam_width=args.beam_width, max_decoder_seq_length=max_out)

    def loop_one(row: np.ndarray) -> str:
        return decoding.decode_sequence(row[row != 0][None, :], encoder_model, decoder_model,
                                        target_vocab, max_out)

    # warm-up: the first predict() calls, and tracing the compiled decoder step
    loop_one(ids[0])
    greedy(ids[:8])
    beam(ids[:8])

    loop_ids = ids[: args.loop_sentences]
    started = time.perf_counter()
    loop_outputs = [loop_one(row) for row in loop_ids]
    loop_seconds = time.perf_counter() - started
    loop_chars = sum(len(o) for o in loop_outputs)
    print(f"original loop: {len(loop_ids)} sentences, {loop_chars} characters in "
          f"{loop_seconds:.1f} s", flush=True)

    greedy_outputs, greedy_seconds = timed(lambda: greedy(ids), args.repeats)
    print(f"batched greedy: {greedy_seconds:.2f} s (median of {args.repeats})", flush=True)
    beam_outputs, beam_seconds = timed(lambda: beam(ids), args.repeats)
    print(f"beam search k={args.beam_width}: {beam_seconds:.2f} s (median of {args.repeats})",
          flush=True)

    loop_rate = len(loop_ids) / loop_seconds
    greedy_rate = len(ids) / greedy_seconds
    beam_rate = len(ids) / beam_seconds
    identical = sum(g == o.removesuffix("\n")
                    for g, o in zip(greedy_outputs[: len(loop_ids)], loop_outputs, strict=True))
    greedy_scores = evaluation.corpus_scores(greedy_outputs, references)
    beam_scores = evaluation.corpus_scores(beam_outputs, references)

    print()
    print("| decoder | sentences | seconds | sentences/s | × original loop | chrF | BLEU | "
          "exact match |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| original loop (`decode_sequence`) | {len(loop_ids)} | {loop_seconds:.1f} | "
          f"{loop_rate:.3f} | 1 | – | – | – |")
    print(f"| batched greedy (`greedy_decode`) | {len(ids)} | {greedy_seconds:.2f} | "
          f"{greedy_rate:.1f} | {greedy_rate / loop_rate:,.0f} | {greedy_scores.chrf:.2f} | "
          f"{greedy_scores.bleu:.2f} | {greedy_scores.exact_match:.1f} % |")
    print(f"| beam search k={args.beam_width} (`beam_search`) | {len(ids)} | {beam_seconds:.2f} | "
          f"{beam_rate:.1f} | {beam_rate / loop_rate:,.0f} | {beam_scores.chrf:.2f} | "
          f"{beam_scores.bleu:.2f} | {beam_scores.exact_match:.1f} % |")
    print()
    print(f"original loop: {1000 * loop_seconds / loop_chars:.0f} ms per character, "
          f"{loop_seconds / len(loop_ids):.2f} s per sentence (extrapolated to {len(ids):,} "
          f"sentences: {len(ids) / loop_rate / 60:.0f} min)")
    print(f"greedy == original loop on the sample: {identical}/{len(loop_ids)}")
    for i, (g, o) in enumerate(zip(greedy_outputs, loop_outputs, strict=False)):
        if g != o.removesuffix("\n"):
            print(f"  differs: {sources[i]!r}: loop {o!r}, greedy {g!r}")
    changed = sum(g != b for g, b in zip(greedy_outputs, beam_outputs, strict=True))
    print(f"beam search changed {changed} of {len(ids)} greedy outputs")
    print(f"end: {load_average()}")
    result = (f"RESULT greedy_speedup={greedy_rate / loop_rate:.1f} "
              f"identical={identical}/{len(loop_ids)} "
              f"beam4_speedup={beam_rate / loop_rate:.1f} greedy_chrf={greedy_scores.chrf:.2f} "
              f"beam4_chrf={beam_scores.chrf:.2f}")
    print(result)
    return result


if __name__ == "__main__":
    main()
