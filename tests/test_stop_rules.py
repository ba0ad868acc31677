"""The greedy probe and the stop rules that read it: arrival, fail fast and a collapse judged against the run's own start."""

import dataclasses
import json
from pathlib import Path

import pytest

from experiments.registry import wing_folder
from experiments.training.probe import probe_prompts
from experiments.training.recorder import MetricsRecorder
from experiments.training.stop_rules import BEHAVIOUR_WINDOW, ProbeReading, StopRules, collapse_signal

pytestmark = pytest.mark.fast
ROOT = Path(__file__).resolve().parent.parent


def reading(step: int, share: float = 0.3, loops: float = 0.0, frame: float = 0.1) -> ProbeReading:
    return ProbeReading(step, share, loops, frame, "", 0.5, (), 0.1)


def replay(
    rules: StopRules, metrics: list[dict], objective: str = "rewards/four_letter_share/mean"
) -> tuple[int | None, str]:
    """Feed a committed run's logged steps to the rules; the step they stop at (None: never) and the reason."""
    for row in metrics:
        if rules.after_step(row["step"], row.get(objective), row.get("entropy"), row.get("shared_openings")):
            return row["step"], rules.reason
    return None, rules.reason


def committed_metrics(name: str) -> list[dict]:
    folder = wing_folder(ROOT / "results", name) / name  # a committed run, in its entry's wing
    return [json.loads(line) for line in (folder / "metrics.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("temperature, start", [(0.5, 0.82), (0.7, 1.46), (1.0, 3.29)])
def test_a_healthy_start_is_no_collapse_at_any_temperature(temperature, start):
    """TRL logs the tempered entropy: at 0.5 SmolLM2 starts at 0.82 nats/token, at 0.7 at 1.46 (share-with-leashes,
    measured). The old fixed level (1.0) stopped the 0.5 run at step 5 and the 0.7 run at step 36; a third of the run's
    own start does not fire while the entropy stays near where it began, or drifts down by half."""
    rules = StopRules(enabled=True)
    drift = [start * (1 - 0.5 * step / 40) for step in range(40)]
    assert all(rules.after_step(step, 0.2, entropy, 0.0) is None for step, entropy in enumerate(drift, start=1))
    assert rules.reason == "step cap"


def test_a_policy_that_really_collapsed_is_stopped_by_its_own_entropy():
    """lr-high (lr 1e-3) collapsed into one canned answer: entropy 3.5 → 0.37. Its committed steps, replayed without the
    shared-openings signal, are stopped by the entropy rule alone; the same rule leaves a healthy committed run alone."""
    collapsed = [{k: v for k, v in row.items() if k != "shared_openings"} for row in committed_metrics("lr-high")]
    step, reason = replay(StopRules(enabled=True, level=1.1), collapsed)
    assert reason == "collapse" and step is not None and step <= collapsed[-1]["step"]
    healthy = committed_metrics("relevance-quarter-96")  # stopped by the behaviour at step 68, entropy 1.8 at the end
    assert replay(StopRules(enabled=True, level=1.1), healthy) == (None, "step cap")


def test_the_collapse_signal_reads_the_runs_own_start():
    assert collapse_signal([0.82] * BEHAVIOUR_WINDOW, [0.75] * BEHAVIOUR_WINDOW, []) is None
    assert collapse_signal([0.82] * BEHAVIOUR_WINDOW, [0.2] * BEHAVIOUR_WINDOW, []) is not None
    assert collapse_signal([3.2] * 4, [0.2] * BEHAVIOUR_WINDOW, []) is None, "no start yet: five steps are needed"


def test_fail_fast_needs_two_looping_probes_in_a_row():
    rules = StopRules(enabled=True)
    assert rules.after_probe(reading(5, loops=3 / 8)) is None
    assert rules.after_probe(reading(10, loops=1 / 8)) is None, "a clean probe in between resets the count"
    assert rules.after_probe(reading(15, loops=3 / 8)) is None
    assert rules.after_probe(reading(20, loops=0.5)) is not None and rules.reason == "loops"


def test_arrival_by_the_probe_needs_the_share_without_loops_or_one_frame():
    rules = StopRules(enabled=True, level=0.55, arrival="probe")
    assert rules.after_step(5, 0.9, 3.0, 0.0) is None, "the training share does not decide under arrival='probe'"
    assert rules.after_probe(reading(5, share=0.6, loops=1 / 8)) is None
    assert rules.after_probe(reading(10, share=0.6, frame=0.5)) is None
    assert rules.after_probe(reading(15, share=0.5)) is None
    assert rules.after_probe(reading(20, share=0.6)) is not None
    assert (rules.reason, rules.behaviour_step) == ("behaviour", 20)


def test_watching_rules_record_the_arrival_and_stop_nothing():
    rules = StopRules(enabled=False, level=0.55, arrival="probe")
    assert rules.after_probe(reading(5, share=0.6)) is None and rules.behaviour_step == 5 and rules.reason == "step cap"
    assert rules.after_probe(reading(10, loops=1.0)) is None and rules.after_probe(reading(15, loops=1.0)) is None


def test_probe_prompts_come_from_the_training_pool_never_the_held_out_file():
    from experiments.training.prompts import read_prompt_lines

    pool = read_prompt_lines(ROOT / "prompts" / "silly.txt")
    picked = probe_prompts(pool)
    assert len(picked) == 8 and len(set(picked)) == 8 and set(picked) <= set(pool)
    assert not set(picked) & set(read_prompt_lines(ROOT / "prompts" / "heldout.txt"))


def trained_rewards(config, probe_every: int) -> tuple[list[float], MetricsRecorder]:
    from experiments.training.stages import quiet_trainer

    trainer, recorder = quiet_trainer(
        dataclasses.replace(config, eval_max_new_tokens=12), StopRules(enabled=False), probe_every
    )
    trainer.train()
    return [row["reward"] for row in recorder.history if "reward" in row], recorder


def test_the_probe_leaves_the_training_trajectory_as_it_was():
    """Greedy decoding draws no random numbers: a run probed at every step samples and learns exactly as one that is not."""
    from experiments.registry import REGISTRY

    config = dataclasses.replace(REGISTRY["smoke"], steps=3)
    without, _ = trained_rewards(config, 0)
    probed, recorder = trained_rewards(config, 1)
    assert probed == without
    assert [p.step for p in recorder.probes] == [1, 2, 3]
    assert all(len(p.answers) == 8 and 0 <= p.share <= 1 for p in recorder.probes)
    logged = [row for row in recorder.history if "reward" in row]
    assert all("probe/share" in row and "probe/loops" in row for row in logged)


@pytest.mark.parametrize("temperature", [0.5, 0.7, 1.0])
def test_a_second_model_trains_at_each_temperature_without_a_false_collapse(tmp_path, temperature):
    """A tiny random Llama (rotary positions, like SmolLM2 and Qwen2), trained 6 steps with every stop rule on."""
    from test_training import tiny_llama

    from experiments.registry import REGISTRY
    from experiments.training.stages import quiet_trainer

    config = dataclasses.replace(
        REGISTRY["smoke"],
        model=tiny_llama(tmp_path / "llama"),
        steps=6,
        grpo={**REGISTRY["smoke"].grpo, "temperature": temperature},
    )
    trainer, recorder = quiet_trainer(config, StopRules(enabled=True, level=1.1))
    trainer.train()
    assert recorder.stop_reason == "step cap", recorder.stop_reason
    assert len([row for row in recorder.history if "entropy" in row]) == 6
