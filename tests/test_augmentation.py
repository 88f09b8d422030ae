"""helpers.augmentation: pairs as people type them. Each change does what it says and only that;
training with it re-draws the pairs every epoch."""

from __future__ import annotations

import re

import numpy as np
import pytest

from helpers import augmentation as aug
from helpers import encoding as enc
from helpers import training


def test_lower_case_and_final_punctuation() -> None:
    assert aug.lower_case("Tom is Hungry.") == "tom is hungry."
    assert aug.drop_final_punctuation("Where are you?") == "Where are you"
    assert aug.drop_final_punctuation("Wait... ") == "Wait"
    assert aug.drop_final_punctuation("Hello!?") == "Hello"
    assert aug.drop_final_punctuation("?") == "?"  # nothing would be left: unchanged
    assert aug.drop_final_punctuation("I'm 5.5") == "I'm 5.5"


@pytest.mark.parametrize("kind", ["swap", "drop", "double", "replace"])
def test_a_typo_changes_one_word_of_three_letters_or_more(kind) -> None:
    rng = np.random.default_rng(0)
    text = "I am so cold today."
    for _ in range(30):
        typo = aug.add_typo(text, rng, kind=kind)
        before, after = text.split(" "), typo.split(" ")
        changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
        assert len(changed) <= 1
        if kind != "replace":  # a replacement may draw the same letter
            assert len(changed) == 1
        for old, new in changed:
            assert len(re.sub(r"\W", "", old)) >= 3
            assert len(new) - len(old) == {"swap": 0, "drop": -1, "double": 1, "replace": 0}[kind]
            if kind == "swap":
                assert sorted(old) == sorted(new)


def test_a_typo_leaves_short_words_alone_and_refuses_unknown_kinds() -> None:
    rng = np.random.default_rng(0)
    assert aug.add_typo("I am ok.", rng) == "I am ok."
    with pytest.raises(ValueError, match="kind must be one of"):
        aug.add_typo("I am cold.", rng, kind="shuffle")


def test_names_are_found_only_when_the_french_names_them_as_often() -> None:
    assert aug.names_in("Mary is Tom's sister.", "Marie est la sœur de Tom.") == ["Tom", "Mary"]
    assert aug.names_in("Tom is here.", "Il est ici.") == []
    assert aug.names_in("Tommy is here.", "Tommy est ici.") == []  # whole words only


def test_names_are_swapped_on_both_sides() -> None:
    english, french = aug.swap_names("Mary is Tom's sister.", "Marie est la sœur de Tom.",
                                     {"Tom": "Kofi", "Mary": "Yuki"})
    assert (english, french) == ("Yuki is Kofi's sister.", "Yuki est la sœur de Kofi.")


def test_made_up_names_are_capitalised_syllables() -> None:
    rng = np.random.default_rng(0)
    names = {aug.made_up_name(rng) for _ in range(200)}
    assert len(names) > 150
    assert all(re.fullmatch(r"[A-Z][a-z]{3,5}", n) for n in names)


def test_varied_names_use_the_whole_alphabet_and_never_a_held_out_name(monkeypatch) -> None:
    rng = np.random.default_rng(0)
    names = [aug.varied_name(rng) for _ in range(3000)]
    assert all(re.fullmatch(r"[A-Z][a-z]{2,9}", n) for n in names)
    assert len(set(names)) > 2500
    assert {n[0] for n in names} >= set("ABCDEGKQXZ")  # made_up_name never starts so
    assert any(n.startswith(("Th", "Kw", "Ng")) for n in names)
    # a name drawn that is held out is drawn again
    monkeypatch.setattr(aug, "HELD_OUT_NAMES", tuple(names[:1]))
    assert names[0] not in {aug.varied_name(np.random.default_rng(0)) for _ in range(1)}


def test_varied_names_are_drawn_at_their_rate_and_cost_no_draw_at_zero() -> None:
    rates = {**dict.fromkeys(aug.AUGMENT_PROBABILITIES, 0.0), "names": 1.0}
    plain = [aug.augment_pair("Tom is here.", "Tom est là.", np.random.default_rng(s),
                              probabilities=rates)[1] for s in range(50)]
    legacy = []
    for s in range(50):  # augment_pair as it was before varied names: the same draws
        rng = np.random.default_rng(s)
        rng.random()
        name = aug.TRAINING_NAMES[int(rng.integers(len(aug.TRAINING_NAMES)))] \
            if rng.random() < 0.5 else aug.made_up_name(rng)
        legacy.append(f"{name} est là.")
    assert plain == legacy
    varied = {**rates, "varied_names": 1.0}
    rng = np.random.default_rng(3)
    made_up = [aug.augment_pair("Tom is here.", "Tom est là.", rng, probabilities=varied)[1]
               .split(" ")[0] for _ in range(400)]
    made_up = [n for n in made_up if n not in aug.TRAINING_NAMES]
    assert any(not re.fullmatch(r"([bdfghjklmnprstvwyz][aeiou]){2,3}", n.lower())
               for n in made_up)


def test_the_name_lists_do_not_meet() -> None:
    assert not set(aug.TRAINING_NAMES) & set(aug.HELD_OUT_NAMES)
    assert not set(aug.CORPUS_NAMES) & (set(aug.TRAINING_NAMES) | set(aug.HELD_OUT_NAMES))
    assert len(aug.HELD_OUT_NAMES) >= 40


def test_held_out_names_never_occur_in_the_corpus(corpus_words) -> None:
    assert not {n.lower() for n in aug.HELD_OUT_NAMES} & corpus_words


@pytest.fixture(scope="module")
def corpus_words() -> set[str]:
    from helpers import data

    words: set[str] = set()
    for english, french in data.load_fra_eng():
        words.update(re.findall(r"\w+", (english + " " + french).lower()))
    return words


def test_augment_pair_with_every_change_and_with_none() -> None:
    rng = np.random.default_rng(0)
    never = dict.fromkeys(aug.AUGMENT_PROBABILITIES, 0.0)
    assert aug.augment_pair("Tom is hungry.", "Tom a faim.", rng, probabilities=never) == (
        "Tom is hungry.", "Tom a faim.")
    always = {**dict.fromkeys(aug.AUGMENT_PROBABILITIES, 1.0), "typo": 0.0}
    for _ in range(20):
        english, french = aug.augment_pair("Tom is hungry.", "Tom a faim.", rng,
                                           probabilities=always)
        new = french.split(" ")[0]
        assert new != "Tom" and french == f"{new} a faim."
        assert english == f"{new.lower()} is hungry"


def test_augment_pair_draws_every_change_at_about_its_rate() -> None:
    rng = np.random.default_rng(1)
    pairs = [aug.augment_pair("Tom is hungry.", "Tom a faim.", rng) for _ in range(2000)]
    renamed = np.mean([not f.startswith("Tom ") for _, f in pairs])
    unpunctuated = np.mean([not e.endswith(".") for e, _ in pairs])
    lowered = np.mean([e[0].islower() for e, _ in pairs])
    assert abs(renamed - aug.AUGMENT_PROBABILITIES["names"]) < 0.05
    assert abs(unpunctuated - aug.AUGMENT_PROBABILITIES["no_final_punctuation"]) < 0.05
    assert abs(lowered - aug.AUGMENT_PROBABILITIES["lower_case"]) < 0.05


# --- training with it -----------------------------------------------------------------------

PAIRS = [("Tom is hungry.", "Tom a faim."), ("Go.", "Va !"), ("Mary is here.", "Marie est là."),
         ("Where is Tom?", "Où est Tom ?"), ("I am cold.", "J'ai froid.")]


def _vocabularies():
    letters = "".join(chr(c) for c in range(32, 127)) + "éèàçœâêîôûÉ"
    return enc.build_vocabulary([letters]), enc.build_vocabulary([enc.add_start_stop(letters)])


def test_the_augmented_dataset_draws_new_pairs_every_epoch() -> None:
    input_vocab, target_vocab = _vocabularies()
    always = {**dict.fromkeys(aug.AUGMENT_PROBABILITIES, 1.0), "typo": 0.0}

    def augment(e, f, rng):
        return aug.augment_pair(e, f, rng, probabilities=always)

    dataset = training.make_augmented_dataset(PAIRS, input_vocab, target_vocab, augment,
                                              max_encoder_seq_length=40,
                                              max_decoder_seq_length=40, batch_size=2)
    epochs = []
    for _ in range(2):
        sources = []
        for (encoder_input, _), _ in dataset:
            sources += enc.decode_sequences(encoder_input.numpy(), input_vocab)
        epochs.append(sorted(sources))
    assert len(epochs[0]) == len(PAIRS)
    assert "go" in epochs[0] and all(s[0].islower() for s in epochs[0])
    assert epochs[0] != epochs[1]  # new names drawn


def test_an_augmented_pair_too_long_for_the_model_falls_back_to_the_pair() -> None:
    input_vocab, target_vocab = _vocabularies()

    def lengthen(e, f, rng):
        return e + " " * 50, f

    dataset = training.make_augmented_dataset(PAIRS, input_vocab, target_vocab, lengthen,
                                              max_encoder_seq_length=20,
                                              max_decoder_seq_length=20, batch_size=8)
    (encoder_input, _), _ = next(iter(dataset))
    assert sorted(enc.decode_sequences(encoder_input.numpy(), input_vocab)) == \
        sorted(e for e, _ in PAIRS)


@pytest.mark.slow  # trains for several epochs
def test_train_course_trains_on_augmented_pairs() -> None:
    from helpers.models import build_course_model

    data = training.translation_data_from_split(
        training.course_data.Split(train=PAIRS * 4, validation=PAIRS[:2], test=PAIRS[:2]))
    model = build_course_model(len(data.input_vocab), len(data.target_vocab), latent_dim=8)
    seen: list[str] = []

    def augment(e, f, rng):
        seen.append(e)
        return aug.lower_case(e), f

    run = training.train_course(model, data, epochs=2, batch_size=4, patience=None,
                                augment=augment, verbose=0)
    assert len(run.rows) == 2 and len(seen) == 2 * len(data.train_pairs)
