"""Fixtures for the browser tests: Voilà / JupyterLab on a free 127.0.0.1 port, Debian's
chromium driven by Playwright (headless, nothing but 127.0.0.1 reachable), and a screenshot in
``tests/artifacts/`` when a test fails.

Servers run in their own process group (``start_new_session=True``) with ``COURSE_PROFILE=quick``
and temporary runtime / workspace folders, and the whole group is killed afterwards.
"""

from __future__ import annotations

import itertools
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "08_translation_playground.ipynb"
ARTIFACTS = ROOT / "tests" / "artifacts"
BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage"]
LOOPBACK = {"127.0.0.1", "localhost"}
SERVER_START_SECONDS = 90
#: A kernel start, the TensorFlow import, loading the model and running notebook 08.
APP_READY_MS = 180_000


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status < 500
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def _stop(process: subprocess.Popen) -> None:
    """Kill the server's whole process group (the server and its kernels)."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)  # kernels left behind by a slow shutdown
    except ProcessLookupError:
        pass
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def _server_env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"COURSE_PROFILE": "quick", "TF_CPP_MIN_LOG_LEVEL": "2",
                "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"), "PYTHONUNBUFFERED": "1"})
    (tmp / "runtime").mkdir(parents=True, exist_ok=True)
    return env


def serve(command: list[str], url: str, tmp: Path, cwd: Path,
          probe: str | None = None) -> Iterator[str]:
    """Start ``command``, wait (bounded) until ``probe`` (default: ``url``) answers, yield
    ``url``, then stop the server."""
    log_path = tmp / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=cwd, env=_server_env(tmp), stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    SERVER_PIDS[url] = process.pid
    SERVER_LOGS[url] = log_path
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while not _answers(probe or url):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{command[0]} did not answer at {url} "
                                   f"(exit code {process.poll()}):\n{tail}")
            time.sleep(0.5)
        yield url
    finally:
        _stop(process)


#: The server process behind each URL a fixture serves, and the file its output goes to.
SERVER_PIDS: dict[str, int] = {}
SERVER_LOGS: dict[str, Path] = {}


def make_app_command(port: int, **make_variables: object) -> list[str]:
    """The Voilà command line of ``make app`` (read from ``make -n``, so the test serves the
    app exactly as the Makefile does), on ``port``: ``env NAME=value … voila …`` when the
    Makefile sets environment variables for it (``JUPYTER_PATH``, where its page template is).
    ``make_variables`` are passed to ``make`` (e.g. ``APP_UNCLAIMED=8``)."""
    variables = [f"{name}={value}" for name, value in make_variables.items()]
    dry = subprocess.run(["make", "-n", "--no-print-directory", "app", f"APP_PORT={port}",
                          *variables],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for line in dry.replace("\\\n", " ").splitlines():
        words = shlex.split(line)
        assignments = list(itertools.takewhile(lambda w: re.fullmatch(r"\w+=.*", w), words))
        rest = words[len(assignments):]
        if rest and rest[0].endswith("/voila"):
            voila = [str(BIN / "voila"), *rest[1:]]
            return ["env", *assignments, *voila] if assignments else voila
    raise RuntimeError(f"no voila command in `make -n app`:\n{dry}")


def app_flag(flag: str, **make_variables: object) -> float:
    """The number ``make app`` passes Voilà as ``--flag=`` (with ``make_variables``)."""
    prefix = f"--{flag}="
    words = make_app_command(0, **make_variables)
    return float(next(w for w in words if w.startswith(prefix))[len(prefix):])


def app_cull_idle_seconds() -> float:
    """How long ``make app`` lets a kernel without a page idle before stopping it."""
    return app_flag("MappingKernelManager.cull_idle_timeout")


def kernels_of(url: str) -> list[int]:
    """The process ids of the kernels that the server behind ``url`` started and that still
    run (its child processes running ``ipykernel``)."""
    server = SERVER_PIDS[url]
    kernels = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == server and b"ipykernel" in cmdline:
            kernels.append(int(proc.name))
    return kernels


@pytest.fixture(scope="session")
def voila_url(tmp_path_factory) -> Iterator[str]:
    """The classroom app as ``make app`` serves it, on a free port."""
    tmp = tmp_path_factory.mktemp("voila")
    port = free_port()
    # Every GET of the app's page starts a kernel: wait for the server on a page that does not.
    yield from serve(make_app_command(port), f"http://127.0.0.1:{port}/", tmp, ROOT,
                     probe=f"http://127.0.0.1:{port}/voila/static/no-such-file")


#: The unclaimed-kernel fixture's settings: short, so that its test takes seconds, not minutes.
QUICK_UNCLAIMED = {"APP_UNCLAIMED": 20, "APP_CULL_INTERVAL": 2}


@pytest.fixture(scope="module")
def quick_unclaimed_voila_url(tmp_path_factory) -> Iterator[str]:
    """The app as ``make app`` serves it, but stopping unclaimed kernels after
    ``QUICK_UNCLAIMED`` seconds (its own server: no page of the other tests is at risk)."""
    tmp = tmp_path_factory.mktemp("voila-unclaimed")
    port = free_port()
    yield from serve(make_app_command(port, **QUICK_UNCLAIMED), f"http://127.0.0.1:{port}/",
                     tmp, ROOT, probe=f"http://127.0.0.1:{port}/voila/static/no-such-file")


@pytest.fixture(scope="session")
def lab_url(tmp_path_factory) -> Iterator[str]:
    """JupyterLab on a temporary copy of notebook 08 (so nothing it saves reaches the repo)."""
    tmp = tmp_path_factory.mktemp("lab")
    root = tmp / "notebooks"
    root.mkdir()
    shutil.copy(NOTEBOOK, root / NOTEBOOK.name)
    port = free_port()
    command = [str(BIN / "jupyter"), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
               "--IdentityProvider.token=", "--ServerApp.password=",
               f"--ServerApp.root_dir={root}", f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
               f"--LabApp.user_settings_dir={tmp / 'settings'}",
               "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=None",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               "--LabApp.extension_manager=readonly", "--ServerApp.allow_root=True"]
    yield from serve(command, f"http://127.0.0.1:{port}/api/status", tmp, root)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _only_loopback(route) -> None:
    if urlparse(route.request.url).hostname in LOOPBACK:
        route.continue_()
    else:
        route.abort()


def new_page(browser, **context_args):
    """A page in a fresh context that can reach nothing but 127.0.0.1."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **context_args)
    context.route("**/*", _only_loopback)
    page = context.new_page()
    page.set_default_timeout(30_000)
    return page


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    for name in ("app_page", "lab_page", "page"):
        page = item.funcargs.get(name) if hasattr(item, "funcargs") else None
        if page is None:
            continue
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / (re.sub(r"[^\w.-]+", "_", item.nodeid) + ".png")
        try:
            page.screenshot(path=str(path), full_page=True)
            report.sections.append(("screenshot", str(path)))
        except Exception as exc:  # noqa: BLE001  (a screenshot must not hide the real failure)
            report.sections.append(("screenshot", f"failed: {exc}"))
        break


@pytest.fixture(scope="session")
def pretrained():
    """The course's default model (``helpers.models.PRETRAINED_MODEL``, what the app starts
    on, whatever its family and tokens), loaded in this process to know what the app must
    show."""
    from helpers.models import load_translation_model

    return load_translation_model()


@pytest.fixture(scope="session")
def everyday_sentence(pretrained) -> str:
    """An everyday English sentence (:data:`helpers.evaluation.EVERYDAY_SENTENCES`) that the
    pretrained model translates as the corpus does, when there is one; else the first it
    translates to something. (Any saved model's manifest will do: this reads no training
    settings, which differ between models.)"""
    from helpers import data, evaluation, translation

    vocab = pretrained.input_vocab
    candidates = [s for s in evaluation.EVERYDAY_SENTENCES
                  if len(s) <= pretrained.max_encoder_seq_length
                  and not vocab.unknown_characters(s)]
    assert candidates, "no usable everyday sentence"
    references = evaluation.references_by_source(data.load_fra_eng())
    outputs = [out.text for out in translation.translate(pretrained, candidates)]
    for english, out in zip(candidates, outputs, strict=True):
        if out in references.get(english, ()):
            return english
    return next((e for e, out in zip(candidates, outputs, strict=True) if out.strip()),
                candidates[0])
