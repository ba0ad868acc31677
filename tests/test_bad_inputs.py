"""Reliability, round two: the hostile inputs of issue 27, each ending in one line or in correct behaviour."""

import json
import os
import stat
import sys
import warnings
from pathlib import Path

import pytest

from experiments.cli import ConfigError, PromptFileError, RewardError
from experiments.files import FolderError, atomic_write_text
from experiments.registry import BASELINE, FIRST_BASELINE, REGISTRY, variant
from experiments.reporting.summary_file import strict_json
from experiments.runner import run_experiment
from experiments.training.checks import validate_experiment
from experiments.training.prompts import read_numbered_prompts
from experiments.training.reward_checks import IsolatedReward, check_rewards

pytestmark = pytest.mark.fast
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import explore  # noqa: E402


@pytest.fixture
def no_model(monkeypatch):
    """Fail the test if a model loads: each refusal here must come before that."""
    import experiments.training.assembly as assembly

    monkeypatch.setattr(assembly, "resolve_model", lambda *a, **k: pytest.fail("a model was loaded before the refusal"))


def one_line_exit(capsys, main, arguments) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(arguments)
    err = capsys.readouterr().err.strip()
    assert exit_.value.code == 2 and "Traceback" not in err
    return err.splitlines()[-1]


def test_two_explorations_keep_two_rows(tmp_path):
    folders = ["--results-dir", str(tmp_path / "results"), "--runs-dir", str(tmp_path / "runs")]
    for name in ("first-idea", "second-idea"):
        explore.main([name, *folders, "--base", "smoke", "--steps", "1"])
    rows = json.loads((tmp_path / "results" / "summary.json").read_text())["runs"]
    assert [row["name"] for row in rows] == ["first-idea", "second-idea"]
    assert not (Path.cwd() / "runs" / "explore" / "first-idea").exists() or Path.cwd() == ROOT


def test_a_corrupt_summary_is_refused_before_training(tmp_path, no_model):
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "summary.json").write_text('{"runs": [')
    with pytest.raises(FolderError, match=r"summary.json: not readable JSON"):
        run_experiment(REGISTRY["smoke"], results_dir=tmp_path / "results", runs_dir=tmp_path / "runs")


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "not readable JSON"),
        ('{"environment": {}}', "holds no list of runs"),
        ('{"runs": [{"name": "x"}]}', "run 0 (x) lacks hypothesis"),
    ],
    ids=["empty", "no-runs", "row-missing-fields"],
)
def test_the_report_refuses_a_bad_summary_in_one_line_and_rewrites_nothing(tmp_path, capsys, text, message):
    from experiments.report import main as report_main

    (tmp_path / "summary.json").write_text(text)
    assert message in one_line_exit(capsys, report_main, ["--results_dir", str(tmp_path)])
    assert (tmp_path / "summary.json").read_text() == text and not (tmp_path / "summary.md").exists()


def test_the_report_keeps_top_level_keys_it_does_not_write(tmp_path):
    from experiments.reporting.publish import refresh_summary

    committed = json.loads((ROOT / "results" / "summary.json").read_text())
    smoke = next(row for row in committed["runs"] if row["name"] == "smoke")
    (tmp_path / "summary.json").write_text(json.dumps({"runs": [smoke], "notes": "kept by hand"}))
    assert refresh_summary(tmp_path)["notes"] == "kept by hand"


def test_a_reward_that_mutates_its_inputs_cannot_change_what_the_next_reward_scores():
    def vandal(prompts, completions, **kwargs):
        completions[:] = ["cows sing" for _ in completions]
        kwargs["completion_ids"].clear()
        return [0.0] * len(completions)

    def reader(prompts, completions, **kwargs):
        return [float(len(c)) + 100 * len(kwargs["completion_ids"]) for c in completions]

    shared = {"prompts": ["ox?", "ox?"], "completions": ["Moo moo.", "Oxen hum low."], "completion_ids": [[1], [2]]}
    IsolatedReward(vandal)(**shared)
    assert IsolatedReward(reader)(**shared) == [208.0, 213.0]
    assert IsolatedReward(vandal).__name__ == "vandal"


def test_training_hands_each_reward_its_own_copy(tmp_path):
    from experiments.training.stages import quiet_trainer

    trainer, _ = quiet_trainer(REGISTRY["smoke"])
    assert all(isinstance(function, IsolatedReward) for function in trainer.reward_funcs)


def test_a_reward_that_exits_the_process_is_named():
    def quitter(prompts, completions, **kwargs):
        sys.exit(3)

    with pytest.raises(RewardError, match="reward quitter raised SystemExit"):
        check_rewards([quitter])
    with pytest.raises(RewardError, match="reward quitter tried to end the process"):
        IsolatedReward(quitter)(prompts=["ox?"], completions=["moo"])


def test_a_one_prompt_file_against_a_two_prompt_step_is_refused_before_loading(tmp_path, no_model):
    prompts = tmp_path / "one.txt"
    prompts.write_text("What does the ox sing?\n")
    config = variant(BASELINE, "one-prompt", "refused", "works", train_prompts=str(prompts))
    with pytest.raises(ConfigError, match=r"one.txt: 1 distinct prompt, but one-prompt takes 2 prompts a step"):
        run_experiment(config, results_dir=tmp_path / "results", runs_dir=tmp_path / "runs")
    assert not (tmp_path / "results").exists() and not (tmp_path / "runs").exists()


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"grpo": {"beta": -1.0}}, r"beta \(the KL coefficient\) must be a number ≥ 0, got -1.0"),
        ({"reward_weights": (float("inf"), 1.0)}, r"reward_weights\[0\] \(four_letter_share\) must be a finite number"),
        ({"reward_weights": (float("nan"), 1.0)}, r"reward_weights\[0\] \(four_letter_share\) must be a finite number"),
        ({"grpo": {"max_completion_length": 0}}, "max_completion_length must be a positive integer, got 0"),
        ({"grpo": {"learning_rate": 1e10}}, "learning_rate must be at most 1.0"),
        ({"caught_by": ("perplexity",)}, r"caught_by names \['perplexity'\], not guards"),
        (
            {"grpo": {"learning_rate": float("inf")}},
            "learning_rate must be a finite number|learning_rate must be at most",
        ),
        ({"grpo": {"temperature": float("nan")}}, "temperature must be a finite number"),
        ({"steps": 1_000_000}, "steps must be at most 10000"),
    ],
    ids=[
        "beta-negative",
        "weight-infinite",
        "weight-nan",
        "no-completion",
        "lr-huge",
        "guard-unknown",
        "lr-inf",
        "nan-field",
        "steps-huge",
    ],
)
def test_values_that_would_train_nonsense_are_refused(changes, message):
    with pytest.raises(ConfigError, match=message):
        validate_experiment(variant(FIRST_BASELINE, "bad", "refused", "works", **changes))


def test_summary_json_stays_strict_json():
    text = strict_json({"runs": [{"mean_kl": float("nan"), "final_train_reward": float("inf")}]})
    assert (
        json.loads(text, parse_constant=lambda token: pytest.fail(f"non-standard token {token}"))["runs"][0]["mean_kl"]
        is None
    )


def test_terminal_escapes_are_removed_whole(tmp_path):
    prompts = tmp_path / "colour.txt"
    prompts.write_bytes(b"\x1b[31mWhat does the ox sing?\x1b[0m\nWhy do cows hum?\n")
    with pytest.warns(UserWarning, match=r"colour.txt: terminal escape codes \(colours\) removed on line 1"):
        lines = read_numbered_prompts(prompts)
    assert lines[0] == (1, "What does the ox sing?")


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--num_generations", "many"], "error: --num_generations: expected a whole number, got 'many'"),
        (["--reward_weights", "1.0"], "error: x: reward_weights has 1 entries but rewards has 3"),
        (["--reward_weights", "nan,1.0"], "error: --reward_weights: expected a finite number, got 'nan'"),
        (["--beta", "nan"], "error: --beta: expected a finite number, got 'nan'"),
        (
            ["--rewards", "four_letter_sahre"],
            "error: x: unknown reward 'four_letter_sahre'; did you mean 'four_letter_share'?",
        ),
        (["--learnin_rate", "1e-4"], "error: --learnin_rate: neither an Experiment field nor a GRPOConfig field"),
        (["--steps", "100000"], "error: x: steps must be at most 10000"),
    ],
    ids=["generations-word", "one-weight", "nan-weight", "nan-beta", "reward-typo", "unknown-field", "steps-huge"],
)
def test_explore_mistakes_end_in_one_line_before_a_model_loads(tmp_path, capsys, no_model, arguments, message):
    folders = ["--results-dir", str(tmp_path / "results"), "--runs-dir", str(tmp_path / "runs")]
    assert message in one_line_exit(capsys, explore.main, ["x", *folders, *arguments])
    assert not (tmp_path / "results").exists() and not (tmp_path / "runs").exists()


def test_explore_reads_a_single_reward_and_a_path_with_a_comma_as_typed():
    config = explore.exploration(
        BASELINE, "x", ["--rewards", "four_letter_share", "--reward_weights", "1", "--train_prompts", "p/a,b.txt"]
    )
    assert (config.rewards, config.reward_weights, config.train_prompts) == (
        ("four_letter_share",),
        (1.0,),
        "p/a,b.txt",
    )


def test_sample_refuses_a_question_longer_than_the_context(capsys):
    from experiments.sample import main as sample_main

    line = one_line_exit(capsys, sample_main, ["tiny-gpt2", "why " * 300])
    assert "question 1 is" in line and "exceeds the model's context of 256 tokens" in line


def test_a_damaged_model_folder_is_called_damaged(tmp_path):
    from experiments.cli import ModelError
    from experiments.evaluation.models import resolve_model

    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ModelError, match="a model folder that cannot be loaded") as error:
        resolve_model(str(tmp_path))
    assert "smollm2-135m" not in str(error.value)


def test_prompt_file_warnings_are_given_once_per_run(tmp_path):
    prompts = tmp_path / "dups.txt"
    prompts.write_text(
        "What does the ox sing?\nWhat does the ox sing?\nWhy do cows hum?\nWho taught frogs to whistle?\n"
    )
    config = variant(REGISTRY["smoke"], "dups", "runs", "no change", train_prompts=str(prompts), steps=1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run_experiment(config, results_dir=tmp_path / "results", runs_dir=tmp_path / "runs")
    assert sum("duplicate prompts removed" in str(w.message) for w in caught) == 1


def test_a_pipe_as_prompt_file_is_refused_instead_of_read_forever(tmp_path):
    fifo = tmp_path / "prompts.txt"
    os.mkfifo(fifo)
    with pytest.raises(PromptFileError, match="is not a regular file"):
        read_numbered_prompts(fifo)


def test_result_files_are_readable_by_everyone(tmp_path):
    atomic_write_text(tmp_path / "summary.md", "# results\n")
    assert stat.S_IMODE((tmp_path / "summary.md").stat().st_mode) == 0o644
