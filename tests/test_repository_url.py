"""The course's repository URL is written in one place, ``[project.urls]`` in pyproject.toml:
every notebook's Colab badge and install cell are made from it by
``tools/set_repository_url.py``, and no file hard-codes a repository URL of its own."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.notebook_tools import ROOT, all_notebooks, load
from tools import set_repository_url as repo_url

#: Other projects' GitHub repositories (``owner/repo``) that the course may link to. Empty for
#: now; add one here when a file links to it on purpose.
OTHER_PROJECTS: frozenset[str] = frozenset()
#: A GitHub repository as a URL names it: on github.com, or behind Colab's ``/github/``.
REPOSITORY = re.compile(r"(?:github\.com|colab\.research\.google\.com/github)/([\w.-]+)/([\w.-]+)")
BINARY = {".keras", ".png", ".jpg", ".zip", ".gz", ".h5", ".npz", ".pdf"}


def configured() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Repository"]


def repositories(text: str) -> set[str]:
    """``owner/repo`` of every GitHub repository URL in ``text``."""
    return {f"{owner}/{repo.removesuffix('.git')}" for owner, repo in REPOSITORY.findall(text)}


def test_pyproject_names_a_github_repository() -> None:
    assert repo_url.repository_url() == configured()
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", configured())


@pytest.mark.parametrize("path", all_notebooks(), ids=lambda p: p.name)
def test_badge_and_install_cell_use_pyproject_url(path) -> None:
    url = configured()
    cells = load(path)["cells"]
    badge = f"(https://colab.research.google.com/github/{url.removeprefix('https://github.com/')}" \
            f"/blob/main/{path.relative_to(ROOT).as_posix()})"
    assert badge in "".join(cells[0]["source"]), f"{path.name}: badge does not open {badge}"
    colab = ["".join(c["source"]) for c in cells
             if c["cell_type"] == "code" and "google.colab" in "".join(c["source"])]
    assert len(colab) == 1, f"{path.name}: {len(colab)} Colab install cells"
    assert f'%pip install -q "git+{url}.git"' in colab[0], f"{path.name}: install cell"


def test_set_repository_url_check_passes() -> None:
    result = subprocess.run([sys.executable, "tools/set_repository_url.py", "--check"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def tracked_text_files():
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout
    for name in sorted(filter(None, listed.split("\0"))):
        path = ROOT / name
        if path.suffix in BINARY or not path.is_file():
            continue
        try:
            yield path, path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue


def test_no_other_repository_url_is_hard_coded() -> None:
    """Outside pyproject.toml, the course's URL appears only in the two places the script
    writes (a notebook's badge and install line), and no other GitHub repository is named
    unless it is one of ``OTHER_PROJECTS`` (this file's made-up examples aside)."""
    url = configured()
    found: list[str] = []
    for path, text in tracked_text_files():
        if path in (ROOT / "pyproject.toml", Path(__file__).resolve()):
            continue
        if path.suffix == ".ipynb":
            cells = json.loads(text)["cells"]
            sources = ["".join(c["source"]) for c in cells]  # outputs are the libraries' words
            if sources:
                sources[0] = sources[0].replace(repo_url.badge_url(url, path), "")
            sources = [s.replace(repo_url.install_line(url), "") for s in sources]
            text = "\n".join(sources)
        for repo in sorted(repositories(text) - OTHER_PROJECTS):
            found.append(f"{path.relative_to(ROOT)}: {repo}")
    assert not found, ("repository URLs hard-coded outside [project.urls] and the notebooks' "
                       "badge and install cell:\n" + "\n".join(found))


def test_the_scan_sees_urls() -> None:
    text = ('[x](https://colab.research.google.com/github/a/b/blob/main/n.ipynb) '
            '%pip install "git+https://github.com/c/d.git" https://github.com/e/f/issues/1')
    assert repositories(text) == {"a/b", "c/d", "e/f"}


def test_script_points_a_notebook_at_another_url(tmp_path) -> None:
    """Publishing elsewhere: the badge and the install line change, nothing else does."""
    (tmp_path / "notebooks").mkdir()
    original = all_notebooks()[0]
    copy = tmp_path / "notebooks" / original.name
    shutil.copy(original, copy)
    pyproject = (ROOT / "pyproject.toml").read_text().replace(configured(),
                                                               "https://github.com/someone/course")
    (tmp_path / "pyproject.toml").write_text(pyproject)
    assert repo_url.main([], root=tmp_path) == 0
    assert repo_url.main(["--check"], root=tmp_path) == 0
    before, after = load(original), load(copy)
    changed = [i for i, (a, b) in enumerate(zip(before["cells"], after["cells"], strict=True))
               if a != b]
    colab = next(i for i, c in enumerate(before["cells"])
                 if c["cell_type"] == "code" and "google.colab" in "".join(c["source"]))
    assert changed == [0, colab]
    assert {k: v for k, v in before.items() if k != "cells"} == \
           {k: v for k, v in after.items() if k != "cells"}
    assert before["cells"][colab]["outputs"] == after["cells"][colab]["outputs"]
    first, install = "".join(after["cells"][0]["source"]), "".join(after["cells"][colab]["source"])
    assert (f"https://colab.research.google.com/github/someone/course/blob/main/notebooks/"
            f"{original.name})") in first
    assert '%pip install -q "git+https://github.com/someone/course.git"' in install
    assert "seq2seq-course/seq2seq-course" not in first + install
    (tmp_path / "pyproject.toml").write_text(pyproject.replace("github.com/someone/course",
                                                               "gitlab.com/someone/course"))
    assert repo_url.main([], root=tmp_path) == 2
