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
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from helpers.checks import check_texts

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
FRA_TXT_SHA256 = "0bb85dbaa1c896844649094d7eaf2e34bee34e84fe362b26ce7e8f2e12aae104"

Pair = tuple[str, str]


class CorpusError(Exception):
    """Base class for every problem with the corpus file."""


class CorpusNotFoundError(CorpusError, FileNotFoundError):
    """The corpus is not on disk and could not be downloaded."""


class CorruptCorpusError(CorpusError, ValueError):
    """The zip is damaged, truncated, or has no ``fra.txt``."""


class CorpusHashMismatchError(CorpusError, ValueError):
    """``fra.txt`` is not the release the course was built on (strict verification)."""


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


def _read_fra_txt(zip_path: Path) -> bytes:
    try:
        with zipfile.ZipFile(zip_path) as archive:
            names = [n for n in archive.namelist() if n == "fra.txt" or n.endswith("/fra.txt")]
            if not names:
                raise CorruptCorpusError(
                    f"{zip_path} holds no fra.txt (it has: {', '.join(archive.namelist()[:5])}). "
                    "Delete it and download it again."
                )
            return archive.read(names[0])
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise CorruptCorpusError(
            f"{zip_path} is not a readable zip file ({exc}); it is probably a truncated "
            "download. Delete it and run `make data` (or load_fra_eng()) again."
        ) from exc


def parse_pairs(text: str, *, source: str = "fra.txt") -> list[Pair]:
    """Parse ``English<TAB>French`` lines; a third attribution column is ignored.

    A UTF-8 byte-order mark at the start is dropped; lines may end in ``\n``, ``\r\n`` or
    ``\r`` (even mixed). Raises :class:`MalformedLineError` naming the first bad line
    (1-based), and :class:`CorruptCorpusError` for a text without a single line.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_pairs reads text (str), not {type(text).__name__}")
    pairs: list[Pair] = []
    lines = re.split(r"\r\n|\r|\n", text.removeprefix("\ufeff"))
    if lines and lines[-1] == "":
        lines.pop()
    if not any(line.strip() for line in lines):
        raise CorruptCorpusError(f"{source} is empty: no sentence pairs at all. Delete it and "
                                 "download the corpus again (`make data`).")
    for number, line in enumerate(lines, start=1):
        columns = line.split("\t")
        if len(columns) not in (2, 3) or not columns[0].strip() or not columns[1].strip():
            raise MalformedLineError(
                f"{source}, line {number}: expected 'English<TAB>French' (and optionally a "
                f"third attribution column), got {len(columns)} column(s): {line[:80]!r}"
            )
        pairs.append((columns[0], columns[1]))
    return pairs


def load_fra_eng(
    num_samples: int | None = None,
    *,
    path: str | Path | None = None,
    download: bool = True,
    origin: str | None = None,
    verify: Literal["warn", "strict", "off"] = "warn",
) -> list[Pair]:
    """Load English–French pairs from ``data/fra-eng.zip``, in the file's order.

    Args:
        num_samples: keep only the first ``num_samples`` pairs (as the original text
            does; the file is sorted by length, so these are the shortest ones).
        path: the zip to read; by default ``data/fra-eng.zip``.
        download: download the zip with ``keras.utils.get_file`` when it is absent.
        origin: the URL to download from (default :data:`FRA_ENG_URL`).
        verify: what to do when the SHA-256 of ``fra.txt`` is not the known release's:
            ``"warn"`` (default; newer releases are still read), ``"strict"`` (raise
            :class:`CorpusHashMismatchError`), or ``"off"``.

    Returns:
        A list of ``(english, french)`` tuples; with the shared copy, 167,130 of them,
        the first being ``("Go.", "Va !")``.
    """
    if num_samples is not None:
        if isinstance(num_samples, bool) or not isinstance(num_samples, int):
            raise TypeError("num_samples must be a whole number of pairs or None, not "
                            f"{num_samples!r}")
        if num_samples < 1:
            raise ValueError(f"num_samples must be a positive number or None, got {num_samples}")
    if verify not in ("warn", "strict", "off"):
        raise ValueError(f"verify must be 'warn', 'strict' or 'off', not {verify!r}")
    zip_path = fra_eng_path(path, download=download, origin=origin)
    raw = _read_fra_txt(zip_path)
    if verify != "off":
        digest = hashlib.sha256(raw).hexdigest()
        if digest != FRA_TXT_SHA256:
            message = (
                f"fra.txt in {zip_path} has SHA-256 {digest[:12]}…, not the release the course "
                f"was built on ({FRA_TXT_SHA256[:12]}…). Numbers in the notebooks may differ."
            )
            if verify == "strict":
                raise CorpusHashMismatchError(message)
            warnings.warn(message, UnknownReleaseWarning, stacklevel=2)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CorruptCorpusError(
            f"fra.txt in {zip_path} is not UTF-8 text (first bad byte on line {line})."
        ) from exc
    pairs = parse_pairs(text, source=f"fra.txt in {zip_path.name}")
    return pairs[:num_samples] if num_samples is not None else pairs


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
    """
    if isinstance(pairs, (str, bytes)) or not isinstance(pairs, (list, tuple)):
        raise TypeError(f"pairs must be a list of (english, french) pairs, not "
                        f"{type(pairs).__name__}")
    for i, pair in enumerate(pairs):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise TypeError(f"pairs[{i}] must be an (english, french) pair, not {pair!r}")
        check_texts(f"pairs[{i}]", pair)
    if not 0 <= validation_fraction < 1 or not 0 <= test_fraction < 1:
        raise ValueError("fractions must be in [0, 1)")
    if validation_fraction + test_fraction >= 1:
        raise ValueError("validation_fraction + test_fraction must be below 1")
    groups: dict[str, list[Pair]] = {}
    for pair in pairs:
        groups.setdefault(pair[0], []).append(pair)
    sources = list(groups)
    random.Random(seed).shuffle(sources)
    n_test = round(len(sources) * test_fraction)
    n_val = round(len(sources) * validation_fraction)
    test_src, val_src = sources[:n_test], sources[n_test:n_test + n_val]
    train_src = sources[n_test + n_val:]

    def gather(keys: list[str]) -> list[Pair]:
        return [pair for key in keys for pair in groups[key]]

    return Split(train=gather(train_src), validation=gather(val_src), test=gather(test_src))
