"""The tuner (issue 40): the search space as data, one-line refusals before any model loads, the worse seed reported
and pruned on, and a study on the tiny model that prunes, is interrupted, resumes and continues."""

import dataclasses
import json
import logging
import os
import signal
import socket
import subprocess
import threading
import time
import types
import typing
from pathlib import Path

import optuna
import pytest
from optuna.pruners import BasePruner
from optuna.storages import JournalStorage
from optuna.storages.journal import JournalFileBackend
from optuna.trial import TrialState
from trl import GRPOConfig

from experiments.registry import REGISTRY, Experiment
from experiments.registry.search_space import KINDS, configured, levers_for
from experiments.reporting import summary
from experiments.reporting.tune_table import study_sections
from experiments.training.checks import validate_experiment
from experiments.training.prompts import read_prompt_lines
from experiments.tune import command, lanes, study, trials
from experiments.tune.figures import draw_study_figures
from experiments.tune.lanes import SeedRun
from experiments.tune.levers import entry_values
from experiments.tune.options import TuneOptions, TunePlan, plan_of
from experiments.tune.seed_run import SeedSpec

pytestmark = pytest.mark.fast
ROOT = Path(__file__).resolve().parent.parent
FIELDS = {f.name for f in dataclasses.fields(Experiment)} | {f.name for f in dataclasses.fields(GRPOConfig)}


def test_every_lever_sets_a_real_field_and_says_why():
    for lever in levers_for(REGISTRY["baseline"]).values():
        assert lever.target in FIELDS, lever.name
        assert lever.kind in KINDS and lever.reason and "\n" not in lever.reason, lever.name
        if lever.kind == "categorical":
            assert lever.choices, lever.name
        else:
            assert lever.low is not None and lever.high is not None and lever.low < lever.high, lever.name


def test_a_lever_value_is_an_ordinary_override_of_the_base():
    base = REGISTRY["baseline"]
    entry = configured(
        base, "t", "a trial", {"beta": 0.02, "lora_rank": 8, "num_generations": 4, "weight_relevance": 0}
    )
    validate_experiment(entry)
    assert entry.differences() == {
        "reward_weights": (1.0, 1.0, 0.0),
        "lora_rank": 8,
        "beta": 0.02,
        "num_generations": 4,
        "per_device_train_batch_size": 8,  # two prompts a step, as the base, in groups of 4
    }


def test_known_entries_are_enqueued_by_their_lever_values():
    levers = levers_for(REGISTRY["baseline"])
    leash, _ = entry_values(REGISTRY["leash-0.04"], levers)
    frozen, _ = entry_values(REGISTRY["frozen-lower-half"], levers)
    assert leash["beta"] == 0.04 and leash["learning_rate"] == 1e-4 and leash["frozen_fraction"] is None
    assert frozen["frozen_fraction"] == 0.5 and frozen["beta"] == 0.1 and frozen["weight_relevance"] == 0.25


def test_the_development_split_comes_from_the_training_prompts_only():
    plan = plan_of(TuneOptions(base="baseline", lanes=1), ["s"], [])
    training = read_prompt_lines(ROOT / REGISTRY["baseline"].train_prompts)
    assert sorted(plan.dev_prompts + plan.train_prompts) == sorted(training)
    assert len(plan.dev_prompts) >= 4 and not set(plan.dev_prompts) & set(plan.train_prompts)
    assert not set(plan.dev_prompts) & set(read_prompt_lines(ROOT / "prompts" / "heldout.txt"))


def test_development_prompts_may_come_from_a_file_the_base_does_not_train_on():
    plan = plan_of(TuneOptions(base="baseline", lanes=1, dev_prompts="prompts/silly_large.txt"), ["s"], [])
    large = read_prompt_lines(ROOT / "prompts" / "silly_large.txt")
    assert list(plan.dev_prompts) == large[3::4][:40]  # every 4th, at most 40
    assert sorted(plan.train_prompts) == sorted(read_prompt_lines(ROOT / REGISTRY["baseline"].train_prompts))
    assert plan.dev_source == "prompts/silly_large.txt"


@pytest.fixture
def no_run(monkeypatch):
    """Fail the test if a seed starts or a model loads: every refusal comes before."""
    import experiments.training.assembly as assembly

    refuse = lambda *a, **k: pytest.fail("a run started before the refusal")  # noqa: E731
    monkeypatch.setattr(lanes.Lanes, "start", refuse)
    monkeypatch.setattr(assembly, "resolve_model", refuse)


def one_line_exit(capsys, arguments) -> str:
    with pytest.raises(SystemExit) as exit_:
        command.main(arguments)
    err = capsys.readouterr().err.strip()
    assert exit_.value.code == 2 and "Traceback" not in err and len(err.splitlines()) == 1, err
    return err


@pytest.mark.parametrize(
    "arguments, said",
    [
        (["s", "--lever", "bta=0:0.1"], "error: --lever bta=0:0.1: no lever 'bta'; did you mean 'beta'?"),
        (["s", "--lever", "beta=0.2:0.1"], "empty range (0.2 > 0.1)"),
        (["s", "--lever", "beta="], "error: --lever beta=: empty range"),
        (["s", "--lever", "loss_type=dapo:grpo"], "loss_type is a choice among"),
        (["s", "--lever", "num_generations=1,4"], "num_generations must be ≥ 2"),
        (["s", "--lanes", str((os.cpu_count() or 1) + 1)], "cores; at most"),
        (["runs/s"], "error: study name 'runs/s' may hold only letters"),
        (["..s"], "error: study name '..s' may hold only letters"),
        (["s", "--base", "nothing"], "error: --base: no registry entry 'nothing'"),
        (["s", "--enqueue", "nothing"], "error: --enqueue: no registry entry 'nothing'"),
        (["s", "--pruner", "hyperband"], "error: --pruner must be one of median, halving, none"),
        (["s", "--frobnicate", "1"], "error: unknown option --frobnicate"),
        (["s", "--dev_prompts", "prompts/heldout.txt"], "the held-out prompts are never searched on"),
        (["s", "--dev_prompts", "tests/data/borrows_a_heldout_prompt.txt"], "1 of its prompts are in heldout.txt"),
        (["s", "--base", "baseline", "--dev_prompts", "prompts/silly.txt"], "are also training prompts of"),
        (["s", "--dev_prompts", "prompts/nosuch.txt"], "prompts/nosuch.txt"),
    ],
)
def test_bad_input_is_refused_in_one_line_before_any_run(no_run, capsys, tmp_path, arguments, said):
    line = one_line_exit(capsys, ["--base", "smoke", "--lanes", "1", "--results_dir", str(tmp_path / "r"), *arguments])
    assert said in line


@pytest.mark.parametrize(
    "damage", [b'{"op_code": 0, "worker_id": "w"}\nnot json\n', b'{"op_code": 0, "worker_id": "w"}\n{"op_co']
)
def test_a_damaged_journal_is_refused_and_left_as_it_was(no_run, capsys, tmp_path, damage):
    journal = tmp_path / "r" / "tune" / "s" / "study.journal"
    journal.parent.mkdir(parents=True)
    journal.write_bytes(damage)
    line = one_line_exit(capsys, ["s", "--base", "smoke", "--lanes", "1", "--results_dir", str(tmp_path / "r")])
    assert "damaged journal" in line and "left as it was" in line
    assert journal.read_bytes() == damage and sorted(p.name for p in journal.parent.iterdir()) == ["study.journal"]


def fake_seed(tmp_path: Path, seed: int, state: str, readings: dict[int, float]) -> SeedRun:
    entry = dataclasses.replace(REGISTRY["smoke"], name=f"fake-seed{seed}", seed=seed)
    spec = SeedSpec(entry, tmp_path, tmp_path, tmp_path / "dev.txt", tmp_path / "log")
    records = {
        step: {"step": step, "probe/share": 1.0, "probe/loops": 0.0, "probe/clean": v} for step, v in readings.items()
    }
    return SeedRun(spec, typing.cast(lanes.SeedState, state), readings=records)


def test_a_step_is_reported_as_the_worse_seed_once_every_running_seed_has_read_it(tmp_path):
    trial = optuna.create_study(direction="maximize").ask()
    first = fake_seed(tmp_path, 1, "running", {5: 0.5, 10: 0.75})
    second = fake_seed(tmp_path, 2, "running", {5: 0.25})
    run = trials.TrialRun(trial, "trial 1 of 1 (#0)", [first, second])
    loop = trials.TrialLoop.__new__(trials.TrialLoop)
    assert loop._report(run) and run.reported == {5: 0.25}  # step 10 waits for the second seed
    second.state = "done"  # it ended before step 10 (stopped early): it holds nothing back
    assert loop._report(run) and run.reported == {5: 0.25, 10: 0.75}
    assert trial.study.trials[0].intermediate_values == {5: 0.25, 10: 0.75}


class StillLanes:
    """Lanes whose seeds neither read a probe nor end by themselves; a killed seed is only marked so."""

    def poll(self, seed: SeedRun) -> list[int]:
        return []

    def kill(self, seed: SeedRun) -> None:
        seed.state = "killed"


@pytest.mark.parametrize(
    "stop_reason, steps, settled",
    [("loops", 10, True), ("behaviour", 10, True), ("step cap", 60, False), ("loops", 60, False)],
)
def test_a_seed_that_a_stop_rule_ended_infeasible_settles_its_trial(tmp_path, stop_reason, steps, settled):
    """Seed 1 looped at step 10 (or its training share arrived while its greedy answers failed, as vocab-content #1's
    seed 2 did) and is infeasible on its own: the trial cannot be feasible whatever seed 2 does, so seed 2 is stopped
    and the trial pruned, instead of a lane idling for the rest of seed 2's steps. A rule that fired on the cap's own
    step settles nothing: seed 2 is at the cap too, and stopping it would only lose its figures (vocab-content-share
    #5's seed 2 was stopped while its model was saved)."""
    trial = optuna.create_study(direction="maximize").ask()
    ended = fake_seed(tmp_path, 1, "done", {5: 0.0, 10: 0.0})
    ended.figures = {"seed": 1, "stop_reason": stop_reason, "steps": steps, "share": 0.3, "clean": 0.0, "loops": 0.4}
    training = fake_seed(tmp_path, 2, "running", {5: 0.25, 10: 0.5, 15: 0.5})
    run = trials.TrialRun(trial, "trial 1 of 1 (#0)", [ended, training])
    loop = trials.TrialLoop.__new__(trials.TrialLoop)
    loop.lanes, told = typing.cast(lanes.Lanes, StillLanes()), []
    loop.plan = typing.cast(TunePlan, types.SimpleNamespace(base=types.SimpleNamespace(steps=60)))
    loop._tell = told.append
    loop._watch(run)
    assert (training.state == "killed") is settled and (told == [run]) is settled
    assert run.pruned_at == (15 if settled else None)
    assert trial.user_attrs.get("settled_by") == (f"seed 1: {stop_reason} at step {steps}" if settled else None)


def test_figures_wait_for_enough_complete_trials_then_are_drawn(tmp_path, caplog):
    search = optuna.create_study(study_name="fig", direction="maximize")
    search.optimize(lambda t: t.suggest_float("beta", 0, 1) - t.suggest_float("lr", 0, 1) ** 2, n_trials=3)
    with caplog.at_level(logging.INFO, logger="experiments"):
        assert draw_study_figures(search, tmp_path) == []
    assert "has 3 complete trials" in caplog.text
    search.optimize(lambda t: t.suggest_float("beta", 0, 1) - t.suggest_float("lr", 0, 1) ** 2, n_trials=4)
    drawn = draw_study_figures(search, tmp_path)
    names = sorted(path.name for path in drawn)
    assert (
        "tune-fig-history.png" in names and "tune-fig-importances.png" in names and "tune-fig-slice-beta.png" in names
    )
    assert all(path.stat().st_size > 1000 for path in drawn)


class PruneTrialZero(BasePruner):
    """Prunes trial #0 at its first probe report, and no other: a forced pruning the test can count on."""

    def prune(self, study, trial):
        return trial.number == 0


def sigterm_when(condition, stop: threading.Event) -> threading.Thread:
    """SIGTERM to this process once ``condition`` holds (the tuner's interrupt), unless ``stop`` is set first."""

    def watch():
        while not stop.is_set():
            if condition():
                os.kill(os.getpid(), signal.SIGTERM)
                return
            time.sleep(0.05)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def states_of(snapshot_path: Path) -> dict[int, str]:
    if not snapshot_path.exists():
        return {}
    return {trial["number"]: trial["state"] for trial in json.loads(snapshot_path.read_text())["trials"]}


def rows_of(results_dir: Path) -> list[str]:
    summary_json = results_dir / "summary.json"
    return sorted(row["name"] for row in json.loads(summary_json.read_text())["runs"]) if summary_json.exists() else []


@pytest.mark.train
def test_a_study_prunes_is_interrupted_resumes_and_continues(tmp_path, monkeypatch):
    """A 3-trial study, 2 lanes, seeds 1 and 2 side by side on the tiny model: #0 is pruned, #1 is cut by SIGTERM
    while it trains; the next call retries #1 first (as #2, which completes), and a third call retries nothing again."""
    monkeypatch.setattr(trials, "POLL_S", 0.05)
    monkeypatch.setattr(study, "pruner_of", lambda name: PruneTrialZero())
    results, runs = tmp_path / "results", tmp_path / "runs"
    arguments = ["tuned", "--base", "smoke", "--lanes", "2", "--steps", "15", "--only", "beta,learning_rate"]
    arguments += ["--lever", "beta=0:0.1", "--results_dir", str(results), "--runs_dir", str(runs)]
    study_dir, study_runs = results / "tune" / "tuned", runs / "tune" / "tuned"

    def trial_one_trains() -> bool:
        return (
            states_of(study_dir / "trials.json") == {0: "PRUNED"}
            and (study_runs / "tuned-t001-seed1" / "in-progress" / "metrics.jsonl").exists()
        )

    stop = threading.Event()
    sigterm_when(trial_one_trains, stop)
    with pytest.raises(SystemExit) as exit_:
        command.main([*arguments, "--trials", "2"])
    stop.set()
    assert exit_.value.code == command.INTERRUPTED_EXIT
    assert states_of(study_dir / "trials.json") == {0: "PRUNED", 1: "FAIL"}
    # The interrupted trial leaves no row and no runs folder. The pruned one's seeds are killed while they train; a
    # seed that had already trained (it may run ahead while the other waits for its lane) publishes as any run does.
    assert not [row for row in rows_of(study_dir) if row.startswith("tuned-t001")]
    assert not list(study_runs.glob("tuned-t001*"))

    command.main([*arguments, "--trials", "1"])
    command.main([*arguments, "--trials", "0"])
    search = optuna.load_study(
        study_name="tuned", storage=JournalStorage(JournalFileBackend(str(study_dir / "study.journal")))
    )
    found = {trial.number: trial for trial in search.get_trials()}
    assert {n: t.state.name for n, t in found.items()} == {0: "PRUNED", 1: "FAIL", 2: "COMPLETE"}
    assert found[1].user_attrs["interrupted"] and found[2].user_attrs["retry_of"] == 1
    assert found[1].user_attrs["lane_s"] > 0  # what the cut trial cost counts in the study's time line
    assert found[2].params == found[1].params
    assert found[0].user_attrs["pruned_at"] == 5 and found[0].value == found[0].user_attrs["last_reading"]
    done = found[2].user_attrs
    assert found[2].value == min(done["seed1"]["clean"], done["seed2"]["clean"]) and done["wall_s"] > 0
    assert set(found[2].constraints) == {"share", "loops", "frame", "ref_ppl_ratio"}
    published_before_the_prune = [
        found[0].user_attrs[f"seed{seed}"]["run"]
        for seed in (1, 2)
        if found[0].user_attrs[f"seed{seed}"]["state"] == "done"
    ]
    assert len(published_before_the_prune) < 2  # the seed still training at the prune was stopped
    expected_rows = sorted([*published_before_the_prune, "tuned-t002-seed1", "tuned-t002-seed2"])
    assert rows_of(study_dir) == expected_rows  # ordinary runs, their rows kept
    assert (study_dir / "dev.txt").exists() and (study_dir / "train.txt").exists()
    assert not (study_runs / "tuned-t002-seed1" / "model").exists()  # read, then removed
    table = "\n".join(study_sections(study_dir))
    assert "### Study `tuned` on `smoke`" in table and "pruned at step 5" in table and "| #2 " in table
    assert "Time: 3 trials took" in table and "the 1 pruned trial (stopped at step 5) saved at least" in table


@pytest.mark.train
def test_a_database_url_stores_the_study(tmp_path):
    url = f"sqlite:///{tmp_path / 'study.db'}"
    command.main(["db", "--base", "smoke", "--trials", "1", "--lanes", "1", "--seeds", "1", "--steps", "2", "--only", "beta", "--storage", url, "--results_dir", str(tmp_path / "r"), "--runs_dir", str(tmp_path / "w")])  # fmt: skip
    found = optuna.load_study(study_name="db", storage=url).get_trials()
    assert [trial.state for trial in found] == [TrialState.COMPLETE] and found[0].user_attrs["seed1"]["state"] == "done"
    assert not (tmp_path / "r" / "tune" / "db" / "study.journal").exists()


def test_a_continued_study_must_keep_its_base_and_seeds(no_run, capsys, tmp_path):
    options = ["s", "--base", "smoke", "--lanes", "1", "--trials", "0", "--results_dir", str(tmp_path / "r")]
    command.main(options)
    line = one_line_exit(capsys, [*options, "--seeds", "3"])
    assert "study s was begun with seeds [1, 2]; continue it with the same" in line


def test_make_tune_runs_the_module_with_its_arguments():
    assert "$(BIN)/python -m experiments.tune $(ARGS)" in (ROOT / "Makefile").read_text()


def test_a_trial_left_running_by_a_gone_tuner_is_failed_and_retried_once(tmp_path):
    gone = subprocess.Popen(["true"])
    gone.wait()  # a pid that no process has now
    storage = JournalStorage(JournalFileBackend(str(tmp_path / "study.journal")))
    search = optuna.create_study(study_name="s", storage=storage, direction="maximize")
    cut = search.ask()
    cut.suggest_float("beta", 0, 1)
    cut.set_user_attr(study.TUNER, f"{socket.gethostname()}:{gone.pid}")
    study.fail_orphans(search)
    assert search.trials[0].state == TrialState.FAIL
    assert study.enqueue_retries(search) == [0] and study.enqueue_retries(search) == []
    retry = search.ask()
    assert retry.suggest_float("beta", 0, 1) == search.trials[0].params["beta"] and retry.user_attrs["retry_of"] == 0


def test_summary_md_shows_each_study_found_under_tune(tmp_path):
    snapshot = {"study": "s", "base": "smoke", "seeds": [1, 2], "levers": ["beta"], "trials": [
        {"number": 0, "state": "COMPLETE", "value": 0.5, "params": {"beta": 0.05}, "constraints": {"share": 0.1},
         "user_attrs": {"seed1": {"share": 0.45, "clean": 0.5, "loops": 0.0, "frame": 0.25, "steps": 30}, "seed2": {}}},
        {"number": 1, "state": "PRUNED", "value": 0.0, "params": {"beta": 0.2}, "user_attrs": {"pruned_at": 5}},
    ]}  # fmt: skip
    (tmp_path / "tune" / "s").mkdir(parents=True)
    (tmp_path / "tune" / "s" / "trials.json").write_text(json.dumps(snapshot))
    text = summary.render_summary(tmp_path, {"thresholds": {}, "runs": []}, [], {})  # the root: a row per study
    assert (
        "## Searches" in text and "| [`s`](tune/s/summary.md) | `smoke` | 1, 2    | 1 complete, 1 pruned | #0" in text
    )
    own = summary.render_summary(tmp_path / "tune" / "s", {"thresholds": {}, "runs": []}, [], {})  # the study's own
    assert "### Study `s` on `smoke`, seeds 1, 2: 1 complete, 1 pruned" in own
    assert "| #0      | complete" in own and "0.45 / –" in own and "pruned at step 5" in own
    assert "## The lessons" not in own and "Declared and not run yet" not in own  # a study page holds no lessons
    assert "## Searches" not in summary.render_summary(tmp_path / "tune", {"thresholds": {}, "runs": []}, [], {})


def test_a_study_summary_reads_lever_by_lever_once_it_has_enough_complete_trials(tmp_path):
    """The leash held the share back in every pair of trials: the study's own summary says so (β −1 under share)."""

    def trial(number: int, beta: float, share: float, scale: str) -> dict:
        reading = {"share": share, "clean": share, "loops": 0.1, "frame": 0.2, "ref_ppl_ratio": 1.2}
        attrs = {"seed1": reading, "seed2": {**reading, "share": share + 0.05}}
        return {"number": number, "state": "COMPLETE", "value": share, "params": {"beta": beta, "scale_rewards": scale},
                "user_attrs": attrs}  # fmt: skip

    trials = [trial(0, 0.0, 0.6, "none"), trial(1, 0.05, 0.5, "group"), trial(2, 0.1, 0.4, "none")]
    snapshot = {"study": "s", "base": "smoke", "seeds": [1, 2], "levers": ["beta", "scale_rewards"], "trials": trials}
    study_dir = tmp_path / "tune" / "s"
    study_dir.mkdir(parents=True)
    (study_dir / "trials.json").write_text(json.dumps(snapshot))
    assert "Lever by lever" not in "\n".join(study_sections(study_dir))  # 3 complete trials are too few
    snapshot["trials"] = [*trials, trial(3, 0.15, 0.3, "group")]
    (study_dir / "trials.json").write_text(json.dumps(snapshot))
    rows = [line.replace(" ", "") for line in "\n".join(study_sections(study_dir)).splitlines()]
    assert "|beta|-1||-1||||" in rows
    assert "|scale_rewards=none|2|0.5||0.5|0.1|0.2|1.2|" in rows


@pytest.mark.fast
def test_the_searches_are_read_lever_by_lever_together_on_their_own_page(tmp_path):
    """Two studies of two trials each are too few alone, four together: the root report writes tune/levers.md, where
    a lever only study b searched reads the base's value for study a's trials, and summary.md links the page."""
    from experiments.reporting.pooled_levers import POOLED_PAGE, render_pooled

    def trial(number: int, beta: float, share: float) -> dict:
        reading = {"share": share, "clean": share, "loops": 0.1, "frame": 0.2, "ref_ppl_ratio": 1.2}
        return {"number": number, "state": "COMPLETE", "params": {"beta": beta}, "user_attrs": {"seed1": reading}}

    for name, study_trials in {
        "a": [trial(0, 0.0, 0.6), trial(1, 0.05, 0.5)],
        "b": [trial(0, 0.1, 0.4), trial(1, 0.2, 0.3)],
    }.items():
        (tmp_path / "tune" / name).mkdir(parents=True)
        levers = ["beta"] if name == "a" else ["beta", "frozen_fraction"]
        snapshot = {"study": name, "base": "smoke", "seeds": [1], "levers": levers, "trials": study_trials}
        (tmp_path / "tune" / name / "trials.json").write_text(json.dumps(snapshot))
    assert "Lever by lever" not in "\n".join(study_sections(tmp_path / "tune" / "a"))  # two trials: too few alone
    page = render_pooled(tmp_path)
    assert page is not None and "4 complete trials of 2 studies (a 2, b 2" in page
    rows = [line.replace(" ", "") for line in page.splitlines()]
    assert "|beta|-1||-1||||" in rows and "|study=a|2|0.55||0.55|0.1|0.2|1.2|" in rows
    summary.write_report(tmp_path, {"thresholds": {}, "runs": []})
    assert (tmp_path / POOLED_PAGE).read_text() == page
    assert f"[{POOLED_PAGE}]({POOLED_PAGE})" in (tmp_path / "summary.md").read_text()
    assert render_pooled(tmp_path / "tune" / "a") is None  # a study's own folder holds no searches
    assert "How the" not in page  # every trial ended at the cap: no early ending to set beside them


@pytest.mark.fast
def test_the_levers_page_shows_where_the_trials_that_ended_early_sat(tmp_path):
    """Trials settled by a looping seed or stopped by the pruner have no reading for the lever table, but where their
    levers sat is what says which settings loop: the page gives each ending's median lever value and its count."""
    from experiments.reporting.pooled_levers import render_pooled

    reading = {"share": 0.5, "clean": 0.5, "loops": 0.0, "frame": 0.2, "ref_ppl_ratio": 1.2}
    trials = {
        "a": [
            {"number": 0, "state": "COMPLETE", "params": {"beta": 0.1}, "user_attrs": {"seed1": reading}},
            {
                "number": 1,
                "state": "PRUNED",
                "params": {"beta": 0.02},
                "user_attrs": {"settled_by": "seed 1: loops at step 10"},
            },
            {"number": 2, "state": "FAIL", "params": {"beta": 0.5}, "user_attrs": {}},
        ],
        "b": [
            {
                "number": 0,
                "state": "PRUNED",
                "params": {"beta": 0.04},
                "user_attrs": {"settled_by": "seed 1: loops at step 20"},
            },
            {"number": 1, "state": "PRUNED", "params": {"beta": 0.2}, "user_attrs": {"pruned_at": 30}},
        ],
    }
    for name, study_trials in trials.items():
        (tmp_path / "tune" / name).mkdir(parents=True)
        snapshot = {"study": name, "base": "smoke", "seeds": [1], "levers": ["beta"], "trials": study_trials}
        (tmp_path / "tune" / name / "trials.json").write_text(json.dumps(snapshot))
    page = render_pooled(tmp_path)
    assert page is not None and "How the 4 trials that ran to an end ended" in page  # the failed trial is not one
    rows = [line.replace(" ", "") for line in page.splitlines()]
    assert "|lever|stepcap(1)|loops(2)|pruner(1)|" in rows
    assert "|beta|0.1|0.03|0.2|" in rows and "|study=b|0|1|1|" in rows


# Each declared study's command as it was run, before the declarations became data (experiments/registry/history/studies.py).
RUN_COMMANDS = {
    "vocab": "--base rare-in-batch-alone-seed1 --steps 60 --lanes 2 --seeds 1,2 --only learning_rate,beta,scale_rewards,"
    "top_entropy_quantile,multi_objective_aggregation,prompts_per_step --lever learning_rate=5e-5:3e-4 --lever "
    "prompts_per_step=2:4 --dev_prompts prompts/silly_large.txt",
    "vocab-frame": "--base rare-in-batch-fresh-seed1 --enqueue rare-in-batch-fresh-seed1 --steps 60 --lanes 2 --seeds 1,2 "
    "--only learning_rate,beta,temperature,weight_fresh_phrases,weight_distinct_bigrams,prompts_per_step --lever "
    "learning_rate=1e-4:3e-4 --lever beta=0.03:0.15 --lever temperature=0.6:1.0 --lever weight_fresh_phrases=0:2 "
    "--lever prompts_per_step=2:4 --dev_prompts prompts/silly_large.txt",
    "vocab-keep": "--base rare-in-batch-frozen-seed1 --enqueue rare-in-batch-frozen-seed1 --steps 60 --lanes 2 --seeds "
    "1,2 --only frozen_fraction,learning_rate,beta,top_entropy_quantile,temperature,prompts_per_step --lever "
    "frozen_fraction=0.25,0.5,0.75 --lever learning_rate=1.5e-4:6e-4 --lever beta=0.03:0.12 --lever "
    "top_entropy_quantile=0.5:1.0 --lever temperature=0.7:1.0 --lever prompts_per_step=2:4 --dev_prompts "
    "prompts/silly_large.txt",
    "vocab-content": "--base rare-in-batch-content-seed1 --enqueue rare-in-batch-content-seed1 --steps 60 --lanes 2 "
    "--seeds 1,2 --only weight_content_share_once,learning_rate,beta,temperature,prompts_per_step --lever "
    "weight_content_share_once=0.5:3 --lever learning_rate=1.5e-4:4e-4 --lever beta=0.04:0.12 --lever "
    "temperature=0.7:1.0 --lever prompts_per_step=2:3 --dev_prompts prompts/silly_large.txt",
    "vocab-content-fresh": "--base rare-in-batch-content-fresh-seed1 --enqueue rare-in-batch-content-fresh-seed1 --steps "
    "60 --lanes 2 --seeds 1,2 --only weight_content_fresh_share,learning_rate,beta,temperature,prompts_per_step --lever "
    "weight_content_fresh_share=0.5:3 --lever learning_rate=1.5e-4:4e-4 --lever beta=0.04:0.12 --lever "
    "temperature=0.7:1.0 --lever prompts_per_step=2:3 --dev_prompts prompts/silly_large.txt",
    "vocab-content-share": "--base rare-in-batch-content-fresh-share-seed1 --enqueue "
    "rare-in-batch-content-fresh-share-seed1 --steps 60 --lanes 2 --seeds 1,2 --only weight_four_letter_share,"
    "weight_content_fresh_share,learning_rate,beta,temperature,frozen_fraction --lever weight_four_letter_share=0.25:1.5 "
    "--lever weight_content_fresh_share=0.5:2 --lever learning_rate=1.5e-4:4e-4 --lever beta=0.04:0.12 --lever "
    "temperature=0.7:1.0 --lever frozen_fraction=0.25,0.5 --dev_prompts prompts/silly_large.txt",
    "vocab-content-frame": "--base rare-in-batch-content-frame-seed1 --enqueue rare-in-batch-content-frame-seed1 --steps "
    "60 --lanes 2 --seeds 1,2 --only weight_fresh_phrases,weight_four_letter_share,weight_content_fresh_share,"
    "learning_rate,beta,temperature --lever weight_fresh_phrases=0.5:2 --lever weight_four_letter_share=0:1 --lever "
    "weight_content_fresh_share=0.5:2 --lever learning_rate=2e-4:4e-4 --lever beta=0.04:0.1 --lever "
    "temperature=0.7:1.0 --dev_prompts prompts/silly_large.txt",
    "vocab-content-wide": "--base rare-in-batch-content-frame-wide-seed1 --enqueue "
    "rare-in-batch-content-frame-wide-seed1 --steps 60 --lanes 2 --seeds 1,2 --only prompts_per_step,"
    "weight_fresh_phrases,weight_four_letter_share,weight_content_fresh_share,learning_rate,beta --lever "
    "prompts_per_step=3:4 --lever weight_fresh_phrases=0.5:2 --lever weight_four_letter_share=0:1 --lever "
    "weight_content_fresh_share=0.5:2 --lever learning_rate=2e-4:4e-4 --lever beta=0.04:0.1 --dev_prompts "
    "prompts/silly_large.txt",
    "vocab-content-cool": "--base rare-in-batch-content-cool-seed1 --enqueue rare-in-batch-content-cool-seed1 --steps 60 "
    "--lanes 2 --seeds 1,2 --only weight_fresh_phrases,weight_four_letter_share,weight_content_fresh_share,"
    "learning_rate,beta,temperature --lever weight_fresh_phrases=0.5:2 --lever weight_four_letter_share=0:1 --lever "
    "weight_content_fresh_share=0.5:2 --lever learning_rate=2e-4:4e-4 --lever beta=0.04:0.1 --lever "
    "temperature=0.55:0.8 --dev_prompts prompts/silly_large.txt",
    "vocab-content-cool-share": "--base rare-in-batch-content-cool-share-seed1 --enqueue "
    "rare-in-batch-content-cool-share-seed1 --steps 60 --lanes 2 --seeds 1,2 --only weight_four_letter_share,"
    "weight_four_letter_rare_in_batch,top_entropy_quantile,temperature --lever weight_four_letter_share=0.5:1.5 --lever "
    "weight_four_letter_rare_in_batch=1:2.5 --lever top_entropy_quantile=0.4:0.9 --lever temperature=0.6:0.75 "
    "--dev_prompts prompts/silly_large.txt",
    "vocab-content-entropy": "--base rare-in-batch-content-entropy-seed1 --enqueue rare-in-batch-content-entropy-seed1 "
    "--steps 60 --lanes 2 --seeds 1,2 --only entropy_coef,weight_four_letter_share,weight_four_letter_rare_in_batch,"
    "temperature --lever entropy_coef=0.01:0.2 --lever weight_four_letter_share=0.5:1.5 --lever "
    "weight_four_letter_rare_in_batch=1:2.5 --lever temperature=0.6:0.8 --dev_prompts prompts/silly_large.txt",
    "vocab-content-sum": "--base rare-in-batch-content-cool-sum-seed1 --enqueue rare-in-batch-content-cool-sum-seed1 "
    "--steps 60 --lanes 2 --seeds 1,2 --only scale_rewards,weight_four_letter_share,weight_four_letter_rare_in_batch,"
    "learning_rate --lever weight_four_letter_share=0.5:1.5 --lever weight_four_letter_rare_in_batch=1:2.5 --lever "
    "learning_rate=2e-4:4e-4 --dev_prompts prompts/silly_large.txt",
    "vocab-content-cold": "--base rare-in-batch-content-cold-seed1 --enqueue rare-in-batch-content-cold-seed1 --steps 60 "
    "--lanes 2 --seeds 1,2 --only temperature,num_generations,weight_four_letter_share,weight_four_letter_rare_in_batch "
    "--lever temperature=0.35:0.55 --lever num_generations=8,12 --lever weight_four_letter_share=0.5:1.5 --lever "
    "weight_four_letter_rare_in_batch=1:2.5 --dev_prompts prompts/silly_large.txt",
}


def plan_from(argv: list[str]):
    options, words = command.parse(TuneOptions, argv, None, other_options=True, expand=command.with_declaration)
    names, specs = command.lever_specs(words)
    return plan_of(options, names, specs)


@pytest.mark.parametrize("name", sorted(RUN_COMMANDS))
def test_a_declared_study_runs_by_its_name_as_its_command_ran_it(name, monkeypatch):
    """``python -m experiments.tune NAME --lanes 2`` plans what the study's full command planned, and agrees with
    the study's committed trials (base, seeds, steps, levers); options after the name still win."""
    from experiments.registry.history.studies import STUDIES

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    by_name, ran = plan_from([name, "--lanes", "2"]), plan_from([name, *RUN_COMMANDS[name].split()])
    assert (by_name.base, by_name.levers, by_name.seeds, by_name.enqueue) == (
        ran.base,
        ran.levers,
        ran.seeds,
        ran.enqueue,
    )
    assert (by_name.dev_prompts, by_name.train_prompts) == (ran.dev_prompts, ran.train_prompts)
    assert ran.study == by_name.study == name and STUDIES[name].command().startswith(
        f"python -m experiments.tune {name} "
    )
    assert by_name.study_dir == Path("results") / "history" / "tune" / name  # a history base: the history's wing
    snapshot = ROOT / by_name.study_dir / "trials.json"
    if snapshot.exists():
        committed = json.loads(snapshot.read_text(encoding="utf-8"))
        assert committed["base"] == by_name.base.name and committed["seeds"] == list(by_name.seeds)
        assert committed["steps"] == by_name.base.steps and committed["levers"] == list(by_name.levers)
    lever = next(lever for lever in by_name.levers.values() if lever.kind in ("float", "log"))
    middle = (lever.low + lever.high) / 2  # a later --lever respecifies the declared range
    assert plan_from([name, "--lanes", "2", "--lever", f"{lever.name}={lever.low!r}:{middle!r}"]).levers[
        lever.name
    ].high == pytest.approx(middle)
