"""The model cards: what each pretrained model's issue asks of it (its floors) and the card's
text, written entirely from the model's manifest.

Run by ``make pretrained`` and ``make cards`` (``python -m helpers.pretrained score NAME`` scores
a model and writes ``models/<name>.md`` with :func:`write_card`); not taught in a notebook. A
rebuild reproduces a card, with the numbers of the new run; the tests compare every committed
card with what :func:`write_card` makes of its manifest.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from helpers.augmentation import AUGMENT_PROBABILITIES
from helpers.card_scores import MODELS, score_lines
from helpers.recipes import training_runs

#: The names other modules read from here.
__all__ = ["MODELS", "write_card"]


# --- the model card ---------------------------------------------------------------------------

_ARCHITECTURES = {
    "original": [
        "| encoder | `OneHot(mask_zero=True)` → `LSTM({dim}, return_state=True)`; its two state "
        "vectors are all the decoder gets |",
        "| decoder | `OneHot` → `LSTM({dim}, return_sequences=True)` started from those states → "
        "`Dense(softmax)` |",
    ],
    "attention": [
        "| encoder | `OneHot(mask_zero=True)` → `LSTM({dim}, return_sequences=True, "
        "return_state=True)`: an output per source character, and the states that start the "
        "decoder |",
        "| decoder | `OneHot` → `LSTM({dim}, return_sequences=True)` → `LuongAttention` (general "
        "score, padding masked) over the encoder outputs → `Dense({dim}, tanh)` of [context; "
        "h] → `Dense(softmax)` |",
    ],
}

_SUMMARY = {
    "seed": "The seed model: the original text's architecture (notebook 03, "
            "`helpers.models.build_course_model`) trained with the course trainer on the first "
            "30,000 pairs: one LSTM each side, the encoder's two state vectors as the only link. "
            "Notebook 05 measures where it fails "
            "(`load_translation_model(helpers.models.SEED_MODEL)`).",
    "original": "The original text's configuration (its architecture and its data, the first "
                "10,000 pairs) trained with the course trainer until early stopping fired. "
                "Notebooks 03 and 04 load it by name "
                "(`load_translation_model(helpers.models.ORIGINAL_MODEL)`) to show what the "
                "original can and cannot do.",
    "original-100": "The original text's configuration trained as the text trains it: 100 "
                    "epochs, no early stopping, the last weights kept, on the same pairs as "
                    "`fra_eng_original.keras`. It learns its training sentences by heart; the "
                    "scores below show how far behind its held-out sentences stay. Notebooks "
                    "03 and 04 show both models "
                    "(`load_translation_model(helpers.models.ORIGINAL_100_MODEL)`).",
    "attention": "The attention model (notebook 05, "
                 "`helpers.attention.build_attention_model`): the same encoder–decoder with "
                 "Luong attention over the encoder's outputs "
                 "(`load_translation_model(helpers.models.ATTENTION_MODEL)`). Its last cycles "
                 "trained on the pairs as people type them (`helpers.augmentation`, issue 20).",
    "attention-unaugmented": "The attention model as it stood before its cycles on text as "
                             "people type it: the same weights after the cycles on the corpus as "
                             "written. Notebook 05 § 8 sets it beside the default model "
                             "(`load_translation_model(helpers.models."
                             "ATTENTION_UNAUGMENTED_MODEL)`).",
}


def _training_lines(meta: dict[str, Any]) -> list[str]:
    s = meta["settings"]
    budget = s.get("time_budget_minutes")
    if meta["stopped_early"]:
        how = (f"early stopping fired after epoch {meta['epochs_run']} (best epoch "
               f"{meta['best_epoch']}, patience {s['patience']}, best weights kept)")
    elif budget and meta["train_seconds"] >= budget * 60 * 0.98:
        how = (f"**stopped by the {budget:g}-minute time budget** at epoch {meta['epochs_run']} "
               "while the validation loss was still falling: not converged")
    else:
        how = (f"all {meta['epochs_run']} planned epochs ran (best epoch {meta['best_epoch']})"
               + (", the learning-rate schedule run to its end" if "final_learning_rate_fraction"
                  in s else ""))
    rates = [r["samples_per_second"] for r in meta["epochs"] if "samples_per_second" in r]
    sizes_train = meta["data"]["sizes"]["train"]
    runs = training_runs(meta)
    wall = sum(r["wall_seconds"] for r in runs)
    in_runs = ""
    if len(runs) > 1:
        in_runs = (f" In {len(runs)} runs, each going on from the model the run before saved "
                   "(`--resume`): " + ", ".join(
                       f"epochs {r['first_epoch']}–{r['last_epoch']} "
                       f"({r['train_seconds'] / 60:.1f} minutes of training)" for r in runs)
                   + "; the times below add them.")
    return [
        f"{how}.{in_runs} {meta['train_seconds'] / 60:.1f} minutes of training "
        f"({wall / 60:.1f} minutes wall clock with the per-epoch validation "
        f"scoring), {meta.get('samples_trained', sizes_train * meta['epochs_run']):,} training "
        "samples, "
        f"{min(rates):.0f}–{max(rates):.0f} samples/s, on {meta['machine']}; Keras "
        f"{meta['versions']['keras']}.",
        "",
        "| epoch | seconds | samples/s | training loss | validation loss | validation accuracy |",
        "| --- | --- | --- | --- | --- | --- |",
        *(f"| {int(r['epoch'])} | {r['seconds']:.0f} | "
          f"{r.get('samples_per_second', math.nan):.0f} | {r['train_loss']:.4f} | "
          f"{r['heldout_loss']:.4f} | {r['heldout_accuracy']:.3f} |" for r in meta["epochs"]),
    ]


def _augment_words(rates: bool | dict[str, float] | None) -> str:
    if not rates:
        return ""
    return f" on the pairs as people type them ({_drawn(rates)})"


def _drawn(rates: bool | dict[str, float]) -> str:
    """``augment_pair``'s probabilities for a run: the course's, with the run's own."""
    return "`augment_pair`: " + ", ".join(
        f"{k.replace('_', ' ')} {p:g}"
        for k, p in {**AUGMENT_PROBABILITIES,
                     **(rates if isinstance(rates, dict) else {})}.items())


def _record_row(record: dict[str, Any] | None) -> list[str]:
    """The card's row for the manifest's architecture record (:mod:`helpers.architecture`)."""
    if not record:
        return []
    return [f"| architecture record (manifest) | family `{record['family']}`: "
            f"{_cell_name(record['cell'])}, {record['tokens']}, read through "
            f"{'an' if record['reader'][:1] in 'aeiu' else 'a'} {record['reader']}, "
            f"{'with' if record['attention'] else 'no'} attention, "
            f"latent_dim {record['latent_dim']}, {record['num_encoder_tokens']} → "
            f"{record['num_decoder_tokens']} tokens |"]


def _cell_name(cell: str) -> str:
    """``LSTM`` and ``GRU`` as written; any other cell (``self-attention``) as it is."""
    return cell.upper() if cell in ("lstm", "gru") else cell


def _pace_words(log: list[dict[str, Any]]) -> str:
    """How long an epoch takes: the fastest and the median epoch of the log, and what all the
    epochs would take at each pace (epoch times grow with whatever else runs on the machine)."""
    seconds = sorted(r["seconds"] for r in log)
    half = len(seconds) // 2
    median = seconds[half] if len(seconds) % 2 else (seconds[half - 1] + seconds[half]) / 2
    return (f"Epoch times grow with whatever else runs on the machine: the fastest took "
            f"{seconds[0]:.0f} s and the median {median:.0f} s, so {len(log)} epochs take "
            f"{len(log) * seconds[0] / 60:.0f} minutes at the first pace and "
            f"{len(log) * median / 60:.0f} at the second.")


def _transformer_lines(manifest: dict[str, Any], model_path: str | Path) -> list[str]:
    """The Transformer's card (subword tokens, epochs of one schedule, its tokenizer file)."""
    meta, name = manifest["metadata"], manifest["model_file"]
    s, data, log = meta["settings"], meta["data"], meta["epoch_log"]
    tokenizer = manifest["tokenizer_file"]
    minutes = meta["train_seconds"] / 60
    return [
        f"# Model card: `{name}`",
        "",
        "English → French, subword pieces. The Transformer of notebook 07 "
        "(`helpers.transformer.build_transformer_model`): self-attention in place of "
        "recurrence, on sentencepiece pieces; trained from scratch on the pairs as written "
        "and as people type them (`helpers.transformer_recipe`, issues 20 and 24). "
        "`load_translation_model(helpers.models.TRANSFORMER_MODEL)` loads it.",
        "",
        "## Files",
        "",
        "| file | what |",
        "| --- | --- |",
        f"| `{name}` | the Keras 3 model: architecture, weights, compile settings, no optimizer "
        f"state ({Path(model_path).stat().st_size / 1e6:.1f} MB); loads with `safe_mode=True` |",
        f"| `{tokenizer}` | its sentencepiece tokenizer (SHA-256 "
        f"`{manifest['tokenizer_sha256']}`) |",
        f"| `{Path(name).with_suffix('.json').name}` | manifest: the SHA-256 of the `.keras` file "
        f"(`{manifest['sha256']}`), the pieces, maximum lengths, and every number below |",
        "",
        "## Data and split",
        "",
        f"* {data['corpus']}; licence CC-BY 2.0 France (tatoeba.org, manythings.org/anki).",
        f"* Pairs: {data['pairs']}; split: {data['split']}: {data['training_pairs']:,} training "
        "pairs. Every English sentence of the course's validation and test parts is left out.",
        f"* Tokens: {data['tokenizer']}; one vocabulary of {len(manifest['input_vocabulary'])} "
        "(padding, unknown, start and stop included) for both languages. The model reads at "
        f"most {manifest['max_encoder_seq_length']} pieces and writes at most "
        f"{manifest['max_decoder_seq_length']}.",
        "",
        "## Architecture and training settings",
        "",
        "| setting | value |",
        "| --- | --- |",
        f"| layers | {s['num_layers']} encoder and {s['num_layers']} decoder layers, width "
        f"{s['latent_dim']}, {s['num_heads']} heads, feed-forward {s['ff_dim']}, dropout "
        f"{s['dropout']:g}, post-layer-norm; one embedding for source, target and output "
        f"(tied), sinusoidal positions; {meta['parameters']:,} parameters |",
        *_record_row(manifest.get("architecture")),
        "| loss, metric | `masked_loss`, `masked_accuracy` (padding ignored) |",
        f"| optimizer | adam (β₂ 0.98), warm-up over {s['warmup_steps']:,} steps to "
        f"{s['learning_rate']:g}, cosine decay to {s['final_learning_rate_fraction']:g} of it "
        "at the last step |",
        f"| batches | length-bucketed, {s['batch_size']} pairs; each epoch, "
        f"{s['augmented_share']:.0%} of the pairs changed as people type them, drawn anew "
        f"({_drawn(meta['augment'])}) |",
        f"| stopping | {s['epochs']} epochs, the last weights kept |",
        f"| seed | {s['seed']} (epoch draws {s['epoch_seed']} + epoch) |",
        "",
        "## Translation quality (held out)",
        "",
        *score_lines(meta.get("scores"), "transformer", True),
        "",
        "## Training",
        "",
        f"{meta['epochs_run']} epochs, {minutes:.1f} minutes of training on {meta['machine']}, "
        "in runs that each went on after the last finished epoch (`make "
        "pretrained-transformer`). " + _pace_words(log) + " Greedy chrF on the course set "
        "after each epoch:",
        "",
        "| epoch | seconds | training loss | chrF | exact match |",
        "| --- | --- | --- | --- | --- |",
        *(f"| {r['epoch']} | {r['seconds']} | {r['loss']:.4f} | {r['chrF']:.2f} | "
          f"{r['exact']:.1f}% |" for r in log),
        "",
        "## Reproduce",
        "",
        "    make pretrained-transformer   # train (resumable), score, write this card",
        "",
        "A retrained file has another SHA-256 and slightly different numbers; the manifest "
        "records them and this card is rewritten from it.",
    ]


def write_card(manifest: dict[str, Any], model_path: str | Path,
               out: str | Path | None = None) -> Path:
    """Write the model's card, entirely from its manifest: ``<model>.md`` beside the model,
    or ``out``."""
    meta = manifest["metadata"]
    architecture = meta.get("architecture", "original")
    if architecture == "transformer":
        path = Path(out) if out is not None else Path(model_path).with_suffix(".md")
        path.write_text("\n".join(_transformer_lines(manifest, model_path)) + "\n",
                        encoding="utf-8")
        return path
    s = meta["settings"]
    dim = s["latent_dim"]
    sizes = meta["data"]["sizes"]
    name = manifest["model_file"]
    if "cycles" in s:
        schedule = ("cosine decay with warm restarts: " + ", then ".join(
            f"{c['epochs']} epochs from {c['learning_rate']:g}"
            + _augment_words(c.get("augment"))
            for c in s["cycles"])
            + f", each cycle a fresh adam decaying to {s['final_learning_rate_fraction']:g} of "
            "its rate")
    elif "final_learning_rate_fraction" in s:
        schedule = (f"{s['learning_rate']:g}, cosine decay to "
                    f"{s['final_learning_rate_fraction']:g} of it over the run")
    else:
        schedule = f"{s['learning_rate']:g}"
    budget = s.get("time_budget_minutes")
    lines = [
        f"# Model card: `{name}`",
        "",
        f"English → French, character level. {_SUMMARY.get(_name_of(name), '')}".rstrip(),
        "",
        "## Files",
        "",
        "| file | what |",
        "| --- | --- |",
        f"| `{name}` | the Keras 3 model: architecture, weights, compile settings, no optimizer "
        f"state ({Path(model_path).stat().st_size / 1e6:.1f} MB); loads with `safe_mode=True` |",
        f"| `{Path(name).with_suffix('.json').name}` | manifest: the SHA-256 of the `.keras` file "
        f"(`{manifest['sha256']}`), both vocabularies, maximum lengths, and every number below |",
        "",
        "## Data and split",
        "",
        f"* {meta['data']['corpus']}; licence CC-BY 2.0 France (tatoeba.org, "
        "manythings.org/anki).",
        f"* Pairs: {meta['data']['pairs']}. The model reads at most "
        f"{manifest['max_encoder_seq_length']} English characters and writes at most "
        f"{manifest['max_decoder_seq_length'] - 1} French ones.",
        f"* Split: {meta['data']['split']}: {sizes['train']:,} training, "
        f"{sizes['validation']:,} validation and {sizes['test']:,} test pairs.",
        f"* Vocabularies ({len(manifest['input_vocabulary'])} English and "
        f"{len(manifest['target_vocabulary'])} French tokens, padding and `<unk>` included) come "
        "from the training pairs.",
        "",
        "## Architecture and training settings",
        "",
        "| setting | value |",
        "| --- | --- |",
        *(row.format(dim=dim) for row in _ARCHITECTURES[architecture]),
        *_record_row(manifest.get("architecture")),
        "| loss, metric | `masked_loss`, `masked_accuracy` (padding ignored) |",
        f"| optimizer | adam, clipnorm 1.0, learning rate {schedule} |",
        f"| batches | length-bucketed, {s['batch_size']} pairs |",
        f"| stopping | at most {s['epochs']} epochs"
        + (f" or {budget:g} minutes of training" if budget else "")
        + (f"; early stopping on the validation masked loss, patience {s['patience']}, best "
           "weights kept |" if s["patience"] is not None else
           "; no early stopping: every epoch runs and the last weights are kept |"),
        f"| seed | {s['seed']} |",
        "",
        "## Translation quality (held out)",
        "",
        *score_lines(meta.get("scores"), _name_of(name),
                      any(c.get("augment") for c in s.get("cycles", []))),
        "",
        "## Next-character scores (teacher forcing)",
        "",
        "| part | masked loss | masked accuracy |",
        "| --- | --- | --- |",
        *(f"| {part} | {meta[part]['loss']:.4f} | {meta[part]['accuracy']:.1%} |"
          for part in ("validation", "test") if part in meta),
        "",
        "## Training",
        "",
        *_training_lines(meta),
        "",
        "## Reproduce",
        "",
        "    make pretrained     # every model: train, score, write the cards",
        f"    python -m helpers.pretrained {_train_command(_name_of(name))}",
        f"    python -m helpers.pretrained score {_name_of(name)}",
        "",
        *(["`make pretrained-attention` also saves the model after every cycle in "
           "`build/attention-stage/`; `python -m helpers.pretrained train attention --resume "
           "build/attention-stage/attention_cycleN.keras` goes on from one.", ""]
          if "cycles" in meta["settings"] else []),
        "A retrained file has another SHA-256 and slightly different numbers; the manifest "
        "records them and this card is rewritten from it.",
    ]
    path = Path(out) if out is not None else Path(model_path).with_suffix(".md")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _train_command(name: str) -> str:
    if name == "attention-unaugmented":  # saved on the way by the attention recipe
        return f"train attention --unaugmented-out models/{MODELS[name].name}"
    return f"train {name}"


def _name_of(model_file: str) -> str:
    return next((name for name, path in MODELS.items() if path.name == model_file), "NAME")
