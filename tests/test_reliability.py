"""Results that survive concurrent and killed runs, and mistakes caught before any model loads (tiny-gpt2, real processes)."""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from experiments.cli import ModelError
from experiments.evaluation.models import hub_reachable, resolve_model
from experiments.files import FolderError, claim_run_folder
from experiments.registry import REGISTRY
from experiments.reporting.results_folder import read_results
from experiments.runner import main as runner_main
from experiments.runner import run_experiment
from experiments.sample import main as sample_main
from experiments.training.recorder import read_metrics

pytestmark = pytest.mark.fast
ROOT = Path(__file__).resolve().parent.parent


def runner(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "experiments.runner", *arguments]


def run_quietly(command: list[str], env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})}
    )


def test_two_runs_writing_one_results_folder_at_once_keep_both_rows(tmp_path):
    results = tmp_path / "results"
    names = ("broken-groups-of-2", "broken-beta-huge")
    processes = [
        subprocess.Popen(
            runner(
                name,
                "--model",
                "tiny-gpt2",
                "--steps",
                "2",
                "--results-dir",
                str(results),
                "--runs-dir",
                str(tmp_path / name),
            ),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in names
    ]
    for process in processes:
        assert process.wait(timeout=600) == 0, process.stderr.read()
    summary = json.loads((results / "summary.json").read_text())
    assert sorted(run["name"] for run in summary["runs"]) == sorted(names)
    assert all((results / name / "samples.md").exists() for name in names)


def described_steps(results: Path) -> tuple[int, int, int]:
    """Steps trained as the summary row, the metrics file and the samples header each tell it."""
    row = next(run for run in read_results(results)["runs"] if run["name"] == "smoke")
    logged = sum("loss" in record for record in read_metrics(results / "smoke" / "metrics.jsonl"))
    header = re.search(r"(\d+) of \d+ steps", (results / "smoke" / "samples.md").read_text()).group(1)
    return row["training"]["steps_trained"], logged, int(header)


@pytest.mark.parametrize("point, expected_steps", [("staged", 4), ("swapping", 2), ("summary written", 2)])
def test_a_run_killed_while_it_publishes_leaves_files_and_row_of_one_run(tmp_path, point, expected_steps):
    """4 steps first, then 2 steps killed at a point of publishing: every file tells of the same run, old or new."""
    results, runs = tmp_path / "results", tmp_path / "runs"
    common = ["smoke", "--results-dir", str(results), "--runs-dir", str(runs)]
    run_experiment(
        REGISTRY["smoke"], results_dir=results, runs_dir=runs, steps=4
    )  # here: only the kill needs a process
    killed = run_quietly(runner(*common, "--steps", "2"), env={"LK_KILL_AT": point})
    assert killed.returncode == -9, killed.stderr[-2000:]
    assert described_steps(results) == (expected_steps,) * 3
    assert not [p.name for p in results.iterdir() if p.name.startswith(".") and p.name != ".results.lock"]


def refuse_model_loading(monkeypatch):
    import experiments.training.assembly as assembly

    monkeypatch.setattr(assembly, "resolve_model", lambda *a, **k: pytest.fail("the model was loaded first"))


@pytest.mark.parametrize("folder", ["results_dir", "runs_dir"])
def test_a_folder_that_is_a_file_is_refused_before_any_model_loads(tmp_path, monkeypatch, folder):
    refuse_model_loading(monkeypatch)
    (tmp_path / "a-file").write_text("")
    folders = {
        "results_dir": tmp_path / "results",
        "runs_dir": tmp_path / "runs",
        folder: tmp_path / "a-file" / "inside",
    }
    with pytest.raises(FolderError, match=r"folder .*a-file/inside: .*a-file is a file, not a folder; pass --"):
        run_experiment(REGISTRY["smoke"], **folders)


def test_a_cache_that_is_a_file_is_refused_before_any_model_loads(tmp_path, monkeypatch):
    refuse_model_loading(monkeypatch)
    (tmp_path / "cache").write_text("")
    monkeypatch.setenv("LK_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(FolderError, match=r"model cache .*cache: .*cache is a file, not a folder; set LK_CACHE_DIR"):
        run_experiment(REGISTRY["smoke"], results_dir=tmp_path / "results", runs_dir=tmp_path / "runs")


def test_an_unwritable_results_folder_is_refused_before_any_model_loads(tmp_path, monkeypatch):
    """chattr +i stops even root; where the file system has no such flag, the test says so and skips."""
    refuse_model_loading(monkeypatch)
    locked = tmp_path / "locked"
    locked.mkdir()
    if subprocess.run(["chattr", "+i", str(locked)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available here")
    try:
        with pytest.raises(FolderError, match=r"results folder .*locked is not writable .*; pass --results-dir"):
            run_experiment(REGISTRY["smoke"], results_dir=locked, runs_dir=tmp_path / "runs")
    finally:
        subprocess.run(["chattr", "-i", str(locked)])


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--steps", "0"], "error: smoke: steps must be a positive integer, got 0"),
        (["--steps", "-3"], "error: smoke: steps must be a positive integer, got -3"),
        (["--model="], "error: smoke: model is empty"),
        (["--model", "/nonexistent/model"], "error: /nonexistent/model: no such model folder"),
        (["--model", "prompts"], "error: prompts: not a model folder (no config.json)"),
        (["--stepz", "3"], "error: unknown option --stepz"),
        (["--results-dir", "/etc/passwd/results"], "error: results folder /etc/passwd/results: /etc/passwd is a file"),
    ],
    ids=[
        "steps-zero",
        "steps-negative",
        "model-empty",
        "model-missing",
        "not-a-model-folder",
        "unknown-option",
        "results-in-a-file",
    ],
)
def test_command_line_mistakes_end_in_one_line(tmp_path, capsys, arguments, message):
    with pytest.raises(SystemExit) as exit_:
        runner_main(["smoke", "--runs-dir", str(tmp_path / "runs"), *arguments])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize(
    "model, message",
    [
        ("runs/never-trained/model", "runs/never-trained/model: no such model folder"),
        ("prompts", "prompts: not a model folder"),
    ],
)
def test_sample_names_a_missing_or_non_model_path(capsys, model, message):
    with pytest.raises(SystemExit) as exit_:
        sample_main([model, "What does the ox sing?"])
    assert exit_.value.code == 2 and message in capsys.readouterr().err


def test_an_unreachable_hub_fails_within_five_seconds():
    if hub_reachable():
        pytest.skip("a model hub is reachable from here")
    started = time.perf_counter()
    with pytest.raises(ModelError, match="no model hub is reachable"):
        resolve_model("gpt2-not-cached-here")
    assert time.perf_counter() - started < 5


def test_a_second_process_training_the_same_name_is_refused_before_it_truncates_the_first_ones_metrics(tmp_path):
    """Seen for real: a run starting under a name another process was training emptied that run's live metrics.jsonl."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from experiments.files import claim_run_folder\n"
            "with claim_run_folder(Path(sys.argv[1]), 'x'): print('held', flush=True); time.sleep(60)",
            str(tmp_path / "x"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(FolderError, match="another process is training x"), claim_run_folder(tmp_path / "x", "x"):
            pass
    finally:
        holder.kill()
        holder.wait()
    with claim_run_folder(tmp_path / "x", "x") as lock:
        assert lock is not None and lock.is_locked, "a killed holder releases the folder"
