# The course's two commands:  make lab  (set up, then open JupyterLab)  and  make test.
# Every target is idempotent: run it again and it only does what is missing.

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
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
# never stopped.
APP_CULL_IDLE ?= 300
APP_CULL_INTERVAL ?= 60
# Jupyter refuses to run as root (containers, CI machines) unless told to.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: setup lab app test lint notebooks data kernel clean help pretrained pretrained-attention \
	pretrained-seed pretrained-original pretrained-original-100 cards test-fast

help:
	@echo "make lab        set everything up and open the course in JupyterLab"
	@echo "make test       set everything up and run the whole test suite"
	@echo "make test-fast  unit and agreement tests only (no notebooks, no browser)"
	@echo "make app        serve the translation playground (Voila) on $(HOST):$(APP_PORT)"
	@echo "make notebooks  re-execute every notebook in the full profile (commits' outputs)"
	@echo "make lint       ruff on helpers, tests and notebooks"

$(PY):
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "The course needs Python 3.11 (found " + sys.version.split()[0] + "); set PYTHON=/path/to/python3.11"'
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --upgrade --quiet pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# The kernel runs TensorFlow's start-up as it starts (helpers.profiles.quiet_start), so its
# one-time log lines (oneDNN, CUDA, cuInit: no environment variable silences them) go to the
# terminal, not into notebook outputs.
$(KERNEL): $(STAMP) Makefile
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL_NAME) --display-name "Python 3 (seq2seq course)"
	$(PY) -c 'import json, sys; p = sys.argv[1]; k = json.load(open(p)); \
		k["argv"] = [a for a in k["argv"] if not a.startswith("--IPKernelApp.exec_lines")] + \
		["--IPKernelApp.exec_lines=from helpers.profiles import quiet_start; quiet_start(); del quiet_start"]; \
		json.dump(k, open(p, "w"), indent=1)' $@

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
setup: $(STAMP) $(KERNEL) $(CORPUS)

lab: setup
	cd notebooks && ../$(VENV)/bin/jupyter lab --ip=$(HOST) --port=$(PORT) --ServerApp.root_dir=. $(ROOT_FLAG)

# The classroom app: notebook 07 alone, code hidden, served by Voila with the course's page template
# (share/jupyter/voila/templates/s2s-playground, found through JUPYTER_PATH): only the cells that
# show a widget or an error reach the page, laid out for a projector from the first paint.
APP_JUPYTER_PATH := $(CURDIR)/share/jupyter$(if $(JUPYTER_PATH),:$(JUPYTER_PATH))
app: $(STAMP) $(KERNEL)  # the app reads no corpus: it needs the packages and the kernel only
	JUPYTER_PATH="$(APP_JUPYTER_PATH)" $(VENV)/bin/voila notebooks/07_translation_playground.ipynb \
		--template=s2s-playground --Voila.ip=$(HOST) --port=$(APP_PORT) \
		--no-browser --strip_sources=True --theme=light --Voila.tornado_settings=disable_check_xsrf=True \
		--MappingKernelManager.cull_idle_timeout=$(APP_CULL_IDLE) \
		--MappingKernelManager.cull_interval=$(APP_CULL_INTERVAL) \
		--MappingKernelManager.cull_connected=False

# Everything: unit tests, every notebook executed in the quick profile (nbval), browser tests.
test: setup
	$(PY) -m pytest --durations=20

# The edit–test loop: unit and agreement tests only (no notebook execution, no browser).
test-fast: setup
	$(PY) -m pytest -o addopts="-p no:cacheprovider -ra" --durations=10 tests \
		--ignore=tests/browser -m "not browser"

lint: $(STAMP)
	$(VENV)/bin/ruff check .

notebooks: setup
	for nb in notebooks/[0-9][0-9]_*.ipynb notebooks/solutions/*.ipynb; do \
		echo "== $$nb"; \
		COURSE_PROFILE=full $(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace \
			--ExecutePreprocessor.timeout=7200 --ExecutePreprocessor.kernel_name=$(KERNEL_NAME) "$$nb" || exit 1; \
	done

# The pretrained models, each trained, scored on held-out sentences and given its card
# (models/<name>.md) in one unattended run: `nohup make pretrained > train.log 2>&1 &`.
# The attention model (the default) trains in cycles of cosine decay with warm restarts
# (helpers/pretrained.py, ATTENTION_SETTINGS: 27 epochs, about 3.5 to 5 minutes each on 2 cores,
# so close to two hours from scratch); it is saved after every cycle in build/attention-stage/,
# and `python -m helpers.pretrained train attention --resume build/attention-stage/FILE` goes on
# from one. The seed and original models train until early stopping fires; original-100 is the
# original configuration trained as the text trains it (100 epochs, no early stopping).
# `make cards` only re-scores and rewrites the cards.
pretrained: pretrained-attention pretrained-seed pretrained-original pretrained-original-100

pretrained-attention: setup
	$(PY) -m helpers.pretrained train attention --stage-dir build/attention-stage
	$(PY) -m helpers.pretrained score attention

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
	$(PY) -m helpers.pretrained score seed
	$(PY) -m helpers.pretrained score original
	$(PY) -m helpers.pretrained score original-100

clean:
	rm -rf $(VENV) build *.egg-info
