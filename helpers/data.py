"""The English–French corpus: finding it, reading it (strictly), and splitting it.

Taught in: ``01_data_encoding`` (a first look at the corpus and why we shuffle before
splitting). The addition questions of notebook 02 are in :mod:`helpers.addition`.

The fra-eng corpus comes from the Tatoeba Project via manythings.org
(CC-BY 2.0 France; attribution: www.manythings.org/anki and tatoeba.org). It is never
committed: :func:`load_fra_eng` finds it in ``data/`` or downloads it there once.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import warnings
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, Literal

from helpers.checks import check_count, check_fraction, check_optional_count, check_texts

try:
    import lzma
except ImportError:  # a Python built without lzma: zipfile cannot read LZMA zips either
    lzma = None  # type: ignore[assignment]

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default_data_dir() -> Path:
    """``data/`` of the course checkout; ``~/.seq2seq-course/data`` for a non-editable
    install (Colab); ``COURSE_DATA_DIR`` overrides both."""
    if "COURSE_DATA_DIR" in os.environ:
        return Path(os.environ["COURSE_DATA_DIR"])
    if (PROJECT_ROOT / "pyproject.toml").is_file():
        return PROJECT_ROOT / "data"
    return Path.home() / ".seq2seq-course" / "data"


DATA_DIR = _default_data_dir()

FRA_ENG_ZIP = "fra-eng.zip"
#: The mirror keeps the ``fra-eng/fra.txt`` layout. Override with ``COURSE_FRA_ENG_URL``.
FRA_ENG_URL = os.environ.get(
    "COURSE_FRA_ENG_URL", "http://d2l-data.s3-accelerate.amazonaws.com/fra-eng.zip"
)
#: SHA-256 of ``fra.txt`` in the 2019-04-07 release (167,130 pairs) the course was built on.
#: Compared when :func:`load_fra_eng` reads the whole file.
FRA_TXT_SHA256 = "0bb85dbaa1c896844649094d7eaf2e34bee34e84fe362b26ce7e8f2e12aae104"
#: Size and CRC-32 of that ``fra.txt`` as the zip records them: compared instead when
#: :func:`load_fra_eng` stops at ``num_samples``, so that a few pairs cost a few reads.
FRA_TXT_SIZE = 11_669_748
FRA_TXT_CRC32 = 0xC7F777DF
#: A line longer than this many bytes is refused (the release's longest has 647): memory
#: stays bounded even for a file without line breaks.
MAX_LINE_BYTES = 1 << 20
_READ_CHUNK = 1 << 16  # bytes read from the zip at a time
_LINE_END = re.compile(rb"\r\n|\r|\n")
#: What zipfile and its decompressors raise for a damaged archive.
_DAMAGED: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError,
    *((lzma.LZMAError,) if lzma is not None else ()))

Pair = tuple[str, str]


class CorpusError(Exception):
    """Base class for every problem with the corpus file."""


class CorpusNotFoundError(CorpusError, FileNotFoundError):
    """The corpus is not on disk and could not be downloaded."""


class CorruptCorpusError(CorpusError, ValueError):
    """The zip is damaged, truncated, or has no ``fra.txt``."""


class CorpusHashMismatchError(CorpusError, ValueError):
    """``fra.txt`` is not the release the course was built on (strict verification)."""


class CorpusUnreadableError(CorpusError, ValueError):
    """The zip is whole, but ``fra.txt`` in it is encrypted or compressed with a method
    Python's ``zipfile`` cannot read (Deflate64, PPMd, …)."""


class MalformedLineError(CorpusError, ValueError):
    """A line of ``fra.txt`` is not ``English<TAB>French[<TAB>attribution]``."""


class UnknownReleaseWarning(UserWarning):
    """``fra.txt`` differs from the known release; it is still read."""


def _how_to_get_it(path: Path) -> str:
    return (
        f"Put the corpus at {path}: run `make data` in the course folder, or download "
        f"{FRA_ENG_URL} (or https://www.manythings.org/anki/fra-eng.zip) yourself and save "
        f"it under that name."
    )


def fra_eng_path(path: str | Path | None = None, *, download: bool = True,
                 origin: str | None = None) -> Path:
    """Return the path of ``fra-eng.zip``, downloading it into ``data/`` if it is absent.

    Raises :class:`CorpusNotFoundError` (with instructions) when the file is missing and
    cannot be downloaded.
    """
    target = Path(path) if path is not None else DATA_DIR / FRA_ENG_ZIP
    if target.is_file():
        return target
    if not download:
        raise CorpusNotFoundError(f"No corpus at {target}. " + _how_to_get_it(target))
    import keras  # imported here: reading an existing file must not need TensorFlow

    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        fetched = keras.utils.get_file(
            fname=target.name,
            origin=origin or FRA_ENG_URL,
            cache_dir=str(target.parent),
            cache_subdir=".",
        )
    except Exception as exc:  # no network, HTTP error, refused connection …
        raise CorpusNotFoundError(
            f"No corpus at {target} and the download failed ({type(exc).__name__}: {exc}). "
            + _how_to_get_it(target)
        ) from exc
    return Path(fetched)


_GET_IT_AGAIN = "Delete it and run `make data` (or load_fra_eng()) to download the corpus again"
_OR_GET_IT_AGAIN = "or delete it and run `make data` to download the corpus again"


def _fra_txt_member(archive: zipfile.ZipFile, zip_path: Path) -> zipfile.ZipInfo:
    """The ``fra.txt`` entry of the zip (at the top or in a folder), if the course can read it."""
    names = archive.namelist()
    found = [n for n in names if n == "fra.txt" or n.endswith("/fra.txt")]
    if not found:
        has = f"it has: {', '.join(names[:5])}" if names else "it is empty"
        raise CorruptCorpusError(
            f"{zip_path} holds no fra.txt ({has}). {_GET_IT_AGAIN}; a zip you make yourself "
            "needs fra.txt (or fra-eng/fra.txt) inside.")
    info = archive.getinfo(found[0])
    if info.flag_bits & 0x1:
        raise CorpusUnreadableError(
            f"fra.txt in {zip_path} is encrypted (password-protected), and the course cannot "
            "read encrypted zips. Re-zip it without a password, with standard Deflate, "
            f"{_OR_GET_IT_AGAIN}.")
    return info


def _unreadable_method(info: zipfile.ZipInfo, zip_path: Path) -> CorpusUnreadableError:
    method = {9: "Deflate64", 12: "bzip2", 14: "LZMA", 98: "PPMd"}.get(
        info.compress_type, f"compression method {info.compress_type}")
    return CorpusUnreadableError(
        f"fra.txt in {zip_path} is compressed with {method}, which this Python cannot "
        "decompress (Windows and 7-Zip can choose Deflate64 when re-zipping). Re-zip it with "
        f"standard Deflate (e.g. `zip -r fra-eng.zip fra-eng`), {_OR_GET_IT_AGAIN}.")


@contextmanager
def _open_fra_txt(zip_path: Path) -> Iterator[tuple[zipfile.ZipInfo, IO[bytes]]]:
    """``fra.txt``'s entry and an open binary stream of it; every error ``zipfile`` raises,
    here or while the stream is read, becomes a :class:`CorpusError` saying what to do."""
    info = None
    try:
        with zipfile.ZipFile(zip_path) as archive:
            info = _fra_txt_member(archive, zip_path)
            with archive.open(info) as stream:
                yield info, stream
    except CorpusError:
        raise
    except (NotImplementedError, RuntimeError) as exc:  # zipfile: method or module missing
        if info is None:
            raise _damaged(zip_path, exc) from exc
        raise _unreadable_method(info, zip_path) from exc
    except PermissionError as exc:
        raise CorpusUnreadableError(
            f"cannot read {zip_path}: permission denied. Give yourself read access "
            f"(`chmod u+r {zip_path}`), {_OR_GET_IT_AGAIN}.") from exc
    except FileNotFoundError as exc:  # removed after fra_eng_path found it
        raise CorpusNotFoundError(f"No corpus at {zip_path}. " + _how_to_get_it(zip_path)) \
            from exc
    except _DAMAGED as exc:
        raise _damaged(zip_path, exc) from exc


def _damaged(zip_path: Path, exc: BaseException) -> CorruptCorpusError:
    return CorruptCorpusError(f"{zip_path} is not a readable zip file ({exc}); it is probably "
                              f"a truncated download. {_GET_IT_AGAIN}.")


class _HashedReader:
    """Reads a binary stream, hashing what passes and noting when it reached the end."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream, self.sha256, self.at_end = stream, hashlib.sha256(), False

    def read(self, size: int) -> bytes:
        chunk = self.stream.read(size)
        self.sha256.update(chunk)
        self.at_end = self.at_end or not chunk
        return chunk


def _byte_lines(reader: _HashedReader, source: str) -> Iterator[bytes]:
    """The lines of ``reader`` without their endings (``\n``, ``\r\n`` or ``\r``, even
    mixed), read a chunk at a time: memory holds a chunk and a line, never the file."""
    pending, number = b"", 0
    while chunk := reader.read(_READ_CHUNK):
        data = pending + chunk
        split_cr = data.endswith(b"\r")  # perhaps half of a "\r\n" that the next chunk ends
        *lines, pending = _LINE_END.split(data[:-1] if split_cr else data)
        pending += b"\r" if split_cr else b""
        number += len(lines)
        yield from lines
        if len(pending) > MAX_LINE_BYTES:
            raise MalformedLineError(
                f"{source}, line {number + 1}: longer than {MAX_LINE_BYTES:,} bytes, so this is "
                f"not the corpus (its lines are sentences). {_GET_IT_AGAIN}.")
    *lines, last = _LINE_END.split(pending)
    yield from lines + ([last] if last else [])


def _text_lines(lines: Iterable[bytes], source: str) -> Iterator[str]:
    for number, line in enumerate(lines, start=1):
        try:
            yield line.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CorruptCorpusError(
                f"{source} is not UTF-8 text (first bad byte on line {number}). "
                f"{_GET_IT_AGAIN}.") from exc


def _malformed(source: str, number: int, line: str, columns: int) -> MalformedLineError:
    return MalformedLineError(
        f"{source}, line {number}: expected 'English<TAB>French' (and optionally a third "
        f"attribution column), got {columns} column(s): {line[:80]!r}")


def _pairs(lines: Iterable[str], source: str) -> Iterator[Pair]:
    """Pairs of ``English<TAB>French[<TAB>attribution]`` lines, one at a time. Blank lines
    before any pair are an error only once a pair follows; with none, the text is empty."""
    first_blank: tuple[int, str] | None = None
    seen_a_pair = False
    for number, line in enumerate(lines, start=1):
        line = line.removeprefix("\ufeff") if number == 1 else line
        if not seen_a_pair and not line.strip():
            first_blank = first_blank or (number, line)
            continue
        if first_blank is not None:
            raise _malformed(source, *first_blank, len(first_blank[1].split("\t")))
        columns = line.split("\t")
        if len(columns) not in (2, 3) or not columns[0].strip() or not columns[1].strip():
            raise _malformed(source, number, line, len(columns))
        seen_a_pair = True
        yield columns[0], columns[1]
    if not seen_a_pair:
        raise CorruptCorpusError(f"{source} is empty: no sentence pairs at all. Delete it and "
                                 "download the corpus again (`make data`).")


def parse_pairs(text: str, *, source: str = "fra.txt") -> list[Pair]:
    """Parse ``English<TAB>French`` lines; a third attribution column is ignored.

    A UTF-8 byte-order mark at the start is dropped; lines may end in ``\n``, ``\r\n`` or
    ``\r`` (even mixed). Raises :class:`MalformedLineError` naming the first bad line
    (1-based), and :class:`CorruptCorpusError` for a text without a single line.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_pairs reads text (str), not {type(text).__name__}")
    lines = re.split(r"\r\n|\r|\n", text)
    if lines[-1] == "":
        lines.pop()
    return list(_pairs(lines, source))


def _check_release(zip_path: Path, info: zipfile.ZipInfo, reader: _HashedReader,
                   verify: Literal["warn", "strict", "off"]) -> None:
    """Compare ``fra.txt`` with the release the course was built on: by SHA-256 when it was
    read to the end, else by the size and CRC-32 the zip records for it."""
    if verify == "off":
        return
    if reader.at_end:
        digest = reader.sha256.hexdigest()
        if digest == FRA_TXT_SHA256:
            return
        found = f"has SHA-256 {digest[:12]}…, not the release the course was built on " \
                f"({FRA_TXT_SHA256[:12]}…)"
    else:
        if (info.file_size, info.CRC) == (FRA_TXT_SIZE, FRA_TXT_CRC32):
            return
        found = (f"is {info.file_size:,} bytes with CRC-32 {info.CRC:08x} (as the zip records "
                 f"it), not the release the course was built on ({FRA_TXT_SIZE:,} bytes, "
                 f"{FRA_TXT_CRC32:08x})")
    message = f"fra.txt in {zip_path} {found}. Numbers in the notebooks may differ."
    if verify == "strict":
        raise CorpusHashMismatchError(message)
    warnings.warn(message, UnknownReleaseWarning, stacklevel=3)


def load_fra_eng(
    num_samples: int | None = None,
    *,
    path: str | Path | None = None,
    download: bool = True,
    origin: str | None = None,
    verify: Literal["warn", "strict", "off"] = "warn",
) -> list[Pair]:
    """Load English–French pairs from ``data/fra-eng.zip``, in the file's order.

    ``fra.txt`` is read line by line and reading stops after ``num_samples`` pairs, so a
    few pairs cost a few reads however large the file is.

    Args:
        num_samples: keep only the first ``num_samples`` pairs (as the original text
            does; the file is sorted by length, so these are the shortest ones).
        path: the zip to read; by default ``data/fra-eng.zip``.
        download: download the zip with ``keras.utils.get_file`` when it is absent.
        origin: the URL to download from (default :data:`FRA_ENG_URL`).
        verify: what to do when ``fra.txt`` is not the known release: ``"warn"`` (default;
            newer releases are still read), ``"strict"`` (raise
            :class:`CorpusHashMismatchError`), or ``"off"``. A read to the end compares
            the SHA-256 of ``fra.txt`` (:data:`FRA_TXT_SHA256`); a read that stops at
            ``num_samples`` compares the size and CRC-32 the zip records for it
            (:data:`FRA_TXT_SIZE`, :data:`FRA_TXT_CRC32`) instead of reading the rest.

    Returns:
        A list of ``(english, french)`` tuples; with the shared copy, 167,130 of them,
        the first being ``("Go.", "Va !")``.

    Raises:
        CorpusNotFoundError: no zip, and no download. CorruptCorpusError: not a zip, no
        ``fra.txt``, damaged, not UTF-8. CorpusUnreadableError: ``fra.txt`` encrypted or
        compressed with a method Python cannot read (Deflate64). MalformedLineError: a line
        that is not a pair. Each says what to do.
    """
    num_samples = check_optional_count("num_samples", num_samples)
    if verify not in ("warn", "strict", "off"):
        raise ValueError(f"verify must be 'warn', 'strict' or 'off', not {verify!r}")
    zip_path = fra_eng_path(path, download=download, origin=origin)
    source = f"fra.txt in {zip_path.name}"
    with _open_fra_txt(zip_path) as (info, stream):
        reader = _HashedReader(stream)
        pairs = list(islice(_pairs(_text_lines(_byte_lines(reader, source), source), source),
                            num_samples))
    _check_release(zip_path, info, reader, verify)
    return pairs


@dataclass(frozen=True)
class Split:
    """Train, validation and test pairs."""

    train: list[Pair]
    validation: list[Pair]
    test: list[Pair]

    def sizes(self) -> dict[str, int]:
        """Number of pairs in each part."""
        return {"train": len(self.train), "validation": len(self.validation),
                "test": len(self.test)}


def _parts_fit(sources: int, validation_fraction: float, test_fraction: float) -> bool:
    """Whether ``sources`` English sentences give every part that should have some at least
    one (training always; validation and test when their fraction is above 0)."""
    n_test = round(sources * test_fraction)
    n_val = round(sources * validation_fraction)
    return (sources - n_test - n_val >= 1 and (n_test >= 1 or test_fraction == 0)
            and (n_val >= 1 or validation_fraction == 0))


def _fewest_sources(validation_fraction: float, test_fraction: float) -> int:
    """The fewest different English sentences :func:`split_pairs` needs to give every part
    at least one (6 for the default 0.1 and 0.1)."""
    held_out = [f for f in (validation_fraction, test_fraction) if f > 0]
    start = max([1] + [int(0.5 / f) for f in held_out])  # round(n * f) >= 1 needs n * f > 0.5
    # Always enough: n * f > 0.5 for each part, and n * (1 - fractions) >= 2 for training
    # (each part's rounding takes at most half a sentence from it).
    enough = max([start + 1, int(2 / (1 - validation_fraction - test_fraction)) + 1])
    for sources in range(start, min(enough, start + 100_000)):
        if _parts_fit(sources, validation_fraction, test_fraction):
            return sources
    return enough


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def split_pairs(
    pairs: list[Pair],
    *,
    validation_fraction: float = 0.1,
    test_fraction: float = 0.1,
    seed: int = 0,
) -> Split:
    """Shuffle, then split into train / validation / test, keeping each English sentence
    (with all its French translations) in one part only.

    Why shuffle: ``fra.txt`` is sorted by English length, so taking the last 20% (what
    ``validation_split=0.2`` does) validates on the longest sentences only. Why group:
    one English sentence often has several translations; if "Go." → "Va !" were in
    training and "Go." → "Marche." in test, the test would reward memorising inputs.
    The same seed always gives the same split.

    Fractions are numbers from 0 up to (not including) 1 and the seed a whole number ≥ 0
    (NumPy's too). A part whose fraction is above 0 is never left empty: too few different
    English sentences for that (6 with the defaults) is a ``ValueError`` saying how many are
    needed.
    """
    if isinstance(pairs, (str, bytes)) or not isinstance(pairs, (list, tuple)):
        raise TypeError(f"pairs must be a list of (english, french) pairs, not "
                        f"{type(pairs).__name__}")
    for i, pair in enumerate(pairs):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise TypeError(f"pairs[{i}] must be an (english, french) pair, not {pair!r}")
        check_texts(f"pairs[{i}]", pair)
    validation_fraction = check_fraction("validation_fraction", validation_fraction)
    test_fraction = check_fraction("test_fraction", test_fraction)
    seed = check_count("seed", seed, minimum=0)
    if validation_fraction + test_fraction >= 1:
        raise ValueError("validation_fraction + test_fraction must be below 1")
    groups: dict[str, list[Pair]] = {}
    for pair in pairs:
        groups.setdefault(pair[0], []).append(pair)
    if not _parts_fit(len(groups), validation_fraction, test_fraction):
        need = _fewest_sources(validation_fraction, test_fraction)
        raise ValueError(
            f"split_pairs needs at least {_plural(need, 'different English sentence')} to give "
            f"each part one (validation_fraction={validation_fraction}, test_fraction="
            f"{test_fraction}); got {_plural(len(pairs), 'pair')}, with only "
            f"{_plural(len(groups), 'different English sentence')}. Load more pairs, or set a "
            "fraction to 0 for no such part.")
    sources = list(groups)
    random.Random(seed).shuffle(sources)
    n_test = round(len(sources) * test_fraction)
    n_val = round(len(sources) * validation_fraction)
    test_src, val_src = sources[:n_test], sources[n_test:n_test + n_val]
    train_src = sources[n_test + n_val:]

    def gather(keys: list[str]) -> list[Pair]:
        return [pair for key in keys for pair in groups[key]]

    return Split(train=gather(train_src), validation=gather(val_src), test=gather(test_src))
