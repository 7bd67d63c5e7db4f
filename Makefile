# Gradient Descent, from scratch to PyTorch: every task of the course is a target here.
# Only make and Python 3.11, 3.12 or 3.13 are needed; the first target you run builds .venv.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
# The stamp is keyed on the dependency files: edit either and the next target reinstalls.
DEPS_HASH := $(shell cat pyproject.toml constraints.txt | { sha1sum 2>/dev/null || shasum; } | cut -c1-12)
STAMP  := $(VENV)/.installed-$(DEPS_HASH)

NOTEBOOKS  := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
LINT_PATHS := gdhelpers tests tools notebooks conftest.py bench site
NBVAL_OPTS := --nbval --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg \
              --nbval-cell-timeout 600
NB   ?=
ARGS ?=
# make test runs on every core (kernels are single-threaded); each file, so each notebook's
# cells, stays on one worker
XDIST ?= -n auto --dist loadfile
# JupyterLab refuses to start as root unless told; containers often run as root.
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

# -- The Python that creates .venv --------------------------------------------------------------
# PYTHON=python3.12 (a command or a path) chooses it; otherwise the newest of python3.13,
# python3.12 and python3.11 that runs, then python3 if its version is supported. Each candidate
# is run, not only looked up: a pyenv shim of a version that is not active is on PATH but fails.
# Used only when .venv is created: after `make clean`, the next target creates it again.
PYTHON ?=
PY_SUPPORTED := 3.11 3.12 3.13
PY_RANGE     := 3.11-3.13
PY_SEARCH    := python3.13 python3.12 python3.11 python3
# Debian and Ubuntu ship venv's ensurepip in a separate package (python3.X-venv).
PY_PROBE := import sys, importlib.util as u; print("%d.%d" % sys.version_info[:2], "venv" if u.find_spec("venv") and u.find_spec("ensurepip") else "novenv")
GOAL := $(or $(firstword $(MAKECMDGOALS)),lab)
# Prints the command of the chosen Python; otherwise says why on stderr and fails.
PICK_PYTHON = \
  old=; novenv=; \
  for c in $(or $(PYTHON),$(PY_SEARCH)); do \
    info=$$("$$c" -c '$(PY_PROBE)' 2>/dev/null) || continue; \
    set -- $$info; v=$${1:-?}; \
    case " $(PY_SUPPORTED) " in *" $$v "*) ;; *) old=$${old:-$$v}; continue;; esac; \
    if [ "$${2:-}" != venv ]; then novenv=$${novenv:-$$v}; continue; fi; \
    echo "$$c"; exit 0; \
  done; \
  if [ -n "$$novenv" ]; then \
    printf 'Python %s found, but without its venv module (Debian/Ubuntu: apt install python%s-venv); then run `make $(GOAL)` again\n' "$$novenv" "$$novenv" >&2; \
  elif [ -n "$$old" ]; then \
    printf 'Python %s found; the course needs $(PY_RANGE): install one and run `make $(GOAL) PYTHON=python3.12`\n' "$$old" >&2; \
  elif [ -n '$(PYTHON)' ]; then \
    printf 'PYTHON=$(PYTHON) does not run here; the course needs Python $(PY_RANGE): install one and run `make $(GOAL) PYTHON=python3.12`\n' >&2; \
  else \
    printf 'No Python found (looked for $(PY_SEARCH)); the course needs $(PY_RANGE): install one and run `make $(GOAL) PYTHON=python3.12`\n' >&2; \
  fi; \
  exit 1

# -- How pip installs it ------------------------------------------------------------------------
# On Linux, PyPI's torch is the CUDA build (nvidia-* and cuda-* wheels: a 5.1 GB .venv, not 1.4).
# pip also looks at PyTorch's CPU wheel index, so torch==2.13.0 resolves to 2.13.0+cpu: the pin
# has no local label, so it matches both, and pip takes the highest version, where a local
# version sorts above its public one. macOS wheels on PyPI carry no CUDA: no index there.
# TORCH_INDEX= turns the index off; TORCH_INDEX=<url> uses a mirror of it (file:// works too).
# WHEELS=<folder> (or pip's own PIP_FIND_LINKS) adds a folder of wheels, e.g. a wheel cache.
# When the index cannot be reached (checked first, in PIP_TIMEOUT seconds), pip runs without it
# (unreachable, it would cost PIP_TIMEOUT x (PIP_RETRIES + 1) s per package if it hangs) and
# must find torch's CPU build in such a folder rather than fall back to the CUDA build.
HOST_OS     ?= $(shell uname -s 2>/dev/null)
TORCH_INDEX ?= $(if $(filter Linux,$(HOST_OS)),https://download.pytorch.org/whl/cpu)
WHEELS      ?=
PIP_TIMEOUT ?= 10
PIP_RETRIES ?= 1
TORCH_PIN    = $(shell sed -n 's/^torch==//p' constraints.txt 2>/dev/null)
PIP_BASE     = --disable-pip-version-check --timeout $(PIP_TIMEOUT) --retries $(PIP_RETRIES) \
               $(if $(WHEELS),--find-links $(WHEELS))
PIP_OPTS     = $(strip $(PIP_BASE) $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX)))
PIP_COURSE  := -c constraints.txt -e '.[dev]'
# Exits 0 when the index answers (any HTTP status) or its file:// folder exists, else prints why.
INDEX_PROBE := import os, sys, urllib.error as e, urllib.parse as p, urllib.request as r\nurl = sys.argv[1].rstrip("/") + "/torch/"\nif url.startswith("file:"):\n    path = r.url2pathname(p.urlparse(url).path)\n    sys.exit(0 if os.path.isdir(path) else f"no folder {path}")\ntry:\n    r.urlopen(r.Request(url, method="HEAD"), timeout=float(sys.argv[2])).close()\nexcept e.HTTPError:\n    pass\nexcept Exception as err:\n    sys.exit(str(getattr(err, "reason", err)))
NO_CPU_TORCH = no CPU build of torch $(TORCH_PIN) for this Python was found. Put its wheel \
  (torch-$(TORCH_PIN)+cpu-cpXY-...whl, from $(TORCH_INDEX) on a machine that reaches it) in a \
  folder and run `make $(GOAL) WHEELS=<folder>`, or take the default build from PyPI (on Linux the CUDA \
  one, several GB more) with `make $(GOAL) TORCH_INDEX=`
# $(call pip_install,PYTHON,ARGS,LOG): pip install ARGS with PIP_OPTS, output to LOG.
pip_install = \
  opts='$(PIP_OPTS)'; cpu=; \
  if [ -n '$(TORCH_INDEX)' ] && ! why=$$($(1) -c $$'$(INDEX_PROBE)' '$(TORCH_INDEX)' $(PIP_TIMEOUT) 2>&1); then \
    echo "==> PyTorch's CPU wheel index $(TORCH_INDEX) cannot be reached ($$why):"; \
    echo "    pip runs without it and takes torch $(TORCH_PIN)+cpu from a folder of wheels (WHEELS=, PIP_FIND_LINKS)"; \
    opts='$(strip $(PIP_BASE))'; cpu='torch==$(TORCH_PIN)+cpu'; \
  fi; \
  $(1) -m pip install $$opts $(2) $$cpu > $(3) 2>&1 || { \
    tail -n 40 $(3); echo "pip install failed; full log: $(3)"; \
    if [ -n "$$cpu" ] && grep '^ERROR' $(3) | grep -qF "$$cpu"; then printf '%s\n' '$(strip $(NO_CPU_TORCH))'; fi; \
    exit 1; }

# -- Editions -----------------------------------------------------------------------------------
# make lab opens the learner's workspace my-work/ (git-ignored): the student edition, copied on
# first use and kept in step by tools/workspace.py without ever overwriting a changed notebook.
# make lab EDITION=instructor, or make teach, opens notebooks/ (solutions, recorded outputs).
EDITION   ?= student
WORKSPACE ?= my-work
CONFIRM   ?=
# A wrong EDITION stops make before it builds anything.
ifneq ($(filter lab,$(MAKECMDGOALS)),)
ifeq ($(filter student instructor,$(EDITION)),)
$(error EDITION=$(EDITION): use EDITION=student (the default: your workspace $(WORKSPACE)/) or EDITION=instructor (notebooks/))
endif
endif
lab_root_student    = $(WORKSPACE)
lab_root_instructor = .
lab_url_student     = /lab
lab_url_instructor  = /lab/tree/notebooks
lab_says_student    = your workspace $(WORKSPACE)/: the student edition, yours to edit (make teach: the instructor edition)
lab_says_instructor = notebooks/: the instructor edition, with the solutions (make lab: your workspace)
# $(call open_lab,EDITION)
open_lab = \
  echo "==> JupyterLab on $(lab_says_$(1))"; \
  $(BIN)/jupyter lab --ServerApp.root_dir='$(lab_root_$(1))' --LabApp.default_url=$(lab_url_$(1)) \
    $(ROOT_FLAG) $(ARGS)

.PHONY: binder-url help venv test unit nbval test-threads lint format record lock bench clean student html site test-site test-browser test-cpus
.PHONY: which-python print-pip workspace lab teach reset-workspace
.PHONY: grade test-editions

help: ## List the targets with one line each
	@echo "Gradient Descent, from scratch to PyTorch -- make targets:"
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*## "}; {printf "  make %-16s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	@if [ ! -x $(PY) ]; then \
	  py=$$($(PICK_PYTHON)) || exit 1; \
	  echo "==> creating $(VENV) with $$("$$py" --version 2>&1) ($$py)"; \
	  "$$py" -m venv $(VENV) || { echo "$$py -m venv $(VENV) failed (see above)"; exit 1; }; \
	fi
	@echo "==> installing the course and its pinned dependencies into $(VENV)"
	@$(call pip_install,$(PY),$(PIP_COURSE),$(VENV)/pip-install.log)
	@$(PY) -m pip check >/dev/null || { $(PY) -m pip check; exit 1; }
	@rm -f $(VENV)/.installed-*; touch $@

venv: $(STAMP) ## Create .venv and install the pinned environment (done by every target)

which-python: ## Print the Python that would create .venv (PYTHON= chooses one)
	@py=$$($(PICK_PYTHON)) || exit 1; echo "$$py: $$("$$py" --version 2>&1)"

print-pip: ## Print the pip command that installs .venv (HOST_OS=, TORCH_INDEX=, WHEELS=)
	@:$(info $(PY) -m pip install $(PIP_OPTS) $(PIP_COURSE))

workspace: $(STAMP) ## Create or update my-work/ from the student edition, keeping every notebook you changed
	@$(PY) -m tools.workspace --dest '$(WORKSPACE)'

lab: $(STAMP) $(if $(filter student,$(EDITION)),workspace) ## Open your workspace my-work/ in JupyterLab (EDITION=instructor: notebooks/; ARGS="--no-browser --port 8899")
	@$(call open_lab,$(EDITION))

teach: $(STAMP) ## Open the instructor edition notebooks/ in JupyterLab (same as make lab EDITION=instructor)
	@$(call open_lab,instructor)

reset-workspace: ## Delete my-work/ and all your work in it, after asking (CONFIRM=yes: without asking)
	@if [ ! -e '$(WORKSPACE)' ]; then echo "$(WORKSPACE)/ does not exist: nothing to delete"; exit 0; fi
	@if [ '$(CONFIRM)' != yes ]; then \
	  if [ ! -t 0 ]; then \
	    echo "reset-workspace deletes $(WORKSPACE)/ with all your work in it; there is no terminal to ask," >&2; \
	    echo "so nothing was deleted. To delete it anyway: make reset-workspace CONFIRM=yes" >&2; exit 1; \
	  fi; \
	  printf 'Delete $(WORKSPACE)/ (%s files) with all your work in it? The next make lab starts afresh. Type yes: ' \
	    "$$(find '$(WORKSPACE)' -type f -not -path '*/.*' | wc -l | tr -d ' ')"; \
	  read -r answer || answer=; \
	  if [ "$$answer" != yes ]; then echo "nothing deleted"; exit 1; fi; \
	fi
	@rm -rf '$(WORKSPACE)' && echo "deleted $(WORKSPACE)/"

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
	@$(PY) -m tools.record $(or $(NB),$(NOTEBOOKS))

student: $(STAMP) ## Build the student edition (solutions blanked, checks cleared) in build/student/ (SOLUTIONS=off: graded work)
	@$(PY) -m tools.student --out build/student $(if $(SOLUTIONS),--solutions '$(SOLUTIONS)')

# Grading (docs/teaching.md, "Collecting and grading work"): each submission runs in a fresh
# kernel in a temporary folder; SUBMISSIONS=<student>/NN_x.ipynb or <student>__NN_x.ipynb files.
SOLUTIONS   ?=
SUBMISSIONS ?=
OUT         ?= build/grades
JOBS        ?=
SHARD       ?=
FORCE       ?=

grade: $(STAMP) ## Grade a folder of submitted notebooks into OUT/grades.csv and OUT/feedback/ (SUBMISSIONS=, OUT=, JOBS=, SHARD=i/n, FORCE=1)
	@$(PY) -m tools.grade '$(SUBMISSIONS)' --out '$(OUT)' $(if $(JOBS),--jobs '$(JOBS)') \
	  $(if $(SHARD),--shard '$(SHARD)') $(if $(FORCE),--force '$(FORCE)')

# Both editions end to end (about 2 minutes on 2 cores; CI runs it): every notebook of the
# instructor edition graded by `make grade` gets full marks, and every notebook of the student
# edition runs without an error with each check saying "Not yet done".
test-editions: $(STAMP) ## Grade the whole instructor edition (full marks) and run the whole student edition
	@GD_EDITIONS=1 $(PY) -m pytest -q -p no:randomly $(XDIST) tests/test_grade.py tests/test_student_edition.py \
	  -k "instructor_edition or student_edition_runs" $(ARGS)

binder-url: ## Print the mybinder.org link for this course's GitHub remote (REMOTE=: another one)
	@python3 -m tools.binder_url $(if $(REMOTE),'$(REMOTE)')

# -- The course website -------------------------------------------------------------------------
# make site: the learner site build/site/ (the student edition; EDITION=instructor: the instructor
# site build/site-instructor/), static files, by Sphinx + myst-nb + sphinx-book-theme
# (tools/website.py, site/conf.py), never re-executing a notebook. The builder and MathJax
# (sphinx-mathjax-offline) are pinned in site/requirements.txt and installed on first use into
# their own venv, build/site-venv, never into .venv: the environment the notebooks are
# recorded and checked in stays exactly constraints.txt. `-c constraints.txt` gives what the two
# share (IPython, nbformat, Pygments, ...) the course's versions. REMOTE= sets the GitHub URL of
# the Binder links (default: git's origin; none: the pages say Binder comes with publishing).
SITE_VENV  := build/site-venv
SITE_HASH  := $(shell cat site/requirements.txt constraints.txt 2>/dev/null | { sha1sum 2>/dev/null || shasum; } | cut -c1-12)
SITE_STAMP := $(SITE_VENV)/.installed-$(SITE_HASH)
REMOTE ?=

$(SITE_STAMP): site/requirements.txt constraints.txt
	@if [ ! -x $(SITE_VENV)/bin/python ]; then \
	  py=$$($(PICK_PYTHON)) || exit 1; mkdir -p build; \
	  echo "==> creating $(SITE_VENV) for the site builder with $$("$$py" --version 2>&1) ($$py)"; \
	  "$$py" -m venv $(SITE_VENV) || { echo "$$py -m venv $(SITE_VENV) failed (see above)"; exit 1; }; \
	fi
	@echo "==> installing the site builder (site/requirements.txt) into $(SITE_VENV)"
	@$(SITE_VENV)/bin/python -m pip install $(PIP_BASE) -c constraints.txt -r site/requirements.txt \
	  > $(SITE_VENV)/pip-install.log 2>&1 || { \
	  tail -n 40 $(SITE_VENV)/pip-install.log; echo "pip install failed; full log: $(SITE_VENV)/pip-install.log"; exit 1; }
	@$(SITE_VENV)/bin/python -m pip check >/dev/null || { $(SITE_VENV)/bin/python -m pip check; exit 1; }
	@rm -f $(SITE_VENV)/.installed-*; touch $@

site: $(SITE_STAMP) ## Build the course website in build/site/ (EDITION=instructor: build/site-instructor/; REMOTE=)
	@$(SITE_VENV)/bin/python -m tools.website --edition '$(EDITION)' $(if $(REMOTE),--remote '$(REMOTE)')

html: site ## Same as make site (the website replaced the plain HTML export)

# The browser tests drive Debian's chromium (installed here when missing and we are root)
# with Selenium from the pinned environment.
EXPECT ?=
# $(call install_chromium,LOGDIR)
install_chromium = \
  mkdir -p $(1); \
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
      echo "==> installing Debian's chromium and chromium-driver (log: $(1)/apt.log)"; \
      { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver; } \
        > $(1)/apt.log 2>&1 || echo "apt-get failed; the test will skip (see the log)"; \
    else echo "chromium is missing and cannot be installed here; the test will skip"; fi; fi

test-site: $(STAMP) ## Open the learner site (make site) in headless Chromium: sidebar, formulas, search, no solutions
	@$(MAKE) site EDITION=student
	@$(call install_chromium,build/browser)
	@GD_SITE_TEST=1 $(PY) -m pytest -rs -s tests/browser/test_site_browser.py $(ARGS)

test-browser: $(STAMP) ## Run notebook 01 in JupyterLab in headless Chromium (NB=, EXPECT="line")
	@$(call install_chromium,build/browser)
	@GD_BROWSER_TEST=1 $(if $(NB),GD_BROWSER_NOTEBOOK='$(NB)') $(if $(EXPECT),GD_BROWSER_EXPECT='$(EXPECT)') \
	  $(PY) -m pytest -rs -s tests/browser $(ARGS)

# Each notebook's kernel on other CPUs: under Debian's qemu-user (installed here when missing
# and we are root) as Haswell and as Nehalem, and natively with the AVX kernels of torch, numpy
# and MKL turned off. tools/cpu_kernels.py writes the kernelspecs to build/kernels/, runs the
# configurations in parallel (logs in build/cpus/) and prints one summary line for each.
# CPUS picks some of haswell, nehalem, no-avx (the default) and native (a reference run).
CPUS ?=

test-cpus: $(STAMP) ## nbval with the kernels on other CPUs: qemu Haswell, qemu Nehalem, no AVX (CPUS=, NB=)
	@mkdir -p build/cpus
	@if ! command -v qemu-x86_64 >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "==> installing Debian's qemu-user (log: build/cpus/apt.log)"; \
	    { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y qemu-user; } \
	      > build/cpus/apt.log 2>&1 || echo "apt-get failed; the emulated CPUs will skip (see the log)"; \
	  else echo "qemu-x86_64 is missing and cannot be installed here; the emulated CPUs will skip"; fi; fi
	@$(PY) -m tools.cpu_kernels $(if $(CPUS),--cpus '$(CPUS)') $(or $(NB),notebooks) -- $(NBVAL_OPTS) $(ARGS)

# Re-resolves in a scratch venv with the same Python choice and the same pip options as .venv
# (the CPU index on Linux), then drops torch's local label: the pin must match every index.
lock: ## Re-resolve constraints.txt from pyproject.toml in a scratch venv (then 'make record')
	@py=$$($(PICK_PYTHON)) || exit 1; rm -rf build/lock-venv && mkdir -p build && "$$py" -m venv build/lock-venv
	@$(call pip_install,build/lock-venv/bin/python,'torch==$(TORCH_PIN)' -e '.[dev]',build/lock.log)
	@{ sed -n '1,2p' constraints.txt; build/lock-venv/bin/python -m pip freeze --all --exclude-editable | \
	   grep -v -E '^(pip|wheel)==' | sed -E 's/^torch==([0-9.]+)\+cpu$$/torch==\1/'; } > constraints.txt.new
	@mv constraints.txt.new constraints.txt && rm -rf build/lock-venv
	@echo "constraints.txt updated; now update environment.yml and binder/environment.yml to match (make unit checks them)"

bench: $(STAMP) ## Benchmark ratios to bench/latest.json (ARGS=--with-suite also times make test)
	@$(PY) -m bench.run $(ARGS)

# Your workspace my-work/ is not a cache: clean leaves it, and its JupyterLab checkpoints, alone.
clean: ## Remove .venv, build/ and every cache (never my-work/: see reset-workspace)
	rm -rf $(VENV) build .pytest_cache .ruff_cache .hypothesis .coverage .coverage.* *.egg-info
	find . -path './$(WORKSPACE)' -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
	find . -path './$(WORKSPACE)' -prune -o -name .ipynb_checkpoints -type d -prune -exec rm -rf {} +
