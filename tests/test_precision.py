"""Precision is measured on the machine that trains, cached per machine, and asked-for precisions are obeyed."""

import subprocess
import sys
from pathlib import Path

import pytest

from experiments.precision import choose_precision
from tests.helpers import pytest_command

pytestmark = pytest.mark.fast
ROOT = Path(__file__).resolve().parent.parent
NATIVE = frozenset({"avx2", "avx512f", "avx512_bf16"})
AVX2_ONLY = frozenset({"avx2", "fma"})


def probe_with(fp32_s: float, bf16_s: float, calls: list):
    def probe(bf16):
        calls.append(bf16)
        return bf16_s if bf16 else fp32_s

    return probe


@pytest.mark.parametrize(
    "fp32_s, bf16_s, chosen",
    [(6.0, 3.4, "bf16"), (16.0, 105.0, "fp32"), (1.0, 0.95, "fp32")],
    ids=["native-bf16", "slow-bf16", "too-close"],
)
def test_auto_trains_in_the_faster_precision_and_remembers_it(tmp_path, fp32_s, bf16_s, chosen):
    calls: list = []
    first = choose_precision(
        "auto", "cpu", "smollm2-135m", tmp_path / "probes.json", probe_with(fp32_s, bf16_s, calls), NATIVE
    )
    assert (first.precision, first.fp32_s, first.bf16_s) == (chosen, fp32_s, bf16_s) and first.how.startswith(
        "measured"
    )
    assert calls == [False, True]
    again = choose_precision(
        "auto", "cpu", "smollm2-135m", tmp_path / "probes.json", probe_with(1.0, 1.0, calls), NATIVE
    )
    assert (again.precision, again.fp32_s, again.how) == (chosen, fp32_s, "measured earlier on this machine")
    assert len(calls) == 2, "the cached answer must not be measured again"


def test_a_cpu_without_bf16_instructions_takes_fp32_without_timing_anything(tmp_path):
    """The AVX2-only "AMD EPYC" of 2026-12-02: bf16 ran at 0.1 GFLOP/s, and timing it took 19 minutes."""
    choice = choose_precision(
        "auto", "cpu", "smollm2-135m", tmp_path / "probes.json", lambda bf16: pytest.fail("timed"), AVX2_ONLY
    )
    assert (choice.precision, choice.fp32_s, choice.bf16_s) == ("fp32", None, None)
    assert "no bf16 instructions" in choice.how and not (tmp_path / "probes.json").exists()


def test_two_cpus_sharing_a_name_do_not_share_a_cached_answer(tmp_path, monkeypatch):
    monkeypatch.setattr("experiments.precision.cpu_model", lambda: "AMD EPYC")
    cache, calls = tmp_path / "probes.json", []
    choose_precision("auto", "cpu", "smollm2-135m", cache, probe_with(99.0, 26.0, calls), NATIVE)  # 375 vs 99 GFLOP/s
    other = NATIVE | {"amx_bf16"}
    second = choose_precision("auto", "cpu", "smollm2-135m", cache, probe_with(1.0, 3.4, calls), other)
    assert second.precision == "fp32" and second.how.startswith("measured") and len(calls) == 4


def test_the_matmul_probe_stops_at_its_budget():
    import time

    from experiments.precision import time_matmul

    started = time.perf_counter()
    took = time_matmul(bf16=False, size=64, budget_s=0.0)
    assert took == 0.0 or took > 0 and time.perf_counter() - started < 2.0


@pytest.mark.parametrize("asked", ["fp32", "bf16"])
def test_an_asked_for_precision_is_used_without_measuring(tmp_path, asked):
    choice = choose_precision(
        asked, "cpu", "tiny-gpt2", tmp_path / "probes.json", lambda *a: pytest.fail("measured"), NATIVE
    )
    assert (choice.precision, choice.how) == (asked, "asked for")


def test_cuda_keeps_bf16_without_measuring(tmp_path):
    choice = choose_precision(
        "auto", "cuda", "smollm2-135m", tmp_path / "probes.json", lambda *a: pytest.fail("measured"), AVX2_ONLY
    )
    assert choice.precision == "bf16" and choice.how.startswith("CUDA")


def test_the_precision_command_answers_within_15_seconds_and_names_the_precision():
    import time

    started = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "experiments.precision", "--fresh"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert time.perf_counter() - started < 15
    assert "precision: fp32" in run.stdout or "precision: bf16" in run.stdout, run.stdout
    assert "CPU:" in run.stdout and "flags:" in run.stdout


def test_a_quick_look_never_touches_committed_results():
    """Fewer steps than the registry declares: the run goes to runs/quick-looks and results/ stays as committed."""
    status = ["git", "status", "--porcelain", "--untracked-files=all", "results"]
    before = subprocess.run(status, cwd=ROOT, capture_output=True, text=True).stdout
    run = subprocess.run(
        pytest_command("-m", "train", "--run-slow", "-k", "smoke", "--steps=2", "tests/test_experiments.py"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:]
    assert "results go to" in run.stdout and "quick-looks" in run.stdout, run.stdout[-3000:]
    assert subprocess.run(status, cwd=ROOT, capture_output=True, text=True).stdout == before


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_sample_and_both_evaluations_run_in_the_chosen_precision(tmp_path, monkeypatch, precision):
    """Every generation and forward pass of the evaluations goes through one autocast switch, and the relevance judge
    through its own: both must carry the run's precision, before and after training alike, and in experiments.sample."""
    import experiments.evaluation.evaluate as evaluation
    import experiments.evaluation.relevance as relevance
    from experiments.registry import REGISTRY
    from experiments.runner import run_experiment
    from experiments.sample import main as sample_main

    seen: list[bool] = []
    original = evaluation._autocast
    monkeypatch.setattr(
        evaluation, "_autocast", lambda model, settings: seen.append(settings.bf16) or original(model, settings)
    )
    judged = relevance.RelevanceJudge._score_batch
    monkeypatch.setattr(
        relevance.RelevanceJudge, "_score_batch", lambda self, pairs: seen.append(self.bf16) or judged(self, pairs)
    )
    record = run_experiment(REGISTRY["smoke"], tmp_path / "results", tmp_path / "runs", steps=1, precision=precision)
    assert (
        record.precision is not None
        and record.precision.precision == precision
        and record.eval_settings["bf16"] == (precision == "bf16")
    )
    assert len(seen) >= 6 and set(seen) == {precision == "bf16"}, "an evaluation ran in another precision"
    seen.clear()
    sample_main(
        [
            "tiny-gpt2",
            "What does the ox sing?",
            "--samples",
            "1",
            "--max_new_tokens",
            "4",
            "--precision",
            precision,
            "--runs_dir",
            str(tmp_path / "runs"),
        ]
    )
    assert seen and set(seen) == {precision == "bf16"}
