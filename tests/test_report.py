"""The report's sentences come from the rows they describe, so a newer row changes them."""

import pytest

from experiments.report import gpu_speed_section, suite_seconds, trained_outcome, zero_std_note

pytestmark = pytest.mark.fast


def run(name, verdict="works", seconds=None, zero_std=0.0, model="smollm2-135m", step_s=10.04):
    return {"name": name, "verdict": verdict, "time_to_behaviour_s": seconds, "mean_frac_reward_zero_std": zero_std,
            "model": model, "mean_step_time_s": step_s}


def test_the_speed_table_reads_the_lever_run_as_it_stands_now():
    assert trained_outcome("baseline", [run("baseline", "works", 315.2)]) == ["baseline", "works", "315", "10.0"]
    assert trained_outcome("short-completions", [run("short-completions", "no change", step_s=None)]) == [
        "short-completions", "no change", "never", "?"]
    seeds = [run("fast", "broken", 271.5, step_s=8.16), run("fast-seed1", "works", 440.3), run("fast-seed2", "works"), run("faster", "works", 9.0)]
    assert trained_outcome("fast", seeds) == ["fast (×3 seeds)", "broken, works, works", "272, 440, never", "8.2, 10.0, 10.0"]
    assert trained_outcome("reuse-generations", []) == ["reuse-generations", "not run yet", "", ""]
    assert trained_outcome(None, []) == ["not trained", "", "", ""]


def test_the_zero_std_note_names_the_runs_with_the_most_tied_groups():
    runs = [run("baseline", zero_std=0.01), run("broken-groups-of-2", zero_std=0.30), run("shouting", zero_std=0.05),
            run("smoke", zero_std=0.9, model="tiny-gpt2")]
    note = zero_std_note(runs)
    assert "`broken-groups-of-2` 0.30, `shouting` 0.05; baseline 0.01." in note
    assert "smoke" not in note


def test_the_suite_total_follows_the_registry_tier_not_the_rows_own_flag():
    """lr-low moved to the long tier after its row was written without a `long` field."""
    rows = [{"name": "baseline", "wall_clock_s": 300.0, "eval_s": 30.0}, {"name": "lr-low", "wall_clock_s": 280.0, "eval_s": 20.0}]
    assert suite_seconds(rows) == (330.0, 300.0, 0.0)


def test_gpu_lessons_are_tallied_apart_from_the_cpu_suite():
    rows = [{"name": "baseline", "wall_clock_s": 300.0, "eval_s": 30.0}, {"name": "baseline-gpu-seed1", "wall_clock_s": 40.0, "eval_s": 5.0}]
    assert suite_seconds(rows) == (330.0, 0.0, 45.0)


def test_the_gpu_speed_section_compares_the_gpu_step_with_the_cpu_step():
    def figures(project, again, device):
        return {"environment": {"device": device, "date": "today"}, "step_s": {"project": project, "trl_default": 8.0, "project_again": again},
                "speedup_vs_project": {"project": 1.0, "trl_default": 0.1, "project_again": 1.0}, "speedup_project_vs_trl_default": 10.0,
                "speedup_project_vs_trl_default_24_tokens": 1.5, "project_drift": 0.1, "mfu_vs_bf16_peak": 0.002,
                "matmul_peak_flops_bf16": 7.9e14, "evaluation_completions_per_s": 40.0}

    assert gpu_speed_section(None, None, []) == []
    title, table, text = gpu_speed_section(figures(0.9, 1.1, "cuda: NVIDIA H200"), figures(9.0, 11.0, "cpu"), [run("baseline-gpu", "works", 42.0)])
    assert "NVIDIA H200" in title
    assert "| baseline-gpu " in table and "| works " in table
    assert "1.00 s there against 10.0 s on the CPU above (×10.0)" in text
    assert "MFU 0.20% of a measured bf16 matmul peak (790 TFLOP/s)" in text
