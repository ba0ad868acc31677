"""Failures refused before training starts, on a real (tiny) model."""

from pathlib import Path

import pytest

from experiments.cli import ConfigError, PromptFileError
from experiments.registry import BASELINE, variant
from experiments.runner import run_experiment

pytestmark = pytest.mark.fast


def test_a_prompt_longer_than_the_context_is_refused(tmp_path):
    prompts = tmp_path / "long.txt"
    prompts.write_text("What does the ox sing?\n" + "Why " * 400 + "?\n")
    config = variant(
        BASELINE, "too-long", "refused", "no change", model="tiny-gpt2", train_prompts=str(prompts), steps=1
    )
    with pytest.raises(
        PromptFileError,
        match=r"long.txt:2: prompt .* tokens; with max_completion_length 24 it exceeds the context of tiny-gpt2 \(256 tokens\)",
    ):
        run_experiment(config, results_dir=tmp_path / "results", runs_dir=tmp_path / "runs")
    assert not (tmp_path / "results").exists(), "nothing may be written for a refused run"


def test_a_bad_configuration_fails_before_any_model_loads(tmp_path, monkeypatch):
    import experiments.training.assembly as assembly

    def no_model(*args, **kwargs):
        raise AssertionError("the model was loaded before validation")

    monkeypatch.setattr(assembly, "resolve_model", no_model)
    config = variant(BASELINE, "typo", "refused", "works", grpo={"num_generation": 4})
    with pytest.raises(ConfigError, match="did you mean 'num_generations'"):
        run_experiment(config, results_dir=tmp_path, runs_dir=tmp_path)


def test_a_missing_training_prompt_file_fails_before_any_model_loads(tmp_path, monkeypatch):
    import experiments.training.assembly as assembly

    monkeypatch.setattr(assembly, "resolve_model", lambda *a, **k: pytest.fail("model loaded"))
    config = variant(BASELINE, "missing", "refused", "works", train_prompts="prompts/nope.txt")
    with pytest.raises(PromptFileError, match=r"nope.txt: prompt file not found"):
        run_experiment(config, results_dir=tmp_path, runs_dir=tmp_path)


def test_the_lesson_names_an_unknown_configuration_in_one_line(capsys):
    from experiments import lesson

    with pytest.raises(SystemExit) as ended:
        lesson.main(["--config", "baseline-typo"])
    assert ended.value.code == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "error: --config: no registry entry 'baseline-typo' (see results/runs.md for the names)"
    ]


def test_the_lesson_announces_every_phase_with_no_silent_gap(tmp_path):
    """make lesson prints a line before loading, the precision, the before-evaluation, training and the after-evaluation,
    and never waits silently for more than about 10 s once it has started talking (here on the tiny model, where every
    phase is short); before its first line, Python imports torch, transformers and TRL (5-12 s on 2 cores)."""
    import subprocess
    import sys
    import time

    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "experiments.lesson", "--config", "smoke", "--runs_dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    stamped, last = [], time.perf_counter()
    for line in process.stdout:
        now = time.perf_counter()
        stamped.append((now - last, line.rstrip()))
        last = now
    assert process.wait(timeout=600) == 0, "\n".join(line for _, line in stamped[-20:])
    text = "\n".join(line for _, line in stamped)
    for phase in (
        "precision",
        "loading",
        "evaluating the model before training",
        "training up to",
        "evaluating the model after training",
    ):
        assert phase in text, phase
    assert stamped[0][0] < 30, "importing torch, transformers and TRL took over 30 s before the first line"
    assert max(gap for gap, _ in stamped[1:]) < 10, [item for item in stamped[1:] if item[0] >= 10]
