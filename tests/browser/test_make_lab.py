"""`make lab` as the Makefile runs it: JupyterLab opens on no notebook of the last session.

JupyterLab restores its workspace (the open notebooks and the layout) on every start, and each
restored notebook starts a kernel that imports TensorFlow (~0.75 GB), against the teacher's guide's
"do not open the notebooks yet". ``make lab`` keeps the workspace in ``LAB_WORKSPACES`` and removes
the saved one before it starts (issue 21, item 6). Here a workspace "left by the last session",
with notebook 08 open, is saved where ``make lab`` keeps its workspaces; plain ``jupyter lab``
would restore it (the control), ``make lab`` must not.
"""

from __future__ import annotations

import contextlib
import html
import json
import re
import shlex
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.browser.conftest import NOTEBOOK, ROOT, free_port, new_page, serve

serving = contextlib.contextmanager(serve)

pytestmark = pytest.mark.browser

BIN = Path(sys.executable).parent
OPEN = f"notebook:{NOTEBOOK.name}"
#: What JupyterLab saves for a session that had notebook 08 open (its workspace file's data).
LAST_SESSION = {
    "data": {
        "layout-restorer:data": {
            "main": {"dock": {"type": "tab-area", "currentIndex": 0, "widgets": [OPEN]},
                     "current": OPEN},
            "left": {"collapsed": False, "visible": True, "current": "filebrowser",
                     "widgets": ["filebrowser", "running-sessions"]},
            "right": {"collapsed": True, "visible": True, "widgets": []},
            "relativeSizes": [0.2, 0.8, 0],
        },
        OPEN: {"data": {"path": NOTEBOOK.name, "factory": "Notebook"}},
    },
    "metadata": {"id": "default"},
}
#: Options for a test server (no update checks, no news, no extension manager) that do not
#: change what is restored. The app is exposed to read its state.
QUIET = ["--no-browser", "--LabApp.news_url=None", "--LabApp.expose_app_in_browser=True",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--LabApp.extension_manager=readonly"]


def save_last_session(workspaces: Path) -> Path:
    """Save :data:`LAST_SESSION` as JupyterLab's default workspace in ``workspaces``."""
    from jupyterlab_server.workspaces_handler import WorkspacesManager

    return WorkspacesManager(workspaces).save("default", json.dumps(LAST_SESSION))


def lab_dry_run(**variables: str) -> list[str]:
    """The lines ``make -n lab`` would run (only the lab recipe's own)."""
    dry = subprocess.run(["make", "-n", "--no-print-directory", "lab",
                          *(f"{k}={v}" for k, v in variables.items())],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    lines = dry.replace("\\\n", " ").splitlines()
    start = next(i for i, line in enumerate(lines) if "jupyterlab-workspace" in line)
    return lines[start:]


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def test_make_lab_clears_the_workspace_it_restores_from(tmp_path) -> None:
    workspaces = tmp_path / "workspaces"
    clear, start = lab_dry_run(LAB_WORKSPACES=str(workspaces))[:2]
    assert f"rm -f {workspaces}/*.jupyterlab-workspace" in clear
    words = shlex.split(start.split("&&", 1)[1])
    assert words[0].endswith("/jupyter") and words[1] == "lab"
    assert f"--LabApp.workspaces_dir={workspaces}" in words
    assert "--no-browser" not in words  # make lab opens the browser, with the token in its URL
    assert not any(w.startswith(("--IdentityProvider.token", "--ServerApp.token")) for w in words)


@pytest.fixture
def last_session(tmp_path) -> Path:
    """A workspaces folder whose saved workspace has notebook 08 open (the notebooks folder is
    the course's own, as `make lab` serves it: with the fix nothing opens it, and a server that
    did open it would only read it)."""
    workspaces = tmp_path / "workspaces"
    assert save_last_session(workspaces).is_file()
    return workspaces


def test_plain_jupyter_lab_would_reopen_the_last_session(tmp_path, last_session) -> None:
    """The control: JupyterLab on the same workspaces folder, without make, serves the saved
    workspace with notebook 08 open (what its page then restores)."""
    workspaces = last_session
    port = free_port()
    command = [str(BIN / "jupyter"), "lab", "--ip=127.0.0.1", f"--port={port}",
               "--IdentityProvider.token=", f"--ServerApp.root_dir={NOTEBOOK.parent}",
               f"--LabApp.workspaces_dir={workspaces}", "--allow-root", *QUIET]
    base = f"http://127.0.0.1:{port}/"
    (tmp_path / "control").mkdir()
    with serving(command, base + "api/status", tmp_path / "control", ROOT):
        saved = get_json(base + "lab/api/workspaces/default")
        assert OPEN in saved["data"]["layout-restorer:data"]["main"]["dock"]["widgets"]


def test_make_lab_opens_no_notebook_of_the_last_session(tmp_path, browser,
                                                        last_session) -> None:
    workspaces = last_session
    port = free_port()
    flags = " ".join(QUIET)
    command = ["make", "--no-print-directory", "lab", f"PORT={port}",
               f"LAB_WORKSPACES={workspaces}", f"LAB_FLAGS={flags}"]
    run = tmp_path / "lab"
    run.mkdir()
    base = f"http://127.0.0.1:{port}/"
    with serving(command, base + "api/status", run, ROOT):
        # what `make lab` opens in the browser: its browser-open file, which carries the token
        opened = next((run / "runtime").glob("jpserver-*-open.html")).read_text()
        target = html.unescape(re.search(r'url=([^"]+)"', opened).group(1))
        assert target.startswith(base + "lab?token="), target
        token = target.split("token=", 1)[1]
        saved = get_json(f"{base}lab/api/workspaces/default?token={token}")
        assert OPEN not in json.dumps(saved), "make lab kept the last session's workspace"
        page = new_page(browser)
        try:
            page.goto(target, wait_until="domcontentloaded", timeout=60_000)
            page.wait_for_function("() => Boolean(window.jupyterapp)", timeout=90_000)
            page.evaluate("async () => { await window.jupyterapp.restored; }")
            page.locator(".jp-DirListing-item", has_text=NOTEBOOK.name).wait_for(timeout=30_000)
            page.wait_for_timeout(2_000)  # a restored notebook would be opening by now
            assert page.locator(".jp-NotebookPanel").count() == 0
            assert page.locator("#jp-main-dock-panel .lm-TabBar-tab",
                                has_text=NOTEBOOK.name).count() == 0
        finally:
            page.context.close()
        assert get_json(f"{base}api/sessions?token={token}") == []
        assert get_json(f"{base}api/kernels?token={token}") == []
