"""helpers.data's corpus reader: it streams ``fra.txt`` and stops at ``num_samples`` (memory
stays bounded however large the file), it checks the release without reading the whole file,
and every archive it cannot open gets the course's own error saying what to do."""

from __future__ import annotations

import random
import shutil
import subprocess
import tracemalloc
import warnings
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest

from helpers import data

MEMBER = "fra-eng/fra.txt"
FIRST = [f"Line {i}.\tLigne {i}." for i in range(20)]


def load_quietly(**kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", data.UnknownReleaseWarning)
        return data.load_fra_eng(**kwargs)


def write_big_zip(path: Path, megabytes: int, *, filler: bytes = b"Go.\tVa !\n",
                  first: list[str] = FIRST) -> Path:
    """A deflated zip whose ``fra.txt`` has ``megabytes`` MB of ``filler`` after ``first``,
    written block by block (the test never holds the whole text either)."""
    block = filler * (1_000_000 // len(filler))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with archive.open(MEMBER, "w") as member:
            member.write("".join(line + "\n" for line in first).encode())
            for _ in range(megabytes):
                member.write(block)
    return path


def peak_bytes(call) -> tuple[object, int]:
    tracemalloc.start()
    try:
        result = call()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# --- streaming -----------------------------------------------------------------------------


def test_a_few_pairs_of_a_huge_fra_txt_are_read_in_little_memory(tmp_path: Path) -> None:
    path = write_big_zip(tmp_path / "fra-eng.zip", 50)
    assert path.stat().st_size < 2_000_000  # a small zip holding 50 MB of text
    pairs, peak = peak_bytes(lambda: load_quietly(path=path, num_samples=10))
    assert pairs == [tuple(line.split("\t")) for line in FIRST[:10]]
    assert peak < 20_000_000, f"reading 10 pairs peaked at {peak / 1e6:.0f} MB"


def test_one_endless_line_is_refused_in_little_memory(tmp_path: Path) -> None:
    path = write_big_zip(tmp_path / "fra-eng.zip", 30, filler=b"Go. Va ! " * 10, first=[])

    def read():
        with pytest.raises(data.MalformedLineError, match=r"line 1\b.*longer than") as info:
            load_quietly(path=path, num_samples=10)
        return info.value

    error, peak = peak_bytes(read)
    assert "make data" in str(error)
    assert peak < 20_000_000, f"refusing the line peaked at {peak / 1e6:.0f} MB"


TEXTS = {
    "unix": "".join(f"E{i} {'x' * (i % 13)}.\tF{i} {'y' * (i % 7)} !\n" for i in range(400)),
    "windows": "".join(f"E{i} {'x' * (i % 11)}.\tF{i} !\r\n" for i in range(400)),
    "old mac": "".join(f"E{i}.\tF{i} {'z' * (i % 5)} !\r" for i in range(400)),
    "mixed": "\ufeff" + "".join(f"E{i}.\tF{i} !\tCC-BY{i}" + ("\r\n", "\n", "\r")[i % 3]
                                for i in range(400)) + "last.\tdernier !",
}


@pytest.mark.parametrize("name", TEXTS)
@pytest.mark.parametrize("chunk", [1, 2, 7, 64, 65_536])
def test_streamed_pairs_are_the_whole_texts_pairs(tmp_path: Path, monkeypatch, name: str,
                                                  chunk: int) -> None:
    # Small read sizes put every line ending (a "\r\n" too) across a read boundary somewhere.
    monkeypatch.setattr(data, "_READ_CHUNK", chunk, raising=False)
    text = TEXTS[name]
    path = tmp_path / "fra-eng.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MEMBER, text)
    everything = data.parse_pairs(text)
    assert load_quietly(path=path) == everything
    for n in (1, 2, 10, len(everything) - 1, len(everything), len(everything) + 5):
        assert load_quietly(path=path, num_samples=n) == everything[:n]


def test_num_samples_accepts_numpy_integers(tmp_path: Path) -> None:
    path = tmp_path / "fra-eng.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(MEMBER, TEXTS["unix"])
    assert load_quietly(path=path, num_samples=np.int64(5)) == load_quietly(path=path)[:5]
    assert len(load_quietly(path=path, num_samples=np.uint16(3))) == 3


# --- which release: SHA-256 when all is read, the zip's own record when stopping early --------


@pytest.fixture
def small_zip(tmp_path: Path) -> Path:
    path = tmp_path / "fra-eng.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MEMBER, TEXTS["unix"])
    return path


def test_stopping_early_checks_the_zips_record_of_fra_txt(small_zip: Path) -> None:
    with pytest.warns(data.UnknownReleaseWarning, match="not the release"):
        data.load_fra_eng(path=small_zip, num_samples=3)
    with pytest.raises(data.CorpusHashMismatchError, match="CRC-32"):
        data.load_fra_eng(path=small_zip, num_samples=3, verify="strict")


def test_the_known_release_passes_when_stopping_early(small_zip: Path, monkeypatch) -> None:
    info = zipfile.ZipFile(small_zip).getinfo(MEMBER)
    monkeypatch.setattr(data, "FRA_TXT_SIZE", info.file_size, raising=False)
    monkeypatch.setattr(data, "FRA_TXT_CRC32", info.CRC, raising=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(data.load_fra_eng(path=small_zip, num_samples=3, verify="strict")) == 3
    # Reading it all still compares the SHA-256, which the fixture does not have.
    with pytest.raises(data.CorpusHashMismatchError, match="SHA-256"):
        data.load_fra_eng(path=small_zip, verify="strict")


def test_verify_off_checks_nothing(small_zip: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(data.load_fra_eng(path=small_zip, num_samples=3, verify="off")) == 3
        assert len(data.load_fra_eng(path=small_zip, verify="off")) == 400


@pytest.mark.skipif(not (data.DATA_DIR / data.FRA_ENG_ZIP).is_file(),
                    reason="the real corpus is not in data/ (make data)")
def test_the_real_corpus_passes_strict_when_read_in_part() -> None:
    pairs, peak = peak_bytes(lambda: data.load_fra_eng(10, verify="strict", download=False))
    assert pairs[0] == ("Go.", "Va !") and len(pairs) == 10
    assert peak < 5_000_000


# --- archives the reader cannot open ------------------------------------------------------


def set_header_fields(path: Path, *, flag: int = 0, method: int | None = None) -> None:
    """Rewrite every local and central header of the zip: OR ``flag`` into its flag bits,
    and set its compression method to ``method`` (the data stay as they are)."""
    raw = bytearray(path.read_bytes())
    for signature, flag_at, method_at in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        start = raw.find(signature)
        while start != -1:
            flags = int.from_bytes(raw[start + flag_at:start + flag_at + 2], "little") | flag
            raw[start + flag_at:start + flag_at + 2] = flags.to_bytes(2, "little")
            if method is not None:
                raw[start + method_at:start + method_at + 2] = method.to_bytes(2, "little")
            start = raw.find(signature, start + 4)
    path.write_bytes(bytes(raw))


def plain_zip(path: Path, compression: int = zipfile.ZIP_STORED) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        archive.writestr(MEMBER, "Go.\tVa !\nHi.\tSalut !\n")
    return path


def assert_course_error(path: Path, error: type, *words: str) -> None:
    for num_samples in (None, 1):
        with pytest.raises(error) as info:
            load_quietly(path=path, num_samples=num_samples)
        message = str(info.value)
        for word in words:
            assert word in message, f"{word!r} not in {message!r}"
        assert "make data" in message


def test_an_encrypted_fra_txt_says_so(tmp_path: Path) -> None:
    path = plain_zip(tmp_path / "fra-eng.zip")
    set_header_fields(path, flag=0x1)
    assert_course_error(path, data.CorpusUnreadableError, "password", "without a password")


@pytest.mark.skipif(shutil.which("zip") is None, reason="no zip command")
def test_a_zip_encrypted_by_the_zip_command_says_so(tmp_path: Path) -> None:
    (tmp_path / "fra-eng").mkdir()
    (tmp_path / "fra-eng" / "fra.txt").write_text("Go.\tVa !\n")
    subprocess.run(["zip", "-q", "-r", "-P", "secret", "fra-eng.zip", "fra-eng"],
                   cwd=tmp_path, check=True)
    assert_course_error(tmp_path / "fra-eng.zip", data.CorpusUnreadableError, "password")


@pytest.mark.parametrize(("method", "name"), [(9, "Deflate64"), (98, "PPMd"), (77, "method 77")])
def test_an_unsupported_compression_method_says_so(tmp_path: Path, method: int,
                                                   name: str) -> None:
    path = plain_zip(tmp_path / "fra-eng.zip")
    set_header_fields(path, method=method)
    assert_course_error(path, data.CorpusUnreadableError, name, "standard Deflate")


def test_a_compression_this_python_lacks_says_so(tmp_path: Path, monkeypatch) -> None:
    path = plain_zip(tmp_path / "fra-eng.zip", zipfile.ZIP_LZMA)
    monkeypatch.setattr(zipfile, "lzma", None)  # a Python built without lzma
    assert_course_error(path, data.CorpusUnreadableError, "LZMA", "standard Deflate")


def test_unreadable_is_a_corpus_error() -> None:
    assert issubclass(data.CorpusUnreadableError, data.CorpusError)
    assert issubclass(data.CorpusUnreadableError, ValueError)


def test_not_a_zip_and_no_fra_txt_say_what_to_do(tmp_path: Path) -> None:
    html = tmp_path / "page.zip"
    html.write_text("<html>rate limited</html>")
    assert_course_error(html, data.CorruptCorpusError, "not a readable zip")
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("spa.txt", "Go.\tVe.\n")
    assert_course_error(other, data.CorruptCorpusError, "no fra.txt", "spa.txt")
    empty = tmp_path / "empty.zip"
    zipfile.ZipFile(empty, "w").close()
    assert_course_error(empty, data.CorruptCorpusError, "no fra.txt", "empty")


def test_damage_found_while_streaming_is_a_course_error(tmp_path: Path) -> None:
    # The reader finds these only as it reads: a CRC that fails at the end of a stored
    # fra.txt, and deflated data replaced by noise.
    stored = tmp_path / "stored.zip"
    with zipfile.ZipFile(stored, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr(MEMBER, "Go.\tVa !\n" * 20_000)
    raw = bytearray(stored.read_bytes())
    raw[raw.rindex(b"Va !", 0, 100_000)] = ord("W")  # still a pair, but not the recorded CRC
    stored.write_bytes(bytes(raw))
    noisy = write_big_zip(tmp_path / "noisy.zip", 1)
    raw = bytearray(noisy.read_bytes())
    start = raw.find(b"PK\x03\x04") + 30 + len(MEMBER)
    raw[start:start + 4000] = random.Random(0).randbytes(4000)
    noisy.write_bytes(bytes(raw))
    for path, words in ((stored, "CRC"), (noisy, "not a readable zip")):
        with pytest.raises(data.CorruptCorpusError, match="make data") as info:
            load_quietly(path=path)
        assert words in str(info.value)
        assert not isinstance(info.value, (zipfile.BadZipFile, zlib.error, EOFError))
    assert len(load_quietly(path=stored, num_samples=10)) == 10  # the CRC is checked at the end
