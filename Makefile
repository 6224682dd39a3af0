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

.PHONY: help install data test run lab site site-student student bench grade bench-grade clean

help:
	@echo "make test          install (once), fetch the data (once), run unit tests + every notebook (nbval)"
	@echo "make run           execute every notebook, write executed copies + HTML to _build/"
	@echo "make lab           JupyterLab in notebooks/ with the project's environment"
	@echo "make bench         data-pipeline benchmark (stock DataLoader vs tensor path)"
	@echo "make student       student handout (solutions removed) in dist/student and dist/hw08-student.zip"
	@echo "make grade SUBMISSIONS=dir [OUT=grades] [JOBS=N]  grade submissions: gradebook.csv, feedback/, summary.png"
	@echo "make bench-grade   grading benchmark: 10 synthetic students, seconds per student and per phase"
	@echo "make site          render the Quarto site (needs quarto on PATH)"
	@echo "make site-student  render the student site (needs quarto on PATH)"
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

lab: $(STAMP) $(DATA_STAMP)
	cd notebooks && ../$(VENV)/bin/jupyter lab

bench: $(STAMP) $(DATA_STAMP)
	$(PY) benchmarks/data_pipeline.py

student: $(STAMP)
	$(PY) tools/make_student.py --output dist

OUT ?= grades
grade: $(STAMP) $(DATA_STAMP)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=folder [OUT=grades] [JOBS=N] (one sub-folder or .zip per student)"; exit 2; }
	$(PY) -m grading "$(SUBMISSIONS)" --out "$(OUT)" $(if $(JOBS),--jobs $(JOBS))

bench-grade: $(STAMP) $(DATA_STAMP)
	$(PY) benchmarks/grading.py

QUARTO_MISSING := echo "quarto is not on PATH: install it from https://quarto.org/docs/get-started/ (or conda install -c conda-forge quarto), then rerun"

site: $(STAMP) $(DATA_STAMP)
	@command -v quarto >/dev/null || { $(QUARTO_MISSING); exit 1; }
	QUARTO_PYTHON=$(CURDIR)/$(PY) quarto render --profile solution

site-student: student
	@command -v quarto >/dev/null || { $(QUARTO_MISSING); exit 1; }
	QUARTO_PYTHON=$(CURDIR)/$(PY) quarto render --profile student

clean:
	rm -rf _build _site _site-student _freeze dist .pytest_cache .quarto
