"""Reliability, round three (issue 34): names that cannot escape their folder, every row kept by every writer,
no value taken on trust, every reward checked at every step, files read back checked, folders found before the work."""

import dataclasses
import json
import shutil
import sys
from pathlib import Path

import pytest

import rewards
from experiments.cli import ConfigError, RewardError
from experiments.files import FolderError
from experiments.registry import REGISTRY
from experiments.runner import run_experiment
from experiments.training.checks import validate_experiment
from experiments.training.reward_checks import IsolatedReward
from tests.helpers import one_line_exit, runner_arguments

pytestmark = pytest.mark.fast
ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "results"
sys.path.insert(0, str(ROOT / "scripts"))

import explore  # noqa: E402

SMOKE = REGISTRY["smoke"]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else b"/" for p in sorted(folder.rglob("*"))}


def smoke_row(name: str = "smoke", **changes) -> dict:
    committed = json.loads((COMMITTED / "summary.json").read_text())
    return {**next(row for row in committed["runs"] if row["name"] == "smoke"), "name": name, **changes}


# 1, 2, long names, newline: names are names


@pytest.mark.parametrize(
    "name",
    ["../escape", "../../escape", "/ABSOLUTE", "a\nb", "x" * 300, ".hidden", "-flag", "a/b", "a\\b"],
    ids=["parent", "two-up", "absolute", "newline", "300-chars", "dot", "dash", "slash", "backslash"],
)
def test_a_name_that_is_not_a_name_is_refused_in_one_line_and_nothing_is_written(tmp_path, capsys, no_model, name):
    victim = tmp_path / "existing"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me")
    name = name.replace("/ABSOLUTE", str(victim))
    work = tmp_path / "work"
    (work / "results").mkdir(parents=True)
    before = snapshot(tmp_path)
    folders = ["--results-dir", str(work / "results"), "--runs-dir", str(work / "runs")]
    line = one_line_exit(capsys, explore.main, [name, *folders, "--base", "smoke", "--steps", "1"])
    assert line.startswith("error: exploration name") and "\n" not in line
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("name", ["../x", "x" * 101, "a\nb"])
def test_run_experiment_refuses_a_bad_name_before_anything(tmp_path, no_model, name):
    with pytest.raises(ConfigError, match="run name"):
        run_experiment(dataclasses.replace(SMOKE, name=name), results_dir=tmp_path / "r", runs_dir=tmp_path / "runs")
    assert not list(tmp_path.iterdir())


def test_results_and_runs_in_one_folder_are_refused(tmp_path, no_model):
    with pytest.raises(FolderError, match="are one folder"):
        run_experiment(SMOKE, results_dir=tmp_path, runs_dir=tmp_path)


def test_every_registry_name_is_a_name():
    for name in REGISTRY:
        validate_experiment(REGISTRY[name])


# 3: a registry run and an import keep every row; one command removes a row


def test_a_registry_run_keeps_the_exploration_rows_and_runs_md_lists_them(tmp_path):
    results, runs = tmp_path / "results", tmp_path / "runs"
    explore.main(["my-idea", "--results-dir", str(results), "--runs-dir", str(runs), "--base", "smoke", "--steps", "1"])
    run_experiment(dataclasses.replace(SMOKE, steps=1), results_dir=results, runs_dir=runs)
    rows = [row["name"] for row in json.loads((results / "summary.json").read_text())["runs"]]
    assert rows == ["smoke", "my-idea"]
    assert "my-idea" in (results / "runs.md").read_text() and (results / "my-idea" / "answers.json").exists()


def test_an_import_keeps_rows_it_does_not_own_and_remove_is_the_one_way_a_row_goes(tmp_path, capsys):
    from experiments.report import main as report_main

    results, source = tmp_path / "results", tmp_path / "lane"
    for folder, name in ((results, "an-exploration"), (source, "smoke")):
        (folder / name).mkdir(parents=True)
        (folder / name / "samples.md").write_text(f"# Samples: {name}\n")
        (folder / "summary.json").write_text(json.dumps({"runs": [smoke_row(name, hypothesis=SMOKE.hypothesis)]}))
    report_main(["--results_dir", str(results), "--import_from", str(source), "--runs", "smoke"])
    assert [r["name"] for r in json.loads((results / "summary.json").read_text())["runs"]] == [
        "smoke",
        "an-exploration",
    ]
    assert "an-exploration" in (results / "runs.md").read_text()
    report_main(["--results_dir", str(results), "--remove", "an-exploration"])
    assert [r["name"] for r in json.loads((results / "summary.json").read_text())["runs"]] == ["smoke"]
    assert not (results / "an-exploration").exists() and "an-exploration" not in (results / "runs.md").read_text()
    assert "no run named 'nobody'" in one_line_exit(
        capsys, report_main, ["--results_dir", str(results), "--remove", "nobody"]
    )


# 4, 14: the report is drawn under the lock from the summary just written; a redraw keeps the environment


def test_the_report_is_drawn_under_the_lock_from_the_summary_just_written(tmp_path, monkeypatch):
    from filelock import FileLock, Timeout

    import experiments.reporting.publish as publish
    from experiments.reporting.results_folder import LOCK

    drawn = []

    def spy(results_dir, summary):
        with pytest.raises(Timeout):
            FileLock(results_dir / LOCK).acquire(timeout=0)
        drawn.append(summary == json.loads((results_dir / "summary.json").read_text()))

    monkeypatch.setattr(publish, "write_report", spy)
    (tmp_path / "summary.json").write_text(json.dumps({"runs": [smoke_row()]}))
    publish.refresh_summary(tmp_path)
    publish.publish_run(tmp_path, publish.RunRecord.from_dict(smoke_row("other")), {"answers.json": "[]"})
    assert drawn == [True, True]


def test_a_redraw_keeps_the_recorded_environment(tmp_path):
    from experiments.report import main as report_main

    recorded = {"date": "2025-01-01", "packages_sha256": "elsewhere"}
    (tmp_path / "summary.json").write_text(json.dumps({"environment": recorded, "runs": [smoke_row()]}))
    report_main(["--results_dir", str(tmp_path)])
    assert json.loads((tmp_path / "summary.json").read_text())["environment"] == recorded


# 6, 7, flags: no value taken on trust


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"eval_prompts": 0}, "eval_prompts must be a whole number ≥ 1 or None, got 0"),
        ({"eval_prompts": -1}, "eval_prompts must be a whole number ≥ 1 or None, got -1"),
        ({"eval_prompts": 1000}, r"eval_prompts is 1000, but heldout.txt holds \d+ prompts"),
        ({"eval_samples": 0}, "eval_samples must be a whole number ≥ 1, got 0"),
        ({"eval_max_new_tokens": 0}, "eval_max_new_tokens must be a whole number ≥ 1, got 0"),
        ({"stop_level": -1}, r"stop_level must be a number in \(0, 1\]"),
        ({"seed": -1}, r"seed must be a whole number in \[0, 4294967296\), got -1"),
        ({"seed": 2**32}, r"seed must be a whole number in \[0, 4294967296\)"),
        ({"grpo": {**SMOKE.grpo, "temperature": 0.0}}, "temperature must be a number > 0"),
        ({"precision": "fp64"}, "precision must be one of"),
    ],
    ids=[
        "prompts-0",
        "prompts-negative",
        "prompts-1000",
        "samples-0",
        "tokens-0",
        "stop-level",
        "seed-negative",
        "seed-huge",
        "temperature-0",
        "fp64",
    ],
)
def test_counts_seeds_and_precisions_are_checked_before_a_model_loads(tmp_path, no_model, changes, message):
    with pytest.raises(ConfigError, match=message):
        run_experiment(dataclasses.replace(SMOKE, **changes), results_dir=tmp_path / "r", runs_dir=tmp_path / "runs")
    assert not (tmp_path / "r").exists()


def test_evaluation_tokens_beyond_the_context_are_refused_before_training(tmp_path, monkeypatch):
    import experiments.runner as runner

    monkeypatch.setattr(runner, "build_run", lambda *a, **k: pytest.fail("a stage began"))
    with pytest.raises(
        ConfigError, match=r"eval_max_new_tokens 250 after the longest held-out prompt .* context of tiny-gpt2 \(256"
    ):
        run_experiment(
            dataclasses.replace(SMOKE, eval_max_new_tokens=250), results_dir=tmp_path / "r", runs_dir=tmp_path / "runs"
        )
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--samples", "-1"], "--samples must be a whole number ≥ 0, got -1"),
        (["--max_new_tokens", "0"], "--max_new_tokens must be a whole number ≥ 1, got 0"),
        (["--seed", "-1"], "--seed must be a whole number in [0, 4294967296)"),
        (["--precision", "fp64"], "--precision must be one of ('auto', 'fp32', 'bf16'), got 'fp64'"),
        (["--runs_dir", "A-FILE"], "A-FILE is a file, not a folder"),
        (["  "], "question 2 is empty"),
    ],
    ids=["samples", "tokens", "seed", "precision", "runs-dir-file", "empty-question"],
)
def test_sample_checks_its_options_before_a_model_loads(tmp_path, capsys, no_model, arguments, message):
    from experiments.sample import main as sample_main

    (tmp_path / "A-FILE").write_text("")
    arguments = [a.replace("A-FILE", str(tmp_path / "A-FILE")) for a in arguments]
    assert message in one_line_exit(capsys, sample_main, ["tiny-gpt2", "What does the ox sing?", *arguments])


@pytest.mark.parametrize(
    "cache, message",
    [
        ([], "holds a list, not an object of cached answers"),
        ({"KEY": {"precision": "fp32"}}, "lacks bf16_s, fp32_s"),
        ({"KEY": {"precision": "fp64", "fp32_s": 1.0, "bf16_s": 2.0}}, "precision must be fp32 or bf16"),
        ({"KEY": "fp32"}, "lacks bf16_s, fp32_s, precision"),
    ],
    ids=["list", "missing-field", "fp64", "not-an-object"],
)
def test_a_damaged_precision_cache_is_named(tmp_path, cache, message):
    from experiments.precision import choose_precision, machine_key

    flags = frozenset({"avx512_bf16"})
    path = tmp_path / "probes.json"
    path.write_text(json.dumps(json.loads(json.dumps(cache).replace("KEY", machine_key("m", flags)))))
    with pytest.raises(ConfigError, match=message):
        choose_precision("auto", "cpu", "m", path, lambda bf16: pytest.fail("measured"), flags)


# 8 and the tracebacks: every reward, every step


def misbehaving(kind: str):
    """A reward that scores well on step 1 (the dry call and the first batch) and misbehaves from step 2."""

    def reward(prompts, completions, trainer_state=None, **kwargs):
        if trainer_state is None or trainer_state.global_step < 1:
            return [0.5] * len(completions)
        if kind == "raises":
            raise RuntimeError("the judge fell over")
        values = {
            "none": None,
            "nan": float("nan"),
            "inf": float("inf"),
            "text": "high",
            "huge": 10**400,
            "1e308": 1e308,
        }
        value = values.get(kind, 0.5)
        return [value] * (len(completions) - (kind == "short"))

    reward.__name__ = f"bad_{kind}"
    return reward


@pytest.mark.parametrize(
    "kind, message",
    [
        ("none", "returned None at step 2"),
        ("nan", "returned nan at step 2"),
        ("inf", "returned inf at step 2"),
        ("text", "returned a non-number 'high' at step 2"),
        ("huge", "returned an integer too large for a float at step 2"),
        ("1e308", "returned 1e\\+308 at step 2 .*: beyond ±1e\\+06"),
        ("raises", "raised RuntimeError at step 2: the judge fell over"),
        ("short", "returned list of length 3 for 4 completions at step 2"),
    ],
)
def test_a_reward_that_misbehaves_at_any_step_ends_the_run_naming_it_and_records_nothing(
    tmp_path, monkeypatch, kind, message
):
    monkeypatch.setitem(rewards.REWARDS, f"bad_{kind}", misbehaving(kind))
    results = tmp_path / "results"
    results.mkdir()
    (results / "kept.txt").write_text("earlier results")
    config = dataclasses.replace(
        SMOKE, rewards=("four_letter_share", f"bad_{kind}"), stop_at_behaviour=False, probe_every=0
    )
    with pytest.raises(RewardError, match=f"reward bad_{kind} {message}"):
        run_experiment(config, results_dir=results, runs_dir=tmp_path / "runs")
    assert snapshot(results) == {"kept.txt": b"earlier results"}


def test_the_runner_prints_a_reward_error_in_one_line(capsys, monkeypatch):
    from experiments.cli import one_line_errors

    def fails():
        with one_line_errors():
            IsolatedReward(misbehaving("nan"))(
                prompts=["ox?"], completions=["moo"], trainer_state=type("S", (), {"global_step": 4})()
            )

    assert (
        one_line_exit(capsys, lambda _: fails(), None)
        == "error: reward bad_nan returned nan at step 5 for completion 'moo'"
    )


# 9, 10 and damaged files: files read back are checked before anything is rewritten


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"seed": "zero"}, "run 0 ('smoke'): seed is 'zero', not a whole number"),
        ({"after": {**smoke_row()["after"], "share": "high"}}, "after.share is 'high', not a number"),
        ({"guards": None}, "guards is None, not an object of true/false"),
        ({"after": None}, "after is None, not an object of measurements"),
        ({"name": "a\nb"}, "may hold only letters"),
    ],
    ids=["seed-text", "share-text", "guards-null", "after-null", "name-newline"],
)
def test_a_damaged_summary_row_is_named_in_one_line_and_nothing_is_rewritten(tmp_path, capsys, changes, message):
    from experiments.report import main as report_main

    text = json.dumps({"runs": [smoke_row(**changes)]})
    (tmp_path / "summary.json").write_text(text)
    assert message in one_line_exit(capsys, report_main, ["--results_dir", str(tmp_path)])
    assert (tmp_path / "summary.json").read_text() == text and not (tmp_path / "runs.md").exists()


def test_two_rows_of_one_name_are_refused(tmp_path, capsys):
    from experiments.report import main as report_main

    (tmp_path / "summary.json").write_text(
        json.dumps({"runs": [smoke_row(verdict="broken"), smoke_row(verdict="works")]})
    )
    assert "runs 0 and 1 are both named 'smoke'" in one_line_exit(capsys, report_main, ["--results_dir", str(tmp_path)])


@pytest.mark.parametrize(
    "answers, message",
    [
        ('[{"prompt": "q", "before": "a", "af', "answers.json: not readable JSON"),
        ('["just", "strings"]', "answer 0 is 'just', not {prompt, before, after} texts"),
        ('{"answers": []}', "holds a dict, not a list of answers"),
    ],
    ids=["truncated", "strings", "object"],
)
def test_a_damaged_answers_file_is_named_before_anything_is_rewritten(tmp_path, capsys, answers, message):
    from experiments.report import main as report_main

    text = json.dumps({"runs": [smoke_row()]})
    (tmp_path / "summary.json").write_text(text)
    (tmp_path / "smoke").mkdir()
    (tmp_path / "smoke" / "answers.json").write_text(answers)
    assert message in one_line_exit(capsys, report_main, ["--results_dir", str(tmp_path)])
    assert (tmp_path / "summary.json").read_text() == text


def test_rejudge_refuses_answers_fewer_than_the_run_recorded(tmp_path, capsys):
    """Cut to 1 of 4 answers, loops and frame once fell from 0.75 to 0.0 and both guards passed."""
    from experiments.report import main as report_main

    row = smoke_row(heldout_prompts=4)
    row["after"] = {**row["after"], "clean": None}
    (tmp_path / "summary.json").write_text(json.dumps({"runs": [row]}))
    (tmp_path / "smoke").mkdir()
    (tmp_path / "smoke" / "answers.json").write_text(
        json.dumps([{"prompt": "q", "before": "a", "after": "very very very"}])
    )
    line = one_line_exit(capsys, report_main, ["--results_dir", str(tmp_path), "--rejudge"])
    assert "answers.json: holds 1 answers, but the run recorded 4 held-out prompts" in line


@pytest.mark.parametrize("damage", ["empty", "truncated"])
def test_damaged_weights_are_named(tmp_path, damage):
    from experiments.cli import ModelError
    from experiments.evaluation.models import resolve_model

    model, tokenizer = resolve_model("tiny-gpt2")
    model.save_pretrained(tmp_path)
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"" if damage == "empty" else weights.read_bytes()[:100])
    with pytest.raises(ModelError, match=r"model.safetensors: damaged weights"):
        resolve_model(str(tmp_path))


# 13, unusable folders: found before the work


def test_report_refuses_folders_it_cannot_use_and_creates_none(tmp_path, capsys):
    from experiments.report import main as report_main

    (tmp_path / "a-file").write_text("")
    (tmp_path / "results").mkdir()
    cases = [
        (["--results_dir", str(tmp_path / "typo-dir")], "typo-dir does not exist"),
        (["--results_dir", str(tmp_path / "a-file")], "a-file is a file, not a folder"),
        (
            ["--results_dir", str(tmp_path / "results"), "--import_from", "/nonexistent"],
            "--import_from /nonexistent: no summary.json",
        ),
    ]
    for arguments, message in cases:
        assert message in one_line_exit(capsys, report_main, arguments)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "results"] and not list(
        (tmp_path / "results").iterdir()
    )


def test_a_read_only_results_folder_is_refused_by_the_report(tmp_path, capsys, monkeypatch):
    import experiments.files as files

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Read-only file system")

    (tmp_path / "summary.json").write_text(json.dumps({"runs": [smoke_row()]}))
    monkeypatch.setattr(files.tempfile, "TemporaryFile", refuse)
    from experiments.report import main as report_main

    assert "is not writable" in one_line_exit(capsys, report_main, ["--results_dir", str(tmp_path)])


def test_a_disk_without_room_for_the_model_is_refused_before_training(tmp_path, monkeypatch):
    import experiments.files as files
    import experiments.runner as runner

    def disk_usage(path):  # the runs folder's disk is full; the results folder's has room for the report
        return shutil._ntuple_diskusage(10**9, 10**9, 1000 if "/runs" in str(path) else 10**9)

    monkeypatch.setattr(files.shutil, "disk_usage", disk_usage)
    monkeypatch.setattr(runner, "build_run", lambda *a, **k: pytest.fail("a stage began"))
    with pytest.raises(
        FolderError, match=r"runs folder .*: 0 MB free on its disk, but the run will write about \d+ MB"
    ):
        run_experiment(SMOKE, results_dir=tmp_path / "r", runs_dir=tmp_path / "runs")


# 5, 11: the benchmark writes where told, never a quick figure over a committed one; no empty prompt file


def test_a_quick_breakdown_goes_to_a_scratch_folder_or_where_told(tmp_path, monkeypatch):
    import experiments.benchmark as benchmark

    assert benchmark.figures_folder(benchmark.BenchmarkOptions(breakdown="smoke", steps=2)) == benchmark.SCRATCH
    assert (
        benchmark.figures_folder(benchmark.BenchmarkOptions(breakdown=benchmark.COMMITTED_BREAKDOWN, steps=2))
        == benchmark.SCRATCH
    )
    assert (
        benchmark.figures_folder(benchmark.BenchmarkOptions(breakdown=benchmark.COMMITTED_BREAKDOWN))
        == ROOT / "results" / "history"
    )
    committed = (COMMITTED / "history" / "step-breakdown.json").read_bytes()
    monkeypatch.setattr(
        benchmark,
        "breakdown",
        lambda config, steps: {"entry": config.name, "judge_share_of_step": 0, "step_ratio_vs_without_relevance": 1},
    )
    benchmark.main(["--breakdown", "smoke", "--steps", "2", "--results_dir", str(tmp_path)])
    assert json.loads((tmp_path / "step-breakdown.json").read_text())["entry"] == "smoke"
    assert (COMMITTED / "history" / "step-breakdown.json").read_bytes() == committed


def test_generate_prompts_refuses_to_write_an_empty_prompt_file(tmp_path, capsys, monkeypatch):
    import generate_prompts

    output = tmp_path / "prompts.txt"
    assert "--max_rounds must be a whole number ≥ 1, got 0" in one_line_exit(
        capsys, generate_prompts.main, ["--max_rounds", "0", "--output", str(output)]
    )
    monkeypatch.setattr(generate_prompts, "resolve_model", lambda name: (None, None))
    monkeypatch.setattr(
        generate_prompts,
        "generate",
        lambda model, tokenizer, requests, settings, sample: [["no question here"]] * len(requests),
    )
    assert "no question kept in 1 rounds" in one_line_exit(
        capsys, generate_prompts.main, ["--max_rounds", "1", "--output", str(output)]
    )
    assert not output.exists()


# Models a user brings: a tiny random Qwen2 (rotary, chat template) through the whole pipeline

CHAT_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def tiny_qwen2(folder: Path) -> str:
    """A random two-layer Qwen2 with tiny-gpt2's tokenizer and a ChatML template, saved as a model folder."""
    from transformers import Qwen2Config, Qwen2ForCausalLM

    from experiments.evaluation.models import TINY_GPT2, resolve_model

    _, tokenizer = resolve_model(TINY_GPT2)
    tokenizer.chat_template = CHAT_TEMPLATE
    config = Qwen2Config(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=1,
        max_position_embeddings=256,
        tie_word_embeddings=True,
    )
    Qwen2ForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)


def test_a_tiny_qwen2_runs_the_whole_pipeline(tmp_path):
    from experiments.evaluation.models import resolve_model
    from experiments.training.trainer import rotary_positions

    model = tiny_qwen2(tmp_path / "qwen2")
    loaded, tokenizer = resolve_model(model)
    assert loaded.config.model_type == "qwen2" and rotary_positions(loaded) and tokenizer.chat_template is not None
    config = dataclasses.replace(SMOKE, rewards=("four_letter_share", "relevance"), reward_weights=(1.0, 0.25), steps=2)
    record = run_experiment(config, results_dir=tmp_path / "results", runs_dir=tmp_path / "runs", model=model)
    assert (
        record.model == model
        and record.training.steps_trained == 2
        and record.verdict in ("works", "broken", "no change")
    )
    answers = json.loads((tmp_path / "results" / "smoke" / "answers.json").read_text())
    assert len(answers) == record.heldout_prompts == SMOKE.eval_prompts
    assert (tmp_path / "runs" / "smoke" / "model" / "config.json").exists()
    assert "<|im_start|>" in (tmp_path / "runs" / "smoke" / "model" / "tokenizer_config.json").read_text() + "".join(
        p.read_text() for p in (tmp_path / "runs" / "smoke" / "model").glob("*.jinja")
    )


def test_a_run_an_exploration_an_import_and_a_rejudge_at_once_keep_every_row(tmp_path):
    """Four writers on one results folder at once: every row stays, and runs.md names every row of summary.json."""
    import subprocess

    results, lane = tmp_path / "results", tmp_path / "lane"
    results.mkdir()
    (results / "summary.json").write_text(json.dumps({"runs": [smoke_row("earlier")]}))
    committed = json.loads((COMMITTED / "history" / "summary.json").read_text())
    baseline = next(row for row in committed["runs"] if row["name"] == "first-baseline")
    (lane / "first-baseline").mkdir(parents=True)
    (lane / "first-baseline" / "samples.md").write_text("# Samples: first-baseline\n")
    (lane / "summary.json").write_text(json.dumps({"runs": [baseline]}))
    python = [sys.executable]
    commands = [
        [*python, *runner_arguments(results, tmp_path / "a")],
        [
            *python,
            "scripts/explore.py",
            "idea",
            "--base",
            "smoke",
            "--steps",
            "1",
            "--results_dir",
            str(results),
            "--runs_dir",
            str(tmp_path / "b"),
        ],
        [
            *python,
            "-m",
            "experiments.report",
            "--results_dir",
            str(results),
            "--import_from",
            str(lane),
            "--runs",
            "first-baseline",
        ],
        [*python, "-m", "experiments.report", "--results_dir", str(results), "--rejudge"],
    ]
    processes = [
        subprocess.Popen(c, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for c in commands
    ]
    for process in processes:
        assert process.wait(timeout=600) == 0, process.stderr.read()[-2000:]
    names = [row["name"] for row in json.loads((results / "summary.json").read_text())["runs"]]
    assert sorted(names) == ["earlier", "first-baseline", "idea", "smoke"]
    table = (results / "runs.md").read_text()
    assert all(f"{name}" in table for name in names)
