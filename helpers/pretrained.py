"""The release pipeline of the course's pretrained models: train, score, write the card.

Run by ``make pretrained``; not taught in a notebook. Each model is built in two stages, so
that a long training run never has to be repeated to refresh its card:

    python -m helpers.pretrained train attention   # trains (helpers.recipes): .keras + manifest
    python -m helpers.pretrained score attention   # held-out scores → manifest → card

How each model is trained (its settings, split and cycles) is :mod:`helpers.recipes`; what its
card says, :mod:`helpers.model_cards`.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from helpers import data as course_data
from helpers import evaluation, robustness
from helpers.model_cards import MODELS, write_card
from helpers.model_files import (
    TranslationModel,
    load_translation_model,
    write_manifest,
)
from helpers.recipes import (
    ORIGINAL_100_SETTINGS,
    attention_split,
    original_split,
    train_attention,
    train_original,
    train_seed,
    training_pairs,
)
from helpers.transformer_recipe import train_transformer
from helpers.translation import translate

#: The notebooks import the splits the models train on from here (04, 05, 06), with the scoring.
__all__ = ["attention_split", "heldout_overlap", "main", "model_translate", "original_split",
           "score", "score_translator"]

# --- scoring: the numbers every card states ----------------------------------------------------


def model_translate(translator: TranslationModel, mode: str = "greedy", *, repair: bool = True):
    """``list[str] -> list[str]`` translations for :func:`helpers.evaluation.evaluate`, greedy
    (or ``mode="beam"``, width 4): unknown characters read as ``<unk>``, text longer than the
    model reads is cut (a model is scored on every sentence, never allowed to skip one); typos
    and names repaired as :func:`~helpers.translation.translate` does (``repair=False``: the
    model alone)."""
    def run(texts: list[str]) -> list[str]:
        return [t.text for t in translate(translator, texts, mode=mode, beam_width=4,
                                          on_unknown="unk", on_overflow="truncate",
                                          repair=repair)]

    return run


def score_translator(translator: TranslationModel, trained_on: Sequence[tuple[str, str]], *,
                     count: int = 1000) -> dict[str, Any]:
    """Held-out greedy scores on the course set and the all-lengths set, sentences/s, the same
    scores on ``count`` of the sentences it was ``trained_on`` (the recitation gap), and the
    everyday sentences a teacher types."""
    run = model_translate(translator)
    run(["Go.", "I am cold."])  # warm-up: compile the decoder step
    all_refs = evaluation.references_by_source(course_data.load_fra_eng())
    trained_sources = list(dict.fromkeys(e for e, _ in trained_on))[:count]
    sets = {which: evaluation.heldout_set(which, count) for which in ("course", "all_lengths")}
    sets["training"] = (trained_sources, [all_refs[e] for e in trained_sources])
    scores: dict[str, Any] = {}
    overlap = heldout_overlap(trained_on, count=count)
    for which, (sources, refs) in sets.items():
        result = evaluation.evaluate(run, sources, refs)
        scores[which] = {**result.scores.as_dict(),
                         "sentences/s": round(result.sentences_per_second, 1),
                         **({"trained on": overlap[which]} if which in overlap else {})}
    if translator.architecture.attention:  # the playground's models: its decodings compared
        beam = model_translate(translator, mode="beam")
        result = evaluation.evaluate(beam, *sets["course"])
        scores["course_beam"] = {**result.scores.as_dict(),
                                 "sentences/s": round(result.sentences_per_second, 1)}
    everyday = run(list(evaluation.EVERYDAY_SENTENCES))
    trained = {e for e, _ in trained_on}
    scores["robustness"] = robustness.with_costs(robustness.robustness_scores(run, count=count))
    if translator.manifest.get("english_words"):  # what the repair of typos and names adds
        scores["robustness_model_alone"] = robustness.with_costs(robustness.robustness_scores(
            model_translate(translator, repair=False), count=count))
    scores["everyday"] = [
        {"english": e, "output": out, "right": out in all_refs[e], "trained_on": e in trained}
        for e, out in zip(evaluation.EVERYDAY_SENTENCES, everyday, strict=True)]
    return scores


def heldout_overlap(trained_on: Sequence[tuple[str, str]], *, count: int = 1000
                    ) -> dict[str, int]:
    """How many English sentences of each held-out set (its first ``count``) are among the
    pairs a model ``trained_on``: 0 for the course set by construction; the all-lengths set is
    another split, so a model trained on the first pairs of the corpus has seen some."""
    trained = {e for e, _ in trained_on}
    return {which: sum(s in trained for s in evaluation.heldout_set(which, count)[0])
            for which in ("course", "all_lengths")}


def score(name: str, path: str | Path | None = None, *, count: int = 1000) -> dict[str, Any]:
    """Score a saved model (``count`` sentences per set), store the scores in its manifest
    and write its card."""
    path = Path(path or MODELS[name])
    translator = load_translation_model(path)
    scores = score_translator(translator, training_pairs(name), count=count)
    manifest = dict(translator.manifest)
    manifest["metadata"] = {**manifest["metadata"], "scores": scores}
    manifest = write_manifest(path, manifest)
    card = write_card(manifest, path)
    print(f"{name}: course chrF {scores['course']['chrF']}, exact "
          f"{scores['course']['exact match %']}%, all lengths chrF "
          f"{scores['all_lengths']['chrF']}; card {card}", flush=True)
    return manifest


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("stage", choices=["train", "score"])
    parser.add_argument("model", choices=sorted(MODELS))
    parser.add_argument("--epochs", type=int, help="override the recipe's epochs")
    parser.add_argument("--out", help="where the .keras file goes (default: models/)")
    parser.add_argument("--resume", help="attention: go on from this model (its first cycles)")
    parser.add_argument("--stage-dir", help="attention: also save the model after every cycle; "
                        "transformer: where each finished epoch is kept (and resumed from)")
    parser.add_argument("--unaugmented-out",
                        help="attention: also save the model before its augmented cycles here")
    args = parser.parse_args(argv)
    if args.stage == "score":
        score(args.model, args.out)
        return
    overrides: dict[str, Any] = {"epochs": args.epochs} if args.epochs else {}
    if args.model == "attention":
        overrides.update(resume=args.resume, stage_dir=args.stage_dir,
                         unaugmented_out=args.unaugmented_out)
    elif args.model == "transformer" and not (args.resume or args.unaugmented_out):
        if args.stage_dir:
            overrides["stage_dir"] = args.stage_dir
    elif args.resume or args.stage_dir or args.unaugmented_out:
        parser.error("--resume and --unaugmented-out are for the attention model, --stage-dir "
                     "for the attention model and the Transformer")
    if args.model == "attention-unaugmented":
        parser.error("attention-unaugmented is saved by `train attention --unaugmented-out "
                     "models/fra_eng_attention_unaugmented.keras`, not trained on its own")
    if args.model == "original-100":
        overrides["recipe"] = ORIGINAL_100_SETTINGS
    trainer = {"seed": train_seed, "attention": train_attention, "original": train_original,
               "original-100": train_original, "transformer": train_transformer}[args.model]
    trainer(args.out or MODELS[args.model], **overrides)


if __name__ == "__main__":
    main()
