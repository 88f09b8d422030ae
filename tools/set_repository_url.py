"""Write the course's repository URL into every notebook's Colab badge and install cell.

The URL is ``Repository`` under ``[project.urls]`` in pyproject.toml, the one place it is
written. To publish the course under another URL (it must be a GitHub repository, for Colab),
change it there and run::

    python tools/set_repository_url.py           # rewrites notebooks/**/*.ipynb
    python tools/set_repository_url.py --check   # only says which notebooks disagree (exit 1)

In each notebook it changes two things and nothing else: the badge's link in the first
(markdown) cell, ``https://colab.research.google.com/github/<owner>/<repo>/blob/main/<path>``,
and the ``%pip install -q "git+<url>.git"`` line of the code cell that runs only on Colab.
Outputs, metadata and other cells are left as they are. Standard library only: it runs before
anything is installed. ``tests/test_repository_url.py`` checks that the notebooks agree with
pyproject.toml.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The branch the Colab badge opens.
BRANCH = "main"
GITHUB_URL = re.compile(r"https://github\.com/([\w.-]+)/([\w.-]+)")
BADGE = re.compile(r"https://colab\.research\.google\.com/github/[^\s)\"]+")
INSTALL = re.compile(r'%pip install -q "git\+[^"]*"')


def repository_url(root: Path = ROOT) -> str:
    """``[project.urls] Repository`` of ``root/pyproject.toml``, checked to be a GitHub URL."""
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    url = project.get("urls", {}).get("Repository", "")
    if not GITHUB_URL.fullmatch(url) or url.endswith(".git"):
        raise ValueError("pyproject.toml: [project.urls] Repository must look like "
                         f"https://github.com/<owner>/<repo> (Colab opens GitHub), not {url!r}")
    return url


def badge_url(url: str, notebook: Path, root: Path = ROOT) -> str:
    """The Colab link that opens ``notebook`` from the repository at ``url``."""
    owner, repo = GITHUB_URL.fullmatch(url).groups()
    path = notebook.resolve().relative_to(root.resolve()).as_posix()
    return f"https://colab.research.google.com/github/{owner}/{repo}/blob/{BRANCH}/{path}"


def install_line(url: str) -> str:
    """The line of the Colab-only cell that installs the course from ``url``."""
    return f'%pip install -q "git+{url}.git"'


def notebooks(root: Path = ROOT) -> list[Path]:
    """Every notebook under ``root/notebooks`` (solutions included), checkpoints left out."""
    return sorted(p for p in (root / "notebooks").rglob("*.ipynb")
                  if ".ipynb_checkpoints" not in p.parts)


def _text(cell: dict) -> str:
    source = cell["source"]
    return "".join(source) if isinstance(source, list) else source


def _set_text(cell: dict, text: str) -> None:
    cell["source"] = text.splitlines(keepends=True) if isinstance(cell["source"], list) else text


def _replace_once(cell: dict, pattern: re.Pattern, new: str, what: str) -> None:
    text, count = pattern.subn(lambda _: new, _text(cell))
    if count != 1:
        raise ValueError(f"expected one {what}, found {count}")
    _set_text(cell, text)


def set_repository_url(notebook: Path, url: str, root: Path = ROOT, *,
                       check: bool = False) -> bool:
    """Point ``notebook``'s badge and install cell at ``url``; ``True`` if that changed it.

    With ``check`` the file is not written. ``ValueError`` if the notebook has no badge in its
    first cell or not exactly one Colab install cell.
    """
    before = notebook.read_text(encoding="utf-8")
    nb = json.loads(before)
    cells = nb["cells"]
    try:
        if not cells or cells[0]["cell_type"] != "markdown":
            raise ValueError("the first cell is not the markdown cell with the Colab badge")
        _replace_once(cells[0], BADGE, badge_url(url, notebook, root), "Colab badge link")
        colab = [c for c in cells if c["cell_type"] == "code" and "google.colab" in _text(c)]
        if len(colab) != 1:
            raise ValueError(f"expected one code cell for Colab, found {len(colab)}")
        _replace_once(colab[0], INSTALL, install_line(url), "%pip install line")
    except ValueError as exc:
        raise ValueError(f"{notebook}: {exc}") from None
    after = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
    if after == before:
        return False
    if not check:
        notebook.write_text(after, encoding="utf-8")
    return True


def main(argv: list[str] | None = None, root: Path = ROOT) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a notebook does not match pyproject.toml")
    args = parser.parse_args(argv)
    try:
        url = repository_url(root)
        changed = [p for p in notebooks(root) if set_repository_url(p, url, root, check=args.check)]
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    for path in changed:
        print(f"{'differs' if args.check else 'rewrote'}: {path.relative_to(root)}")
    if args.check and changed:
        print(f"run `python tools/set_repository_url.py` to point them at {url}", file=sys.stderr)
        return 1
    if not changed:
        print(f"every notebook points at {url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
