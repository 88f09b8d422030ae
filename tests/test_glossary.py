"""``docs/glossary.md`` against the code: its map of names, its links and its numbers.

The map of models must have one row for each model the release pipeline knows
(``helpers.model_cards.MODELS``) and for each file in ``models/``, with a constant, a file, a
command-line name and a card that all agree. Every Python name the page writes
(``helpers.evaluation.heldout_set``) must exist, every notebook section it points to must be a
heading of that notebook, and the notebooks a model's row lists must be exactly the notebooks
whose code loads that model. Every number the sentence-set table states is computed again from
the corpus. A new number in the table fails the test until the test computes it too.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import json
import re
import statistics
from functools import cache
from pathlib import Path

import pytest

from tests.notebook_tools import ROOT, all_notebooks, course_notebooks

GLOSSARY = ROOT / "docs" / "glossary.md"
#: A markdown link: ``[text](target)``.
LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]+)\)")
#: A number as the page writes it: ``167,130``, ``1.603``, ``32``.
NUMBER = re.compile(r"(?<![\w.,-])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?!\w|[.,]\d)")
#: A notebook section: ``05 § 3`` or ``03 § 5.4``.
SECTION = re.compile(r"\b(\d\d) § (\d+(?:\.\d+)?)")
#: A mention of notebooks by number: ``notebook 05``, ``notebooks 04–08``, ``notebooks 05 and 08``.
NOTEBOOKS_NAMED = re.compile(r"\bnotebooks? (\d\d(?:(?:, | and | or |–)\d\d)*)", re.IGNORECASE)
HELPER_MODULES = {p.stem for p in (ROOT / "helpers").glob("*.py") if p.stem != "__init__"}
#: How the page writes a count of models.
NUMBER_WORDS = {"Four": 4, "Five": 5, "Six": 6, "Seven": 7, "Eight": 8, "Nine": 9, "Ten": 10}


@cache
def text() -> str:
    return GLOSSARY.read_text(encoding="utf-8")


def section(number: int) -> str:
    """The text of ``## number · …`` up to the next ``## `` heading."""
    match = re.search(rf"^## {number} · .*?(?=^## |\Z)", text(), re.MULTILINE | re.DOTALL)
    assert match, f"docs/glossary.md has no section '## {number} · …'"
    return match.group(0)


def table(part: str, column: str) -> list[dict[str, str]]:
    """The rows of the first markdown table in ``part`` whose header has ``column``."""
    lines = part.splitlines()
    for start, line in enumerate(lines):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and column in cells:
            rows = []
            for row in lines[start + 2:]:
                if not row.startswith("|"):
                    break
                values = [c.strip() for c in row.strip().strip("|").split("|")]
                assert len(values) == len(cells), f"a row with {len(values)} cells: {row[:80]}"
                rows.append(dict(zip(cells, values, strict=True)))
            return rows
    raise AssertionError(f"no table with a column {column!r}")


def unticked(cell: str) -> str:
    return cell.strip().strip("`")


def prose_numbers(cell: str) -> list[str]:
    """The numbers of a cell's prose: not those inside links, code, notebook and section
    references, headings, or percentages such as ``10 %`` (split fractions)."""
    cell = re.sub(r"^#+ .*$", "", cell, flags=re.MULTILINE)
    cell = LINK.sub("", cell)
    cell = re.sub(r"`[^`]*`", "", cell)
    cell = SECTION.sub("", NOTEBOOKS_NAMED.sub("", cell))
    cell = re.sub(r"\d+ %", "", cell)
    return NUMBER.findall(cell)


def notebook_markdown(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def notebook_code(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def notebook_path(number: str) -> Path:
    found = sorted((ROOT / "notebooks").glob(f"{number}_*.ipynb"))
    assert len(found) == 1, f"docs/glossary.md names notebook {number}, which does not exist"
    return found[0]


def resolve(dotted: str):
    """Import the longest module prefix of ``dotted`` and get the rest as attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            obj = getattr(obj, attribute)  # AttributeError names what is missing
        return obj
    raise ModuleNotFoundError(dotted)


# --- the map of models ---------------------------------------------------------------------


@cache
def model_rows() -> list[dict[str, str]]:
    return table(section(1), "constant")


def test_every_release_name_has_one_row_whose_names_agree() -> None:
    from helpers import model_cards, models

    rows = {unticked(r["`python -m helpers.pretrained` name"]): r for r in model_rows()}
    assert len(rows) == len(model_rows()), "two rows give the same command-line name"
    assert set(rows) == set(model_cards.MODELS), "the map's command-line names are not MODELS'"
    for name, path in model_cards.MODELS.items():
        row = rows[name]
        assert resolve(unticked(row["constant"])) == path, f"{name}: its constant is not its file"
        assert unticked(row["file in `models/`"]) == path.name, f"{name}: wrong file"
        card = LINK.fullmatch(row["card"])
        assert card and card.group(1) == path.with_suffix(".md").name, f"{name}: wrong card"
        assert (GLOSSARY.parent / card.group(2)).resolve() == path.with_suffix(".md").resolve()
        assert path.with_suffix(".md").is_file(), f"{name}: no card {path.with_suffix('.md')}"
        assert row["model"].startswith("**the ") and row["model"].endswith(" model**")
    default = [r for r in model_rows() if "the default model" in r["what it is"]]
    assert len(default) == 1
    assert resolve(unticked(default[0]["constant"])) == models.PRETRAINED_MODEL


def test_every_model_file_is_in_the_map() -> None:
    files = {unticked(r["file in `models/`"]) for r in model_rows()}
    shipped = {p.name for p in (ROOT / "models").glob("*.keras")}
    assert shipped, "no model files in models/"
    assert shipped <= files, f"models/ holds files the map does not name: {shipped - files}"
    stated = re.search(r"\b(\w+) trained models are shipped", section(1))
    assert stated, "section 1 no longer says how many trained models are shipped"
    assert NUMBER_WORDS.get(stated.group(1)) == len(shipped) == len(files), (
        f"section 1 says {stated.group(1)} trained models; models/ holds {len(shipped)} and "
        f"the map names {len(files)}")


def test_the_notebooks_a_model_row_lists_are_those_that_load_it() -> None:
    """Exactly: a notebook that starts loading a model must be added to its row."""
    from helpers import models

    code = {path.name[:2]: notebook_code(path) for path in course_notebooks()}
    for row in model_rows():
        constant = unticked(row["constant"]).rsplit(".", 1)[1]
        path = resolve(unticked(row["constant"]))
        patterns = [rf"\b{constant}\b", re.escape(path.name)]
        if path == models.PRETRAINED_MODEL:
            patterns += [r"\bPRETRAINED_MODEL\b", r"load_translation_model\(\s*\)"]
        using = {number for number, source in code.items()
                 if any(re.search(p, source) for p in patterns)}
        listed = {Path(target).name[:2] for _, target in LINK.findall(row["notebooks"])}
        assert listed == using, (f"{row['model']}: the map lists notebooks {sorted(listed)}, "
                                 f"the notebooks' code loads it in {sorted(using)}")


def test_the_numbers_of_the_model_map() -> None:
    from helpers import evaluation, recipes, training

    assert recipes.SEED_SETTINGS["num_samples"] == evaluation.COURSE_SPLIT_PAIRS
    assert recipes.ORIGINAL_100_SETTINGS["patience"] is None  # "no early stopping"
    allowed = {f"{evaluation.COURSE_SPLIT_PAIRS:,}",
               f"{recipes.ORIGINAL_SETTINGS['num_samples']:,}",
               str(recipes.ORIGINAL_100_SETTINGS["epochs"])}
    for row in model_rows():
        stated = set(prose_numbers(row["what it is"]))
        assert stated <= allowed, f"{row['model']}: numbers the test does not check: {stated}"
    confusions = section(3)
    assert set(prose_numbers(confusions)) <= {
        "2017", f"{recipes.ORIGINAL_SETTINGS['num_samples']:,}",
        str(inspect.signature(training.train_as_original).parameters["batch_size"].default)}


# --- names, links and notebook sections ----------------------------------------------------


def python_names() -> set[str]:
    """Dotted names inside backticks: ``helpers.x.y`` and ``module.y`` for a helpers module,
    call arguments left out."""
    names = set()
    for span in re.findall(r"`([^`]+)`", text()):
        for match in re.finditer(r"\b((?:helpers\.)?([a-z_]\w*)(?:\.[A-Za-z_]\w*)+)", span):
            dotted, first = match.group(1), match.group(2)
            if dotted.startswith("helpers.") or first in HELPER_MODULES:
                names.add(dotted if dotted.startswith("helpers.") else f"helpers.{dotted}")
    return names


def test_every_python_name_exists() -> None:
    names = python_names()
    assert len(names) > 40, f"only {len(names)} Python names found: is the parser broken?"
    missing = []
    for dotted in sorted(names):
        try:
            resolve(dotted)
        except (ImportError, AttributeError) as error:
            missing.append(f"{dotted} ({error})")
    assert not missing, "docs/glossary.md names what does not exist: " + "; ".join(missing)


def test_every_command_exists() -> None:
    modules = set(re.findall(r"python -m ([\w.]+)", text()))
    assert {"helpers.pretrained", "benchmarks.quality"} <= modules
    for module in modules:
        assert importlib.util.find_spec(module) is not None, f"no module {module}"
    targets = set(re.findall(r"`make ([\w-]+)`", text()))
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in targets:
        assert re.search(rf"^{re.escape(target)}:", makefile, re.MULTILINE), f"no make {target}"


def test_every_link_goes_somewhere() -> None:
    for label, target in LINK.findall(text()):
        path = (GLOSSARY.parent / target.split("#")[0]).resolve()
        assert path.exists(), f"[{label}]({target}) points to nothing"
        if target.endswith(".ipynb") and "notebooks/" in target:
            number = re.match(r"\d\d", label)
            assert number and path.name.startswith(number.group(0)), \
                f"[{label}]({target}): the label names another notebook"


@pytest.mark.parametrize("path", all_notebooks(), ids=lambda p: p.name)
def test_every_notebook_links_to_the_glossary_in_its_setup(path) -> None:
    """The markdown cell that opens the setup (``## Setup``, just before the setup code) links
    to this page, with a relative link that resolves from the notebook's folder."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    setup = [i for i, c in enumerate(cells)
             if c["cell_type"] == "markdown" and "".join(c["source"]).startswith("## Setup")]
    assert len(setup) == 1, f"{path.name}: one markdown cell starting '## Setup'"
    assert cells[setup[0] + 1]["cell_type"] == "code", f"{path.name}: no setup code after it"
    targets = [target for _, target in LINK.findall("".join(cells[setup[0]]["source"]))]
    assert any((path.parent / target.split("#")[0]).resolve() == GLOSSARY.resolve()
               for target in targets), f"{path.name}: its setup cell does not link to the glossary"


def test_the_retired_names_are_gone() -> None:
    """One name per model: the names the glossary retired are used nowhere in the notebooks,
    ``helpers/``, the model files or the glossary's own tables."""
    retired = [r"fra_eng_course", r"\bLookupTranslator\b", r"\btraining\.train_original\b",
               r"the pretrained course model"]
    sources = {path.name: "\n".join("".join(c["source"]) for c in
                                    json.loads(path.read_text(encoding="utf-8"))["cells"])
               for path in all_notebooks()}
    sources |= {str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
                for folder in ("helpers", "benchmarks") for path in (ROOT / folder).glob("*.py")}
    sources |= {str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
                for path in (ROOT / "models").glob("*.[jm][sd]*")}
    sources["docs/glossary.md"] = text()
    for where, source in sources.items():
        for pattern in retired:
            if pattern == "fra_eng_course" and where == "helpers/model_files.py":
                continue  # the old file name, still loaded (with a warning) for one release
            assert not re.search(pattern, source), f"{where} still says {pattern}"
    assert not (ROOT / "models" / "fra_eng_course.keras").exists()


def test_every_notebook_and_section_named_exists() -> None:
    named = set()
    for match in NOTEBOOKS_NAMED.finditer(text()):
        named |= set(re.findall(r"\d\d", match.group(1)))
    named |= {number for number, _ in SECTION.findall(text())}
    every = {path.name[:2] for path in course_notebooks()}
    assert named == every, (f"the glossary names notebooks {sorted(named)}, the course has "
                            f"{sorted(every)}")
    for number in named:
        notebook_path(number)
    for number, heading in SECTION.findall(text()):
        markdown = notebook_markdown(notebook_path(number))
        assert re.search(rf"^#{{2,3}} {re.escape(heading)} · ", markdown, re.MULTILINE), \
            f"notebook {number} has no section {heading}"


def test_the_glossary_terms_point_to_where_they_are_taught() -> None:
    glossary = section(4)
    entries = re.findall(r"^- \*\*(.+?)\*\*(.*?)(?=^- |^#|\Z)", glossary, re.MULTILINE | re.DOTALL)
    assert len(entries) >= 20
    for term, body in entries:
        assert SECTION.search(body), f"glossary entry {term!r} names no notebook section"


def test_token_and_metric_facts() -> None:
    import sacrebleu

    from helpers import encoding

    assert (encoding.PAD_INDEX, encoding.UNK_INDEX) == (0, 1)
    assert (encoding.PAD_TOKEN, encoding.UNK_TOKEN) == ("<pad>", "<unk>")
    assert (encoding.START_TOKEN, encoding.STOP_TOKEN) == ("\t", "\n")
    chrf, bleu = sacrebleu.metrics.CHRF(), sacrebleu.metrics.BLEU()
    assert (chrf.char_order, chrf.word_order, chrf.beta, chrf.whitespace) == (6, 0, 2, False)
    assert bleu.max_ngram_order == 4
    assert "n = 1 to 6" in text() and "β = 2" in text() and "n = 1 to 4" in text()


# --- the sentence sets, measured again -----------------------------------------------------


def distinct(pairs) -> int:
    return len({english for english, _ in pairs})


def parts(split) -> list[int]:
    return [len(split.train), len(split.validation), len(split.test)]


def english_parts(split) -> list[int]:
    return [distinct(split.train), distinct(split.validation), distinct(split.test)]


@pytest.fixture(scope="module")
def measured() -> dict[str, list[str]]:
    """Every number of the sentence-set table, computed with the course's code, row by row,
    as the page writes it. The corpus is read once (``load_fra_eng`` cached for the module)."""
    from helpers import augmentation, data, evaluation, recipes, robustness

    everything = data.load_fra_eng()
    read = data.load_fra_eng

    def cached(num_samples=None, **kwargs):
        if kwargs:
            return read(num_samples, **kwargs)
        return list(everything if num_samples is None else everything[:num_samples])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(data, "load_fra_eng", cached)
        course = data.split_pairs(everything[:evaluation.COURSE_SPLIT_PAIRS])
        sources = evaluation.course_heldout_sources()
        original = recipes.original_split()
        corpus = data.split_pairs(everything, **evaluation.CORPUS_SPLIT)
        attention = recipes.attention_split()
        count = inspect.signature(evaluation.heldout_set).parameters["count"].default
        course_set = evaluation.heldout_set("course")
        long_set = evaluation.heldout_set("all_lengths")
        named = robustness.named_set()
    notebook_03 = re.search(r"NUM_SAMPLES = profiles\.pick\(quick=[\d_]+, full=([\d_]+)\)",
                            notebook_code(notebook_path("03")))
    assert notebook_03, "notebook 03 no longer sets NUM_SAMPLES with profiles.pick"
    nb03_pairs = int(notebook_03.group(1))
    nb03 = data.split_pairs(everything[:nb03_pairs])
    longest_english = max(len(e) for e, _ in nb03.train)
    longest_french = max(len(f) for _, f in nb03.train)
    nb03_test_kept = sum(len(e) <= longest_english and len(f) <= longest_french
                         for e, f in nb03.test)

    # notebook 04 § 1: the first sentences of the seed model's test pairs, with their references
    seed_settings = recipes.SEED_SETTINGS
    seed_split = data.split_pairs(everything[:seed_settings["num_samples"]],
                                  validation_fraction=seed_settings["validation_fraction"],
                                  test_fraction=seed_settings["test_fraction"],
                                  seed=seed_settings["split_seed"])
    assert parts(seed_split) == parts(course), "the seed model does not train on the course split"
    test_refs = evaluation.references_by_source(seed_split.test)
    rebuilt = list(test_refs)[:count]
    assert rebuilt == course_set[0], "notebook 04's held-out sentences are not the course set"
    assert [test_refs[s] for s in rebuilt] == course_set[1], "nor their references"

    trained = {"seed": {e for e, _ in seed_split.train},
               "original": {e for e, _ in original.train},
               "attention": {e for e, _ in attention.train}}
    assert len(course_set[0]) == len(long_set[0]) == count
    assert not any(set(course_set[0]) & seen for seen in trained.values()), \
        "a model trained on a sentence of the course test set"
    assert not set(long_set[0]) & trained["attention"]
    # "its test sentences are a subset of the course split's test part"; "same validation and
    # test parts" (attention split and corpus split)
    assert {e for e, _ in original.test} <= {e for e, _ in course.test}
    assert (attention.validation, attention.test) == (corpus.validation, corpus.test)
    course_test_all = distinct(course.test)
    original_scored = sum(e in {s for s, _ in original.test}
                          for e in dict.fromkeys(e for e, _ in course.test))
    everyday = set(evaluation.EVERYDAY_SENTENCES)
    corpus_english = {e for e, _ in everything}
    assert everyday <= corpus_english, "an everyday sentence is not in the corpus"
    novel = [e for e, _ in robustness.NOVEL_SENTENCES]
    assert not set(novel) & corpus_english, "a novel sentence is in the corpus"
    assert set(augmentation.CORPUS_NAMES) == {"Tom", "Mary", "John", "Alice"}
    assert set(robustness.VARIANTS) == {"clean", "lower", "nopunct", "typo"}
    in_attention = len(everyday & trained["attention"])
    assert in_attention + len(everyday & sources) == len(everyday)

    def mean_refs(references, decimals: int) -> str:
        return f"{statistics.fmean(len(r) for r in references):.{decimals}f}"

    robust_count = inspect.signature(robustness.robustness_scores).parameters["count"].default
    n = "{:,}".format
    return {
        "the corpus": [n(len(everything)), n(distinct(everything))],
        "the course split": [*map(n, parts(course)), *map(n, english_parts(course))],
        "the course held-out sources": [n(len(sources))],
        "the original split": [n(recipes.ORIGINAL_SETTINGS["num_samples"]),
                               *map(n, parts(original)), *map(n, english_parts(original)),
                               n(original_scored)],
        "notebook 03's split": [n(nb03_pairs), *map(n, parts(nb03)), *map(n, english_parts(nb03)),
                                n(nb03_test_kept)],
        "the corpus split": [*map(n, parts(corpus)), *map(n, english_parts(corpus))],
        "the attention split": [n(len(corpus.train) - len(attention.train)),
                                *map(n, parts(attention)), *map(n, english_parts(attention))],
        "the course test set": [n(count), n(course_test_all), mean_refs(course_set[1], 3),
                                n(len(course_set[0])), n(len(rebuilt))],
        "the all-lengths test set": [n(count), n(distinct(corpus.test)), mean_refs(long_set[1], 2),
                                     n(len(long_set[0])),
                                     n(len(set(long_set[0]) & trained["seed"])), n(count),
                                     n(len(set(long_set[0]) & trained["original"]))],
        "the robustness variants": [n(robust_count)],
        "the named set": [n(course_test_all), n(len(named.sources))],
        "the novel sentences": [n(len(novel))],
        "the everyday sentences": [n(len(everyday)), n(in_attention), n(len(everyday & sources)),
                                   n(len(everyday & trained["seed"]))],
    }


@pytest.mark.slow  # reads the whole corpus
def test_every_number_of_the_sentence_sets_is_measured(measured) -> None:
    rows = table(section(2), "English sentences")
    names = [row["set"].strip("*") for row in rows]
    assert sorted(names) == sorted(measured), "the table's sets are not the ones the test measures"
    for row, name in zip(rows, names, strict=True):
        stated = [number for column, cell in row.items() if column not in ("set", "code")
                  for number in prose_numbers(cell)]
        assert sorted(stated) == sorted(measured[name]), \
            f"{name}: the page says {stated}, the code gives {measured[name]}"


@pytest.mark.slow  # reads the whole corpus
def test_the_prose_about_the_sets_uses_only_measured_numbers(measured) -> None:
    prose = section(2).split("\n| set |")[0] + section(2).split("### Telling")[1]
    from helpers import data

    known = {number for numbers in measured.values() for number in numbers}
    known.add(str(inspect.signature(data.split_pairs).parameters["seed"].default))  # "seed 0"
    unknown = set(prose_numbers(prose)) - known
    assert not unknown, f"numbers the test does not measure: {sorted(unknown)}"
