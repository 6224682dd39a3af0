# HW 8 - PyTorch for Deep Learning.  `make help` lists the targets.
# DEVICE=cpu|cuda|cuda:N|mps picks the device for notebooks (exported as HW08_DEVICE).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.hw08-installed
DATA_STAMP := $(or $(HW08_DATA),data)/FashionMNIST/raw/t10k-labels-idx1-ubyte
PYTEST_ARGS ?=

ifdef DEVICE
export HW08_DEVICE := $(DEVICE)
endif

.DELETE_ON_ERROR:

.PHONY: help install data test run lab site site-student quarto-on-path student bench clean

help:
	@echo "make test          install (once), fetch the data (once), run unit tests + every notebook (nbval)"
	@echo "make run           execute every notebook, write executed copies + HTML to _build/"
	@echo "make lab           JupyterLab in notebooks/ with the project's environment"
	@echo "make bench         data-pipeline benchmark (stock DataLoader vs tensor path)"
	@echo "make student       student handout (solutions removed) in dist/student and dist/hw08-student.zip"
	@echo "make site          the instructors' Quarto site in _site/ (needs quarto on PATH)"
	@echo "make site-student  the students' Quarto site in _site-student/ (needs quarto on PATH)"
	@echo "Options: DEVICE=cpu|cuda|cuda:N|mps  PYTHON=python3.11  PYTEST_ARGS='-k q01'"

# The venv and an editable install, redone only when pyproject.toml changes.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -e .
	@touch $@

install: $(STAMP)

$(DATA_STAMP): | $(STAMP)
	$(PY) -m utils

data: $(DATA_STAMP)

test: $(STAMP) $(DATA_STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

run: $(STAMP) $(DATA_STAMP)
	$(PY) tools/run_notebooks.py --output _build

# Executed copies of the notebooks, for the site. `make test` writes them too (conftest.py
# keeps what nbval ran), so a notebook is executed again only when it, or utils, is newer.
NOTEBOOKS := $(wildcard notebooks/hw08-q*.ipynb)
EXECUTED  := $(NOTEBOOKS:notebooks/%=_build/%)
UTILS     := $(wildcard utils/*.py utils/checks/*.py)

_build/%.ipynb: notebooks/%.ipynb $(UTILS) | $(STAMP) $(DATA_STAMP)
	$(PY) tools/run_notebooks.py --output _build $<

lab: $(STAMP) $(DATA_STAMP)
	cd notebooks && ../$(VENV)/bin/jupyter lab

bench: $(STAMP) $(DATA_STAMP)
	$(PY) benchmarks/data_pipeline.py

student: $(STAMP)
	$(PY) tools/make_student.py --output dist

# The sites are rendered from a copy in _build/site-<profile>/ (tools/render_site.py), so
# rendering writes nothing into the sources; the notebooks are never executed by Quarto.
site: quarto-on-path $(EXECUTED)
	$(PY) tools/render_site.py solution

site-student: quarto-on-path student
	$(PY) tools/render_site.py student

quarto-on-path: $(STAMP)
	@$(PY) tools/render_site.py --check

clean:
	rm -rf _build _site _site-student _freeze dist .pytest_cache .quarto
