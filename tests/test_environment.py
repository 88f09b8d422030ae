"""Ranges where the package declares, exact versions where the course installs.

pyproject.toml states what the course needs as ranges (no ``==``); requirements/lock.txt holds
the exact versions that ``make`` installs, for Python 3.11-3.13; environment.yml (the conda
route) installs from that lock. These tests keep the three in agreement, check that the
installed packages are the locked ones, and that the Makefile picks a supported Python.
"""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from helpers import profiles
from tests.notebook_tools import ROOT

LOCK = ROOT / "requirements" / "lock.txt"
SUPPORTED = ("3.11", "3.12", "3.13")


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def declared(groups: bool = True) -> dict[str, Requirement]:
    """pyproject.toml's requirements by name: [project.dependencies] and, with ``groups``,
    every extra."""
    reqs = list(project()["dependencies"])
    if groups:
        reqs += [r for extra in project()["optional-dependencies"].values() for r in extra]
    parsed = [Requirement(r) for r in reqs]
    return {canonicalize_name(r.name): r for r in parsed}


def locked() -> list[tuple[str, Version, Marker | None, list[str]]]:
    """(name, version, marker, what requires it) for every line of requirements/lock.txt."""
    entries = []
    for block in re.split(r"\n(?=[^\s#])", LOCK.read_text()):
        line, *comments = block.splitlines()
        if line.startswith("#") or not line.strip():
            continue
        req = Requirement(line)
        (spec,) = req.specifier
        assert spec.operator == "==", line
        via = [c.strip().lstrip("#").strip().removeprefix("via").strip() for c in comments]
        entries.append((canonicalize_name(req.name), Version(spec.version), req.marker,
                        [v for v in via if v]))
    return entries


def locked_for(python: str) -> dict[str, Version]:
    """The locked versions that apply on Linux under ``python`` (3.11 means 3.11.9 and so on)."""
    env = {"python_version": python, "python_full_version": f"{python}.9",
           "sys_platform": "linux", "os_name": "posix", "platform_system": "Linux",
           "implementation_name": "cpython", "platform_python_implementation": "CPython",
           "platform_machine": "x86_64"}
    found: dict[str, Version] = {}
    for name, version, marker, _ in locked():
        if marker is None or marker.evaluate(env):
            assert name not in found, f"{name} locked twice for Python {python}"
            found[name] = version
    return found


def test_no_exact_pins_in_pyproject() -> None:
    for name, req in declared().items():
        assert not any(s.operator in {"==", "==="} for s in req.specifier), (
            f"pyproject.toml pins {name} exactly ({req}); exact versions go in the lock")


def test_core_dependencies_are_bounded_ranges() -> None:
    """Each package the course imports has a lowest and a highest version it was tried with."""
    for name, req in declared(groups=False).items():
        ops = {s.operator for s in req.specifier}
        assert ">=" in ops and "<" in ops, f"{name}: {req} is not a range >=oldest,<next"


def test_requires_python_admits_the_supported_versions() -> None:
    spec = SpecifierSet(project()["requires-python"])
    for python in SUPPORTED:
        assert f"{python}.0" in spec, f"requires-python refuses {python}"
    for python in ("3.10.0", "3.14.0"):
        assert python not in spec, f"requires-python admits {python}, which is not tested"


def test_lock_is_universal_and_made_by_make_lock() -> None:
    head = LOCK.read_text().split("\n", 3)[:3]
    assert "uv" in head[0] and "make lock" in head[1], head
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"uv pip compile pyproject\.toml --extra lab --extra dev --universal\s*\\\n"
                     r"\s*--python-version 3\.11", makefile), "make lock compiles another way"


@pytest.mark.parametrize("python", SUPPORTED)
def test_lock_satisfies_pyproject(python) -> None:
    """Every direct dependency is locked once for each supported Python, inside its range."""
    versions = locked_for(python)
    for name, req in declared().items():
        assert name in versions, f"{name} is in pyproject.toml but not locked for {python}"
        assert req.specifier.contains(versions[name], prereleases=True), (
            f"{name}: the lock has {versions[name]}, pyproject.toml asks {req.specifier}")


def test_lock_names_only_what_pyproject_brings_in() -> None:
    """A package the lock installs because of pyproject.toml directly is declared there."""
    direct = {name for name, _, _, via in locked() if "seq2seq-course (pyproject.toml)" in via}
    assert direct == set(declared()), (
        f"run `make lock`: locked as direct {sorted(direct - set(declared()))}, "
        f"declared but not locked as direct {sorted(set(declared()) - direct)}")


def test_lower_bounds_are_the_oldest_verified() -> None:
    """Each core dependency's lower bound is a version something runs: the one in
    requirements/oldest.txt (tests/test_colab_install.py installs those) or, for a package not
    there, the locked one."""
    oldest = {canonicalize_name(r.name): Version(next(iter(r.specifier)).version)
              for r in (Requirement(line) for line in
                        (ROOT / "requirements" / "oldest.txt").read_text().splitlines()
                        if line.strip() and not line.startswith("#"))}
    lock = locked_for("3.11")
    for name, req in declared(groups=False).items():
        (low,) = [Version(s.version) for s in req.specifier if s.operator == ">="]
        assert low == oldest.get(name, lock[name]), (
            f"{name}: pyproject.toml's lower bound {low} is neither requirements/oldest.txt's "
            f"{oldest.get(name)} nor the lock's {lock[name]}")
        assert req.specifier.contains(oldest.get(name, lock[name]))


def environment_entries() -> tuple[list[str], list[str]]:
    """(conda packages, pip lines) from environment.yml, read without PyYAML."""
    conda: list[str] = []
    pip: list[str] = []
    section = None
    for raw in (ROOT / "environment.yml").read_text().splitlines():
        line = raw.split(" #", 1)[0].rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if re.match(r"^\w", line):
            section = line.split(":")[0]
            continue
        item = line.strip()
        if section != "dependencies" or not item.startswith("- ") or item == "- pip:":
            continue
        indent = len(raw) - len(raw.lstrip())
        (pip if indent > 4 else conda).append(item[2:].strip())
    return conda, pip


def test_environment_installs_the_lock_and_the_course() -> None:
    conda, pip = environment_entries()
    assert pip == ["-r requirements/lock.txt", "-e .[lab,dev]"], pip
    assert "pip" in conda


def test_environment_python_is_the_supported_range() -> None:
    conda, _ = environment_entries()
    (python,) = [c for c in conda if c.startswith("python")]
    assert python == "python>=3.11,<3.14", python
    assert SpecifierSet(python.removeprefix("python")) == SpecifierSet(
        project()["requires-python"])


def test_installed_versions_are_the_locked_ones() -> None:
    """The running environment is the one `make` installs: the locked version of every
    package that applies here."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    python = ".".join(platform.python_version_tuple()[:2])
    for name, pinned in locked_for(python).items():
        try:
            installed = Version(version(name))
        except PackageNotFoundError:
            pytest.fail(f"{name} {pinned} is locked but not installed: run make")
        assert installed == pinned, f"{name} {installed} installed, {pinned} locked"


def run_make(tmp_path: Path, pythons: list[str], *flags: str,
             extra_path: Path | None = None) -> subprocess.CompletedProcess:
    """``make [flags] venv`` into ``tmp_path``, PYTHON unset and only ``pythons`` (links to this
    Python, under those names) on PATH, after ``extra_path`` if given."""
    import sys

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in pythons:
        (bin_dir / name).symlink_to(sys.executable)
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHON", "MAKEFLAGS", "VENV"}}
    env["PATH"] = f"{extra_path}:{bin_dir}" if extra_path else str(bin_dir)
    return subprocess.run(["/usr/bin/make", "--no-print-directory", *flags, "venv",
                           f"VENV={tmp_path / 'venv'}"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_make_uses_the_newest_supported_python(tmp_path) -> None:
    result = run_make(tmp_path, ["python3.11", "python3.13", "python3.12", "python3.14"], "-n")
    assert f"{tmp_path}/bin/python3.13 -m venv" in result.stdout, result.stdout + result.stderr


def test_make_passes_over_a_python_that_does_not_run(tmp_path) -> None:
    """A pyenv shim of a version that is not selected is on PATH but fails (as on CI)."""
    shim = tmp_path / "shims"
    shim.mkdir()
    (shim / "python3.13").write_text("#!/bin/sh\necho 'pyenv: python3.13: command not found' >&2"
                                     "\nexit 127\n")
    (shim / "python3.13").chmod(0o755)
    result = run_make(tmp_path, ["python3.12", "python3.11"], "-n", extra_path=shim)
    assert f"{tmp_path}/bin/python3.12 -m venv" in result.stdout, result.stdout + result.stderr


def test_make_names_the_supported_pythons_when_none_is_found(tmp_path) -> None:
    result = run_make(tmp_path, ["python3", "python3.10", "python3.14"])
    assert result.returncode != 0
    assert "The course needs Python 3.11, 3.12 or 3.13" in result.stderr, result.stderr
    assert not (tmp_path / "venv").exists()


def test_profiles(monkeypatch) -> None:
    monkeypatch.setenv("COURSE_PROFILE", "quick")
    assert profiles.active() == "quick" and profiles.pick(quick=1, full=2) == 1
    monkeypatch.setenv("COURSE_PROFILE", "FULL")
    assert profiles.pick(quick=1, full=2) == 2
    monkeypatch.delenv("COURSE_PROFILE")
    assert profiles.active() == "full"
    monkeypatch.setenv("COURSE_PROFILE", "fast")
    with pytest.raises(profiles.UnknownProfileError, match="quick, full"):
        profiles.active()
