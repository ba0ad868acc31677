"""The report's sentences come from the rows they describe, so a newer row changes them."""

import pytest

from experiments.report import trained_outcome, zero_std_note

pytestmark = pytest.mark.fast


def run(name, verdict="works", seconds=None, zero_std=0.0, model="smollm2-135m"):
    return {"name": name, "verdict": verdict, "time_to_behaviour_s": seconds, "mean_frac_reward_zero_std": zero_std, "model": model}


def test_the_speed_table_reads_the_lever_run_as_it_stands_now():
    at_benchmark_time = {"config": "baseline", "verdict": "no change", "time_to_behaviour_s": None}
    assert trained_outcome(at_benchmark_time, [run("baseline", "works", 315.2)]) == ["baseline", "works", 315.2]
    assert trained_outcome(at_benchmark_time, []) == ["baseline", "no change", "never"]
    assert trained_outcome(None, []) == ["not trained", "", ""]


def test_the_zero_std_note_names_the_runs_with_the_most_tied_groups():
    runs = [run("baseline", zero_std=0.01), run("broken-groups-of-2", zero_std=0.30), run("shouting", zero_std=0.05),
            run("smoke", zero_std=0.9, model="tiny-gpt2")]
    note = zero_std_note(runs)
    assert "`broken-groups-of-2` 0.30, `shouting` 0.05; baseline 0.01." in note
    assert "smoke" not in note
