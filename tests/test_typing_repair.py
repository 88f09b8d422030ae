"""Words a model never read (helpers.typing_repair): a typo is read as the word it misses, a
name the model cannot know is read as a corpus name and written back; translate() does both
for a model whose manifest counts its training English, and says so."""

from __future__ import annotations

import re
from dataclasses import replace as translation_of

import numpy as np
import pytest

from helpers import models, typing_repair
from helpers.augmentation import add_typo
from helpers.translation import InputTooLongError, translate

COUNTS = {"say": 40, "no": 900, "one": 500, "can": 800, "tom": 12000, "to": 30000,
          "what": 5000, "is": 40000, "this": 9000, "armed": 30, "my": 8000, "name": 300,
          "kept": 60, "on": 7000, "crying": 20, "and": 6000, "are": 9000, "here": 3000,
          "s": 20000, "polite": 40, "john": 400, "alice": 300}


@pytest.mark.parametrize("kind", ["swap", "drop", "double", "replace"])
def test_every_typo_of_the_augmentation_is_one_edit_away(kind) -> None:
    for seed in range(40):
        rng = np.random.default_rng(seed)
        word = "".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz"), size=int(rng.integers(3, 9))))
        typed = add_typo(word, rng, kind=kind)
        if typed != word:
            assert word in typing_repair.one_edit_away(typed), (kind, word, typed)


def test_a_typo_is_read_as_the_known_word_with_the_same_letters_first() -> None:
    assert typing_repair.correction("sya", COUNTS) == "say"
    assert typing_repair.correction("Waht", COUNTS) == "What"  # capitals kept
    assert typing_repair.correction("Tmo", COUNTS) == "Tom"  # not "To", more frequent
    assert typing_repair.correction("xqzv", COUNTS) is None
    assert typing_repair.correction("sya", COUNTS, min_count=41) is None  # "say": 40 times


def test_repair_reads_typos_and_holds_names_in_place() -> None:
    repaired = typing_repair.repair("No one can sya.", COUNTS)
    assert repaired.text == "No one can say." and repaired.corrected == [("sya", "say")]
    assert repaired.names == {}
    repaired = typing_repair.repair("Oluwaseun kept on crying.", COUNTS)
    assert repaired.text == "Tom kept on crying." and repaired.names == {"Tom": "Oluwaseun"}
    # two names, two placeholders; the same name twice, the same one; a used one is skipped
    repaired = typing_repair.repair("Tom and Zoé are here, Zoé and Kwame.", COUNTS)
    assert repaired.text == "Tom and John are here, John and Alice."
    assert repaired.names == {"John": "Zoé", "Alice": "Kwame"}
    # more names than placeholders: the rest stay as typed
    repaired = typing_repair.repair("Ahmed, Priya, Kofi and Femi.", COUNTS)
    assert repaired.text == "Tom, John, Alice and Femi."
    # a capitalised typo of a frequent word is a typo, of a rare one a name ("Ahmed" ≠ "armed")
    assert typing_repair.repair("Tmo is here.", COUNTS).text == "Tom is here."
    assert typing_repair.repair("My name is Ahmed.", COUNTS).names == {"Tom": "Ahmed"}
    # known words, and text without words, are left alone
    assert typing_repair.repair("What is this?", COUNTS).text == "What is this?"
    assert typing_repair.repair("?!", COUNTS).text == "?!"


def test_names_are_written_back_as_whole_words_and_every_change_is_said() -> None:
    names = {"Tom": "Oluwaseun", "John": "Zoé"}
    assert typing_repair.restore_names("Tom a vu John et Tomas.", names) == (
        "Oluwaseun a vu Zoé et Tomas.")
    said = typing_repair.notices(typing_repair.repair("Oluwaseun can sya.", COUNTS))
    assert len(said) == 2 and "'sya' as 'say'" in said[0] and "'Oluwaseun' is a name" in said[1]


def test_count_words_counts_lower_cased_words_with_accents() -> None:
    assert typing_repair.count_words(["Tom's here.", "Zoé and tom."]) == {
        "tom": 2, "s": 1, "here": 1, "zoé": 1, "and": 1}


@pytest.fixture(scope="module")
def shipped():
    return models.load_translation_model(models.TRANSFORMER_MODEL)


def test_translate_repairs_for_a_model_that_counts_its_english_and_says_what_it_did(
        shipped) -> None:
    assert shipped.manifest.get("english_words"), "the Transformer ships its training words"
    result = translate(shipped, "Oluwaseun is hungyr.")
    assert result.used_input == "Tom is hungry."
    assert "Oluwaseun" in result.text and "Tom" not in result.text
    assert result.source == "Oluwaseun is hungyr." and len(result.notices) == 2
    assert result.repairs == result.notices  # what the widgets show
    assert result.text.ids is None  # the decoder wrote "Tom": its pieces no longer spell it
    alone = translate(shipped, "Oluwaseun is hungyr.", repair=False)
    assert alone.used_input == "Oluwaseun is hungyr." and alone.notices == []
    # a list is repaired sentence by sentence, as one sentence at a time
    batch = translate(shipped, ["Ahmed is cold.", "I am cold."])
    assert [t.text for t in batch] == [translate(shipped, s).text
                                       for s in ("Ahmed is cold.", "I am cold.")]
    with pytest.raises(TypeError, match="repair must be True or False"):
        translate(shipped, "I am cold.", repair="yes")


def test_translate_leaves_a_model_without_counted_words_alone(transformer_translator) -> None:
    assert "english_words" not in transformer_translator.manifest
    result = translate(transformer_translator, "Be tnie.")  # "tnie" is in no sentence of it
    assert result.used_input == "Be tnie." and result.notices == []


def test_the_translator_widget_says_what_was_repaired(shipped) -> None:
    from helpers import widgets

    widget = widgets.Translator(shipped, "Oluwaseun is hungyr.", debounce_seconds=60,
                                mode="greedy")
    assert "Oluwaseun" in widget.last.text
    assert "is a name the model never saw" in widget.notes.value
    assert "Read &#x27;hungyr&#x27; as &#x27;hungry&#x27;" in widget.notes.value
    shown = re.sub(r"<[^>]+>", "", widget.result.value)
    assert "Oluwaseun" in shown and "Tom" not in shown  # the name, not the placeholder
    # its confidences and its map are read against the English with the name written back
    assert widget.last.english == "Oluwaseun is hungry."
    assert widget.last.used_input == "Tom is hungry."
    widget.show_attention.value = True
    assert "Oluwaseun" in re.sub(r"<[^>]+>", "", widget.attention_view.value)
    # unless that English is longer than the model reads: then the text the model read
    long = translation_of(widget.last, used_input=" ".join(["Tom"] * 40),
                          names={"Tom": "Oluwaseun"})
    assert widget._english(long) == long.used_input


def test_the_step_through_decodes_what_the_model_reads(shipped) -> None:
    from helpers import widgets

    steps = widgets.StepThrough(shipped, "Oluwaseun is hungyr.")
    assert steps.source == "Tom is hungry."  # the repaired text, as translate() reads it
    assert "is a name the model never saw" in steps.notes.value
    assert steps.steps[-1].text_so_far.startswith("Tom")  # the model writes the placeholder


def test_a_wall_of_letters_is_never_looked_up(shipped) -> None:
    """one_edit_away grows with the square of a word's length: a word longer than any training
    word is left as it is, so a pasted wall of letters costs no memory."""
    wall = "a" * (typing_repair.MAX_WORD_LENGTH + 1)
    assert typing_repair.correction(wall, {wall[:-1]: 100}) is None
    assert typing_repair.correction(wall[:-1], {wall[:-2]: 100}) == wall[:-2]
    text = "x" * 200_000
    assert typing_repair.repair(text, COUNTS).text == text
    with pytest.raises(InputTooLongError, match="at most"):  # the model's length rule
        translate(shipped, text)


def test_a_word_of_characters_the_model_never_saw_still_meets_their_rule(shipped) -> None:
    assert typing_repair.repair("Привет!", COUNTS, characters="abcP!").text == "Привет!"
    assert typing_repair.repair("Привет!", COUNTS).names == {"Tom": "Привет"}  # no such rule
    from helpers.translation import UnknownInputError
    with pytest.raises(UnknownInputError, match="never saw these character"):
        translate(shipped, "Привет!")
