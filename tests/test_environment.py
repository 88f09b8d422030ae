"""environment.yml (the conda route) mirrors pyproject.toml's pins; profiles behave."""

from __future__ import annotations

import re
import tomllib

import pytest

from helpers import profiles
from tests.notebook_tools import ROOT

REQ = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(?:\[[^\]]*\])?\s*(==|>=|<=|~=|=)?\s*([^\s;#]*)")


def parse(requirement: str) -> tuple[str, str]:
    match = REQ.match(requirement)
    assert match, requirement
    name, _, version = match.groups()
    return name.lower().replace("_", "-"), version


def pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + [r for extra in project["optional-dependencies"].values()
                                      for r in extra]
    return dict(parse(r) for r in reqs)


def environment_entries() -> tuple[dict[str, str], dict[str, str], list[str]]:
    """(conda packages, pip packages, pip lines) from environment.yml, read without PyYAML."""
    conda: dict[str, str] = {}
    pip: dict[str, str] = {}
    pip_lines: list[str] = []
    section = None
    for raw in (ROOT / "environment.yml").read_text().splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if re.match(r"^\w", line):
            section = line.split(":")[0]
            continue
        item = line.strip()
        if not item.startswith("- "):
            continue
        item = item[2:].strip()
        if section != "dependencies":
            continue
        if item == "pip:":
            continue
        indent = len(raw) - len(raw.lstrip())
        if indent > 4:
            pip_lines.append(item)
            if not item.startswith("-e"):
                name, version = parse(item)
                pip[name] = version
        else:
            name, version = parse(item)
            conda[name] = version
    return conda, pip, pip_lines


def test_environment_pins_python_311() -> None:
    conda, _, _ = environment_entries()
    assert conda.get("python") == "3.11"
    req = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert "3.11" in req


def test_environment_installs_the_package_with_dev_extras() -> None:
    _, _, pip_lines = environment_entries()
    assert "-e .[dev]" in pip_lines


def test_every_pyproject_pin_is_mirrored() -> None:
    conda, pip, _ = environment_entries()
    mirrored = {**conda, **pip}
    for name, version in pyproject_pins().items():
        assert name in mirrored, f"{name} is pinned in pyproject.toml but not in environment.yml"
        assert mirrored[name] == version, (
            f"{name}: pyproject.toml pins {version}, environment.yml {mirrored[name]}")


def test_environment_names_nothing_extra() -> None:
    conda, pip, _ = environment_entries()
    pins = pyproject_pins()
    extra = set(pip) - set(pins) | set(conda) - set(pins) - {"python", "pip"}
    assert not extra, f"environment.yml names packages pyproject.toml does not: {extra}"


def test_pins_are_exact() -> None:
    for name, version in pyproject_pins().items():
        assert re.fullmatch(r"\d+(\.\d+)+", version), f"{name} is not pinned exactly"


def test_installed_versions_match_pins() -> None:
    from importlib.metadata import version

    for name, pinned in pyproject_pins().items():
        assert version(name) == pinned, f"{name} {version(name)} installed, {pinned} pinned"


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
