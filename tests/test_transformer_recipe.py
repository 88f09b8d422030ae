"""The Transformer's training recipe (helpers.transformer_recipe): a run stops after any epoch
and the same command goes on from there; the saved model brings its tokenizer; a stage folder
of other settings is refused."""

from __future__ import annotations

import json

import pytest

from helpers import model_cards, models, pretrained, transformer_recipe, translation

TINY = {"num_pairs": 300, "vocab_size": 200, "latent_dim": 16, "num_heads": 2, "ff_dim": 32,
        "num_layers": 1, "batch_size": 32, "warmup_steps": 5, "scored_sentences": 20}


@pytest.mark.slow  # reads the whole corpus and trains (about 40 s)
def test_a_run_goes_on_after_its_last_epoch_and_saves_the_tokenizer(tmp_path) -> None:
    stage, out = tmp_path / "stage", tmp_path / "t.keras"
    transformer_recipe.train_transformer(out, stage_dir=stage, **TINY, epochs=1)
    state = json.loads((stage / "state.json").read_text())
    assert state["epochs"] == 1 and len(state["log"]) == 1
    first = (stage / "last.keras").stat().st_mtime_ns
    manifest = transformer_recipe.train_transformer(out, stage_dir=stage, **TINY, epochs=1)
    assert (stage / "last.keras").stat().st_mtime_ns == first  # nothing left to train
    assert manifest["metadata"]["epochs_run"] == 1
    with pytest.raises(ValueError, match="other settings"):
        transformer_recipe.train_transformer(out, stage_dir=stage,
                                             **{**TINY, "latent_dim": 32}, epochs=1)
    # the same settings with more epochs are another run too (its schedule differs)
    with pytest.raises(ValueError, match="other settings"):
        transformer_recipe.train_transformer(out, stage_dir=stage, **TINY, epochs=2)
    loaded = models.load_translation_model(out)
    assert loaded.architecture.family == "transformer"
    assert models.tokenizer_path(out).read_bytes() == (stage / "tokenizer.model").read_bytes()
    assert isinstance(translation.translate(loaded, "I am cold.").text, str)
    # scored: its manifest keeps the scores and its card is written from the manifest
    pretrained.score("transformer", out, count=10)
    manifest = json.loads(models.manifest_path(out).read_text())
    card = out.with_suffix(".md").read_text()
    assert card == model_cards.write_card(manifest, out, tmp_path / "again.md").read_text()
    assert "subword pieces" in card and "t.sentencepiece.model" in card
    assert f"| 1 | {state['log'][0]['seconds']} |" in card
    assert manifest["metadata"]["scores"]["course"]["sentences"] == 10
