# HW 8 - PyTorch for Deep Learning.  `make help` lists the targets.
# DEVICE=cpu|cuda|cuda:N|mps picks the device for notebooks (exported as HW08_DEVICE).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# The stamp holds the tag of the interpreter that made .venv, e.g. "cpython-3.11".
STAMP  := $(VENV)/.hw08-installed
# `data` checks (size, MD5) and repairs the data every time: a phony target, so a data folder
# whose path has spaces works, and a relative HW08_DATA follows utils.data_root's one rule.
DATA_STAMP := data
# npm ci's record of what it installed in node_modules/ (the `npm` target).
NODE_STAMP := node_modules/.package-lock.json
PYTEST_ARGS ?=
PYTHON_TAG_CODE := import sys; v = sys.version_info; print("%s-%d.%d" % (sys.implementation.name, v[0], v[1]))
PYTHON_TAG := $(shell $(PYTHON) -c '$(PYTHON_TAG_CODE)' 2>/dev/null)

ifdef DEVICE
export HW08_DEVICE := $(DEVICE)
endif

.DELETE_ON_ERROR:

.PHONY: help install data test lint run lab site site-student quarto-on-path student npm bench bench-notebooks grade bench-grade clean distclean FORCE

help:
	@echo "make test          install (once), fetch the data (once), run unit tests + every notebook (nbval)"
	@echo "make lint          the pre-commit hooks on every file: nbstripout, ruff check, ruff format"
	@echo "make run           execute every notebook, write executed copies + HTML to _build/"
	@echo "make lab           JupyterLab in notebooks/ with the project's environment"
	@echo "make bench         data-pipeline benchmark (stock DataLoader vs tensor path)"
	@echo "make bench-notebooks  each notebook's time beside its GEMM floor and its calibrated budget"
	@echo "make student       student handout (solutions removed) in dist/student and dist/hw08-student.zip"
	@echo "make grade SUBMISSIONS=dir [OUT=grades] [JOBS=N] [NO_SANDBOX=1]  grade submissions (each kernel under bubblewrap): gradebook.csv, feedback/, summary.png"
	@echo "                   also ROSTER=csv POLICY=toml MANUAL=scores.csv ONLY=student SHARD=K/N MERGE=1 SCHEDULER=local:N"
	@echo "make bench-grade   grading benchmark: 10 synthetic students, seconds per student and per phase"
	@echo "make site          the instructors' Quarto site in _site/ (needs quarto on PATH)"
	@echo "make site-student  the students' Quarto site in _site-student/ (needs quarto on PATH)"
	@echo "make npm           the sites' browser files (KaTeX, axe-core) into node_modules/ (npm ci)"
	@echo "make clean         remove build outputs (keeps .venv and the data)"
	@echo "make distclean     make clean, and remove .venv too (the data stays)"
	@echo "Options: DEVICE=cpu|cuda|cuda:N|mps  PYTHON=python3.11  PYTEST_ARGS='-k q01'"

# The venv and an editable install with the test and lint tools (pyproject.toml, extra
# `test`), redone when pyproject.toml changes. A torch already in .venv that fits the range
# stays (e.g. the CPU wheels, README). A .venv that never
# finished installing is rebuilt. PYTHON given explicitly (command line or environment) must
# be the interpreter that made .venv: another one is refused, with the fix.
ifneq ($(origin PYTHON),file)
ifneq ($(shell cat $(STAMP) 2>/dev/null),$(PYTHON_TAG))
$(STAMP): FORCE
endif
endif

$(STAMP): pyproject.toml
	@if [ -f $(STAMP) ] && [ -x $(PY) ]; then \
	  have="$$($(PY) -c '$(PYTHON_TAG_CODE)' 2>/dev/null)"; \
	  if [ "$(origin PYTHON)" != file ] && [ "$$have" != "$(PYTHON_TAG)" ]; then \
	    echo "error: .venv was made by $${have:-an interpreter that no longer runs}, but PYTHON=$(PYTHON) is $(or $(PYTHON_TAG),not a working Python)."; \
	    echo "Fix: run 'make distclean' to rebuild .venv with PYTHON=$(PYTHON), or leave PYTHON unset to keep .venv."; \
	    exit 1; \
	  fi; \
	else \
	  case "$(PYTHON_TAG)" in \
	    cpython-3.1[1-9]|cpython-3.[2-9][0-9]|pypy-3.1[1-9]) ;; \
	    "") echo "error: PYTHON=$(PYTHON) does not run. Fix: install Python 3.11 or newer, or pass PYTHON=/path/to/python3.11"; exit 1;; \
	    *) echo "error: PYTHON=$(PYTHON) is $(PYTHON_TAG); this project needs Python 3.11 or newer. Fix: pass PYTHON=python3.11 (or newer)"; exit 1;; \
	  esac; \
	  if [ -e $(VENV) ] || [ -L $(VENV) ]; then echo "$(VENV) is incomplete (its install never finished): rebuilding it with $(PYTHON) ($(PYTHON_TAG))"; rm -rf $(VENV); fi; \
	  $(PYTHON) -m venv $(VENV) || exit 1; \
	fi
	$(PY) -m pip install --quiet -e ".[test]"
	@$(PY) -c '$(PYTHON_TAG_CODE)' > $@

install: $(STAMP)

FORCE:

data: $(STAMP)
	$(PY) -m utils

test: $(STAMP) $(DATA_STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

# The hooks find nbstripout and ruff on PATH: .venv/bin first.
lint: $(STAMP)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/pre-commit run --all-files --show-diff-on-failure

run: $(STAMP) $(DATA_STAMP)
	$(PY) tools/run_notebooks.py --output _build

# Executed copies of the notebooks, for the site. `make test` writes them too (conftest.py
# keeps what nbval ran), so a notebook is executed again only when it, or utils, is newer.
NOTEBOOKS := $(wildcard notebooks/hw08-q*.ipynb)
EXECUTED  := $(NOTEBOOKS:notebooks/%=_build/%)
UTILS     := $(wildcard utils/*.py utils/checks/*.py)

# (No `data` prerequisite: it checks the data on every call; the notebooks fetch it if needed.)
_build/%.ipynb: notebooks/%.ipynb $(UTILS) | $(STAMP)
	$(PY) tools/run_notebooks.py --output _build $<

# tools/jupyter_lab_config.py lets it start as root (containers, CI).
lab: $(STAMP) $(DATA_STAMP)
	cd notebooks && ../$(VENV)/bin/jupyter lab --config=../tools/jupyter_lab_config.py

bench: $(STAMP) $(DATA_STAMP)
	$(PY) benchmarks/data_pipeline.py

bench-notebooks: $(STAMP) $(DATA_STAMP)
	$(PY) benchmarks/notebooks.py

student: $(STAMP)
	$(PY) tools/make_student.py --output dist

OUT ?= grades
grade: $(STAMP) $(DATA_STAMP)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=folder-or-zip [OUT=grades] [JOBS=N] [ROSTER=csv] [POLICY=toml] [MANUAL=scores.csv] [ONLY=student] [SHARD=K/N] [MERGE=1] [SCHEDULER=local:N|address] [NO_SANDBOX=1]"; exit 2; }
	$(PY) -m grading "$(SUBMISSIONS)" --out "$(OUT)" $(if $(JOBS),--jobs $(JOBS)) $(if $(ROSTER),--roster "$(ROSTER)") $(if $(POLICY),--policy "$(POLICY)") $(if $(MANUAL),--manual "$(MANUAL)") $(if $(ONLY),--only "$(ONLY)") $(if $(SHARD),--shard $(SHARD)) $(if $(MERGE),--merge) $(if $(SCHEDULER),--scheduler "$(SCHEDULER)") $(if $(NO_SANDBOX),--no-sandbox)

bench-grade: $(STAMP) $(DATA_STAMP)
	$(PY) benchmarks/grading_speed.py

# The sites are rendered from a copy in _build/site-<profile>/ (tools/render_site.py), so
# rendering writes nothing into the sources; the notebooks are never executed by Quarto.
site: quarto-on-path $(NODE_STAMP) $(EXECUTED)
	$(PY) tools/render_site.py solution

site-student: quarto-on-path $(NODE_STAMP) student
	$(PY) tools/render_site.py student

# The sites' browser files, at package-lock.json's exact versions, into node_modules/ (git
# ignores it): KaTeX, which the sites serve themselves (math with no network), and axe-core,
# which the site tests run in Chromium. Reinstalled when package.json or the lock changes.
$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "error: npm is not on PATH: install Node.js with npm (Debian: apt-get install npm), then rerun"; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

npm: $(NODE_STAMP)

quarto-on-path: $(STAMP)
	@$(PY) tools/render_site.py --check

clean:
	rm -rf _build _site _site-student _freeze dist .pytest_cache .quarto

distclean: clean
	rm -rf $(VENV)
