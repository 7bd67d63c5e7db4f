# Gradient Descent, from scratch to PyTorch: every task of the course is a target here.
# Only python3 (3.11) and make are needed; the first target you run builds .venv.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
# The stamp is keyed on the dependency files: edit either and the next target reinstalls.
DEPS_HASH := $(shell cat pyproject.toml constraints.txt | sha1sum | cut -c1-12)
STAMP  := $(VENV)/.installed-$(DEPS_HASH)

NOTEBOOKS  := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
LINT_PATHS := gdhelpers tests tools notebooks conftest.py bench
NBVAL_OPTS := --nbval --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg \
              --nbval-cell-timeout 600
NB   ?=
ARGS ?=
# make test runs on every core (kernels are single-threaded); each file, so each notebook's
# cells, stays on one worker
XDIST ?= -n auto --dist loadfile
# JupyterLab refuses to start as root unless told; containers often run as root.
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

.PHONY: help venv lab test unit nbval test-threads lint format record lock bench clean student html test-browser

help: ## List the targets with one line each
	@echo "Gradient Descent, from scratch to PyTorch -- make targets:"
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*## "}; {printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || { echo "==> creating $(VENV) with $$($(PYTHON) --version)"; $(PYTHON) -m venv $(VENV); }
	@echo "==> installing the course and its pinned dependencies into $(VENV)"
	@$(PY) -m pip install --disable-pip-version-check -c constraints.txt -e '.[dev]' \
	  > $(VENV)/pip-install.log 2>&1 || { tail -n 40 $(VENV)/pip-install.log; echo "pip install failed; full log: $(VENV)/pip-install.log"; exit 1; }
	@$(PY) -m pip check >/dev/null || { $(PY) -m pip check; exit 1; }
	@rm -f $(VENV)/.installed-*; touch $@

venv: $(STAMP) ## Create .venv and install the pinned environment (done by every target)

lab: $(STAMP) ## Open JupyterLab on the course (pass options with ARGS="--no-browser --port 8899")
	@$(BIN)/jupyter lab --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/notebooks \
	  $(ROOT_FLAG) $(ARGS)

test: $(STAMP) ## Lint, unit tests, doctests and nbval on every notebook, in one pytest run
	@$(MAKE) lint
	@$(PY) -m pytest tests gdhelpers notebooks --doctest-modules $(NBVAL_OPTS) $(XDIST) \
	  --course-suite --cov=gdhelpers --cov-report=term:skip-covered --cov-fail-under=95 $(ARGS)

unit: $(STAMP) ## Unit tests and doctests only, without the slow ones that start kernels
	@$(PY) -m pytest tests gdhelpers --doctest-modules -m "not slow" $(ARGS)

nbval: $(STAMP) ## Re-run the notebooks against their recorded outputs (NB=one notebook)
	@$(PY) -m pytest $(or $(NB),notebooks) $(NBVAL_OPTS) $(XDIST) $(ARGS)

test-threads: $(STAMP) ## nbval with OMP_NUM_THREADS=1, 2 and 4: outputs must not depend on threads
	@for t in 1 2 4; do echo "==> OMP_NUM_THREADS=$$t"; \
	  OMP_NUM_THREADS=$$t MKL_NUM_THREADS=$$t $(PY) -m pytest -q notebooks $(NBVAL_OPTS) $(XDIST) $(ARGS); done

lint: $(STAMP) ## ruff check and format check of the package, tests, tools and notebook code cells
	@$(BIN)/ruff check $(LINT_PATHS)
	@$(BIN)/ruff format --check $(LINT_PATHS)

format: $(STAMP) ## Fix what ruff can fix and format everything (then 'make record' edited notebooks)
	@$(BIN)/ruff check --fix $(LINT_PATHS)
	@$(BIN)/ruff format $(LINT_PATHS)

record: $(STAMP) ## Re-execute notebooks in a fresh kernel and save outputs (NB=notebooks/01_x.ipynb for one)
	@$(PY) tools/record.py $(or $(NB),$(NOTEBOOKS))

student: $(STAMP) ## Build the student edition (solutions blanked, checks cleared) in build/student/
	@$(PY) tools/student.py --out build/student

html: $(STAMP) ## Export every notebook with its outputs to static HTML in build/html/ (index.html)
	@$(PY) tools/export_html.py --out build/html

# The browser test drives Debian's chromium (installed here when missing and we are root)
# with Selenium from the pinned environment.
EXPECT ?=

test-browser: $(STAMP) ## Run notebook 01 in JupyterLab in headless Chromium (NB=, EXPECT="line")
	@mkdir -p build/browser
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "==> installing Debian's chromium and chromium-driver (log: build/browser/apt.log)"; \
	    { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver; } \
	      > build/browser/apt.log 2>&1 || echo "apt-get failed; the test will skip (see the log)"; \
	  else echo "chromium is missing and cannot be installed here; the test will skip"; fi; fi
	@GD_BROWSER_TEST=1 $(if $(NB),GD_BROWSER_NOTEBOOK='$(NB)') $(if $(EXPECT),GD_BROWSER_EXPECT='$(EXPECT)') \
	  $(PY) -m pytest -rs -s tests/browser $(ARGS)

lock: ## Re-resolve constraints.txt from pyproject.toml in a scratch venv (then 'make record')
	@rm -rf build/lock-venv && $(PYTHON) -m venv build/lock-venv
	@build/lock-venv/bin/pip install --disable-pip-version-check 'torch==2.13.0' -e '.[dev]' \
	  > build/lock.log 2>&1 || { tail -n 40 build/lock.log; exit 1; }
	@{ sed -n '1,2p' constraints.txt; build/lock-venv/bin/pip freeze --exclude-editable | \
	   sed -E 's/^torch==([0-9.]+)\+cpu$$/torch==\1/'; } > constraints.txt.new
	@mv constraints.txt.new constraints.txt && rm -rf build/lock-venv
	@echo "constraints.txt updated; now update environment.yml to match (make unit checks it)"

bench: $(STAMP) ## Benchmark ratios to bench/latest.json (ARGS=--with-suite also times make test)
	@$(PY) bench/run.py $(ARGS)

clean: ## Remove .venv, build/ and every cache
	rm -rf $(VENV) build .pytest_cache .ruff_cache .hypothesis .coverage .coverage.* *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find . -name .ipynb_checkpoints -type d -prune -exec rm -rf {} +
