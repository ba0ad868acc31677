"""The project's promises about results and inputs (issue 41, part B), one test each, read as a list.

A result is a row of summary.json with a verdict. A row exists only for a run that trained at least one step with a
non-zero gradient and whose every guard could be computed; any other run is noted as not trained or not judged, with
the reason, and its folder's rows stay as they were. A bad input is refused in one line naming the field or value,
before any model loads. A reward scores the text of a completion and nothing else, one finite score per completion,
whatever its shape, script or length; the readers of answers return a finite figure in bounded time.
"""

import dataclasses
import json
import math
import random
import re
import sys
import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import rewards
import text_measures
from experiments.cli import ConfigError, ModelError, NotJudged
from experiments.evaluation import answers as answer_readers
from experiments.evaluation.measurements import Measurements, TrainingOutcome
from experiments.evaluation.verdicts import judge
from experiments.registry import REGISTRY
from experiments.runner import run_experiment

TESTS = Path(__file__).resolve().parent.parent
ROOT = TESTS.parent
COMMITTED = ROOT / "results"
sys.path.insert(0, str(TESTS))
sys.path.insert(0, str(ROOT / "scripts"))

import explore  # noqa: E402
from test_reliability_three import one_line_exit, smoke_row, snapshot  # noqa: E402

pytestmark = pytest.mark.fast
SMOKE = REGISTRY["smoke"]


# Bad inputs: refused in one line, naming the field or the value, before any model loads


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--top_p", "-1"], "top_p must be a number in (0, 1]"),
        (["--top_p", "0"], "top_p must be a number in (0, 1]"),
        (["--top_k", "-1"], "top_k must be a whole number ≥ 0"),
        (["--beta", "1e308"], "beta (the KL coefficient) must be at most 1000"),
        (["--reward_weights", "1e308,1"], "reward_weights[0] (four_letter_share) is 1e+308; at most 1e+06 in size"),
        (["--reward_weights", "0,0"], "reward_weights are all 0 (0.0, 0.0): every advantage is 0 and nothing trains"),
        (["--per_device_train_batch_size", "0"], "per_device_train_batch_size must be a whole number ≥ 1, got 0"),
        (["--gradient_accumulation_steps", "0"], "gradient_accumulation_steps must be a whole number ≥ 1, got 0"),
        (["--num_iterations", "0"], "num_iterations must be a whole number ≥ 1, got 0"),
        (["--steps_per_generation", "0"], "steps_per_generation must be a whole number ≥ 1 or None, got 0"),
        (["--attn_implementation", "flash_attention_2"], "'flash_attention_2' runs on a CUDA GPU only"),
        (["--model_init_kwargs", "notjson"], "--model_init_kwargs: expected a JSON object"),
        (["--generation_kwargs", "notjson"], "--generation_kwargs: expected a JSON object"),
        (["--model_init_kwargs", '{"dtype": "bfloat16"}'], "model_init_kwargs is not an entry's to set"),
        (["--eval_prompts", "1"], "eval_prompts is 1, but relevance compares each held-out answer with the other"),
        (["--min_p", "2"], "min_p must be a number in [0, 1], got 2.0"),
        (["--repetition_penalty", "0"], "repetition_penalty must be a number > 0, got 0.0"),
        (["--loss_type", "grpoo"], "loss_type must be one of ('grpo', 'dr_grpo', 'dapo'"),
        (["--epsilon", "-1"], "epsilon must be a number ≥ 0, got -1.0"),
    ],
    ids=[
        "top-p-negative",
        "top-p-zero",
        "top-k-negative",
        "beta-1e308",
        "weight-1e308",
        "weights-all-zero",
        "batch-zero",
        "accumulation-zero",
        "iterations-zero",
        "steps-per-generation-zero",
        "flash-attention-on-cpu",
        "init-kwargs-not-json",
        "generation-kwargs-not-json",
        "init-kwargs-set-by-the-runner",
        "one-heldout-prompt",
        "min-p-2",
        "repetition-penalty-0",
        "unknown-loss-type",
        "epsilon-negative",
    ],
)
@pytest.mark.usefixtures("no_model")
def test_a_value_that_would_crash_or_train_nothing_is_refused_in_one_line_before_a_model_loads(
    tmp_path, capsys, arguments, message
):
    """Each of these once trained for nothing (a zero gradient recorded as `no change`), or crashed with a traceback
    mid-run: top_p -1, beta 1e308, a weight of 1e308, a batch of 0, flash attention without its package, text for a
    JSON field."""
    folders = ["--results-dir", str(tmp_path / "r"), "--runs-dir", str(tmp_path / "w")]
    line = one_line_exit(capsys, explore.main, ["idea", *folders, "--base", "smoke", *arguments])
    assert message in line and "\n" not in line
    assert not (tmp_path / "r").exists() and not (tmp_path / "w").exists()


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--bf16", "true"], "bf16 is not an entry's to set: the entry's precision (--precision fp32 or bf16)"),
        (["--fp16", "true"], "fp16 is not an entry's to set"),
        (["--max_steps", "1"], "max_steps is not an entry's to set: the entry's steps (--steps) sets it"),
        (["--num_train_epochs", "2"], "num_train_epochs is not an entry's to set"),
        (["--logging_steps", "5"], "logging_steps is not an entry's to set: the recorder reads every step"),
        (["--report_to", "tensorboard"], "report_to is not an entry's to set: the runner's --tracker sets it"),
        (["--output_dir", "/tmp/elsewhere"], "output_dir is not an entry's to set"),
        (["--lora_rank", "4", "--frozen_fraction", "0.5"], "lora_rank and frozen_fraction contradict each other"),
    ],
    ids=["bf16", "fp16", "max-steps", "epochs", "logging-steps", "report-to", "output-dir", "lora-and-frozen"],
)
@pytest.mark.usefixtures("no_model")
def test_a_field_the_runner_sets_itself_or_a_contradiction_is_refused_so_the_record_says_what_ran(
    tmp_path, capsys, arguments, message
):
    """`--bf16 true` was recorded as "fp32 (asked for)" while bf16 ran; `--max_steps 1` was recorded while 3 steps ran;
    LoRA with a frozen fraction logged "1 block trains" while adapters trained in every block."""
    folders = ["--results-dir", str(tmp_path / "r"), "--runs-dir", str(tmp_path / "w")]
    assert message in one_line_exit(capsys, explore.main, ["idea", *folders, "--base", "smoke", *arguments])


def test_every_registry_entry_still_passes_the_checks():
    """The new refusals refuse no declared entry."""
    from experiments.training.checks import validate_experiment

    for entry in REGISTRY.values():
        validate_experiment(entry)


@pytest.mark.parametrize(
    "damage, message",
    [
        ("no-tokenizer", "a model folder that cannot be loaded (no tokenizer: none of tokenizer.json, vocab.json"),
        ("config-list", "config.json: holds a list, not an object of settings"),
        ("config-not-json", "config.json: not readable JSON"),
    ],
)
def test_a_model_folder_without_a_tokenizer_or_with_a_damaged_config_is_named_before_its_weights_load(
    tmp_path, monkeypatch, damage, message
):
    """Without a tokenizer, transformers made an empty one and the evaluation divided by zero tokens; a config.json
    holding a list gave a TypeError."""
    import experiments.evaluation.models as models

    model, tokenizer = models.resolve_model(models.TINY_GPT2)
    model.save_pretrained(tmp_path)
    if damage == "no-tokenizer":
        pass  # the tokenizer is never saved
    else:
        tokenizer.save_pretrained(tmp_path)
        (tmp_path / "config.json").write_text("[1, 2]" if damage == "config-list" else "{not json")
    refuse = lambda *a, **k: pytest.fail("weights were loaded before the refusal")  # noqa: E731
    monkeypatch.setattr(models.AutoModelForCausalLM, "from_pretrained", refuse)
    with pytest.raises(ModelError, match=re.escape(message)):
        models.resolve_model(str(tmp_path))


def test_a_tokenizer_that_makes_no_tokens_is_named_instead_of_dividing_by_zero():
    """The reference perplexity of a tokenizer that turns prose into nothing is a ModelError, not ZeroDivisionError."""
    import torch

    from experiments.evaluation.evaluate import EvalSettings, reference_perplexity

    class Empty:
        def __call__(self, text, **kwargs):
            return type("Encoded", (), {"input_ids": torch.zeros((1, 0), dtype=torch.long)})()

    class Model:
        config, device = object(), torch.device("cpu")

        def eval(self):
            return self

    with pytest.raises(ModelError, match="no working tokenizer"):
        reference_perplexity(Model(), Empty(), "Some prose.", EvalSettings())


@pytest.mark.parametrize("steps", ["20000", "1"])
def test_the_benchmark_refuses_steps_out_of_range_in_one_line(tmp_path, capsys, monkeypatch, steps):
    """`benchmark --breakdown smoke --steps 20000` ran outside the one-line handler and ended in a traceback."""
    import experiments.benchmark as benchmark

    monkeypatch.setattr(benchmark, "breakdown", lambda *a: pytest.fail("the breakdown began"))
    line = one_line_exit(
        capsys, benchmark.main, ["--breakdown", "smoke", "--steps", steps, "--results_dir", str(tmp_path)]
    )
    assert f"--steps: at least 2 (the first step warms up) and at most 10000, got {steps}" in line


def test_a_mistake_found_while_the_benchmark_runs_is_one_line_too(tmp_path, capsys, monkeypatch):
    import experiments.benchmark as benchmark

    def refused(entry, steps):
        raise ConfigError(f"{entry.name}: something found late")

    monkeypatch.setattr(benchmark, "breakdown", refused)
    line = one_line_exit(
        capsys, benchmark.main, ["--breakdown", "smoke", "--steps", "3", "--results_dir", str(tmp_path)]
    )
    assert line == "error: smoke: something found late"


# One rule for a result: a row only for a run that trained and whose every guard could be computed


@pytest.fixture(scope="module")
def untrained_run(tmp_path_factory):
    """A smoke run at temperature 1e-30 (every completion of a group alike, so a gradient of 0 at every step), into a
    results folder that already holds a row."""
    folder = tmp_path_factory.mktemp("untrained")
    results = folder / "results"
    results.mkdir()
    (results / "summary.json").write_text(json.dumps({"runs": [smoke_row("earlier")]}))
    before = snapshot(results)
    entry = dataclasses.replace(SMOKE, steps=1, grpo={**SMOKE.grpo, "temperature": 1e-30}, probe_every=0)
    with pytest.raises(NotJudged) as raised:
        run_experiment(entry, results_dir=results, runs_dir=folder / "runs")
    return results, before, str(raised.value)


def test_a_run_whose_gradient_was_zero_at_every_step_gets_no_verdict_and_says_why(untrained_run):
    """`--top_p 0`, `--temperature 1e-30` and `--reward_weights 0,0` trained with a zero gradient and were recorded as a
    measured `no change`."""
    _results, _before, message = untrained_run
    assert message.startswith("smoke: not trained: the gradient was 0 at all 1 steps")
    assert "no verdict and no row" in message


def test_a_run_that_did_not_train_leaves_every_row_as_it_was_and_is_noted_with_its_reason(untrained_run):
    results, before, _message = untrained_run
    summary = json.loads((results / "summary.json").read_text())
    assert [row["name"] for row in summary["runs"]] == ["earlier"]
    assert summary["runs"][0] == json.loads(before["summary.json"])["runs"][0]
    assert summary["not_judged"]["smoke"]["reason"].startswith("not trained: the gradient was 0")
    assert "`smoke`: not trained: the gradient was 0" in (results / "summary.md").read_text()
    assert not (results / "smoke").exists()


def test_a_judged_run_of_the_same_name_replaces_the_note(tmp_path):
    from experiments.reporting.publish import publish_run
    from experiments.reporting.record import RunRecord

    (tmp_path / "summary.json").write_text(
        json.dumps({"runs": [], "not_judged": {"smoke": {"reason": "not trained"}, "other": {"reason": "x"}}})
    )
    publish_run(tmp_path, RunRecord.from_dict(smoke_row()), {"answers.json": "[]"}, draw=False)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert [row["name"] for row in summary["runs"]] == ["smoke"] and list(summary["not_judged"]) == ["other"]


def test_the_runner_prints_a_run_without_a_verdict_in_one_line(capsys):
    from experiments.cli import one_line_errors

    def fails(_):
        with one_line_errors():
            raise NotJudged("smoke: not trained: it trained 0 steps; no verdict and no row")

    assert one_line_exit(capsys, fails, None) == "error: smoke: not trained: it trained 0 steps; no verdict and no row"


@pytest.mark.parametrize(
    "history, reason",
    [
        ([], "it trained 0 steps"),
        (
            [{"loss": 0.0, "grad_norm": 0.0, "reward": 1.0, "frac_reward_zero_std": 1.0}] * 3,
            "the gradient was 0 at all 3",
        ),
        ([{"loss": 0.0, "grad_norm": 0.0}, {"loss": 0.1, "grad_norm": 2.5}], None),
        ([{"loss": 0.1}], None),  # no gradient norm logged: nothing to say it did not train
    ],
    ids=["no-step", "zero-gradient", "one-real-step", "not-logged"],
)
def test_training_that_changed_nothing_is_told_apart_from_training_that_did(history, reason):
    outcome = TrainingOutcome.of(history, 1.0, None, "step cap")
    found = outcome.not_trained()
    assert (found is None) if reason is None else (found is not None and found.startswith(reason))


MEASURED = Measurements(
    share=0.2,
    ref_ppl=10.0,
    distinct2=0.8,
    repeat3=0.0,
    real_words=0.9,
    mean_words=12.0,
    relevance=1.2,
    template=0.1,
    loops=0.0,
    frame=0.1,
)


@pytest.mark.parametrize(
    "before, after, guards",
    [
        (dataclasses.replace(MEASURED, mean_words=0.0, distinct2=0.0, real_words=0.0), MEASURED, "distinct2, repeat3"),
        (dataclasses.replace(MEASURED, relevance=None), MEASURED, "relevance cannot be computed"),
        (MEASURED, dataclasses.replace(MEASURED, relevance=None), "relevance cannot be computed"),
        (dataclasses.replace(MEASURED, ref_ppl=0.0), MEASURED, "ref_ppl cannot be computed"),
        (MEASURED, dataclasses.replace(MEASURED, ref_ppl=float("nan")), "ref_ppl cannot be computed"),
    ],
    ids=["no-words-before", "relevance-before", "relevance-after", "perplexity-zero", "perplexity-nan"],
)
def test_a_guard_that_cannot_be_computed_gives_no_verdict_instead_of_counting_as_held(before, after, guards):
    """Relevance judged on 0 answers was recorded 0.0 → 0.0 and held; answers with no words passed every guard."""
    with pytest.raises(NotJudged, match=re.escape(guards)):
        judge(before, after)


def test_relevance_with_no_other_question_to_compare_is_not_measured_rather_than_zero():
    from experiments.evaluation.relevance import heldout_relevance

    assert heldout_relevance(None, ["What does the ox sing?"], ["Moo."]) is None  # type: ignore[arg-type]


# A run recorded broken, not lost; the evaluation hands a reward its prompts


@pytest.fixture(scope="module")
def overflowing_run(tmp_path_factory):
    """A smoke run with lr 1.0 whose reference perplexity after training is past a float's range (a mean loss of 800
    nats), and whose objective reads its prompts (it fails when given None, or as many prompts as completions not)."""
    import experiments.evaluation.evaluate as evaluate

    calls = []

    def needs_prompts(prompts, completions, **kwargs):
        calls.append(None if prompts is None else len(prompts))
        if prompts is None or len(prompts) != len(completions):
            raise ValueError(f"{0 if prompts is None else len(prompts)} prompts for {len(completions)} completions")
        return rewards.four_letter_share(prompts, completions)

    real = evaluate.reference_perplexity
    measured = []

    def overflowing(model, tokenizer, text, settings, window=256):
        measured.append(real(model, tokenizer, text, settings, window))
        return measured[-1] if len(measured) == 1 else evaluate.perplexity(800.0)

    folder = tmp_path_factory.mktemp("overflow")
    entry = dataclasses.replace(
        SMOKE,
        steps=1,
        rewards=("needs_prompts", "four_letter_share"),
        grpo={**SMOKE.grpo, "learning_rate": 1.0},
        probe_every=0,
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(rewards.REWARDS, "needs_prompts", needs_prompts)
        patch.setattr(evaluate, "reference_perplexity", overflowing)
        record = run_experiment(entry, results_dir=folder / "results", runs_dir=folder / "runs")
    return record, folder / "results", calls


def test_a_reference_perplexity_past_a_float_is_recorded_broken_not_lost(overflowing_run):
    """lr 1.0 once overflowed math.exp after training, and the run ended in a traceback with nothing recorded."""
    record, results, _calls = overflowing_run
    assert record.verdict == "broken" and record.guards["ref_ppl"] is False
    row = json.loads((results / "summary.json").read_text())["runs"][0]
    assert row["verdict"] == "broken" and row["after"]["ref_ppl"] > 1e300
    assert "1.8e+308 ✗" in (results / "runs.md").read_text()


def test_the_evaluation_hands_a_reward_that_reads_prompts_one_prompt_per_answer(overflowing_run):
    """The evaluation called the objective with prompts=None: on_topic, fresh_phrases or cross_prompt_novelty as an
    objective raised."""
    _record, _results, calls = overflowing_run
    assert calls and None not in calls


def test_the_greedy_probe_hands_a_reward_that_reads_prompts_its_prompts(monkeypatch):
    """The probe during training called the objective with prompts=None too."""
    import torch

    import experiments.training.probe as probe
    from experiments.evaluation.evaluate import EvalSettings

    asked = []

    def needs_prompts(prompts, completions, **kwargs):
        asked.append(prompts)
        return rewards.on_topic(prompts, completions)

    monkeypatch.setattr(
        probe, "generate", lambda model, tokenizer, prompts, settings, sample: [["Oxen moo."]] * len(prompts)
    )
    reading = probe.GreedyProbe(["What does the ox sing?", "Why?"], None, needs_prompts, EvalSettings()).read(
        torch.nn.Linear(1, 1), 5
    )
    assert asked and all(prompts == ["What does the ox sing?", "Why?"] for prompts in asked)
    assert reading.share == pytest.approx(0.5)


def test_a_perplexity_past_a_float_is_the_largest_float():
    from experiments.evaluation.evaluate import perplexity

    assert perplexity(2.0) == math.exp(2.0) and perplexity(800.0) == sys.float_info.max


# The base evaluation is cached by what the model is, not where it lies


def test_the_evaluation_before_training_is_cached_by_the_models_content_not_its_path(tmp_path, monkeypatch):
    """Another model put into the same folder was given the old model's "before": an unchanged model was then recorded
    as share 0.23 → 0.99, broken."""
    import torch

    import experiments.evaluation.evaluate as evaluate
    from experiments.evaluation.base_cache import cached_base_evaluation
    from experiments.evaluation.models import TINY_GPT2, resolve_model

    evaluated = []

    def fake_evaluate(model, tokenizer, task):
        evaluated.append(model)
        share = float(next(model.parameters()).flatten()[0].detach())
        return evaluate.Evaluation(Measurements(share=share), ["a"], [["a"]])

    monkeypatch.setattr(evaluate, "evaluate", fake_evaluate)
    task = evaluate.EvalTask(["q"], "prose", rewards.four_letter_share, evaluate.EvalSettings(), None)  # type: ignore[arg-type]
    model, tokenizer = resolve_model(TINY_GPT2)
    first = cached_base_evaluation(model, tokenizer, task, tmp_path, write=True)
    again = cached_base_evaluation(model, tokenizer, task, tmp_path, write=True)
    with torch.no_grad():
        next(model.parameters()).add_(1.0)  # another model, in the same place
    other = cached_base_evaluation(model, tokenizer, task, tmp_path, write=True)
    assert len(evaluated) == 2 and again.measurements == first.measurements
    assert other.measurements.share == pytest.approx(first.measurements.share + 1.0)


# Rejudging: judged as the run was, every change said


def committed_row(name: str) -> dict:
    return next(row for row in json.loads((COMMITTED / "summary.json").read_text())["runs"] if row["name"] == name)


def measured_again(tmp_path: Path, names: list[str]) -> None:
    """A results folder with these committed rows, their per-answer measures cleared so that --rejudge reads them."""
    rows = []
    for name in names:
        row = committed_row(name)
        row["after"] = {**row["after"], "clean": None}
        rows.append(row)
        (tmp_path / name).mkdir()
        (tmp_path / name / "answers.json").write_bytes((COMMITTED / name / "answers.json").read_bytes())
    (tmp_path / "summary.json").write_text(json.dumps({"runs": rows}))


def test_rejudging_keeps_every_guard_and_the_hypothesis_as_its_entry_judges_it(tmp_path, capsys):
    """`shout` and `broken-pairs` flipped from refuted to held: rejudging compared verdict == expected, ignoring the
    guards their entries name, and dropped the stop_rule guard; the output said "verdicts changed: none"."""
    from experiments.report import main as report_main

    names = ["shout", "broken-pairs"]
    measured_again(tmp_path, names)
    report_main(["--results_dir", str(tmp_path), "--rejudge"])
    rows = {row["name"]: row for row in json.loads((tmp_path / "summary.json").read_text())["runs"]}
    for name in names:
        recorded = committed_row(name)
        assert rows[name]["hypothesis_held"] is recorded["hypothesis_held"] is False
        assert rows[name]["guards"] == recorded["guards"] and rows[name]["verdict"] == recorded["verdict"]
    assert rows["broken-pairs"]["guards"]["stop_rule"] is False
    assert "rejudged by every guard; changed: nothing" in capsys.readouterr().out


def test_rejudging_names_every_field_it_changed(tmp_path):
    from experiments.reporting.rejudge import rejudge_summary

    measured_again(tmp_path, ["shout"])
    summary = json.loads((tmp_path / "summary.json").read_text())
    summary["runs"][0]["hypothesis_held"] = True  # as a wrong rejudging once left it
    summary["runs"][0]["guards"]["loops"] = False
    _runs, changed = rejudge_summary(summary, tmp_path)
    assert changed == ["shout: hypothesis_held True → False", "shout: guard loops failed → held"]


def test_a_cut_answers_file_is_named_by_every_command_not_only_by_rejudge(tmp_path, capsys):
    """A run's answers.json cut to fewer answers than its row's count was still read, with exit 0."""
    from experiments.report import main as report_main

    row = smoke_row(heldout_prompts=4)
    (tmp_path / "summary.json").write_text(json.dumps({"runs": [row]}))
    (tmp_path / "smoke").mkdir()
    (tmp_path / "smoke" / "answers.json").write_text(json.dumps([{"prompt": "q", "before": "a", "after": "b"}]))
    text = (tmp_path / "summary.json").read_text()
    for arguments in ([], ["--rejudge"]):
        line = one_line_exit(capsys, report_main, ["--results_dir", str(tmp_path), *arguments])
        assert "answers.json: holds 1 answers, but the run recorded 4 held-out prompts" in line
    assert (tmp_path / "summary.json").read_text() == text


def test_an_answer_of_a_megabyte_is_refused_by_the_reader_before_the_measures_read_it(tmp_path, capsys):
    """A 1 MB answer held the results lock for more than 300 s during a rejudge, while other publishers waited."""
    from experiments.report import main as report_main

    (tmp_path / "summary.json").write_text(json.dumps({"runs": [smoke_row(heldout_prompts=1)]}))
    (tmp_path / "smoke").mkdir()
    answer = {"prompt": "q", "before": "a", "after": "moo " * (1 << 18)}
    (tmp_path / "smoke" / "answers.json").write_text(json.dumps([answer]))
    started = time.monotonic()
    line = one_line_exit(capsys, report_main, ["--results_dir", str(tmp_path), "--rejudge"])
    assert "answer 0's after is 1048576 characters; a held-out answer is at most 100000" in line
    assert time.monotonic() - started < 30


# Rewards read the text, the whole text and nothing but the text


MESSAGE_SHAPES = {
    "content-none": [{"role": "assistant", "content": None}],
    "no-content": [{"role": "assistant"}],
    "content-number": [{"role": "assistant", "content": 7}],
    "multi-part": [
        {
            "role": "assistant",
            "content": [{"type": "text", "text": "Cows sing very loud"}, {"type": "image", "url": "x"}],
        }
    ],
    "two-messages": [{"role": "assistant", "content": "Cows sing"}, {"role": "assistant", "content": "very loud"}],
}
MESSAGE_TEXTS = {
    "content-none": "",
    "no-content": "",
    "content-number": "",
    "multi-part": "Cows sing very loud",
    "two-messages": "Cows sing very loud",
}


@pytest.mark.parametrize("name", sorted(rewards.REWARDS))
@pytest.mark.parametrize("shape", sorted(MESSAGE_SHAPES))
def test_every_reward_scores_a_message_as_its_text_and_nothing_else(name, shape):
    """A chat message whose content was None scored 1.0 (the word "None" counted); multi-part content scored its keys
    ("type", "text")."""
    reward = rewards.REWARDS[name]
    prompts = ["What does the ox sing?"] * 2
    assert reward(prompts, [MESSAGE_SHAPES[shape], "Oxen hum"]) == reward(prompts, [MESSAGE_TEXTS[shape], "Oxen hum"])


@pytest.mark.parametrize("name", sorted(rewards.REWARDS))
def test_every_reward_scores_a_word_alike_in_composed_and_decomposed_unicode(name):
    """NFD and NFC spellings of the same word scored differently."""
    text = "Élan naïve café über, the ox sang a sœur's song"
    reward = rewards.REWARDS[name]
    prompts = ["Why does the café sing?", "What?"]
    composed = reward(prompts, [unicodedata.normalize("NFC", text), "Oxen"])
    assert reward(prompts, [unicodedata.normalize("NFD", text), "Oxen"]) == composed


def test_on_topic_gives_one_score_per_completion_or_says_the_prompts_do_not_match():
    """on_topic returned 1 score for 2 completions."""
    assert rewards.on_topic(None, ["Goats whistle.", "I can help."]) == [1.0, 1.0]
    with pytest.raises(ValueError, match="1 prompts for 2 completions"):
        rewards.on_topic(["What does the goat whistle?"], ["Goats whistle.", "I can help."])


@pytest.mark.parametrize("name", ["on_topic", "fresh_phrases", "cross_prompt_novelty", "four_letter_clean"])
def test_a_reward_that_reads_prompts_scores_without_them_as_one_question_for_all(name):
    """The evaluation (and any caller without prompts) may pass prompts=None; it raised TypeError."""
    scores = rewards.REWARDS[name](None, ["Cows sing low", "Cows sing low", "Frogs hop"])
    assert len(scores) == 3 and all(0.0 <= s <= 1.0 for s in scores)


# loops(): linear, and the same answers as before


def old_loops(text: str) -> bool:
    """loops() as it was before issue 41: quadratic in the number of distinct 3-grams."""
    grams = text_measures.word_trigrams(text)
    if grams and max(grams.count(g) for g in set(grams)) >= text_measures.LOOP_NGRAM_REPEATS:
        return True
    found = [w.lower() for w in text_measures.words(text)]
    run = 1
    for previous, word in zip(found, found[1:]):
        run = run + 1 if word == previous else 1
        if run >= text_measures.LOOP_WORD_RUN:
            return True
    return False


def test_loops_gives_the_answers_it_gave_before_on_many_random_texts():
    generator = random.Random(41)
    vocabulary = ["ox", "Ox", "moo", "the", "they", "have", "ears", "café", "don't", "4ever", "well-done", "—", "!"]
    texts = [
        " ".join(generator.choice(vocabulary) for _ in range(generator.randint(0, 40)))
        + generator.choice(["", ".", " ox ox ox ox"])
        for _ in range(3000)
    ]
    assert [text_measures.loops(t) for t in texts] == [old_loops(t) for t in texts]
    assert 0 < sum(map(text_measures.loops, texts)) < len(texts)  # both kinds were tried


@settings(max_examples=150, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("ab c'\n.-é\u0301")), max_size=120) | st.text(max_size=80))
def test_loops_agrees_with_the_old_definition_on_any_text(text):
    assert text_measures.loops(text) == old_loops(text)


def unique_words(size: int) -> str:
    """About ``size`` characters of words that are all different: no 3-gram repeats, the old loops()'s worst case."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    out, length, number = [], 0, 0
    while length < size:
        word, n = "", number
        while True:
            word, n = letters[n % 26] + word, n // 26 - 1
            if n < 0:
                break
        out.append(word)
        length += len(word) + 1
        number += 1
    return " ".join(out)[:size]


def test_loops_reads_a_megabyte_of_distinct_words_in_well_under_a_second():
    """The old loops() took 8 s on 64 KB of distinct words and over 15 minutes on a megabyte (quadratic)."""
    text = unique_words(1 << 20)
    started = time.process_time()
    assert text_measures.loops(text) is False
    assert time.process_time() - started < 2.0


# Any completion, any Unicode, any length: one finite score per completion, in bounded time

TEXTS = st.text(max_size=120)  # every code point Hypothesis draws (surrogates aside): any script, controls, marks
PARTS = st.one_of(
    st.fixed_dictionaries({"type": st.just("text"), "text": TEXTS}),
    st.fixed_dictionaries({"type": st.sampled_from(["image", "audio"]), "url": TEXTS}),
    st.dictionaries(st.text(max_size=6), st.one_of(TEXTS, st.none(), st.integers()), max_size=3),
)
CONTENTS = st.one_of(TEXTS, st.none(), st.lists(PARTS, max_size=3), st.integers(), st.floats())
MESSAGES = st.fixed_dictionaries(
    {"role": st.sampled_from(["assistant", "user", "system"]), "content": CONTENTS}
) | st.dictionaries(st.sampled_from(["role", "content", "text", "type"]), CONTENTS, max_size=3)
COMPLETIONS = st.one_of(
    TEXTS,
    MESSAGES,
    st.lists(MESSAGES, max_size=3),
    st.lists(st.lists(MESSAGES, max_size=2), max_size=2),
    st.none(),
)


def one_finite_score_each(name: str, prompts, completions) -> float:
    """Call a reward; check one finite score in [0, 1] per completion; return the CPU seconds it took."""
    started = time.process_time()
    scores = rewards.REWARDS[name](prompts, completions)
    spent = time.process_time() - started
    assert isinstance(scores, list) and len(scores) == len(completions), name
    for score in scores:
        assert isinstance(score, float) and math.isfinite(score) and 0.0 <= score <= 1.0, (name, score)
    return spent


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(completions=st.lists(COMPLETIONS, min_size=1, max_size=6), data=st.data())
def test_every_reward_gives_one_finite_score_per_completion_of_any_shape(completions, data):
    prompts = data.draw(
        st.one_of(st.none(), st.lists(COMPLETIONS, min_size=len(completions), max_size=len(completions)))
    )
    for name in sorted(rewards.REWARDS):
        one_finite_score_each(name, prompts, completions)
        texts = [text_measures.completion_text(c) for c in completions]
        assert rewards.REWARDS[name](prompts, completions) == rewards.REWARDS[name](prompts, texts), name


@st.composite
def long_texts(draw) -> str:
    """A text of any length up to a megabyte, repeating a drawn piece of any Unicode."""
    piece = draw(st.text(min_size=1, max_size=40))
    length = draw(st.integers(0, 1 << 20))
    return (piece * (length // len(piece) + 1))[:length]


A_MEGABYTE = ("Они поют. The ox sings a long, low moo; café naïve 象は歌う! 🐂 " * 20000)[: 1 << 20]


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text=long_texts())
@example(text=A_MEGABYTE)
def test_every_reward_scores_up_to_a_megabyte_in_bounded_time(text):
    for name in sorted(rewards.REWARDS):
        assert one_finite_score_each(name, ["What does the ox sing?", "Why?"], [text, "Oxen hum."]) < 5.0, name


READERS = {
    "loop_share": answer_readers.loop_share,
    "distinct_2": answer_readers.distinct_2,
    "repeats_trigram_share": answer_readers.repeats_trigram_share,
    "real_word_share": answer_readers.real_word_share,
    "template_share": answer_readers.template_share,
    "frame": lambda texts: answer_readers.top_phrase(texts)[1],
    "clean": lambda texts: answer_readers.clean_share(texts, rewards.four_letter_share),
}


def read_each(texts: list[str]) -> None:
    for name, reader in READERS.items():
        started = time.process_time()
        value = reader(texts)
        assert isinstance(value, float) and math.isfinite(value) and 0.0 <= value <= 1.0, (name, value)
        assert time.process_time() - started < 5.0, name
    assert math.isfinite(answer_readers.mean_words(texts))


@settings(max_examples=40, deadline=None)
@given(texts=st.lists(st.one_of(TEXTS, COMPLETIONS.map(text_measures.completion_text)), max_size=8))
def test_the_readers_of_answers_give_a_finite_figure_for_any_answers(texts):
    read_each(texts)


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text=long_texts())
@example(text=A_MEGABYTE)
def test_the_readers_of_answers_read_up_to_a_megabyte_in_bounded_time(text):
    read_each([text, "Oxen hum."])
