"""The project's promises about files and folders (issue 41, part A): nothing written before is lost, nothing is
written outside the folders named, and every mistake about a file or a folder ends in one line before a model loads.

Each test's name is the promise; read top to bottom, this file is the list. ``X`` below is ``scripts/explore.py``,
``RPT`` is ``python -m experiments.report``; the tiny ``smoke`` entry (a random two-layer GPT-2) stands in for a run.
"""

import ast
import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import rewards
from experiments.cli import RewardError
from experiments.files import RESERVED_NAMES, FolderError
from experiments.registry import REGISTRY
from experiments.report import main as report_main
from experiments.runner import main as runner_main
from experiments.runner import run_experiment

pytestmark = pytest.mark.fast
ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

import explore  # noqa: E402

from tests.helpers import runner_arguments  # noqa: E402
from tests.test_reliability_three import misbehaving, one_line_exit, smoke_row, snapshot  # noqa: E402, F401

SMOKE = REGISTRY["smoke"]


def explore_into(results: Path, runs: Path, name: str, *more: str) -> list[str]:
    return [name, "--base", "smoke", "--steps", "1", "--results_dir", str(results), "--runs_dir", str(runs), *more]


def folder_with_rows(folder: Path, *names: str) -> Path:
    """A results folder holding a row (and a run folder) for each name, as a user's folder would."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).mkdir()
        (folder / name / "samples.md").write_text(f"# Samples: {name}\n", encoding="utf-8")
    rows = [smoke_row(name, config=name) for name in names]
    (folder / "summary.json").write_text(json.dumps({"runs": rows}), encoding="utf-8")
    return folder


def unchanged(folder: Path) -> dict[str, bytes]:
    """The folder's files, but the results lock, which any command may create (empty, ignored by git)."""
    return {path: data for path, data in snapshot(folder).items() if path != ".results.lock"}


def python(*arguments: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


# 1. A name is never one of the folder's own files


OWN_FILES = [*sorted(RESERVED_NAMES), "Summary.JSON"]  # each name the folders keep, and one written in another case


@pytest.mark.usefixtures("no_model")
@pytest.mark.parametrize("name", OWN_FILES)
def test_a_run_named_after_one_of_the_folders_own_files_is_refused_before_any_model_loads(tmp_path, capsys, name):
    """``X summary.json S`` once took summary.json's place and hid every row; ``runs.md`` broke every report."""
    results = folder_with_rows(tmp_path / "results", "smoke")
    before = snapshot(tmp_path)
    line = one_line_exit(capsys, explore.main, explore_into(results, tmp_path / "runs", name))
    assert f"name {name!r} is a file or folder the results and runs folders keep for themselves" in line
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("action", ["--remove", "--rename"])
def test_curation_refuses_a_name_that_is_one_of_the_folders_own_files(tmp_path, capsys, action):
    results = folder_with_rows(tmp_path / "results", "smoke")
    before = unchanged(results)
    value = "summary.json" if action == "--remove" else "smoke=runs.md"
    line = one_line_exit(capsys, report_main, ["--results_dir", str(results), action, value])
    assert "keep for themselves" in line and unchanged(results) == before


@pytest.mark.usefixtures("no_model")
def test_an_exploration_may_not_take_a_registry_entrys_name(tmp_path, capsys):
    """Its row would replace the entry's declared run, hypothesis and all, in whatever folder it is sent to."""
    line = one_line_exit(capsys, explore.main, explore_into(tmp_path / "r", tmp_path / "w", "baseline-seed1"))
    assert "'baseline-seed1' is a run of the registry entry baseline" in line
    assert not list(tmp_path.iterdir())


# 2. The runs folder and the results folder never overlap


@pytest.mark.usefixtures("no_model")
@pytest.mark.parametrize(
    "results, runs",
    [
        ("rB", "rB/smoke"),
        ("rB", "rB/elsewhere"),
        ("rB", "rB"),
        ("w/smoke", "w"),
        ("w/smoke/deeper", "w"),
    ],
    ids=[
        "runs-is-the-runs-row-folder",
        "runs-inside-results",
        "one-folder",
        "results-is-the-run-folder",
        "results-inside-the-run-folder",
    ],
)
def test_a_runs_folder_and_a_results_folder_that_overlap_are_refused_before_any_model_loads(
    tmp_path, capsys, results, runs
):
    """``--results_dir rB --runs_dir rB/smoke``: publishing swapped rB/smoke and deleted the saved model, exit 0."""
    (tmp_path / "rB").mkdir()
    (tmp_path / "rB" / "keep.txt").write_text("kept", encoding="utf-8")
    before = snapshot(tmp_path)
    arguments = ["smoke", "--steps", "1", "--results-dir", str(tmp_path / results), "--runs-dir", str(tmp_path / runs)]
    line = one_line_exit(capsys, runner_main, arguments)
    assert "overlap" in line and snapshot(tmp_path) == before


@pytest.mark.usefixtures("no_model")
@pytest.mark.parametrize("folder", ["results", "runs"])
def test_a_run_folder_that_links_outside_its_folder_is_refused_before_any_model_loads(tmp_path, folder):
    """results/smoke linking elsewhere was found only at publish, after the training."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / folder).mkdir()
    (tmp_path / folder / "smoke").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(FolderError, match="lies outside its folder"):
        run_experiment(SMOKE, results_dir=tmp_path / "results", runs_dir=tmp_path / "runs")
    assert not list(elsewhere.iterdir())


# 3. The publish journal is read like any other input


def test_a_journal_naming_a_folder_outside_the_results_folder_is_refused_and_nothing_outside_changes(tmp_path, capsys):
    """A planted ``.pending-run.json`` naming ``../victim`` beside a staging folder once made the report replace it."""
    results = folder_with_rows(tmp_path / "results", "smoke")
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me", encoding="utf-8")
    (results / "..." / "victim.staging").mkdir(parents=True)  # what f".{name}.staging" makes of name '../victim'
    (results / ".pending-run.json").write_text(
        json.dumps({"record": smoke_row("../victim"), "registry_order": True}), encoding="utf-8"
    )
    before = snapshot(tmp_path)
    line = one_line_exit(capsys, report_main, ["--results_dir", str(results)])
    assert ".pending-run.json" in line and "may hold only letters" in line
    assert snapshot(tmp_path) == before


@pytest.mark.usefixtures("no_model")
@pytest.mark.parametrize(
    "journal, message",
    [
        ('{"record": {"name": "smo', "not readable JSON"),
        ("[]", "not a pending run"),
        ('{"record": {"name": "smoke"}}', "lacks hypothesis"),
        ('{"record": "smoke"}', "not a pending run"),
    ],
    ids=["truncated", "a-list", "record-missing-fields", "record-a-string"],
)
def test_a_damaged_journal_is_named_in_one_line_by_the_report_and_by_a_run_before_any_model_loads(
    tmp_path, capsys, journal, message
):
    results = folder_with_rows(tmp_path / "results", "smoke")
    (results / ".pending-run.json").write_text(journal, encoding="utf-8")
    before = unchanged(results)
    line = one_line_exit(capsys, report_main, ["--results_dir", str(results)])
    assert ".pending-run.json" in line and message in line
    line = one_line_exit(capsys, explore.main, explore_into(results, tmp_path / "runs", "idea"))
    assert ".pending-run.json" in line and message in line
    assert unchanged(results) == before


def test_a_staging_folder_that_is_a_symbolic_link_is_never_swapped_in(tmp_path, capsys):
    """A planted ``.smoke.staging`` linking elsewhere would make results/smoke a link out of the folder."""
    results = folder_with_rows(tmp_path / "results", "smoke")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "x.txt").write_text("outside", encoding="utf-8")
    (results / ".smoke.staging").symlink_to(elsewhere, target_is_directory=True)
    (results / ".pending-run.json").write_text(
        json.dumps({"record": smoke_row(), "registry_order": True}), encoding="utf-8"
    )
    line = one_line_exit(capsys, report_main, ["--results_dir", str(results)])
    assert ".smoke.staging" in line and "symbolic link" in line
    assert not (results / "smoke").is_symlink() and (elsewhere / "x.txt").read_text(encoding="utf-8") == "outside"


# 4. Curation is journalled as runs are


def two_run_family(results: Path) -> Path:
    folder_with_rows(results, "smoke", "smoke-seed1", "other")
    for name in ("smoke", "smoke-seed1", "other"):
        (results / name / "answers.json").write_text("[]", encoding="utf-8")
    summary = json.loads((results / "summary.json").read_text(encoding="utf-8"))
    for row in summary["runs"]:
        row["config"] = "smoke" if row["name"].startswith("smoke") else row["name"]
    (results / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    return results


def rows_and_folders(results: Path) -> tuple[list[str], list[str]]:
    rows = sorted(row["name"] for row in json.loads((results / "summary.json").read_text(encoding="utf-8"))["runs"])
    folders = sorted(
        p.name for p in results.iterdir() if p.is_dir() and not p.name.startswith(".") and p.name != "figures"
    )
    return rows, folders


class Killed(BaseException):
    """What a SIGKILL at a fault point leaves on disk, without the seconds a fresh process costs: nothing after it runs."""


def killed_at(monkeypatch, point: str, action) -> None:
    """Run ``action`` until ``fault_point(point)``, where it dies as a power cut would (``LK_KILL_AT``)."""
    from experiments.reporting import journal

    def kill(pid, signal):
        raise Killed(point)

    monkeypatch.setenv("LK_KILL_AT", point)
    monkeypatch.setattr(journal.os, "kill", kill)
    with pytest.raises(Killed):
        action()
    monkeypatch.delenv("LK_KILL_AT")


@pytest.mark.parametrize(
    "action, point, expected",
    [
        (["--rename", "smoke=zz"], "curation journalled", ["other", "zz", "zz-seed1"]),
        (["--rename", "smoke=zz"], "curation moved one", ["other", "zz", "zz-seed1"]),
        (["--rename", "smoke=zz"], "curation summary written", ["other", "zz", "zz-seed1"]),
        (["--remove", "other"], "curation journalled", ["smoke", "smoke-seed1"]),
    ],
    ids=["rename-journalled", "rename-halfway", "rename-summary-written", "remove-journalled"],
)
def test_a_rename_or_remove_killed_halfway_is_finished_by_the_next_command(
    tmp_path, monkeypatch, action, point, expected
):
    """A kill after ``--rename`` moved a folder once left a row without its folder and an orphan folder, for good."""
    results = two_run_family(tmp_path / "results")
    killed_at(monkeypatch, point, lambda: report_main(["--results_dir", str(results), *action]))
    report_main(["--results_dir", str(results)])
    assert rows_and_folders(results) == (expected, expected)
    assert not [p.name for p in results.iterdir() if p.name.startswith(".") and p.name != ".results.lock"]


def test_a_rename_keeps_the_explorations_based_on_the_entry_as_they_are(tmp_path, capsys):
    """``--rename smoke=zz`` once took every exploration whose base was smoke for a run of smoke, and broke."""
    results = tmp_path / "results"
    for name in ("idea", "other-idea"):
        explore.main(explore_into(results, tmp_path / "runs", name))
    summary = json.loads((results / "summary.json").read_text(encoding="utf-8"))
    assert [row["config"] for row in summary["runs"]] == ["idea", "other-idea"], "an exploration is its own entry"
    summary["runs"].append({**summary["runs"][0], "name": "smoke", "config": "smoke"})
    summary["runs"].append({**summary["runs"][0], "name": "old-idea", "config": "smoke"})  # as older code recorded it
    (results / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    report_main(["--results_dir", str(results), "--rename", "smoke=zz"])
    names = [row["name"] for row in json.loads((results / "summary.json").read_text(encoding="utf-8"))["runs"]]
    assert names == ["idea", "other-idea", "zz", "old-idea"]


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--rename", "nosuch=other"], "no run of entry 'nosuch'; nothing renamed"),
        (["--rename", "p3"], "--rename takes OLD=NEW, got 'p3'"),
        (["--rename", "smoke="], "--rename takes OLD=NEW, got 'smoke='"),
        (["--rename", "smoke=smoke"], "--rename smoke=smoke: OLD and NEW are one name"),
        (["--rejudge", "--remove", "smoke"], "one action at a time: --rejudge and --remove"),
        (["--rename", "smoke=zz", "--remove", "smoke"], "one action at a time: --rename and --remove"),
        (["--import_from", "LANE", "--rejudge"], "one action at a time: --import_from and --rejudge"),
    ],
    ids=[
        "rename-nosuch",
        "rename-no-equals",
        "rename-empty-new",
        "rename-to-itself",
        "rejudge-and-remove",
        "rename-and-remove",
        "import-and-rejudge",
    ],
)
def test_a_curation_that_would_do_nothing_or_two_things_is_refused_in_one_line(tmp_path, capsys, arguments, message):
    """``--rename nosuch=other`` once said "renamed"; ``--rejudge --remove`` silently ignored ``--remove``."""
    results = folder_with_rows(tmp_path / "results", "smoke")
    before = unchanged(results)
    arguments = [a.replace("LANE", str(results)) for a in arguments]
    assert message in one_line_exit(capsys, report_main, ["--results_dir", str(results), *arguments])
    assert unchanged(results) == before


@pytest.mark.parametrize(
    "damage, message",
    [("notes.bin", "notes.bin: not valid UTF-8"), ("metrics.jsonl", "metrics.jsonl:1: not valid UTF-8")],
    ids=["binary-file", "metrics-not-utf8"],
)
def test_an_import_of_a_run_whose_files_cannot_be_read_is_refused_in_one_line_and_publishes_nothing(
    tmp_path, capsys, damage, message
):
    """A binary file beside an imported run's files once ended the import in a UnicodeDecodeError."""
    results, lane = folder_with_rows(tmp_path / "results", "idea"), folder_with_rows(tmp_path / "lane", "smoke")
    summary = json.loads((lane / "summary.json").read_text(encoding="utf-8"))
    summary["runs"][0]["hypothesis"] = SMOKE.hypothesis
    (lane / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    (lane / "smoke" / damage).write_bytes(b"\xff\xfe binary\n")
    before = unchanged(results)
    arguments = ["--results_dir", str(results), "--import_from", str(lane), "--runs", "smoke"]
    assert message in one_line_exit(capsys, report_main, arguments)
    assert unchanged(results) == before


# 5. A rerun that crashes leaves the model and metrics its row describes


def test_a_rerun_that_crashes_keeps_the_model_and_metrics_the_row_describes(tmp_path, monkeypatch):
    results, runs = tmp_path / "results", tmp_path / "runs"
    run_experiment(dataclasses.replace(SMOKE, steps=1), results_dir=results, runs_dir=runs)
    kept = snapshot(runs / "smoke")
    monkeypatch.setitem(rewards.REWARDS, "bad_raises", misbehaving("raises"))
    crashing = dataclasses.replace(SMOKE, rewards=("four_letter_share", "bad_raises"), steps=3, probe_every=0)
    with pytest.raises(RewardError):
        run_experiment(crashing, results_dir=results, runs_dir=runs)
    assert {k: v for k, v in snapshot(runs / "smoke").items() if not k.startswith(("in-progress", "trainer"))} == {
        k: v for k, v in kept.items() if not k.startswith(("in-progress", "trainer"))
    }
    assert (runs / "smoke" / "in-progress" / "metrics.jsonl").exists(), "the crashed run's own metrics are kept apart"
    run_experiment(dataclasses.replace(SMOKE, steps=2), results_dir=results, runs_dir=runs)
    published = (results / "smoke" / "metrics.jsonl").read_bytes()
    assert (runs / "smoke" / "metrics.jsonl").read_bytes() == published, "the model and metrics of the row's run"
    assert not (runs / "smoke" / "in-progress").exists()


@pytest.mark.parametrize("point", ["summary written", "model promoted"])
def test_a_run_killed_after_its_row_published_still_gets_its_model_in_place(tmp_path, monkeypatch, point):
    """The row is committed, the model not yet in place: the next command that opens the folder finishes the move."""
    results, runs = tmp_path / "results", tmp_path / "runs"
    run_experiment(dataclasses.replace(SMOKE, steps=1), results_dir=results, runs_dir=runs)
    rerun = dataclasses.replace(SMOKE, steps=2)
    killed_at(monkeypatch, point, lambda: run_experiment(rerun, results_dir=results, runs_dir=runs))
    report_main(["--results_dir", str(results)])
    assert (runs / "smoke" / "metrics.jsonl").read_bytes() == (results / "smoke" / "metrics.jsonl").read_bytes()
    assert json.loads((results / "summary.json").read_text(encoding="utf-8"))["runs"][0]["steps"] == 2
    assert (runs / "smoke" / "model" / "config.json").exists() and not (runs / "smoke" / "in-progress").exists()


# 6. Two runs of one name into one results folder at once


@pytest.mark.usefixtures("no_model")
def test_a_second_run_of_a_name_into_a_results_folder_already_taking_it_is_refused_before_any_model_loads(
    tmp_path, capsys
):
    """Two explorations of one name at once, each with its own runs folder: the first result was silently replaced."""
    results = tmp_path / "results"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from experiments.files import claim_run\n"
            "with claim_run(Path(sys.argv[1]), Path(sys.argv[2]), 'idea'): print('held', flush=True); time.sleep(60)",
            str(tmp_path / "first-runs" / "idea"),
            str(results),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        line = one_line_exit(capsys, explore.main, explore_into(results, tmp_path / "second-runs", "idea"))
        assert "another process is running idea into it" in line
    finally:
        holder.kill()
        holder.wait()
    assert not (tmp_path / "second-runs" / "idea").exists()


# 7. What a kill leaves behind is cleared by the next command


def test_temporary_files_left_by_a_kill_are_removed_by_the_next_command(tmp_path):
    """A kill during summary.json's write once left a 37 MB ``.summary.json.XXXX`` for good."""
    results = folder_with_rows(tmp_path / "results", "smoke")
    (results / "figures").mkdir()
    leftovers = [
        results / ".summary.json.k2j3h4g5",
        results / ".runs.md.abcdefgh",
        results / "figures" / ".lessons.png.x1y2z3w4",
    ]
    for path in leftovers:
        path.write_bytes(b"x" * 1000)
    report_main(["--results_dir", str(results)])
    assert not [path for path in leftovers if path.exists()]


# 8. Folders that were never named are never written


@pytest.mark.usefixtures("no_model")
@pytest.mark.parametrize(
    "command, arguments, option",
    [
        ("explore", ["idea", "--base", "smoke", "--results_dir", "", "--runs_dir", "w"], "--results_dir"),
        ("explore", ["idea", "--base", "smoke", "--results_dir", "r", "--runs_dir", ""], "--runs_dir"),
        ("runner", ["smoke", "--runs-dir", ""], "--runs_dir"),
        ("runner", ["smoke", "--results-dir", "", "--runs-dir", "w"], "--results_dir"),
        ("report", ["--results_dir", ""], "--results_dir"),
    ],
    ids=["explore-results", "explore-runs", "runner-runs", "runner-results", "report"],
)
def test_an_empty_folder_option_is_refused_instead_of_writing_into_the_working_folder(
    tmp_path, capsys, monkeypatch, command, arguments, option
):
    monkeypatch.chdir(tmp_path)
    main = {"explore": explore.main, "runner": runner_main, "report": report_main}[command]
    assert f"{option} is empty; name a folder" in one_line_exit(capsys, main, arguments)
    assert not list(tmp_path.iterdir())


def test_the_report_writes_no_fresh_summary_into_a_folder_that_holds_none(tmp_path, capsys):
    (tmp_path / "my-notes").mkdir()
    (tmp_path / "my-notes" / "notes.txt").write_text("mine", encoding="utf-8")
    line = one_line_exit(capsys, report_main, ["--results_dir", str(tmp_path / "my-notes")])
    assert "holds no summary.json" in line
    assert [p.name for p in (tmp_path / "my-notes").iterdir()] == ["notes.txt"]


@pytest.mark.usefixtures("no_model")
def test_an_empty_home_is_refused_instead_of_building_the_model_cache_at_the_filesystem_root(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", "")
    monkeypatch.delenv("LK_CACHE_DIR", raising=False)
    with pytest.raises(FolderError, match="model cache: HOME is empty, so .* set LK_CACHE_DIR"):
        run_experiment(SMOKE, results_dir=tmp_path / "r", runs_dir=tmp_path / "w")
    assert not list(tmp_path.iterdir())


# Tracebacks and unclear errors: a file a later step would die on is named first


@pytest.mark.usefixtures("no_model")
@pytest.mark.parametrize(
    "damage, message",
    [
        ("nan-share", r"run 0 \('smoke'\): \w+\.share is NaN or infinite, not a finite number"),
        ("metrics-not-utf8", r"smoke/metrics.jsonl:2: not valid UTF-8"),
        ("metrics-a-list", r"smoke/metrics.jsonl:1: \[1, 2\] is not an object of metrics"),
        ("metrics-text-step", r"smoke/metrics.jsonl:1: step is 'x', not a number"),
    ],
)
def test_a_damaged_row_or_metrics_file_is_refused_before_a_run_trains_and_named_by_the_report(
    tmp_path, capsys, damage, message
):
    """Such a folder once let a later run train and publish, then die drawing the report, summary.md without its row."""
    results = folder_with_rows(tmp_path / "results", "smoke")
    metrics = results / "smoke" / "metrics.jsonl"
    if damage == "nan-share":
        text = (results / "summary.json").read_text(encoding="utf-8").replace('"share": ', '"share": NaN, "x": ', 1)
        (results / "summary.json").write_text(text, encoding="utf-8")
    elif damage == "metrics-not-utf8":
        metrics.write_bytes(b'{"step": 1, "loss": 0.5}\n{"step": 2, "loss": \xff}\n')
    elif damage == "metrics-a-list":
        metrics.write_text("[1, 2]\n", encoding="utf-8")
    else:
        metrics.write_text('{"step": "x", "loss": 0.5}\n', encoding="utf-8")
    before = unchanged(results)
    with pytest.raises(FolderError, match=message):
        run_experiment(SMOKE, results_dir=results, runs_dir=tmp_path / "runs")
    import re

    assert re.search(message, one_line_exit(capsys, report_main, ["--results_dir", str(results)]))
    assert unchanged(results) == before


def test_every_file_the_project_reads_or_writes_names_its_encoding():
    """Under ``LC_ALL=C PYTHONUTF8=0`` a text file read without an encoding is read as ASCII, and "≥" ends the run."""
    unnamed = []
    for path in [
        ROOT / "rewards.py",
        ROOT / "text_measures.py",
        ROOT / "conftest.py",
        *ROOT.glob("experiments/**/*.py"),
        *ROOT.glob("scripts/*.py"),
    ]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            method, keywords = node.func.attr, {k.arg for k in node.keywords}
            binary = any(isinstance(a, ast.Constant) and "b" in str(a.value) for a in node.args)
            if method in ("read_text", "write_text") or (method == "open" and not binary):
                if "encoding" not in keywords:
                    unnamed.append(f"{path.relative_to(ROOT)}:{node.lineno} {method}")
    assert not unnamed, unnamed


def test_a_run_and_its_report_work_in_the_c_locale(tmp_path):
    results, runs = tmp_path / "results", tmp_path / "runs"
    c_locale = {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0"}
    ran = python(*runner_arguments(results, runs), env=c_locale)
    assert ran.returncode == 0 and "Traceback" not in ran.stderr + ran.stdout, ran.stderr[-2000:]
    assert "→" in ran.stdout or "\\u2192" in ran.stdout, "the arrow of the closing line, printed or escaped"
    assert "≥" in (results / "runs.md").read_text(encoding="utf-8")
    for folder in (results, runs):  # and every name the two folders use for themselves is refused as a run's name
        assert {p.name for p in folder.iterdir() if not p.name.startswith(".")} - {"smoke"} <= RESERVED_NAMES


def chattr(flag: str, path: Path) -> None:
    if subprocess.run(["chattr", flag, str(path)], capture_output=True).returncode != 0:
        pytest.skip("chattr is not available here")


@pytest.mark.usefixtures("no_model")
@pytest.mark.parametrize("locked", ["summary.json", "summary.md", "smoke"])
def test_a_file_the_publish_would_replace_that_cannot_be_replaced_is_found_before_any_model_loads(tmp_path, locked):
    """An immutable summary.json was once found only at publish, after the training."""
    results = folder_with_rows(tmp_path / "results", "smoke")
    (results / "summary.md").write_text("# report\n", encoding="utf-8")
    chattr("+i", results / locked)
    try:
        with pytest.raises(FolderError, match=f"{locked}: cannot be replaced"):
            run_experiment(SMOKE, results_dir=results, runs_dir=tmp_path / "runs")
    finally:
        subprocess.run(["chattr", "-i", str(results / locked)])


@pytest.mark.usefixtures("no_model")
def test_a_disk_without_room_for_the_report_is_found_before_any_model_loads(tmp_path, monkeypatch):
    """A full disk was once found only at publish: 1 MB was asked for, and summary.json alone is larger."""
    import experiments.files as files

    results = folder_with_rows(tmp_path / "results", "smoke")
    summary = json.loads((results / "summary.json").read_text(encoding="utf-8"))
    (results / "summary.json").write_text(json.dumps({**summary, "padding": "x" * 3_000_000}), encoding="utf-8")
    monkeypatch.setattr(
        files.shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(10**10, 10**10 - 4_000_000, 4_000_000)
    )
    with pytest.raises(
        FolderError, match=r"results folder .*: 4 MB free on its disk, but the run will write about \d+ MB"
    ):
        run_experiment(SMOKE, results_dir=results, runs_dir=tmp_path / "runs")


def test_a_complete_model_cache_that_is_read_only_is_used(tmp_path, monkeypatch):
    """A read-only cache was refused even when it held the whole converted model, which needs no writing."""
    from experiments.evaluation.models import resolve_model

    monkeypatch.setenv("LK_CACHE_DIR", str(tmp_path / "cache"))
    resolve_model("tiny-gpt2")  # converted once
    chattr("+i", tmp_path / "cache")
    try:
        record = run_experiment(
            dataclasses.replace(SMOKE, steps=1), results_dir=tmp_path / "r", runs_dir=tmp_path / "w"
        )
    finally:
        subprocess.run(["chattr", "-i", str(tmp_path / "cache")])
    assert record.training.steps_trained == 1
