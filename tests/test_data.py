"""helpers.data: the corpus loader, its errors and the split; helpers.addition's questions."""

from __future__ import annotations

import hashlib
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest

from helpers import addition, data

FIXTURE_LINES = [
    "Go.\tVa !",
    "Go.\tMarche.",
    "Hi.\tSalut !",
    "Run!\tCours\u202f!",
    "Who?\tQui ?\tCC-BY 2.0 (France) Attribution: tatoeba.org #2083030 (CK)",
    "I see.\tJe comprends.",
    "Wait!\tAttends !",
    "Be nice.\tSoyez gentil !",
]


def make_zip(path: Path, text: str, member: str = "fra-eng/fra.txt") -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, text)
        archive.writestr(member.replace("fra.txt", "_about.txt"), "fixture")
    return path


@pytest.fixture
def fixture_zip(tmp_path: Path) -> Path:
    return make_zip(tmp_path / "fra-eng.zip", "\n".join(FIXTURE_LINES) + "\n")


def load_quietly(**kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", data.UnknownReleaseWarning)
        return data.load_fra_eng(**kwargs)


def test_parses_two_and_three_columns(fixture_zip: Path) -> None:
    pairs = load_quietly(path=fixture_zip)
    assert len(pairs) == len(FIXTURE_LINES)
    assert pairs[0] == ("Go.", "Va !")
    assert pairs[4] == ("Who?", "Qui ?")  # attribution column dropped
    assert pairs[3][1] == "Cours\u202f!"  # narrow no-break space kept


def test_top_level_layout_and_num_samples(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "x.zip", "\n".join(FIXTURE_LINES), member="fra.txt")
    assert load_quietly(path=path, num_samples=3) == [("Go.", "Va !"), ("Go.", "Marche."),
                                                      ("Hi.", "Salut !")]


def test_windows_line_endings(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "x.zip", "Go.\tVa !\r\nHi.\tSalut !\r\n")
    assert load_quietly(path=path) == [("Go.", "Va !"), ("Hi.", "Salut !")]


def test_unknown_release_warns_but_reads(fixture_zip: Path) -> None:
    with pytest.warns(data.UnknownReleaseWarning, match="not the release"):
        pairs = data.load_fra_eng(path=fixture_zip)
    assert len(pairs) == len(FIXTURE_LINES)


def test_hash_mismatch_is_an_error_when_strict(fixture_zip: Path) -> None:
    with pytest.raises(data.CorpusHashMismatchError, match="SHA-256"):
        data.load_fra_eng(path=fixture_zip, verify="strict")


def test_known_hash_passes_strict(fixture_zip: Path, monkeypatch) -> None:
    text = ("\n".join(FIXTURE_LINES) + "\n").encode()
    monkeypatch.setattr(data, "FRA_TXT_SHA256", hashlib.sha256(text).hexdigest())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(data.load_fra_eng(path=fixture_zip, verify="strict")) == len(FIXTURE_LINES)


@pytest.mark.parametrize(
    ("line", "columns"),
    [("no tab here", 1), ("a\tb\tc\td", 4), ("\tVa !", 2), ("Go.\t", 2)],
)
def test_malformed_line_names_its_number(tmp_path: Path, line: str, columns: int) -> None:
    path = make_zip(tmp_path / "bad.zip", "Go.\tVa !\nHi.\tSalut !\n" + line + "\n")
    with pytest.raises(data.MalformedLineError, match=r"line 3\b") as info:
        load_quietly(path=path)
    assert f"{columns} column" in str(info.value)


def test_missing_file_without_download(tmp_path: Path) -> None:
    with pytest.raises(data.CorpusNotFoundError, match="make data"):
        data.load_fra_eng(path=tmp_path / "absent.zip", download=False)


def test_missing_file_and_no_network(tmp_path: Path) -> None:
    # Port 9 on loopback refuses the connection at once: a stand-in for "no network".
    with pytest.raises(data.CorpusNotFoundError, match="download failed") as info:
        data.load_fra_eng(path=tmp_path / "absent.zip", origin="http://127.0.0.1:9/fra-eng.zip")
    assert "make data" in str(info.value)
    assert not (tmp_path / "absent.zip").exists()


def test_truncated_zip(fixture_zip: Path) -> None:
    raw = fixture_zip.read_bytes()
    fixture_zip.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(data.CorruptCorpusError, match="truncated"):
        data.load_fra_eng(path=fixture_zip)


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "fra-eng.zip"
    path.write_text("<html>rate limited</html>")
    with pytest.raises(data.CorruptCorpusError, match="not a readable zip"):
        data.load_fra_eng(path=path)


def test_corrupted_member_bytes(tmp_path: Path) -> None:
    path = tmp_path / "fra-eng.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("fra.txt", "Go.\tVa !\n" * 50)
    raw = bytearray(path.read_bytes())
    start = raw.index(b"Go.")
    raw[start + 20 : start + 24] = b"XXXX"  # flip stored bytes: the CRC no longer matches
    path.write_bytes(bytes(raw))
    with pytest.raises(data.CorruptCorpusError):
        data.load_fra_eng(path=path)


def test_zip_without_fra_txt(tmp_path: Path) -> None:
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("spa.txt", "Go.\tVe.\n")
    with pytest.raises(data.CorruptCorpusError, match="no fra.txt"):
        data.load_fra_eng(path=path)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "fra-eng.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("fra.txt", "Go.\tVa !\nHi.\tSalut \xe9!\n".encode("latin-1"))
    with pytest.raises(data.CorruptCorpusError, match="line 2"):
        load_quietly(path=path)


def test_bad_num_samples(fixture_zip: Path) -> None:
    with pytest.raises(ValueError, match="num_samples"):
        data.load_fra_eng(0, path=fixture_zip)


def test_byte_order_mark_is_dropped(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "x.zip", "\ufeffGo.\tVa !\nHi.\tSalut !\n")
    pairs = load_quietly(path=path)
    assert pairs[0] == ("Go.", "Va !") and "\ufeff" not in "".join(e + f for e, f in pairs)


@pytest.mark.parametrize("ending", ["\r", "mixed"])
def test_old_mac_and_mixed_line_endings(tmp_path: Path, ending: str) -> None:
    lines = ["Go.\tVa !", "Hi.\tSalut !", "Run!\tCours !", "Wait!\tAttends !"]
    text = "\r".join(lines) if ending == "\r" else \
        lines[0] + "\r" + lines[1] + "\r\n" + lines[2] + "\n" + lines[3] + "\r"
    pairs = load_quietly(path=make_zip(tmp_path / "x.zip", text))
    assert pairs == [tuple(line.split("\t")) for line in lines]


@pytest.mark.parametrize("text", ["", "\n", "\ufeff"])
def test_an_empty_fra_txt_is_corrupt(tmp_path: Path, text: str) -> None:
    with pytest.raises(data.CorruptCorpusError, match="empty"):
        load_quietly(path=make_zip(tmp_path / "x.zip", text))


@pytest.mark.parametrize("num_samples", [2.5, "10", True])
def test_num_samples_must_be_a_whole_number(tmp_path: Path, num_samples) -> None:
    with pytest.raises(TypeError, match="num_samples must be a whole number or None"):
        data.load_fra_eng(num_samples, path=tmp_path / "absent.zip", download=False)


def test_unknown_verify_value_is_refused_before_reading(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="verify must be"):
        data.load_fra_eng(path=tmp_path / "absent.zip", download=False, verify="nonsense")


def test_errors_are_one_family() -> None:
    for err in (data.CorpusNotFoundError, data.CorruptCorpusError, data.MalformedLineError,
                data.CorpusHashMismatchError):
        assert issubclass(err, data.CorpusError)
    assert issubclass(data.CorpusNotFoundError, FileNotFoundError)


# --- split ---------------------------------------------------------------------------


def many_pairs(n: int = 300) -> list[tuple[str, str]]:
    # Sorted by length like fra.txt, with several translations for some sources.
    pairs = [(f"s{i:03d}" + "x" * (i // 30), f"t{i}") for i in range(n)]
    return pairs + [(f"s{i:03d}" + "x" * (i // 30), f"u{i}") for i in range(0, n, 7)]


def test_split_is_grouped_shuffled_and_seeded() -> None:
    pairs = many_pairs()
    split = data.split_pairs(pairs, validation_fraction=0.1, test_fraction=0.2, seed=3)
    parts = [split.train, split.validation, split.test]
    assert sorted(p for part in parts for p in part) == sorted(pairs)
    sources = [{p[0] for p in part} for part in parts]
    assert not (sources[0] & sources[1] or sources[0] & sources[2] or sources[1] & sources[2])
    n_sources = len({p[0] for p in pairs})
    assert len(sources[2]) == round(n_sources * 0.2) and len(sources[1]) == round(n_sources * 0.1)
    # Shuffled: the test part is not just the longest (last) sentences.
    assert min(len(p[0]) for p in split.test) < max(len(p[0]) for p in pairs)
    assert data.split_pairs(pairs, seed=3) == data.split_pairs(pairs, seed=3)
    assert data.split_pairs(pairs, seed=3) != data.split_pairs(pairs, seed=4)


def test_split_rejects_bad_fractions() -> None:
    with pytest.raises(ValueError):
        data.split_pairs(many_pairs(), validation_fraction=0.6, test_fraction=0.5)


def test_split_accepts_numpy_numbers_where_python_numbers_go() -> None:
    pairs = many_pairs()
    plain = data.split_pairs(pairs, validation_fraction=0.25, test_fraction=0.125, seed=3)
    assert data.split_pairs(pairs, validation_fraction=np.float64(0.25),
                            test_fraction=np.float32(0.125), seed=np.int64(3)) == plain
    assert data.split_pairs(pairs, validation_fraction=0, test_fraction=np.int8(0),
                            seed=np.uint8(3)).sizes()["test"] == 0


@pytest.mark.parametrize(("arguments", "error", "message"), [
    ({"validation_fraction": "0.1"}, TypeError, "validation_fraction must be a number from 0"),
    ({"test_fraction": None}, TypeError, "test_fraction must be a number from 0"),
    ({"test_fraction": True}, TypeError, "test_fraction must be a number"),
    ({"test_fraction": float("nan")}, ValueError, "test_fraction must be from 0 up to"),
    ({"validation_fraction": -0.1}, ValueError, "validation_fraction must be from 0 up to"),
    ({"validation_fraction": 1}, ValueError, "validation_fraction must be from 0 up to"),
    ({"seed": 1.5}, TypeError, "seed must be a whole number"),
    ({"seed": "abc"}, TypeError, "seed must be a whole number"),
    ({"seed": -1}, ValueError, "seed must be at least 0"),
])
def test_split_answers_bad_settings_in_its_own_words(arguments, error, message) -> None:
    with pytest.raises(error, match=message):
        data.split_pairs(many_pairs(), **arguments)


@pytest.mark.parametrize("count", [0, 1, 5])
def test_split_refuses_too_few_pairs_for_its_parts(count: int) -> None:
    pairs = many_pairs()[:count]
    with pytest.raises(ValueError, match=r"needs at least 6 different English sentences") as info:
        data.split_pairs(pairs)
    assert f"got {count} pair" in str(info.value)


def test_split_counts_english_sentences_not_pairs() -> None:
    pairs = [("Go.", f"Va {i} !") for i in range(50)] + [("Hi.", "Salut !")]
    with pytest.raises(ValueError, match="only 2 different English sentences"):
        data.split_pairs(pairs)
    with pytest.raises(ValueError, match="needs at least 26 different English"):
        data.split_pairs(many_pairs()[:20], validation_fraction=0.02, test_fraction=0.02)


def test_split_of_just_enough_pairs_fills_every_part() -> None:
    split = data.split_pairs(many_pairs()[:6])
    assert all(split.sizes().values())
    # Without held-out parts, one pair is enough; with none at all, it still says so.
    assert data.split_pairs(many_pairs()[:1], validation_fraction=0, test_fraction=0).train
    with pytest.raises(ValueError, match="needs at least 1 different English sentence"):
        data.split_pairs([], validation_fraction=0, test_fraction=0)


# --- addition -------------------------------------------------------------------------


def test_addition_questions_distinct_and_in_range() -> None:
    questions = addition.addition_questions(2_000, digits=3, seed=1)
    assert len({frozenset(q) for q in questions}) == 2_000
    assert all(0 <= a < 1000 and 0 <= b < 1000 for a, b in questions)
    assert questions == addition.addition_questions(2_000, digits=3, seed=1)
    assert questions != addition.addition_questions(2_000, digits=3, seed=2)


def test_addition_split_is_disjoint_in_both_orders() -> None:
    train, test = addition.addition_split(3_000, 500, digits=2, seed=0)
    assert len(train) == 3_000 and len(test) == 500
    assert not {frozenset(q) for q in train} & {frozenset(q) for q in test}


def test_addition_too_many_questions() -> None:
    with pytest.raises(ValueError, match="fewer than"):
        addition.addition_questions(100, digits=1)


# --- the real corpus (make test puts it in data/ first) --------------------------------


def test_real_corpus_is_the_known_release() -> None:
    path = data.DATA_DIR / data.FRA_ENG_ZIP
    assert path.is_file(), f"{path} is missing: run `make data`"
    pairs = data.load_fra_eng(verify="strict", download=False)
    assert len(pairs) == 167_130
    assert pairs[0] == ("Go.", "Va !")
    assert data.load_fra_eng(10_000, download=False) == pairs[:10_000]
