# The course's two commands:  make lab  (set up, then open JupyterLab)  and  make test.
# Every target is idempotent: run it again and it only does what is missing.

SHELL := /bin/bash
# The course runs on Python 3.11, 3.12 and 3.13. PYTHON if given, else the newest of these found.
SUPPORTED_PYTHONS := 3.13 3.12 3.11
# (a command that is on PATH but does not run, e.g. a pyenv shim of a version not selected, is
# passed over).
PYTHON ?= $(firstword $(foreach v,$(SUPPORTED_PYTHONS),$(shell python$(v) -c '' >/dev/null 2>&1 \
	&& command -v python$(v))))
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# The exact versions that make installs (and the CI tests, and the committed outputs were made
# with), for every supported Python; `make lock` regenerates it from pyproject.toml's ranges.
LOCK := requirements/lock.txt
KERNEL_NAME := seq2seq-course
KERNEL := $(VENV)/share/jupyter/kernels/$(KERNEL_NAME)/kernel.json
CORPUS := data/fra-eng.zip
SHARED_CORPUS := ../shared/data/fra-eng.zip
HOST ?= 127.0.0.1
PORT ?= 8888
APP_PORT ?= 8866
# The app's memory: each page load starts a kernel (~0.8 GB). A closed or reloaded page asks the
# server to stop its kernel; Voila 0.5 sends that request without the XSRF token, which the server
# refuses (voila-dashboards/voila#1458), so the app turns the check off (it listens on 127.0.0.1
# only). In case a request is lost (a crashed browser), a kernel with no page connected that has
# been idle APP_CULL_IDLE seconds is stopped too (checked every APP_CULL_INTERVAL seconds; a kernel
# is idle while it starts, so this must be longer than a kernel start). An open page's kernel is
# never stopped. A kernel no page ever connected to (a health check, a page closed before its
# scripts ran) is stopped after APP_UNCLAIMED seconds idle; a closed page's kernel is shut down
# without the interrupt that made it print "KeyboardInterrupt caught in kernel" (helpers.app_server).
# A health check that starts no kernel: GET /voila/templates/s2s-playground/static/health.txt.
APP_CULL_IDLE ?= 300
APP_CULL_INTERVAL ?= 10
APP_UNCLAIMED ?= 30
# Jupyter refuses to run as root (containers, CI machines) unless told to.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: setup lab app test lint notebooks data kernel clean help pretrained pretrained-attention \
	pretrained-seed pretrained-original pretrained-original-100 pretrained-transformer cards test-fast test-units test-py313 test-colab venv lock

help:
	@echo "make lab        set everything up and open the course in JupyterLab"
	@echo "make test       set everything up and run the whole test suite"
	@echo "make test-fast  the edit-test loop: tests not marked slow, on every core (< 2 min)"
	@echo "make test-units every test of tests/ but the browser's, slow ones too, on every core"
	@echo "make test-py313 make test-units under Debian 13's Python 3.13 (root; debootstrap, chroot)"
	@echo "make test-colab the Colab install cell in a fresh environment with other supported versions"
	@echo "make lock       regenerate requirements/lock.txt from pyproject.toml (UPGRADE=1: newest)"
	@echo "make app        serve the translation playground (Voila) on $(HOST):$(APP_PORT)"
	@echo "make notebooks  re-execute every notebook in the full profile (commits' outputs)"
	@echo "make lint       ruff on helpers, tests and notebooks"

# The virtual environment records the Python that made it in $(VENV)/.python-version.
$(PY):
	@if [ -z "$(PYTHON)" ]; then \
		echo "The course needs Python 3.11, 3.12 or 3.13: none of python3.13, python3.12, python3.11 is on PATH." >&2; \
		echo "Install one, or set PYTHON=/path/to/python3.X (make PYTHON=... lab)." >&2; exit 1; fi
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; sys.exit(None if (3, 11) <= v <= (3, 13) else \
		"The course needs Python 3.11, 3.12 or 3.13, and $(PYTHON) is " + sys.version.split()[0] + \
		": set PYTHON=/path/to/python3.13 (or 3.12, 3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -c 'import platform; print(platform.python_version())' > $(VENV)/.python-version
	@echo "$(VENV) made with Python $$(cat $(VENV)/.python-version) ($(PYTHON))"

# The locked versions, then the course itself on top (its dependencies are all in the lock).
$(STAMP): pyproject.toml $(LOCK) | $(PY)
	$(PY) -m pip install --upgrade --quiet pip
	$(PY) -m pip install --quiet -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

venv: $(STAMP)

# requirements/lock.txt from pyproject.toml's ranges, with uv (in the dev extra): one file for
# Python 3.11-3.13 on Linux, macOS and Windows (markers where they differ). Versions already in
# the lock are kept while they still fit; `make lock UPGRADE=1` moves to the newest that fit.
lock: $(STAMP)
	$(VENV)/bin/uv pip compile pyproject.toml --extra lab --extra dev --universal \
		--python-version 3.11 --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade) \
		--quiet -o $(LOCK)

# The kernel runs TensorFlow's start-up as it starts (helpers.profiles.quiet_start), so its
# one-time log lines (oneDNN, CUDA, cuInit: no environment variable silences them) go to the
# terminal, not into notebook outputs.
$(KERNEL): $(STAMP) Makefile
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL_NAME) --display-name "Python 3 (seq2seq course)"
	$(PY) -c 'import json, sys; p = sys.argv[1]; k = json.load(open(p)); \
		k["argv"] = [a for a in k["argv"] if not a.startswith("--IPKernelApp.exec_lines")] + \
		["--IPKernelApp.exec_lines=from helpers.profiles import quiet_start; quiet_start(); del quiet_start"]; \
		json.dump(k, open(p, "w"), indent=1)' $@

# Executed notebooks are saved without the state of their widgets (nbconvert's
# ExecutePreprocessor.store_widget_state, off in this environment's config, so that `make notebooks`
# and any `jupyter nbconvert --execute` run with $(VENV)/bin/jupyter leave it out). Where widgets do
# not run (an HTML export, nbviewer, GitHub), a widget output then shows its static copy (the
# text/html beside the widget view), where saved state would make it an empty widget view
# (tests/test_static_export.py).
NBCONVERT_CONFIG := $(VENV)/etc/jupyter/jupyter_nbconvert_config.json
$(NBCONVERT_CONFIG): Makefile | $(STAMP)
	@mkdir -p $(dir $@)
	echo '{"ExecutePreprocessor": {"store_widget_state": false}}' > $@

# The corpus: the shared copy when it is beside the checkout, else a verified download.
$(CORPUS): | $(STAMP)
	@mkdir -p data
	@if [ -f $(SHARED_CORPUS) ]; then \
		cp $(SHARED_CORPUS) $@ && chmod u+w $@ && echo "copied $(SHARED_CORPUS) to $@"; \
	else \
		$(PY) -c 'import helpers.data as d; d.fra_eng_path(); print(len(d.load_fra_eng()), "pairs")'; \
	fi

data: $(CORPUS)
kernel: $(KERNEL)
setup: $(STAMP) $(KERNEL) $(NBCONVERT_CONFIG) $(CORPUS)

# JupyterLab keeps its workspace (the open notebooks and the layout) in LAB_WORKSPACES, and `make lab`
# removes the saved ones before it starts: it opens on the file browser and never reopens the
# notebooks of the last session, each of which would start a kernel that imports TensorFlow
# (~0.75 GB). Reloading the page keeps the layout of the running session. LAB_FLAGS: more options
# (e.g. --no-browser).
LAB_WORKSPACES ?= build/lab-workspaces
LAB_FLAGS ?=
lab: setup
	@mkdir -p $(LAB_WORKSPACES) && rm -f $(LAB_WORKSPACES)/*.jupyterlab-workspace
	cd notebooks && $(abspath $(VENV))/bin/jupyter lab --ip=$(HOST) --port=$(PORT) --ServerApp.root_dir=. \
		--LabApp.workspaces_dir=$(abspath $(LAB_WORKSPACES)) $(ROOT_FLAG) $(LAB_FLAGS)

# The classroom app: notebook 08 alone, code hidden, served by Voila with the course's page template
# (share/jupyter/voila/templates/s2s-playground, found through JUPYTER_PATH): only the cells that
# show a widget or an error reach the page, laid out for a projector from the first paint.
APP_JUPYTER_PATH := $(CURDIR)/share/jupyter$(if $(JUPYTER_PATH),:$(JUPYTER_PATH))
app: $(STAMP) $(KERNEL)  # the app reads no corpus: it needs the packages and the kernel only
	JUPYTER_PATH="$(APP_JUPYTER_PATH)" $(VENV)/bin/voila notebooks/08_translation_playground.ipynb \
		--template=s2s-playground --Voila.ip=$(HOST) --port=$(APP_PORT) \
		--no-browser --strip_sources=True --theme=light --Voila.tornado_settings=disable_check_xsrf=True \
		--MappingKernelManager.cull_idle_timeout=$(APP_CULL_IDLE) \
		--MappingKernelManager.cull_interval=$(APP_CULL_INTERVAL) \
		--MappingKernelManager.cull_connected=False \
		--VoilaConfiguration.multi_kernel_manager_class=helpers.app_server.AppKernelManager \
		--AppKernelManager.unclaimed_timeout=$(APP_UNCLAIMED)

# Everything: unit tests and every notebook executed in the quick profile (nbval), on every core
# (pytest-xdist; a notebook's cells stay together on one worker), then the browser tests, one at
# a time (they time page loads and kernels).
test: setup
	$(PY) -m pytest -n auto --dist loadfile --durations=20 -m "not browser and not colab"
	$(PY) -m pytest --durations=10 -m browser tests/browser

# The edit–test loop, on every core (pytest-xdist; a test file's tests stay on one worker, so its
# models are trained once): the tests not marked slow (no wheel build,
# no training beyond the tiny shared models, no notebook, kernel or browser; see the "slow"
# marker in pyproject.toml). Under 2 minutes on 2 cores.
test-fast: setup
	$(PY) -m pytest -o addopts="-p no:cacheprovider -ra" -n auto --dist loadfile --durations=10 \
		tests --ignore=tests/browser -m "not slow and not colab"

# Every test of tests/ that needs no browser, slow ones included, on every core: what the Python
# 3.13 run checks (no notebook runs: those are make test's).
test-units: setup
	$(PY) -m pytest -o addopts="-p no:cacheprovider -ra" -n auto --dist loadfile --durations=10 \
		tests --ignore=tests/browser -m "not browser and not colab"

# The Colab install cell, tried in a fresh environment that already has other supported versions
# (tests/test_colab_install.py; downloads them, a few minutes). Not part of make test.
test-colab: setup
	$(PY) -m pytest -o addopts="-p no:cacheprovider -ra" --durations=5 -m colab \
		tests/test_colab_install.py

# The unit tests (make test-units) under Python 3.13, in a Debian 13 root made with debootstrap
# (root only; the root is cached in /var/cache/seq2seq-py313, see the script). .ci/run runs it
# after make test.
test-py313:
	bash tools/test_debian13.sh test-units

lint: $(STAMP)
	$(VENV)/bin/ruff check .

notebooks: setup
	for nb in notebooks/[0-9][0-9]_*.ipynb notebooks/solutions/*.ipynb; do \
		echo "== $$nb"; \
		COURSE_PROFILE=full $(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace \
			--ExecutePreprocessor.timeout=7200 --ExecutePreprocessor.kernel_name=$(KERNEL_NAME) \
			--ExecutePreprocessor.store_widget_state=False "$$nb" || exit 1; \
	done

# The pretrained models, each trained, scored on held-out sentences and given its card
# (models/<name>.md) in one unattended run: `nohup make pretrained > train.log 2>&1 &`.
# The attention model (the default) trains in cycles of cosine decay with warm restarts
# (helpers/recipes.py, ATTENTION_SETTINGS: 35 epochs, about 3.5 to 5 minutes each on 2 cores
# idle, the last 8 on pairs as people type them; the model before those is also saved as
# models/fra_eng_attention_unaugmented.keras); it is saved after every cycle in build/attention-stage/,
# and `python -m helpers.pretrained train attention --resume build/attention-stage/FILE` goes on
# from one. The seed and original models train until early stopping fires; original-100 is the
# original configuration trained as the text trains it (100 epochs, no early stopping).
# `make cards` only re-scores and rewrites the cards.
pretrained: pretrained-attention pretrained-seed pretrained-original pretrained-original-100 \
	pretrained-transformer

# The Transformer (helpers/transformer_recipe.py: 14 epochs of 10–15 minutes each on 2 cores, the
# shorter with nothing else running). Every finished epoch is kept in build/transformer-stage/;
# the same command started again goes on after the last one, so the run can span sessions.
pretrained-transformer: setup
	$(PY) -m helpers.pretrained train transformer --stage-dir build/transformer-stage
	$(PY) -m helpers.pretrained score transformer

pretrained-attention: setup
	$(PY) -m helpers.pretrained train attention --stage-dir build/attention-stage \
		--unaugmented-out models/fra_eng_attention_unaugmented.keras
	$(PY) -m helpers.pretrained score attention
	$(PY) -m helpers.pretrained score attention-unaugmented

pretrained-seed: setup
	$(PY) -m helpers.pretrained train seed
	$(PY) -m helpers.pretrained score seed

pretrained-original: setup
	$(PY) -m helpers.pretrained train original
	$(PY) -m helpers.pretrained score original

pretrained-original-100: setup
	$(PY) -m helpers.pretrained train original-100
	$(PY) -m helpers.pretrained score original-100

cards: setup
	$(PY) -m helpers.pretrained score attention
	$(PY) -m helpers.pretrained score attention-unaugmented
	$(PY) -m helpers.pretrained score seed
	$(PY) -m helpers.pretrained score original
	$(PY) -m helpers.pretrained score original-100
	$(PY) -m helpers.pretrained score transformer

clean:
	rm -rf $(VENV) build *.egg-info
