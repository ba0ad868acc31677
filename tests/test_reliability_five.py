"""Reliability, round five (issue 54): a seed that published is left to finish, a new study under an old study's name
is refused, the seeds end with a tuner killed outright, the tuner's page shows its last trial and only its own figures,
a call that runs nothing writes no trial, its files, options, model and prompts are refused in one line before any
run, a trials.json of another shape is unreadable, leftovers are cleared, an import names the runs it cannot find,
and answers too short to judge are refused."""

import dataclasses
import json
import logging
import os
import signal
import subprocess
import sys
import time
import types
import typing
from multiprocessing.context import ForkServerContext
from pathlib import Path

import optuna
import psutil
import pytest
from optuna.storages import JournalStorage
from optuna.storages.journal import JournalFileBackend
from optuna.trial import TrialState

from experiments.cli import ConfigError
from experiments.files import RESERVED_NAMES, FolderError
from experiments.registry import REGISTRY
from experiments.reporting import summary
from experiments.reporting.journal import clear_leftovers
from experiments.reporting.pooled_levers import POOLED_PAGE, render_pooled
from experiments.reporting.tune_table import study_sections
from experiments.runner import run_experiment
from experiments.training.checks import validate_experiment
from experiments.training.prompts import read_prompt_lines
from experiments.tune import command, lanes, trials
from experiments.tune.options import TuneOptions, plan_of
from tests.helpers import one_line_exit as shared_one_line_exit

pytestmark = pytest.mark.fast
ROOT = Path(__file__).resolve().parent.parent
SMOKE = REGISTRY["smoke"]
HELDOUT = read_prompt_lines(ROOT / "prompts" / "heldout.txt")


@pytest.fixture
def no_run(monkeypatch, no_model):
    """Fail the test if a seed starts or a model loads: every refusal, and a call of no trials, comes before."""
    monkeypatch.setattr(lanes.Lanes, "start", lambda *a, **k: pytest.fail("a run started"))


def one_line_exit(capsys, main, arguments) -> str:
    """A refusal's line, the only one it printed."""
    return shared_one_line_exit(capsys, main, arguments, alone=True)


def folders(tmp_path: Path) -> list[str]:
    return ["--results_dir", str(tmp_path / "r"), "--runs_dir", str(tmp_path / "w")]


def tune_exit(capsys, tmp_path: Path, *arguments: str) -> str:
    return one_line_exit(capsys, command.main, ["s", "--base", "smoke", "--lanes", "1", *folders(tmp_path), *arguments])


def tree(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else b"/" for p in sorted(folder.rglob("*"))}


def loaded(journal: Path, name: str = "s") -> optuna.Study:
    return optuna.load_study(study_name=name, storage=JournalStorage(JournalFileBackend(str(journal))))


# 4: the study's page is drawn after its last trial and its figures; the closing line names what exists


@pytest.mark.filterwarnings(
    "ignore:Target and region quantiles select the same set of trials:UserWarning"
)  # tiny trials tie
def test_the_study_page_is_redrawn_after_the_last_trial_and_the_figures(tmp_path, caplog):
    """Five one-step trials on the tiny model: the page once said "4 complete" with no figures (it was drawn when
    the last seed published, before its trial was told, and never again), and the closing line sent the reader to a
    root report that refuses a folder without summary.json."""
    arguments = ["f5", "--base", "smoke", "--steps", "1", "--trials", "5", "--lanes", "1", "--seeds", "1"]
    with caplog.at_level(logging.INFO, logger="experiments"):
        command.main([*arguments, "--only", "beta", "--pruner", "none", *folders(tmp_path)])
    study_dir = tmp_path / "r" / "tune" / "f5"
    assert [trial["state"] for trial in json.loads((study_dir / "trials.json").read_text())["trials"]] == [
        "COMPLETE"
    ] * 5
    page = (study_dir / "summary.md").read_text()
    assert "### Study `f5` on `smoke`, seeds 1: 5 complete" in page
    assert (
        "](../../figures/tune-f5-history.png)" in page
        and (tmp_path / "r" / "figures" / "tune-f5-history.png").is_file()
    )
    closing = caplog.records[-1].getMessage()
    assert f"its page: {study_dir / 'summary.md'}" in closing and "experiments.report" not in closing


# 5: a study's page shows its own figures, not those of a study whose name starts with its own


def test_a_study_page_shows_its_own_figures_only(tmp_path):
    figures = tmp_path / "figures"
    figures.mkdir()
    for study in ("vocab", "vocab-keep", "vocab-content-share"):
        (tmp_path / "tune" / study).mkdir(parents=True)
        snapshot = {"study": study, "base": "smoke", "seeds": [1], "levers": ["beta"], "trials": []}
        (tmp_path / "tune" / study / "trials.json").write_text(json.dumps(snapshot))
        for kind in ("history", "importances", "slice-beta"):
            (figures / f"tune-{study}-{kind}.png").write_bytes(b"png")
    shown = "\n".join(study_sections(tmp_path / "tune" / "vocab"))
    assert shown.count("](../../figures/") == 3 and "tune-vocab-keep" not in shown and "tune-vocab-content" not in shown
    assert "![tune-vocab-history](../../figures/tune-vocab-history.png)" in shown
    assert "\n".join(study_sections(tmp_path / "tune" / "vocab-keep")).count("](../../figures/tune-vocab-keep-") == 3


# 6: --trials 0 declares the study and redraws its files, and writes no trial


def test_trials_0_writes_no_trial_and_enqueues_nothing(no_run, tmp_path):
    """On a copy of vocab-keep, ``--trials 0`` once appended a WAITING trial (its --enqueue entry) that the next real
    call ran first; an interrupted trial was enqueued for retry the same way."""
    arguments = ["s", "--base", "smoke", "--lanes", "1", "--only", "beta", "--enqueue", "smoke", *folders(tmp_path)]
    command.main([*arguments, "--trials", "0"])  # declares the study
    journal = tmp_path / "r" / "tune" / "s" / "study.journal"
    cut = loaded(journal).ask()
    cut.suggest_float("beta", 0.0, 0.2)
    loaded(journal).tell(cut.number, state=TrialState.FAIL)  # an interrupted trial, to be retried by a real call
    before = journal.read_bytes()
    command.main([*arguments, "--trials", "0"])
    assert journal.read_bytes() == before
    assert [trial.state for trial in loaded(journal).get_trials()] == [TrialState.FAIL]
    snapshot = json.loads((journal.parent / "trials.json").read_text())
    assert [trial["state"] for trial in snapshot["trials"]] == ["FAIL"]


# 9: a study named after a file the report writes under tune/


@pytest.mark.parametrize("name", ["levers.md", "Levers.MD"])
def test_a_study_named_after_a_file_the_report_writes_under_tune_is_refused(no_run, capsys, tmp_path, name):
    assert POOLED_PAGE.name in RESERVED_NAMES
    line = one_line_exit(capsys, command.main, [name, "--base", "smoke", "--lanes", "1", *folders(tmp_path)])
    assert "keep for themselves" in line and not (tmp_path / "r").exists()


# 11: a journal that is not a regular file


def refuse_within(seconds: int):
    """A SIGALRM that ends a hang (a FIFO read forever) as a failure instead of a stuck suite."""

    def alarm(signum, frame):
        raise TimeoutError("hung reading the journal")

    signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)


@pytest.mark.parametrize("kind", ["dangling-link", "link-to-a-file", "folder", "fifo"])
def test_a_journal_that_is_not_a_regular_file_is_refused(no_run, capsys, tmp_path, kind):
    journal = tmp_path / "r" / "tune" / "s" / "study.journal"
    journal.parent.mkdir(parents=True)
    outside = tmp_path / "elsewhere" / "study.journal"
    if kind == "dangling-link":
        journal.symlink_to(outside)
    elif kind == "link-to-a-file":
        outside.parent.mkdir()
        outside.write_text("")
        journal.symlink_to(outside)
    elif kind == "folder":
        journal.mkdir()
    else:
        os.mkfifo(journal)
    refuse_within(20)
    try:
        line = tune_exit(capsys, tmp_path, "--trials", "0")
    finally:
        signal.alarm(0)
    assert line.startswith(f"error: {journal}: ") and "regular file" in line
    assert not outside.exists() or outside.read_text() == ""
    assert sorted(p.name for p in journal.parent.iterdir()) == ["study.journal"]


# 12: a trials.json that parses but has another shape is unreadable, on the study's page and in the root report

VALID = {
    "study": "s",
    "base": "smoke",
    "seeds": [1, 2],
    "steps": 60,
    "dev_prompts": "40 from prompts/silly_large.txt",
    "levers": ["beta"],
    "trials": [
        {
            "number": 0,
            "state": "COMPLETE",
            "value": 0.5,
            "params": {"beta": 0.05},
            "constraints": {"share": 0.1},
            "user_attrs": {"seed1": {"share": 0.5, "clean": 0.5}, "seed2": {"share": 0.6}, "lane_s": 2.0},
        }
    ],
}


def damaged(change) -> dict:
    snapshot = json.loads(json.dumps(VALID))
    change(snapshot)
    return snapshot


SHAPES = {
    "trials-null": lambda s: s.update(trials=None),
    "trial-a-number": lambda s: s.update(trials=[1]),
    "trial-empty": lambda s: s.update(trials=[{}]),
    "number-only": lambda s: s.update(trials=[{"number": 0}]),
    "value-text": lambda s: s["trials"][0].update(value="high"),
    "steps-text": lambda s: s.update(steps="abc"),
    "user-attrs-null": lambda s: s["trials"][0].update(user_attrs=None),
    "params-null": lambda s: s["trials"][0].update(params=None),
    "dev-prompts-null": lambda s: s.update(dev_prompts=None),
    "constraints-text": lambda s: s["trials"][0].update(constraints="none"),
    "constraint-text": lambda s: s["trials"][0].update(constraints={"share": "high"}),
    "lane-s-text": lambda s: s["trials"][0]["user_attrs"].update(lane_s="2 s"),
    "seed-text": lambda s: s["trials"][0]["user_attrs"].update(seed1="done"),
    "seed-share-text": lambda s: s["trials"][0]["user_attrs"]["seed1"].update(share="half"),
    "seeds-null": lambda s: s.update(seeds=[None]),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_trials_json_of_another_shape_is_unreadable_on_its_page_and_in_the_root_report(tmp_path, shape):
    for name, snapshot in (("s", damaged(SHAPES[shape])), ("t", VALID)):
        (tmp_path / "tune" / name).mkdir(parents=True)
        (tmp_path / "tune" / name / "trials.json").write_text(json.dumps(snapshot))
    study_dir = tmp_path / "tune" / "s"
    assert study_sections(study_dir) == [
        f"{study_dir / 'trials.json'}: unreadable; the next call of its study rewrites it"
    ]
    empty = {"thresholds": {}, "runs": []}
    own = summary.render_summary(study_dir, empty, [], {})
    assert "unreadable" in own
    root = summary.render_summary(tmp_path, empty, [], {})
    assert (
        "| [`s`](tune/s/summary.md) | unreadable trials.json" in root and "| [`t`](tune/t/summary.md) | `smoke`" in root
    )
    assert render_pooled(tmp_path) is None  # one readable study: too few to pool, and no traceback
    summary.write_report(tmp_path, empty)  # the root report is drawn whole


def test_a_valid_snapshot_and_every_committed_one_stay_readable(tmp_path):
    from experiments.reporting.tune_snapshot import read_snapshot

    (tmp_path / "trials.json").write_text(json.dumps(VALID))
    assert read_snapshot(tmp_path / "trials.json") == VALID
    for path in sorted((ROOT / "results").glob("**/tune/*/trials.json")):
        assert read_snapshot(path) is not None, path


# 14: --steps, --precision and --model name themselves, not a lever


@pytest.mark.parametrize(
    "arguments, said",
    [
        (["--steps", "0"], "error: --steps 0: steps must be a positive integer, got 0"),
        (["--steps", "100000"], "error: --steps 100000: steps must be at most"),
        (["--precision", "fp64"], "error: --precision 'fp64': precision must be one of"),
        (["--model", ""], "error: --model '': model is empty"),
    ],
    ids=["steps-0", "steps-huge", "fp64", "model-empty"],
)
def test_an_override_that_the_run_refuses_is_named_by_its_option(no_run, capsys, tmp_path, arguments, said):
    line = tune_exit(capsys, tmp_path, "--only", "beta,learning_rate", *arguments)
    assert line.startswith(said) and "--lever" not in line, line


# 15: held-out prompts are found after NFKC and whitespace normalisation


@pytest.mark.parametrize(
    "disguise",
    [
        lambda p: p.replace(" ", "  ", 1),
        lambda p: p.replace(" ", "\u00a0", 1),
        lambda p: p.replace(" ", " \u200b", 1),
        lambda p: p[:3] + "\u200b" + p[3:],
        lambda p: "\uff37" + p[1:] if p.startswith("W") else p.upper(),
        lambda p: f"  {p.lower()}\u3000",
    ],
    ids=[
        "doubled-space",
        "no-break-space",
        "zero-width-space",
        "zero-width-in-a-word",
        "full-width",
        "case-and-ideographic",
    ],
)
def test_a_held_out_prompt_in_disguise_is_refused_as_a_development_prompt(no_run, capsys, tmp_path, disguise):
    own = [f"What colour is the sock number {n}?" for n in range(40)]
    dev_file = tmp_path / "dev.txt"
    dev_file.write_text("\n".join([*own, disguise(HELDOUT[0])]) + "\n", encoding="utf-8")
    line = tune_exit(capsys, tmp_path, "--dev_prompts", str(dev_file))
    assert "1 of its prompts are in heldout.txt" in line


# 16: temporaries a killed tuner left are removed by the next command


def test_temporaries_a_killed_tuner_left_are_removed_by_the_next_call_and_by_a_publish(no_run, tmp_path):
    study_dir = tmp_path / "r" / "tune" / "s"
    study_dir.mkdir(parents=True)
    leftovers = [".trials.json.k2j3h4g5", ".dev.txt.a1b2c3", ".train.txt.zz9y8x"]
    for name in leftovers:
        (study_dir / name).write_text("half")
    command.main(["s", "--base", "smoke", "--lanes", "1", "--trials", "0", "--only", "beta", *folders(tmp_path)])
    assert not [name for name in leftovers if (study_dir / name).exists()]
    assert (study_dir / "trials.json").is_file() and (study_dir / "dev.txt").is_file()
    for name in leftovers:  # a seed publishing into the study's folder clears them too, under the same lock
        (study_dir / name).write_text("half")
    clear_leftovers(study_dir)
    assert not [name for name in leftovers if (study_dir / name).exists()]


# 17: an import names the runs it cannot find, and writes nothing


def smoke_row(name: str = "smoke") -> dict:
    committed = json.loads((ROOT / "results" / "summary.json").read_text())
    return {**next(row for row in committed["runs"] if row["name"] == "smoke"), "name": name}


@pytest.mark.parametrize("runs", ["smok", "smoke,smok", ""], ids=["typo", "one-of-two", "none"])
def test_an_import_of_runs_the_source_does_not_hold_names_them_and_writes_nothing(tmp_path, capsys, runs):
    from experiments.report import main as report_main

    source, results = tmp_path / "lane", tmp_path / "results"
    (source / "smoke").mkdir(parents=True)
    (source / "smoke" / "samples.md").write_text("# Samples: smoke\n")
    (source / "summary.json").write_text(json.dumps({"runs": [{**smoke_row(), "hypothesis": SMOKE.hypothesis}]}))
    results.mkdir()
    line = one_line_exit(
        capsys, report_main, ["--results_dir", str(results), "--import_from", str(source), "--runs", runs]
    )
    assert ("no run named 'smok'" in line and "(its runs: smoke)" in line) if runs else "none named" in line
    assert "nothing imported" in line and list(results.iterdir()) == []


# 18: a lever given twice, a number lever given true, a count given as 1e3


@pytest.mark.parametrize(
    "arguments, said",
    [
        (["--lever", "beta=0:0.1", "--lever", "beta=0.01:0.02"], "beta is given twice (--lever beta=0:0.1)"),
        (["--lever=beta=0:0.1", "--lever", "beta=0.05"], "beta is given twice"),
        (["--lever", "learning_rate=true"], "error: --lever learning_rate=true: learning_rate takes numbers, got True"),
        (["--lever", "beta=0.1,false"], "beta takes numbers, got False"),
        (["--lever", "prompts_per_step=2,2.5"], "prompts_per_step takes whole numbers, got 2.5"),
        (["--trials", "1e3"], "error: argument --trials: invalid int value: '1e3'"),
    ],
    ids=["lever-twice", "lever-twice-equals", "lr-true", "beta-false", "int-lever-float", "trials-1e3"],
)
def test_a_lever_given_twice_a_number_lever_given_a_word_and_a_count_in_e_notation_are_refused(
    no_run, capsys, tmp_path, arguments, said
):
    assert said in tune_exit(capsys, tmp_path, "--only", "beta,learning_rate,prompts_per_step", *arguments)
    assert not (tmp_path / "r").exists()


def test_a_declared_studys_lever_is_still_respecified_once_from_the_command_line():
    from experiments.tune.options import TuneOptions

    argv = ["vocab-keep", "--lever", "beta=0.05:0.1", "--lanes", "1"]
    _, words = command.parse(TuneOptions, argv, None, other_options=True, expand=command.with_declaration)
    names, specs = command.lever_specs(words)
    assert names == ["vocab-keep"] and [spec for spec in specs if spec.startswith("beta=")] == ["beta=0.05:0.1"]
    assert "learning_rate=1.5e-4:6e-4" in specs  # the declaration's other levers stay


# 13: a report file that is a folder is refused before training, and by the report


@pytest.mark.parametrize("folder", ["summary.md", "runs.md", "smoke/metrics.jsonl", "smoke/answers.json"])
def test_a_report_file_that_is_a_folder_is_refused_before_training_and_by_the_report(
    tmp_path, capsys, no_model, folder
):
    from experiments.report import main as report_main

    results = tmp_path / "results"
    (results / "smoke").mkdir(parents=True)
    (results / "summary.json").write_text(json.dumps({"runs": [smoke_row("smoke")]}))
    (results / folder).mkdir()
    with pytest.raises(FolderError, match="summary.md|runs.md|metrics.jsonl|answers.json"):
        run_experiment(dataclasses.replace(SMOKE, steps=1), results_dir=results, runs_dir=tmp_path / "runs")
    assert (results / folder).is_dir()
    assert "error: " in one_line_exit(capsys, report_main, ["--results_dir", str(results)])


# 8: trials that every run would refuse are refused before the first


@pytest.mark.parametrize(
    "arguments, said",
    [
        (
            ["--only", "weight_four_letter_share,weight_distinct_bigrams,beta", "--lever", "weight_four_letter_share=0",
             "--lever", "weight_distinct_bigrams=0"],
            "reward_weights are all 0",
        ),
    ],
    ids=["weights-all-0"],
)  # fmt: skip
def test_a_lever_combination_every_trial_takes_is_checked_before_the_first(no_run, capsys, tmp_path, arguments, said):
    line = tune_exit(capsys, tmp_path, *arguments)
    assert "--lever weight_four_letter_share=0 --lever weight_distinct_bigrams=0: " in line and said in line


def test_a_results_folder_that_is_the_runs_folder_is_refused_before_the_first_trial(no_run, capsys, tmp_path):
    same = str(tmp_path / "one")
    line = one_line_exit(
        capsys, command.main, ["s", "--base", "smoke", "--lanes", "1", "--results_dir", same, "--runs_dir", same]
    )
    assert "--results_dir and --runs_dir:" in line and "are one folder" in line and not (tmp_path / "one").exists()


# 10: tune folders that are files or cannot be written, refused in one line before the first trial


@pytest.mark.parametrize(
    "file, said",
    [("r", "results folder {r}/tune/s: {r} is a file, not a folder; pass --results_dir"),
     ("r/tune", "results folder {r}/tune/s: {r}/tune is a file, not a folder; pass --results_dir"),
     ("w", "runs folder {w}/tune/s: {w} is a file, not a folder; pass --runs_dir")],
    ids=["results-root", "results-tune", "runs-root"],
)  # fmt: skip
def test_a_tune_folder_that_is_a_file_is_refused_before_the_first_trial(no_run, capsys, tmp_path, file, said):
    """Each once gave a NotADirectoryError traceback; a runs folder that is a file only after ``study.ask()``, which
    left a RUNNING trial in the journal."""
    (tmp_path / file).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / file).write_text("not a folder\n")
    before = tree(tmp_path)
    line = tune_exit(capsys, tmp_path, "--only", "beta", "--trials", "1")
    assert line.startswith("error: " + said.format(r=tmp_path / "r", w=tmp_path / "w")), line
    assert tree(tmp_path) == before  # no journal, no trial, no split written


def chattr(flag: str, path: Path) -> None:
    """``chattr +i`` stops even root (this machine runs the suite as root, so a read-only mode would prove nothing)."""
    if subprocess.run(["chattr", flag, str(path)], capture_output=True).returncode != 0:
        pytest.skip(
            "chattr is not available here (root ignores permissions, so only an immutable folder is unwritable)"
        )


@pytest.mark.parametrize(
    "locked, said",
    [("r", "results folder {r}/tune/s is not writable ({r}: "),
     ("r/tune/s", "results folder {r}/tune/s is not writable ({r}/tune/s: "),
     ("r/tune/s/study.journal", "{r}/tune/s/study.journal: cannot be written ("),
     ("w", "runs folder {w}/tune/s is not writable ({w}: "),
     ("r/tune/s/trials.json", "results folder {r}/tune/s: trials.json: cannot be replaced (")],
    ids=["results-root", "study-folder", "study-journal", "runs-root", "trials-json"],
)  # fmt: skip
def test_an_immutable_tune_folder_or_journal_is_refused_before_the_first_trial(no_run, capsys, tmp_path, locked, said):
    """Each once gave a PermissionError traceback (trials.json only after the trials ran). The study is declared first
    where its folder or one of its files is locked."""
    if locked.startswith("r/tune/s"):
        command.main(["s", "--base", "smoke", "--lanes", "1", "--only", "beta", "--trials", "0", *folders(tmp_path)])
    (tmp_path / locked).parent.mkdir(parents=True, exist_ok=True)
    if not (tmp_path / locked).exists():
        (tmp_path / locked).mkdir()
    before = tree(tmp_path)
    chattr("+i", tmp_path / locked)
    try:
        line = tune_exit(capsys, tmp_path, "--only", "beta", "--trials", "1")
    finally:
        subprocess.run(["chattr", "-i", str(tmp_path / locked)])
    assert line.startswith("error: " + said.format(r=tmp_path / "r", w=tmp_path / "w")), line
    assert "Operation not permitted" in line and "pass --r" in line and tree(tmp_path) == before


# 1: a seed that has published is left to finish when its trial is pruned, settled or interrupted


class FakeProcess:
    """A seed's process as the lanes see it: alive until the test ends it, or the lanes kill it."""

    pid = 0  # started: the lanes kill it (only this object; no signal is sent)

    def __init__(self, **_: object):
        self.exitcode: int | None = None

    def start(self) -> None:
        pass

    def is_alive(self) -> bool:
        return self.exitcode is None

    def join(self, timeout: float | None = None) -> None:
        pass

    def kill(self) -> None:
        self.exitcode = -9


def probe_read(seed: lanes.SeedRun, step: int, clean: float) -> None:
    live = seed.spec.run_dir / "in-progress" / "metrics.jsonl"
    live.parent.mkdir(parents=True, exist_ok=True)
    with live.open("a") as metrics:
        metrics.write(json.dumps({"step": step, "probe/share": 1.0, "probe/loops": 0.0, "probe/clean": clean}) + "\n")


def published(seed: lanes.SeedRun) -> None:
    """What a run does once it trained and was judged: its row's files in the study's folder, then in-progress/ (the
    saved model, the live metrics) moved into the run's folder; the seed goes on to read its development answers."""
    (seed.spec.results_dir / seed.name).mkdir(parents=True)
    (seed.spec.results_dir / seed.name / "samples.md").write_text(f"# Samples: {seed.name}\n")
    (seed.spec.run_dir / "in-progress" / "model").mkdir(parents=True)
    for name in ("model", "metrics.jsonl"):
        (seed.spec.run_dir / "in-progress" / name).rename(seed.spec.run_dir / name)
    (seed.spec.run_dir / "in-progress").rmdir()


def finished(seed: lanes.SeedRun, **figures: object) -> None:
    read = {"share": 0.6, "clean": 0.5, "loops": 0.0, "frame": 0.1, "ref_ppl_ratio": 1.0, "steps": 3}
    result = {"run": seed.name, "seed": seed.seed, **read, "stop_reason": "step cap", **figures}
    seed.spec.run_dir.mkdir(parents=True, exist_ok=True)
    seed.spec.result.write_text(json.dumps(result))
    typing.cast(FakeProcess, seed.process).exitcode = 0


@pytest.mark.parametrize("ending", ["pruned", "settled", "interrupted"])
def test_a_seed_that_published_is_left_to_finish_its_figures_and_files_kept(tmp_path, ending):
    """``SeedRun.training`` read "no model in in-progress/", which turns true again once the run publishes (publishing
    moves in-progress/ away): a trial pruned or settled then killed a seed that had published, recorded it killed
    with no figures, and deleted its runs folder, a kept model with it."""
    options = TuneOptions(
        base="smoke", lanes=2, only="beta", results_dir=str(tmp_path / "r"), runs_dir=str(tmp_path / "w")
    )
    plan = plan_of(options, ["s"], [])
    prune_all = optuna.pruners.ThresholdPruner(lower=2.0)  # every reading is below: pruned at its first report
    search = optuna.create_study(direction="maximize", pruner=prune_all)
    seeds = lanes.Lanes(2, typing.cast(ForkServerContext, types.SimpleNamespace(Process=FakeProcess)))
    loop = trials.TrialLoop(search, plan, 1, seeds)
    assert loop._fill_lanes() and not loop._fill_lanes()  # the trial asked, then its seeds started
    run = loop.runs[0]
    first, second = run.seeds
    probe_read(second, 1, 0.5)
    loop._watch(run)  # seed 2 read its probe; seed 1 has not yet: nothing is reported
    published(second)
    if ending == "pruned":
        probe_read(first, 1, 0.25)
        loop._watch(run)  # step 1 reported, and pruned
    elif ending == "settled":
        finished(first, stop_reason="loops", steps=1, share=0.3, clean=0.0, loops=0.4)  # infeasible on its own
        loop._watch(run)
    else:
        loop._interrupted()
    assert second.state == ("killed" if ending == "interrupted" else "running")
    if ending != "interrupted":
        finished(second)
        loop._watch(run)
    told = search.trials[0]
    expected = {"pruned": TrialState.PRUNED, "settled": TrialState.COMPLETE, "interrupted": TrialState.FAIL}[ending]
    assert told.state == expected
    if ending != "interrupted":
        assert second.state == "done" and told.user_attrs["seed2"]["state"] == "done"
        assert told.user_attrs["seed2"]["clean"] == 0.5  # its figures kept
    assert (second.spec.run_dir / "model").is_dir() and (plan.study_dir / second.name / "samples.md").is_file()
    assert (ending == "settled") is first.spec.run_dir.exists()  # settled: it ended by itself; killed: removed


# 2: a new study under the name of one whose runs its folders hold is refused, not written over


@pytest.mark.parametrize("how", ["journal-moved-away", "storage-added"])
def test_a_new_study_under_an_old_studys_name_is_refused_and_writes_nothing(no_run, capsys, tmp_path, how):
    """The runs are named ``STUDY-tNNN-seedS`` and a new study numbers from 0 again: with study.journal moved away (the
    damaged-journal message's own advice), or ``--storage sqlite:///…`` added, its trial 0 replaced the old one's rows,
    files, kept models and trials.json in silence."""
    command.main(["s", "--base", "smoke", "--lanes", "1", "--trials", "0", "--only", "beta", *folders(tmp_path)])
    study_dir, kept = tmp_path / "r" / "tune" / "s", tmp_path / "w" / "tune" / "s" / "s-t000-seed1" / "model"
    (study_dir / "summary.json").write_text(json.dumps({"runs": [smoke_row("s-t000-seed1")]}))
    (study_dir / "s-t000-seed1").mkdir()
    (study_dir / "s-t000-seed1" / "samples.md").write_text("# Samples: s-t000-seed1\n")
    kept.mkdir(parents=True)
    if how == "journal-moved-away":
        (study_dir / "study.journal").rename(tmp_path / "study.journal.damaged")
        storage = []
    else:
        storage = ["--storage", f"sqlite:///{tmp_path / 'study.db'}"]
    before = tree(tmp_path / "r")
    line = tune_exit(capsys, tmp_path, "--trials", "1", "--only", "beta", *storage)
    assert line.startswith("error: study s: ") and "already holds 1 runs of a study of this name (s-t000-seed1)" in line
    assert "name a new study" in line and tree(tmp_path / "r") == before and kept.is_dir()


# 8 (the rest): a missing model folder and development prompts longer than the context, refused before the first trial


@pytest.mark.parametrize("model", ["missing", "./missing", "a/b/c"])
def test_a_model_that_is_not_there_is_refused_before_the_first_trial(no_run, capsys, tmp_path, model):
    path = str(tmp_path / model) if model == "missing" else model
    line = tune_exit(capsys, tmp_path, "--only", "beta", "--trials", "1", "--model", path)
    assert line.startswith(f"error: --model {path}: no such model folder"), line
    assert not (tmp_path / "w").exists()


def test_development_prompts_longer_than_the_context_are_refused_before_the_first_trial(no_run, capsys, tmp_path):
    """Every 4th line is a development prompt: the 8th is 300 words, past the tiny model's 256 tokens. The trial once
    trained, published its rows, and failed reading its development answers with an IndexError."""
    own = [f"What colour is the sock number {n}?" for n in range(40)]
    own[7] = "Why " + "very " * 300 + "long?"
    dev_file = tmp_path / "dev.txt"
    dev_file.write_text("\n".join(own) + "\n", encoding="utf-8")
    line = tune_exit(capsys, tmp_path, "--only", "beta", "--trials", "1", "--dev_prompts", str(dev_file))
    assert line.startswith(f"error: --dev_prompts {dev_file}: development prompt 'Why very very") and "tokens; " in line
    assert "with eval_max_new_tokens 12 it runs past the context of tiny-gpt2 (256 tokens)" in line
    assert not (tmp_path / "w").exists()


# Left from round four: answers too short to judge are refused before any model loads


@pytest.mark.parametrize("tokens", [1, 8])
def test_answers_too_short_to_judge_are_refused_before_a_model_loads(no_model, tmp_path, tokens):
    """A run with eval_max_new_tokens 1 got a verdict with every guard holding: an answer of one token cannot show a
    loop, a frame or relevance. The guards need nine tokens: a three-word phrase said three times."""
    short = dataclasses.replace(SMOKE, eval_max_new_tokens=tokens, steps=1)
    with pytest.raises(ConfigError, match=rf"^smoke: eval_max_new_tokens is {tokens}, too few to judge an answer: "):
        run_experiment(short, results_dir=tmp_path / "r", runs_dir=tmp_path / "w")
    assert not (tmp_path / "r").exists()
    validate_experiment(dataclasses.replace(SMOKE, eval_max_new_tokens=9))  # nine is enough


# 3: the seeds of a tuner killed outright end with it


def alive(process: psutil.Process) -> bool:
    """Running, and not a zombie that nobody reaped (an orphan's exit, once its new parent is PID 1)."""
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.mark.train
@pytest.mark.fast
def test_the_seeds_of_a_tuner_killed_outright_end_with_it(tmp_path):
    """``kill -9`` of the tuner once left the forkserver and both seeds running, re-parented to PID 1: they trained on
    and published rows for a trial the journal left RUNNING, which the next call retried while they still ran. Every
    process the tuner started, seeds first, now ends within seconds of it."""
    runs = tmp_path / "w"
    arguments = ["k9", "--base", "smoke", "--steps", "3000", "--trials", "1", "--lanes", "2", "--pruner", "none"]
    arguments += ["--only", "learning_rate", "--lever", "learning_rate=1e-5"]  # the slowest: ~300 steps before loops
    arguments += ["--results_dir", str(tmp_path / "r"), "--runs_dir", str(runs)]
    environment = {**os.environ, "LK_CACHE_DIR": str(tmp_path / "cache")}
    tuner = subprocess.Popen(
        [sys.executable, "-m", "experiments.tune", *arguments], cwd=ROOT, env=environment, stderr=subprocess.DEVNULL
    )
    live = [runs / "tune" / "k9" / f"k9-t000-seed{seed}" / "in-progress" / "metrics.jsonl" for seed in (1, 2)]
    family: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 240
        while not all(path.exists() for path in live):  # both seeds training
            assert tuner.poll() is None and time.monotonic() < deadline, "the tuner ended before its seeds trained"
            time.sleep(0.2)
        family = psutil.Process(tuner.pid).children(recursive=True)
        seeds = [process for process in family if process.ppid() != tuner.pid]
        assert len(seeds) >= 2, family  # the forkserver's children; the forkserver and resource tracker are the tuner's
        assert not [path for path in live if (path.parent / "model").exists()]  # still training
        os.kill(tuner.pid, signal.SIGKILL)
        tuner.wait()
        deadline = time.monotonic() + 5  # a seed left running trains on for 10 s or more, then evaluates
        while any(alive(process) for process in family) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [process.pid for process in seeds if alive(process)], "seeds outlived their tuner"
        assert not [process.pid for process in family if alive(process)], "the tuner's helpers outlived it"
    finally:
        if tuner.poll() is None:
            tuner.kill()
        for process in family:  # only what this test started
            if alive(process):
                process.kill()
