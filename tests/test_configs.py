"""Configurations are data: the registry is valid, and every bad entry is refused before a model loads."""

import math
import subprocess
import time
from pathlib import Path

import pytest

from experiments.cli import ConfigError, RewardError
from experiments.registry import BASELINE, CONFIGS, FIRST_BASELINE, REGISTRY, VERDICTS, variant
from experiments.training.checks import validate_experiment
from experiments.training.reward_checks import check_rewards
from rewards import REWARDS
from tests.helpers import pytest_command

pytestmark = pytest.mark.fast
ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: c.name)
def test_every_registered_configuration_validates(config):
    """Precision is chosen at run time (bf16 on CUDA), so a GPU lesson validates here in fp32; the GRPOConfig it gives
    carries the entry's own settings."""
    arguments = validate_experiment(config)
    assert arguments.max_steps == config.steps and arguments.seed == config.seed
    for key, value in config.grpo.items():
        assert getattr(arguments, key) == value, key
    if config.reward_weights is not None:
        assert list(arguments.reward_weights) == list(config.reward_weights)


def test_gpu_lessons_are_the_baseline_plus_the_gpu_override():
    gpu_lessons = [c for c in CONFIGS if c.on_gpu]
    assert {c.name for c in gpu_lessons} >= {
        "first-baseline-gpu",
        "first-baseline-gpu-seed1",
        "first-baseline-gpu-seed2",
    }
    assert REGISTRY["first-baseline-gpu"].differences() == {"use_cpu": False, "attn_implementation": "eager"}
    assert REGISTRY["first-baseline-gpu-seed2"].seed == 2
    assert REGISTRY["first-baseline-gpu-seed2"].family == "first-baseline-gpu"
    assert not BASELINE.on_gpu


def test_registry_has_a_baseline_comparisons_and_unique_names():
    assert len(REGISTRY) == len(CONFIGS)
    assert FIRST_BASELINE.expect == "works" and BASELINE.expect in VERDICTS
    assert len(BASELINE.seeds) == 3 and REGISTRY["baseline-fp32-seed2"].precision == "fp32" and not BASELINE.long
    assert sum(c.name.startswith("broken-") for c in CONFIGS) >= 3


def test_variants_record_only_their_differences_from_their_own_base():
    assert FIRST_BASELINE.differences() == {} and REGISTRY["first-baseline-seed2"].differences() == {}
    assert BASELINE.differences() == {} and REGISTRY["baseline-seed2"].differences() == {"seed": 2}
    assert REGISTRY["relevance-quarter"].differences() == {"reward_weights": (1.0, 1.0, 0.25)}
    assert REGISTRY["relevance-quarter"].base.name == "relevance-reward" and REGISTRY[
        "relevance-quarter-96"
    ].differences() == {"steps": 96}
    assert REGISTRY["baseline-fp32"].differences() == {"precision": "fp32"}
    assert REGISTRY["first-baseline-fp32"].differences() == {"precision": "fp32"}
    assert REGISTRY["relevance-quarter-0.55"].differences() == {"steps": 112, "stop_level": 0.55}
    assert REGISTRY["relevance-quarter-0.55-fp32-seed2"].differences() == {"seed": 2, "precision": "fp32"}
    assert REGISTRY["relevance-reward-seed1"].differences()["seed"] == 1
    assert REGISTRY["beta-zero"].differences() == {"beta": 0.0}
    assert REGISTRY["lr-low"].differences() == {"steps": 28, "stop_at_behaviour": False, "learning_rate": 3e-5}
    assert variant(BASELINE, "x", "h", "works", seed=7).differences() == {"seed": 7}
    assert REGISTRY["frozen-half"].differences() == {"frozen_fraction": 0.5}
    assert REGISTRY["empty-system-prompt"].differences() == {"system_prompt": ""}


def bad(expect="works", **changes):
    return variant(FIRST_BASELINE, "bad", "a typo", expect, **changes)


@pytest.mark.parametrize(
    "config, message",
    [
        (
            bad(grpo={"per_device_train_batch_size": 12, "num_generations": 8}),
            r"bad: GRPOConfig rejects .*divisible by num_generations",
        ),
        (
            bad(grpo={"learning_rat": 1e-4}),
            r"bad: unknown GRPOConfig field 'learning_rat'; did you mean 'learning_rate'\?",
        ),
        (
            bad(rewards=("four_leter_share",)),
            r"bad: unknown reward 'four_leter_share'; did you mean 'four_letter_share'\?",
        ),
        (bad(grpo={"learning_rate": 0.0}), r"bad: learning_rate must be > 0, got 0.0"),
        (bad(grpo={"learning_rate": -1e-4}), r"bad: learning_rate must be > 0"),
        (bad(steps=0), r"bad: steps must be a positive integer, got 0"),
        (bad(steps=-3), r"bad: steps must be a positive integer"),
        (bad(grpo={"num_generations": 1}), r"bad: num_generations must be ≥ 2, got 1"),
        (bad(reward_weights=(1.0,)), r"bad: reward_weights has 1 entries but rewards has 2"),
        (bad(rewards=()), r"bad: rewards is empty"),
        (bad(expect="great"), r"bad: expect='great' is not one of"),
        (bad(frozen_fraction=1.0), r"bad: frozen_fraction must be None or a number in \[0, 1\), got 1.0"),
        (bad(system_prompt=0), r"bad: system_prompt must be None or a string, got 0"),
        (bad(attn_implementation="fast"), r"bad: attn_implementation must be one of .*, got 'fast'"),
    ],
    ids=[
        "batch-not-divisible",
        "unknown-field",
        "unknown-reward",
        "lr-zero",
        "lr-negative",
        "steps-zero",
        "steps-negative",
        "one-generation",
        "weights-count",
        "no-rewards",
        "unknown-verdict",
        "frozen-all",
        "system-not-text",
        "unknown-attention",
    ],
)
def test_bad_configurations_are_refused_with_the_field_named(config, message):
    with pytest.raises(ConfigError, match=message):
        validate_experiment(config)


def wrong_length(prompts, completions, **kwargs):
    return [0.5]


def returns_nan(prompts, completions, **kwargs):
    return [math.nan] * len(completions)


def returns_inf(prompts, completions, **kwargs):
    return [math.inf] * len(completions)


def returns_text(prompts, completions, **kwargs):
    return ["high"] * len(completions)


def raises(prompts, completions, **kwargs):
    raise KeyError("answer")


@pytest.mark.parametrize(
    "function, message",
    [
        (wrong_length, r"reward wrong_length returned list of length 1 for 6 completions"),
        (returns_nan, r"reward returns_nan returned nan"),
        (returns_inf, r"reward returns_inf returned inf"),
        (returns_text, r"reward returns_text returned a non-number 'high'"),
        (raises, r"reward raises raised KeyError: 'answer'"),
    ],
    ids=["wrong-length", "nan", "inf", "non-number", "raises"],
)
def test_misbehaving_rewards_are_named_by_the_dry_run(function, message):
    with pytest.raises(RewardError, match=message):
        check_rewards([function])


def clears_its_input(prompts, completions, **kwargs):
    scores = [0.5] * len(completions)
    completions.clear()
    return scores


def nan_on_empty_list(prompts, completions, **kwargs):
    return [math.nan] * len(completions)


def without_kwargs(prompts, completions):
    return [0.0] * len(completions)


def overflows(prompts, completions, **kwargs):
    return [10**400] * len(completions)


def returns_array(prompts, completions, **kwargs):
    import numpy

    return numpy.zeros(len(completions))


def no_score_sometimes(prompts, completions, **kwargs):
    return [None if i % 2 else 1.0 for i in range(len(completions))]


def slow(prompts, completions, **kwargs):
    time.sleep(0.02 * len(completions))
    return [0.0] * len(completions)


@pytest.mark.parametrize(
    "function, message",
    [
        (without_kwargs, r"reward without_kwargs does not accept TRL's keyword arguments .*completion_ids.*\*\*kwargs"),
        (overflows, r"reward overflows returned an integer too large for a float"),
        (returns_array, r"reward returns_array returned a numpy.ndarray of length 6, not a list; .*tolist\(\)"),
    ],
    ids=["no-kwargs", "overflow", "numpy-array"],
)
def test_rewards_are_called_as_trl_calls_them(function, message):
    with pytest.raises(RewardError, match=message):
        check_rewards([function])


def test_each_reward_gets_its_own_copy_of_the_samples():
    with pytest.raises(RewardError, match="reward nan_on_empty_list returned nan"):
        check_rewards([clears_its_input, nan_on_empty_list])


def test_none_is_accepted_from_judged_rewards_only():
    """TRL reads None as "no score"; only the judged relevance rewards have a reason to give it (a one-question batch)."""
    from experiments.evaluation.relevance import RelevanceReward

    class Judged(RelevanceReward):
        def __call__(self, prompts, completions, **kwargs):
            return no_score_sometimes(prompts, completions)

    check_rewards([Judged(judge=None)])  # accepted: no RewardError (this one never asks its judge)
    with pytest.raises(
        RewardError, match="reward no_score_sometimes returned None for completion ''; only judged rewards"
    ):
        check_rewards([no_score_sometimes])
    with pytest.raises(RewardError):
        check_rewards([lambda prompts, completions, **kwargs: [float("nan")] * len(completions)])


def test_a_slow_reward_is_accepted_with_its_time():
    with pytest.warns(UserWarning, match=r"reward slow takes \d+ ms per completion"):
        check_rewards([slow])


def test_project_rewards_pass_the_dry_run(recwarn):
    check_rewards(list(REWARDS.values()))
    assert not [w for w in recwarn if "ms per completion" in str(w.message)], (
        "a project reward is slower than 10 ms per completion"
    )


def test_long_lessons_stay_out_of_the_suite_unless_asked_for():
    """The long lessons and the history wing (hours of history) stay out of `pytest -m train --run-slow`: they need
    --run-long too (the plumbing entries, tiny models, run in the fast suite)."""
    from experiments.evaluation.models import TINY_GPT2
    from experiments.registry import HISTORY_RUNS

    long_names = [c.name for c in CONFIGS if (c.long or c.name in HISTORY_RUNS) and c.model != TINY_GPT2]
    assert long_names and set(long_names) >= HISTORY_RUNS - {c.name for c in CONFIGS if c.model == TINY_GPT2}
    suite = pytest_command("-rs", "--run-slow", "tests/test_experiments.py")
    # One pytest process: -v lists each long lesson's test (so they are collected), each skipped for want of --run-long.
    verbose = [word for word in suite if word != "-q"] + ["-v", "-m", "long"]
    skipped = subprocess.run(verbose, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert skipped.returncode == 0, skipped.stdout[-2000:]
    assert all(f"[{name}] SKIPPED" in skipped.stdout for name in long_names), skipped.stdout[-2000:]
    assert f"{len(long_names)} skipped" in skipped.stdout and "add --run-long" in skipped.stdout


def test_the_guards_an_entry_may_name_are_the_guards_a_verdict_reads():
    from experiments.evaluation.measurements import Measurements
    from experiments.evaluation.verdicts import judge
    from experiments.registry.experiment import GUARD_NAMES

    measured = Measurements(
        share=0.5,
        ref_ppl=10.0,
        distinct2=0.8,
        real_words=0.9,
        mean_words=20.0,
        relevance=1.0,
        template=0.1,
        loops=0.0,
        frame=0.1,
        clean=0.5,
    )
    assert tuple(judge(measured, measured, stop_reason="step cap").guards) == GUARD_NAMES


def test_a_breakage_caught_by_another_guard_than_it_named_is_refuted():
    from experiments.registry import REGISTRY

    entry = REGISTRY["broken-no-leash"]
    assert entry.caught_by == ("ref_ppl",) and REGISTRY["lr-2e-4"].caught_by == ()
    assert not entry.held_by("broken", {"ref_ppl": True, "loops": False})
    assert entry.held_by("broken", {"ref_ppl": False, "loops": True})
