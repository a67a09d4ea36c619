# Two entry points on a fresh machine (needs python3 >= 3.11 and make):
#   make demo   -- create .venv, install robustfair, run `robustfair demo`
#   make test   -- create .venv, install robustfair with every extra and the test tools (torch CPU),
#                  then lint (ruff, mypy), build the docs site (warnings are errors), run the
#                  pyDVL tests in their own numpy<2 venv (test-shapley) and run the tests
PYTHON ?= python3
VENV ?= .venv
# pyDVL 0.10 (the [shapley] extra, TMC-Shapley) needs numpy<2, which [all] cannot share.
SHAPLEY_VENV ?= .venv-shapley
PIP := $(VENV)/bin/python -m pip
PYTEST_ARGS ?= -q

.PHONY: demo test lint docs mutation install install-test clean shapley-venv test-shapley

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

# torch==2.13.0 is pinned first so pip takes the CPU wheel rather than a CUDA build;
# the demo's consensus fair clustering (CFC) is a PyTorch model.
install: $(VENV)/bin/python
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e ".[all]"

install-test: $(VENV)/bin/python
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e ".[all,test,docs,lint]"

$(VENV)/bin/ruff $(VENV)/bin/mypy: | $(VENV)/bin/python
	$(PIP) install -q -e ".[lint]"

$(VENV)/bin/mkdocs: | $(VENV)/bin/python
	$(PIP) install -q -e ".[docs]"

# ruff (lint rules and formatting) and mypy over src/, with the versions pinned in the lint extra
lint: $(VENV)/bin/ruff $(VENV)/bin/mypy
	$(VENV)/bin/ruff check src
	$(VENV)/bin/ruff format --check src
	$(VENV)/bin/mypy

# Static site from docs/ plus the API reference from the docstrings, into site/;
# --strict turns every warning (broken link, page missing from nav, docstring problem) into an error.
docs: $(VENV)/bin/mkdocs
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --quiet

demo: install
	$(VENV)/bin/robustfair demo

test: install-test
	$(MAKE) --no-print-directory lint docs test-shapley
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

# robustfair[shapley] beside numpy<2 (resolved together, so pip keeps numpy 1.x), and pytest
shapley-venv:
	test -x $(SHAPLEY_VENV)/bin/python || $(PYTHON) -m venv $(SHAPLEY_VENV)
	$(SHAPLEY_VENV)/bin/python -m pip install -q "numpy<2" -e ".[shapley]" "pytest>=8"

# The tests that call pyDVL (skipped in the numpy 2 .venv) and the experiment on numpy 1.x, under a minute once built
test-shapley: shapley-venv
	$(SHAPLEY_VENV)/bin/python -m pytest -q -p no:cacheprovider tests/influence/test_shapley_pydvl.py tests/influence/test_shapley_experiment.py

# Mutation testing of metrics/, cluster/fair_assignment.py and attacks/_fairness_attack.py
# (docs/testing.md): about 30 min on two cores; writes benchmarks/results/mutation.json.
mutation: install-test
	$(PIP) install -q -e ".[mutation]"
	$(VENV)/bin/python benchmarks/mutation.py --stage after --fresh

clean:
	rm -rf $(VENV) $(SHAPLEY_VENV) site robustfair-results.db* robustfair-report.html mutants
