"""The speed measurements' arithmetic, checked on numbers and a tiny model; `-m benchmark` times one real step.

Measuring and writing results/history/benchmark.json is `python -m experiments.benchmark`'s job, not a test's.
"""

import pytest
import torch

from experiments.benchmark import grpo_step_seconds, step_figures
from experiments.evaluation.models import TINY_GPT2, freeze_lower_layers, resolve_model
from experiments.training.speed import matmul_peak_flops, step_flops


@pytest.mark.fast
def test_freezing_the_lower_half_shortens_the_backward_in_the_flop_model(tmp_path):
    model, _ = resolve_model(TINY_GPT2, cache_dir=tmp_path)
    full = step_flops(model, generated=100, prompt_tokens=50, with_reference=True)
    assert step_flops(model, generated=100, prompt_tokens=50, with_reference=False) < full
    freeze_lower_layers(model, 0.5)
    assert step_flops(model, generated=100, prompt_tokens=50, with_reference=True) < full


@pytest.mark.fast
def test_step_figures_read_speedups_and_drift_from_one_run():
    timings = {
        "project": (10.0, 1e12),
        "trl_default": (150.0, 1e12),
        "trl_default_24_tokens": (13.0, 1e12),
        "fp32": (20.0, 1e12),
        "project_again": (12.0, 1e12),
    }
    figures = step_figures(timings, peak_bf16=1e13)
    assert figures["speedup_project_vs_trl_default"] == pytest.approx(150 / 11)
    assert figures["speedup_vs_project"]["fp32"] == pytest.approx(11 / 20)
    assert figures["project_drift"] == pytest.approx(2 / 11)
    assert figures["mfu_vs_bf16_peak"] == pytest.approx(1e12 / 11 / 1e13)


@pytest.mark.fast
def test_a_matmul_peak_is_measured_in_flops_per_second():
    assert 1e6 < matmul_peak_flops(torch.float32, size=256, repeats=2) < 1e15


@pytest.mark.benchmark
def test_one_grpo_step_of_the_project_settings(benchmark):
    seconds, flops = benchmark.pedantic(grpo_step_seconds, args=({},), kwargs={"steps": 2}, rounds=1, iterations=1)
    assert seconds > 0 and flops > 1e12


@pytest.mark.fast
def test_the_step_breakdown_times_every_phase_and_the_judge_against_no_judge(tmp_path):
    import dataclasses

    from experiments.benchmark import breakdown
    from experiments.registry import REGISTRY
    from experiments.training.speed import PhaseTimer
    from tests.test_training import tiny_llama

    config = dataclasses.replace(
        REGISTRY["smoke"],
        model=tiny_llama(tmp_path / "llama"),
        rewards=("four_letter_share", "relevance"),
        reward_weights=(1.0, 0.25),
        grpo={**REGISTRY["smoke"].grpo, "beta": 0.1, "per_device_train_batch_size": 8},
    )
    figures = breakdown(config, steps=2)
    timings = figures["seconds_per_phase"]
    for phases in timings.values():
        assert set(phases) == {*PhaseTimer.PHASES, "step"}
        assert phases["generation"] > 0 and phases["step"] == pytest.approx(sum(phases[p] for p in PhaseTimer.PHASES))
    assert timings["without_relevance"]["judge"] == 0 and timings["judge_reuses_reference"]["judge"] > 0
    assert figures["step_ratio_vs_without_relevance"]["without_relevance"] == 1.0
