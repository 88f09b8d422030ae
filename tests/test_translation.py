"""helpers.translation: translate() and its input rules, on the tiny shared model."""

from __future__ import annotations

import pytest

from helpers import encoding as enc
from helpers import translation, translation_input
from tests.conftest import SOURCES, TARGETS


def test_translate(translator) -> None:
    one = translation.translate(translator, "  Be   nice. ")
    assert isinstance(one, translation.Translation)
    assert one.text == "Soyez gentil !" and one.used_input == "Be nice." and not one.notices
    many = translation.translate(translator, SOURCES, mode="beam", beam_width=2)
    assert [t.text for t in many] == TARGETS
    sampled = translation.translate(translator, ["Go."], mode="sample", temperature=1e-3, seed=0)
    assert sampled[0].text == "Va !"
    conf = translation.character_confidences(translator, "Go.", "Va !")
    assert len(conf) == 4 and all(0 < p <= 1 for p in conf) and min(conf) > 0.3
    assert min(translation.character_confidences(translator, "Go.", "Vx !")) < 0.1


@pytest.mark.parametrize("text", ["", "   ", "\t\n", "\u3000"])
def test_empty_input(translator, text: str) -> None:
    with pytest.raises(translation.EmptyInputError, match="Nothing to translate"):
        translation.translate(translator, text)


@pytest.mark.parametrize("text", ["Go 🙂", "Иди.", "去。", "Go\u00e9."])
def test_unknown_characters(translator, text: str) -> None:
    with pytest.raises(translation.UnknownInputError, match="never saw") as info:
        translation.translate(translator, text)
    assert isinstance(info.value, enc.UnknownCharacterError)
    assert info.value.unknown
    dropped = translation.translate(translator, text + " Go.", on_unknown="drop")
    assert dropped.notices and dropped.unknown == info.value.unknown
    assert all(ch in translator.input_vocab for ch in dropped.used_input)
    as_unk = translation.translate(translator, text, on_unknown="unk")
    assert as_unk.notices and isinstance(as_unk.text, str)


def test_only_unknown_characters_left_is_empty(translator) -> None:
    with pytest.raises(translation.EmptyInputError, match="Nothing left"):
        translation.translate(translator, "🙂🙂", on_unknown="drop")


def test_tabs_and_newlines_are_white_space_not_tokens(translator) -> None:
    result = translation.translate(translator, "Be\tnice.\n")
    assert result.used_input == "Be nice." and result.text == "Soyez gentil !"


def test_typographic_apostrophe_is_mapped(translator) -> None:
    vocab = enc.build_vocabulary(["I'm ok."])
    assert translation_input.prepare_input("I\u2019m ok.", vocab, 20).text == "I'm ok."
    notices = translation_input.prepare_input("I\u2019m ok\u2026", vocab, 20).notices
    assert notices == ["Typographic characters were read as the corpus writes them: "
                       "\u2019 as ', \u2026 as ..."]
    assert translation_input.prepare_input("I'm ok.", vocab, 20).notices == []


def test_too_long(translator) -> None:
    limit = translator.max_encoder_seq_length
    long_text = "Be nice. " * 5
    with pytest.raises(translation.InputTooLongError, match=f"at most {limit}"):
        translation.translate(translator, long_text)
    cut = translation.translate(translator, long_text, on_overflow="truncate")
    assert len(cut.used_input) <= limit and cut.notices
    assert cut.used_input == "Be nice."  # cut at a word boundary


def test_bad_arguments(translator) -> None:
    with pytest.raises(TypeError):
        translation.translate(translator, [None])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="mode"):
        translation.translate(translator, "Go.", mode="fast")  # type: ignore[arg-type]
    with pytest.raises(translation.EmptyInputError):
        translation.translate(translator, [])
    with pytest.raises(ValueError, match="on_unknown"):
        translation.translate(translator, "Go.", on_unknown="ignore")  # type: ignore[arg-type]
