# Two entry points on a fresh machine (needs python3 >= 3.11 and make):
#   make demo   -- create .venv, install robustfair, run `robustfair demo`
#   make test   -- create .venv, install robustfair with every extra and the test tools (torch CPU), run the tests
PYTHON ?= python3
VENV ?= .venv
PIP := $(VENV)/bin/python -m pip
PYTEST_ARGS ?= -q

.PHONY: demo test install install-test mutation clean

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
	$(PIP) install -q -e ".[all,test]"

demo: install
	$(VENV)/bin/robustfair demo

test: install-test
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

# Mutation testing of metrics/, cluster/fair_assignment.py and attacks/_fairness_attack.py
# (docs/testing.md): about 30 min on two cores; writes benchmarks/results/mutation.json.
mutation: install-test
	$(PIP) install -q -e ".[mutation]"
	$(VENV)/bin/python benchmarks/mutation.py --stage after --fresh

clean:
	rm -rf $(VENV) robustfair-results.db* robustfair-report.html mutants
