"""Real tiny-gpt2 runs through the runner: reruns, interruption and atomic results.

These train the two-layer tiny-gpt2 for a few steps, so they are fast but real.
"""

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from experiments.cli import ConfigError
from experiments.evaluation.measurements import TrainingOutcome
from experiments.registry import REGISTRY
from experiments.reporting.summary_file import load_summary
from experiments.runner import run_experiment
from experiments.training.recorder import read_metrics

pytestmark = pytest.mark.fast
ROOT = Path(__file__).resolve().parent.parent
STEPS_BEFORE_KILL = 3
TIMING_KEYS = {"elapsed_s", "step_time", "train_runtime", "train_samples_per_second", "train_steps_per_second"}


def run_smoke(tmp_path: Path, label: str, **changes) -> dict:
    return run_experiment(
        REGISTRY["smoke"], results_dir=tmp_path / label / "results", runs_dir=tmp_path / label / "runs", **changes
    )


def training_rows(path: Path) -> list[dict]:
    return [row for row in read_metrics(path) if "reward" in row]


def metrics_without_timing(results_dir: Path) -> list[dict]:
    rows = read_metrics(results_dir / "smoke" / "metrics.jsonl")
    return [{k: v for k, v in row.items() if k not in TIMING_KEYS} for row in rows]


def test_same_configuration_and_seed_give_identical_metrics(tmp_path):
    first = run_smoke(tmp_path, "first")
    second = run_smoke(tmp_path, "second")
    assert metrics_without_timing(tmp_path / "first" / "results") == metrics_without_timing(
        tmp_path / "second" / "results"
    )
    assert len(metrics_without_timing(tmp_path / "first" / "results")) >= 3
    assert first.after.share == second.after.share


def test_rerunning_a_configuration_replaces_only_its_row_and_keeps_every_other(tmp_path):
    """A run never drops a row it did not write (issue 34): a retired entry's row goes only by report --remove."""
    results = tmp_path / "shared" / "results"
    summary_path = results / "summary.json"
    run_smoke(tmp_path, "shared")
    summary = json.loads(summary_path.read_text())
    summary["runs"] += [
        {**summary["runs"][0], "name": "lr-2e-4", "config": "lr-2e-4"},
        {**summary["runs"][0], "name": "retired-config", "config": "retired-config"},
    ]
    summary_path.write_text(json.dumps(summary))
    run_smoke(tmp_path, "shared", steps=2)
    runs = {run["name"]: run for run in load_summary(results)["runs"]}
    assert set(runs) == {"smoke", "lr-2e-4", "retired-config"}
    assert runs["smoke"]["steps"] == 2 and runs["lr-2e-4"]["steps"] == 3
    for key in ("environment", "thresholds", "runs"):
        assert key in load_summary(results)
    assert "lr-2e-4" in (results / "summary.md").read_text()
    assert "retired-config" in (results / "runs.md").read_text()


def test_a_killed_run_leaves_earlier_results_intact_and_can_be_rerun(tmp_path):
    results, runs = tmp_path / "results", tmp_path / "runs"
    command = [
        sys.executable,
        "-m",
        "experiments.runner",
        "smoke",
        "--results-dir",
        str(results),
        "--runs-dir",
        str(runs),
    ]
    run_experiment(
        REGISTRY["smoke"], results_dir=results, runs_dir=runs, steps=2
    )  # only the killed run needs a process
    committed = {
        path: path.read_bytes()
        for path in (results / "summary.md", results / "summary.json", results / "smoke" / "metrics.jsonl")
    }

    live = runs / "smoke" / "in-progress" / "metrics.jsonl"  # a run's live metrics, until its row publishes
    assert not live.exists(), "promoted to runs/smoke/metrics.jsonl when the row published"
    process = subprocess.Popen(
        command + ["--steps", "5000"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.time() + 600
        while time.time() < deadline and (not live.exists() or len(training_rows(live)) < STEPS_BEFORE_KILL):
            time.sleep(0.2)
        assert process.poll() is None, "the run ended before it could be killed"
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()

    assert {path: path.read_bytes() for path in committed} == committed
    partial = read_metrics(live)
    assert len(partial) >= STEPS_BEFORE_KILL and all("reward" in row for row in partial), "rows of a finished run"
    assert not list(results.glob(".summary*")), "a temporary file was left behind"

    subprocess.run(command + ["--steps", "3"], cwd=ROOT, check=True, capture_output=True, timeout=300)
    assert load_summary(results)["runs"][0]["steps"] == 3


def test_stop_at_behaviour_ends_a_real_run_when_the_objective_arrives(tmp_path):
    """Distinct bigrams of a random tiny GPT-2 start near 1.0, so the 5-step mean reaches 0.5 at step 5. They score
    every completion alike, so the four-letter share trains beside them: a run with no gradient gets no row."""
    record = run_experiment(
        dataclasses.replace(
            REGISTRY["smoke"],
            rewards=("distinct_bigrams", "four_letter_share"),
            reward_weights=None,
            steps=20,
            stop_at_behaviour=True,
        ),
        results_dir=tmp_path / "results",
        runs_dir=tmp_path / "runs",
    )
    assert record.training.steps_trained == 5 and record.steps == 20 and record.training.stop_reason == "behaviour"
    assert record.training.time_to_behaviour_s is not None
    samples = (tmp_path / "results" / "smoke" / "samples.md").read_text()
    assert "5 of 20 steps (stopped by behaviour)" in samples
    assert "## During training" in samples and "|      5 |" in samples, "completions of the last step are kept"


def test_steps_that_reuse_a_batch_count_as_steps_but_not_as_reward_readings():
    """num_iterations 2: TRL logs rewards on the generating step only; both steps log loss, KL and step time."""
    history = [
        {
            "step": 1,
            "loss": 0.1,
            "reward": 1.2,
            "frac_reward_zero_std": 0.5,
            "kl": 0.0,
            "entropy": 3.0,
            "step_time": 12.0,
        },
        {"step": 2, "loss": 0.2, "kl": 0.4, "entropy": 2.9, "step_time": 6.0},
        {
            "step": 3,
            "loss": 0.1,
            "reward": 1.4,
            "frac_reward_zero_std": 0.0,
            "kl": 0.2,
            "entropy": 2.8,
            "step_time": 12.0,
        },
        {"step": 4, "loss": 0.3, "kl": 0.6, "entropy": 2.7, "step_time": 6.0},
        {"step": 4, "train_runtime": 40.0},
    ]
    signals = TrainingOutcome.of(history, wall_clock_s=40.04, time_to_behaviour_s=None, stop_reason="step cap")
    assert signals.steps_trained == 4 and signals.generation_steps == 2 and signals.wall_clock_s == 40.0
    assert signals.final_train_reward == 1.4 and signals.final_entropy == 2.7
    assert signals.mean_step_time_s == 9.0 and signals.mean_kl == pytest.approx(0.3)
    assert signals.mean_frac_reward_zero_std == 0.25


def test_the_smoke_run_logs_to_tensorboard_when_asked(tmp_path):
    pytest.importorskip("tensorboard", reason="the optional tracker extra: pip install -e '.[tracker]'")
    run_smoke(tmp_path, "tracked", tracker="tensorboard")
    events = list((tmp_path / "tracked" / "runs" / "smoke" / "trainer").rglob("events.out.tfevents.*"))
    assert events and events[0].stat().st_size > 0


def test_an_unknown_or_missing_tracker_is_refused_before_training(tmp_path):
    with pytest.raises(ConfigError, match=r"tracker must be one of"):
        run_smoke(tmp_path, "bad", tracker="wandb")
