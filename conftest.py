"""Suite-wide options: --run-slow gates training, --run-long the lessons beyond the
slow suite, --model and --steps reshape every run. Under pytest-xdist (``-n 2``) each
worker takes its share of the cores, and every run publishes into the one results
folder through its lock and journal.

The skip follows the pytest docs' recipe "Control skipping of tests according to
command line option".
"""

import os
from pathlib import Path

import pytest
import torch

from experiments.cli import setup_logging
from experiments.registry.experiment import PRECISIONS

ROOT = Path(__file__).resolve().parent


def pytest_configure(config):
    setup_logging()
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if workers > 1:  # pytest -n N: the cores are shared out, one share per worker, so N runs train side by side
        torch.set_num_threads(max(1, (os.cpu_count() or 1) // workers))


def pytest_addoption(parser):
    parser.addoption(
        "--run-slow", action="store_true", default=False, help="run train tests (minutes per configuration)"
    )
    parser.addoption(
        "--run-long", action="store_true", default=False, help="run long tests (lessons beyond the slow suite)"
    )
    parser.addoption(
        "--model", default=None, help="train every configuration on this model, e.g. gpt2 where a hub is reachable"
    )
    parser.addoption("--steps", type=int, default=None, help="shorten every training run to this many steps")
    parser.addoption("--tracker", default="none", help="also log every run to a local tracker: tensorboard or trackio")
    parser.addoption(
        "--precision",
        choices=PRECISIONS,
        default=None,
        help="auto measures fp32 against bf16 autocast and trains in the faster; default: each configuration's own (auto)",
    )
    parser.addoption(
        "--results-dir",
        default=os.environ.get("LK_RESULTS_DIR"),
        help="where summary.md, summary.json and per-run results go "
        "(default: results/ with --run-slow, a temporary folder without it, so fast runs never touch committed results)",
    )


def pytest_collection_modifyitems(config, items):
    skip_train = pytest.mark.skip(reason="trains a real model for minutes: add --run-slow to run it")
    skip_long = pytest.mark.skip(reason="a lesson beyond the slow suite: add --run-long to run it")
    skip_gpu = pytest.mark.skip(reason="a GPU lesson (use_cpu off): needs CUDA, which this machine does not have")
    for item in items:
        if "gpu" in item.keywords and not torch.cuda.is_available():
            item.add_marker(skip_gpu)
        if "long" in item.keywords:
            if not config.getoption("--run-long"):
                item.add_marker(skip_long)
        elif "train" in item.keywords and "fast" not in item.keywords and not config.getoption("--run-slow"):
            item.add_marker(skip_train)


@pytest.fixture
def no_model(monkeypatch):
    """Fail the test if a model loads: each refusal here must come before that."""
    import experiments.sample as sample
    import experiments.training.assembly as assembly

    refuse = lambda *a, **k: pytest.fail("a model was loaded before the refusal")  # noqa: E731
    monkeypatch.setattr(assembly, "resolve_model", refuse)
    monkeypatch.setattr(sample, "resolve_model", refuse)


@pytest.fixture
def experiment_options(pytestconfig, tmp_path_factory):
    """Keyword arguments for run_experiment taken from the command line."""
    chosen = pytestconfig.getoption("--results-dir")
    if chosen:
        results_dir = Path(chosen)
    elif pytestconfig.getoption("--run-slow") or pytestconfig.getoption("--run-long"):
        results_dir = None  # the runner's choice: results/ for a registry run, a scratch folder for a quick look
    else:
        results_dir = tmp_path_factory.mktemp("results")
    return {
        "results_dir": results_dir,
        "runs_dir": Path(os.environ.get("LK_RUNS_DIR") or ROOT / "runs"),
        "model": pytestconfig.getoption("--model"),
        "steps": pytestconfig.getoption("--steps"),
        "precision": pytestconfig.getoption("--precision"),
        "tracker": pytestconfig.getoption("--tracker"),
    }
