"""The two wings of results/: a registry run's row and folder live where its entry lives (today's lessons in
results/, the history in results/history/), and moving them is all-or-nothing, byte for byte, and repeatable."""

import json
import shutil
from pathlib import Path

import pytest

from experiments.registry import HISTORY, HISTORY_GROUPS, HISTORY_RUNS, LESSON_GROUPS, REGISTRY, wing_folder
from experiments.reporting import curation
from experiments.reporting.summary_file import SummaryError, load_summary

pytestmark = pytest.mark.fast
COMMITTED = Path(__file__).resolve().parent.parent / "results"


def mixed_root(tmp_path: Path) -> Path:
    """A results folder as it was before the wings: a run of today's baseline beside a run of the first baseline."""
    root = tmp_path / "results"
    rows = []
    for wing, name in (("", "baseline"), (HISTORY, "first-baseline")):
        shutil.copytree(COMMITTED / wing / name, root / name)
        rows += [r for r in json.loads((COMMITTED / wing / "summary.json").read_text())["runs"] if r["name"] == name]
    (root / "summary.json").write_text(json.dumps({"runs": rows}))
    return root


def test_every_entry_has_one_wing_and_the_history_lives_under_registry_history():
    assert "first-baseline" in HISTORY_RUNS and "baseline" not in HISTORY_RUNS
    assert all(group.__name__.startswith("experiments.registry.history.") for group in HISTORY_GROUPS)
    assert not any(group.__name__.startswith("experiments.registry.history.") for group in LESSON_GROUPS)
    assert HISTORY_RUNS < set(REGISTRY)
    assert wing_folder(Path("results"), "reader-candidate") == Path("results") / HISTORY
    assert wing_folder(Path("results"), "lr-2e-4") == Path("results")


def test_following_the_wings_moves_rows_and_folders_whole(tmp_path):
    root = mixed_root(tmp_path)
    before = {row["name"]: row for row in load_summary(root)["runs"]}
    files = sorted(p.name for p in (root / "first-baseline").iterdir())
    moved = curation.follow_wings(root)
    assert moved == {"to the history": ["first-baseline"], "to today's lessons": []}
    assert [row["name"] for row in load_summary(root)["runs"]] == ["baseline"]
    assert load_summary(root / HISTORY)["runs"] == [before["first-baseline"]]  # the row exactly as recorded
    assert sorted(p.name for p in (root / HISTORY / "first-baseline").iterdir()) == files
    assert not (root / "first-baseline").exists()
    assert (root / HISTORY / "summary.md").read_text().startswith("# Language Kindergarten: the history")
    assert curation.follow_wings(root) == {"to the history": [], "to today's lessons": []}  # repeatable


def test_a_move_killed_between_its_two_curations_is_finished_by_the_next_call(tmp_path, monkeypatch):
    root = mixed_root(tmp_path)
    row = next(r for r in load_summary(root)["runs"] if r["name"] == "first-baseline")
    real_curate, calls = curation.curate, []

    def killed_on_the_second(results_dir, plan):
        calls.append(results_dir)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the history holds the row; the source still does too
        return real_curate(results_dir, plan)

    monkeypatch.setattr(curation, "curate", killed_on_the_second)
    with pytest.raises(KeyboardInterrupt):
        curation.follow_wings(root)
    monkeypatch.setattr(curation, "curate", real_curate)
    assert {r["name"] for r in load_summary(root)["runs"]} == {"baseline", "first-baseline"}
    curation.follow_wings(root)
    assert load_summary(root / HISTORY)["runs"] == [row]  # not copied twice
    assert [r["name"] for r in load_summary(root)["runs"]] == ["baseline"]


def test_a_different_row_of_the_same_name_in_the_other_wing_is_refused_before_anything_moves(tmp_path):
    root = mixed_root(tmp_path)
    row = next(r for r in load_summary(root)["runs"] if r["name"] == "first-baseline")
    (root / HISTORY).mkdir()
    (root / HISTORY / "summary.json").write_text(json.dumps({"runs": [{**row, "verdict": "works"}]}))
    with pytest.raises(SummaryError, match="both hold a different run named 'first-baseline'"):
        curation.follow_wings(root)
    assert {r["name"] for r in load_summary(root)["runs"]} == {"baseline", "first-baseline"}
    assert (root / "first-baseline").is_dir()


def test_a_registry_run_publishes_into_its_entrys_wing_and_a_study_lives_in_its_bases():
    from experiments.training.preflight import ROOT, default_results_dir
    from experiments.tune.command import lever_specs, parse
    from experiments.tune.options import TuneOptions, plan_of

    assert default_results_dir(REGISTRY["first-baseline"], ROOT / "runs") == ROOT / "results" / HISTORY
    assert default_results_dir(REGISTRY["lr-2e-4"], ROOT / "runs") == ROOT / "results"
    for base, folder in (("lr-2e-4", Path("results")), ("first-baseline", Path("results") / HISTORY)):
        options, words = parse(
            TuneOptions, ["s", "--base", base, "--lanes", "2", "--only", "beta"], None, other_options=True
        )
        assert plan_of(options, *lever_specs(words)).study_dir == folder / "tune" / "s"
    options, words = parse(
        TuneOptions,
        ["s", "--base", "first-baseline", "--lanes", "2", "--results_dir", "elsewhere"],
        None,
        other_options=True,
    )
    assert plan_of(options, *lever_specs(words)).study_dir == Path("elsewhere") / "tune" / "s"  # as told
