"""Installable anywhere: a wheel built from the repository, installed in a fresh virtual
environment outside the checkout, loads the default model and translates — what
``pip install git+…`` gives a learner on Colab, where there is no ``models/`` folder.

No download: the wheel is built with the course's setuptools (``--no-build-isolation``), and
the new environment borrows the course environment's third-party packages through a ``.pth``
file. That adds the course's site-packages to ``sys.path`` without running the ``.pth`` files
in it, so the editable install's finder for ``helpers`` stays out and ``helpers`` comes from
the wheel.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from helpers.models import PRETRAINED_MODEL
from tests.notebook_tools import ROOT

SENTENCE = "I am cold."
RUN = f"""
import inspect, json, sys
import helpers
from helpers.models import load_translation_model
from helpers.translation import translate

default = inspect.signature(load_translation_model).parameters["path"].default
text = translate(load_translation_model(), {SENTENCE!r}).text
editable = [repr(f) for f in sys.meta_path if "editable" in repr(f).lower()]
print(json.dumps({{"helpers": helpers.__file__, "model": str(default), "text": text,
                  "editable": editable}}))
"""


def run(*args, cwd: Path, timeout: float = 300, **kwargs) -> subprocess.CompletedProcess:
    """``args`` run in ``cwd`` with no ``PYTHON*`` variables (no ``PYTHONPATH`` into the
    checkout), failing after ``timeout`` seconds."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=timeout, **kwargs)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


def copy_sources(dest: Path) -> None:
    """The files git would commit (tracked, or new and not ignored), as they are on disk: the
    build then leaves nothing in the checkout and picks up nothing stale from its build/."""
    listed = run("git", "ls-files", "-co", "--exclude-standard", "-z", cwd=ROOT).stdout
    for name in filter(None, listed.split("\0")):
        if (ROOT / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, dest / name)


@pytest.mark.slow  # builds and installs the wheel
def test_wheel_installed_outside_the_checkout_translates(tmp_path) -> None:
    src, dist, venv, elsewhere = (tmp_path / d for d in ("src", "dist", "venv", "elsewhere"))
    for d in (src, elsewhere):
        d.mkdir()
    copy_sources(src)
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
        "-q", "-w", dist, src, cwd=elsewhere)
    (wheel,) = dist.glob("seq2seq_course-*.whl")
    models = sorted(p.name for p in (ROOT / "models").iterdir()
                    if p.suffix in {".keras", ".json", ".md"}
                    or p.name.endswith(".sentencepiece.model"))
    with zipfile.ZipFile(wheel) as zf:
        carried = {n.removeprefix("helpers/_models/") for n in zf.namelist()
                   if n.startswith("helpers/_models/")}
        assert "helpers/widgets.css" in zf.namelist(), "the wheel does not carry widgets.css"
    assert carried == set(models), "the wheel does not carry models/ as helpers/_models/"
    assert wheel.stat().st_size < 30_000_000, f"{wheel.name}: {wheel.stat().st_size} bytes"

    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=elsewhere)
    python = venv / "bin" / "python"
    # --ignore-installed: install into the new venv even if pip sees the course's own copy.
    run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
        "--ignore-installed", "-q", wheel, cwd=elsewhere)
    site = Path(run(python, "-I", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))",
                    cwd=elsewhere).stdout.strip())
    borrowed = dict.fromkeys([sysconfig.get_path("purelib"), sysconfig.get_path("platlib")])
    (site / "course_third_party.pth").write_text("".join(f"{p}\n" for p in borrowed))

    out = run(python, "-I", "-c", RUN, cwd=elsewhere).stdout.strip().splitlines()[-1]
    found = json.loads(out)
    assert Path(found["helpers"]).is_relative_to(site), found["helpers"]
    assert not found["editable"], found["editable"]
    model = Path(found["model"])
    assert model.is_relative_to(site / "helpers" / "_models"), model
    assert model.name == PRETRAINED_MODEL.name
    assert re.search(r"[a-zà-ÿ]{2}", found["text"]), found["text"]

    from helpers.models import load_translation_model
    from helpers.translation import translate

    assert found["text"] == translate(load_translation_model(), SENTENCE).text
