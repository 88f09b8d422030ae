"""The Colab install cell leaves the environment it installs into alone.

Colab comes with its own TensorFlow, Keras, NumPy, Jupyter server and kernel. The notebooks'
install cell must add the course and only what is missing, keeping every package already there
whose version is in pyproject.toml's ranges. This test does what the cell does, on this machine:

1. a fresh virtual environment gets the oldest supported versions (requirements/oldest.txt:
   TensorFlow, Keras, NumPy and the rest, another set than the lock's), with a Jupyter server
   and a kernel; sacrebleu is not among them, as a package the course needs and Colab lacks;
2. the install cell's own command runs in it (read from the notebooks' Colab cell, checked to be
   what tools/set_repository_url.py writes), with the ``git+`` URL pointing at a git copy of
   this checkout instead of GitHub: pip clones it, builds the wheel and installs it;
3. every package installed before has the same version after, and sacrebleu was added;
4. the default model (``helpers.models.PRETRAINED_MODEL``, with its tokenizer for a subword
   model), from the installed wheel, translates "I am cold." there as it does here.

It downloads (TensorFlow is about 600 MB; pip's cache makes the next run fast) and takes a few
minutes, so it is marked ``colab``: ``make test-colab`` runs it (and .ci/run calls that), ``make
test`` and ``make test-fast`` leave it out.
"""

from __future__ import annotations

import json
import re
import shlex
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from helpers.models import PRETRAINED_MODEL
from tests.notebook_tools import ROOT, all_notebooks, load
from tests.test_install import RUN, SENTENCE, copy_sources, run
from tools import set_repository_url as repo_url

pytestmark = pytest.mark.colab

OLDEST = ROOT / "requirements" / "oldest.txt"
#: A package the course needs that is not in oldest.txt (Colab lacks it): the install cell must
#: add it.
MISSING = "sacrebleu"


def install_cell_command() -> list[str]:
    """The notebooks' Colab install line, as the argv of the pip it runs: one line, the same in
    every notebook, and the one tools/set_repository_url.py writes."""
    lines = set()
    for path in all_notebooks():
        cells = load(path)["cells"]
        (cell,) = [c for c in cells
                   if c["cell_type"] == "code" and "google.colab" in "".join(c["source"])]
        lines |= {line.strip() for line in "".join(cell["source"]).splitlines()
                  if line.strip().startswith("%pip")}
    (line,) = lines
    assert line == repo_url.install_line(repo_url.repository_url()), line
    words = shlex.split(line)
    assert words[:2] == ["%pip", "install"], line
    return words[1:]


def freeze(python: Path) -> dict[str, str]:
    listed = run(python, "-m", "pip", "list", "--format=json", cwd=python.parent).stdout
    return {canonicalize_name(p["name"]): p["version"] for p in json.loads(listed)}


def test_install_cell_keeps_the_installed_packages(tmp_path) -> None:
    src, venv, elsewhere = (tmp_path / d for d in ("src", "venv", "elsewhere"))
    for d in (src, elsewhere):
        d.mkdir()
    copy_sources(src)
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@localhost"]
    run(*git, "init", "-q", cwd=src)
    run(*git, "add", "-A", cwd=src)
    run(*git, "commit", "-q", "-m", "the checkout as it is", cwd=src)

    oldest = [Requirement(line) for line in OLDEST.read_text().splitlines()
              if line.strip() and not line.startswith("#")]
    assert MISSING not in {canonicalize_name(r.name) for r in oldest}
    run(sys.executable, "-m", "venv", venv, cwd=elsewhere)
    python = venv / "bin" / "python"
    run(python, "-m", "pip", "install", "-q", *map(str, oldest), cwd=elsewhere, timeout=2400)
    before = freeze(python)
    assert MISSING not in before
    for r in oldest:
        assert r.specifier.contains(before[canonicalize_name(r.name)]), (r, before)

    words = install_cell_command()
    url = repo_url.repository_url()
    local = [w.replace(f"git+{url}.git", f"git+{src.as_uri()}") for w in words]
    assert local != words, words
    run(python, "-m", "pip", *local, cwd=elsewhere, timeout=2400)
    after = freeze(python)

    changed = {name: (v, after.get(name)) for name, v in before.items() if after.get(name) != v}
    assert not changed, f"the install cell changed installed packages: {changed}"
    assert "seq2seq-course" in after and MISSING in after, sorted(set(after) - set(before))

    out = run(python, "-I", "-c", RUN, cwd=elsewhere).stdout.strip().splitlines()[-1]
    found = json.loads(out)
    site = Path(found["helpers"]).parent.parent
    assert Path(found["helpers"]).is_relative_to(venv), found["helpers"]
    assert Path(found["model"]).is_relative_to(site / "helpers" / "_models"), found["model"]
    assert Path(found["model"]).name == PRETRAINED_MODEL.name, found["model"]
    assert re.search(r"[a-zà-ÿ]{2}", found["text"]), found["text"]

    from helpers.models import load_translation_model
    from helpers.translation import translate

    assert found["text"] == translate(load_translation_model(), SENTENCE).text
