"""The report's sentences come from the rows they describe, so a newer row changes them."""

import pytest

from experiments.report import suite_seconds, trained_outcome, zero_std_note

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
    assert suite_seconds(rows) == (330.0, 300.0)
