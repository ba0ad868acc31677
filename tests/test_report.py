"""The report is built from the rows it describes: a newer row changes it, and it stays short enough to read."""

import dataclasses
import json
from pathlib import Path

import pytest

from experiments.evaluation.measurements import Measurements, TrainingOutcome
from experiments.registry import REGISTRY, first_lesson
from experiments.reporting.findings import findings
from experiments.reporting.lessons_table import lesson_row, what_changed
from experiments.reporting.record import RunRecord, family_of
from experiments.reporting.runs_table import suite_seconds
from experiments.reporting.speed_tables import trained_outcome
from experiments.reporting.summary import changed_verdicts

pytestmark = pytest.mark.fast
COMMITTED = Path(__file__).resolve().parent.parent / "results"
TRAINING_FIELDS = {f.name for f in dataclasses.fields(TrainingOutcome)}
ALL_GUARDS = dict.fromkeys(("ref_ppl", "distinct2", "repeat3", "real_words", "length", "relevance", "template"), True)


def run(name, verdict="works", seconds=None, step_s=10.04, held=True, guards=None, **fields):
    """A row; measurements given as ``<name>_before`` / ``<name>_after`` land in the record's typed before and after."""
    measured = {
        when: Measurements.from_dict(
            {k[: -len(when) - 1]: fields.pop(k) for k in list(fields) if k.endswith("_" + when)}
        )
        for when in ("before", "after")
    }
    outcome = {k: fields.pop(k) for k in list(fields) if k in TRAINING_FIELDS}
    return RunRecord(
        name=name,
        hypothesis="h",
        expected="works",
        verdict=verdict,
        hypothesis_held=held,
        guards=guards or dict(ALL_GUARDS),
        model="smollm2-135m",
        seed=0,
        steps=64,
        training=TrainingOutcome(**{"time_to_behaviour_s": seconds, "mean_step_time_s": step_s, **outcome}),
        **measured,
        **fields,
    )


def test_the_speed_table_reads_every_seed_of_the_lever_run():
    assert trained_outcome("baseline", [run("baseline", "works", 315.2)]) == ["baseline", "works", "315", "10.0"]
    seeds = [
        run("reuse-generations", "broken", 271.5, step_s=8.16),
        run("reuse-generations-seed1", "works", 440.3),
        run("reuse-generations-seed2"),
    ]
    assert trained_outcome("reuse-generations", seeds) == [
        "reuse-generations (×3 seeds)",
        "broken, works, works",
        "272, 440, never",
        "8.2, 10.0, 10.0",
    ]
    assert trained_outcome("cheap-steps", []) == ["cheap-steps", "not run yet", "", ""]


def test_a_run_belongs_to_its_registry_entry_without_parsing_its_name():
    assert family_of(run("beta-0.04-seed2")) == "beta-0.04"
    assert family_of(run("anything", config="baseline")) == "baseline"


def test_the_suite_total_follows_the_registry_tier_not_the_rows_own_flag():
    rows = [
        run("baseline", wall_clock_s=300.0, eval_s=30.0),
        run("lr-low", wall_clock_s=280.0, eval_s=20.0),
        run("first-baseline-gpu-seed1", wall_clock_s=40.0, eval_s=5.0),
    ]
    assert suite_seconds(rows) == (330.0, 300.0, 45.0)


def test_a_lesson_row_names_failed_guards_and_old_judgements():
    entry = REGISTRY["baseline"]
    seeds = [
        run("baseline", share_before=0.15, share_after=0.56),
        run("baseline-seed1", "broken", guards={**ALL_GUARDS, "template": False}, held=False),
    ]
    row = lesson_row(Path("/nonexistent"), first_lesson, entry, seeds, [])
    assert row[1] == "`baseline` ×2" and row[4] == "—" and row[5] == "✗ template" and row[6] == "works, broken"
    assert row[7].startswith("refuted")
    old = lesson_row(
        Path("/nonexistent"),
        first_lesson,
        entry,
        [run("baseline", guards=dict.fromkeys(("ref_ppl", "distinct2"), True))],
        [],
    )
    assert old[5] == "5/5 (old)"
    measured = lesson_row(
        Path("/nonexistent"), first_lesson, entry, [run("baseline", clean_before=0.0, clean_after=0.45)], []
    )
    assert measured[4] == "0% → 45%" and measured[5] == "all 7 held"
    assert what_changed(REGISTRY["baseline-fp32"]) == "precision=fp32 (on `baseline`)"


def test_changed_verdicts_say_why():
    replaced = run(
        "baseline", "no change", previous={"verdict": "works", "hypothesis": "other", "guards": {"ref_ppl": True}}
    )
    table = changed_verdicts([replaced, run("lr-high")])
    assert "| baseline | works    | no change | a new entry under this name; judged also by" in table
    assert changed_verdicts([run("lr-high")]) == "No rerun changed a verdict."


def test_findings_are_at_most_ten_lines_and_quote_numbers():
    measured = dict(
        share_before=0.15,
        share_after=0.55,
        relevance_before=1.4,
        relevance_after=0.9,
        template_before=0.05,
        template_after=0.1,
    )
    runs = [run(f"r{i}", held=i % 2 == 0) for i in range(30)] + [
        run("first-baseline", steps_trained=31, stop_reason="behaviour", **measured)
    ]
    lines = findings(runs)  # the history's page: every family, in full
    assert len(lines) <= 10
    assert lines[0].startswith(
        "`first-baseline` (bf16): works with held-out share ≥ 0.5 on 1 of 1 seeds (works); share 0.15 → 0.550, relevance 1.40 → 0.90 nats/token, distinct-2 0.00 → 0.00, steps 31 (behaviour)"
    )
    assert "`first-baseline` 0.90 → 0.10 at share 0.550" in lines[1]


def test_the_front_page_findings_are_a_few_sentences_that_open_with_the_baseline():
    """summary.md's findings: the baseline over its seeds, a count of the hypotheses held (the names live in runs.md),
    and the way to the history; no list of every run."""
    from experiments.reporting.front_page import front_findings

    runs = [run(f"r{i}", held=i % 3 == 0) for i in range(30)] + [
        run("baseline", steps_trained=31, stop_reason="behaviour", share_before=0.15, share_after=0.55)
    ]
    lines = front_findings(runs)
    assert lines[0].startswith("`baseline` (bf16): works with held-out share ≥ 0.5 on 1 of 1 seeds (works)")
    assert lines[1].startswith("11 of 31 runs on this page held their declared hypothesis; the 20 refuted")
    assert "r1," not in " ".join(lines) and lines[-1].endswith("[history/summary.md](history/summary.md).")
    assert len(lines) <= 5


def test_the_committed_report_is_what_the_committed_summary_json_draws(tmp_path):
    """summary.md and runs.md are redrawn byte for byte from the committed summary.json (nothing in them is typed
    by hand), and summary.md stays at most 150 lines."""
    import shutil

    from experiments.reporting.summary import write_report

    shutil.copytree(COMMITTED, tmp_path / "results")
    for wing in ("", "history"):  # today's lessons, and the history wing
        write_report(tmp_path / "results" / wing, json.loads((COMMITTED / wing / "summary.json").read_text()))
        for name in ("summary.md", "runs.md"):
            assert (tmp_path / "results" / wing / name).read_text() == (COMMITTED / wing / name).read_text(), (
                f"{Path(wing) / name} differs from its redraw"
            )
    assert len((COMMITTED / "summary.md").read_text().splitlines()) <= 150


def test_the_front_page_opens_with_the_baseline_against_its_targets_then_its_answers():
    """Issue 53: a reader meets the baseline against its targets, then five of its answers, then the lessons."""
    text = (COMMITTED / "summary.md").read_text()
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings[:3] == [
        "## The first lesson: the baseline against its targets",
        "## Five answers, before and after training",
        "## The lessons",
    ]
    assert "[history/summary.md](history/summary.md)" in text.split("## ")[0]  # the history, one link away


def test_results_shows_about_thirty_entries_at_its_top_all_of_todays_lessons():
    """Issue 53: the history wing holds the earlier runs; every run folder at the top is a run of today's lessons."""
    from experiments.registry import HISTORY_RUNS

    entries = [path.name for path in COMMITTED.iterdir() if not path.name.startswith(".")]
    assert len(entries) <= 30
    assert not [name for name in entries if name in HISTORY_RUNS]
    history = json.loads((COMMITTED / "history" / "summary.json").read_text())["runs"]
    assert {row["name"] for row in history} <= HISTORY_RUNS


def test_the_summary_names_declared_runs_that_have_no_row():
    from experiments.registry import CONFIGS
    from experiments.reporting.summary import not_run

    every_run_but_two = [run(c.name) for c in CONFIGS if c.name not in ("baseline-seed2", "first-baseline-seed1")]
    assert not_run(every_run_but_two, history=False) == "Declared and not run yet (1): `baseline-seed2`."
    assert not_run(every_run_but_two, history=True).startswith(
        "Declared and not run yet (1): `first-baseline-seed1`. GPU lessons not rerun"
    )
    assert "`first-baseline-gpu`, `gpu-large-groups`." in not_run(every_run_but_two, history=True)


def test_rejudging_applies_the_per_answer_guards_from_answers_json(tmp_path):
    """A run recorded before the loops and frame guards is judged by them from its answers: one frame in most answers
    fails it, and the verdict it replaced is kept."""
    from experiments.reporting.rejudge import rejudged

    row = json.loads((COMMITTED / "summary.json").read_text())["runs"][0] | {}
    row = {k: v for k, v in row.items() if k not in ("before", "after")}
    flat = dict(
        share_before=0.15,
        share_after=0.6,
        ref_ppl_before=10,
        ref_ppl_after=10,
        distinct2_before=0.8,
        distinct2_after=0.8,
        repeat3_before=0,
        repeat3_after=0,
        real_words_before=0.9,
        real_words_after=0.9,
        mean_words_before=20,
        mean_words_after=20,
        relevance_before=1.4,
        relevance_after=1.4,
        template_before=0.05,
        template_after=0.05,
    )
    row.update(
        flat,
        name="framed",
        objective="four_letter_share",
        verdict="works",
        expected="works",
        hypothesis_held=True,
        guards=dict(ALL_GUARDS),
        previous=None,
    )
    animals = "ox cow goat frog owl duck hen pig yak emu".split()
    answers = [
        {"prompt": f"q{a}", "before": f"The {a} sings.", "after": f"They don't just sing, the {a} hums."}
        for a in animals
    ]
    row["heldout_prompts"] = len(answers)  # rejudging refuses an answers.json of another count than the run recorded
    (tmp_path / "framed").mkdir()
    (tmp_path / "framed" / "answers.json").write_text(json.dumps(answers))
    new = RunRecord.from_dict(rejudged(row, tmp_path))
    assert new.after.frame == 1.0 and new.after.frame_phrase in "they don't just sing" and new.after.loops == 0.0
    assert new.verdict == "broken" and new.guards["frame"] is False and new.previous["verdict"] == "works"
    assert rejudged(new.as_dict(), tmp_path) is None, "a run measured once is not measured again"


def test_runs_from_another_results_folder_are_imported_with_their_files_only_under_their_declared_hypothesis(tmp_path):
    from experiments.reporting.curation import import_runs
    from experiments.reporting.summary_file import load_summary

    committed = json.loads((COMMITTED / "history" / "summary.json").read_text())
    row = next(r for r in committed["runs"] if r["name"] == "beta-zero")
    source = tmp_path / "lane"
    (source / "beta-zero").mkdir(parents=True)
    (source / "beta-zero" / "samples.md").write_text("# Samples: beta-zero\n")
    stale = {**row, "name": "lr-high", "hypothesis": "an older wording"}
    (source / "lr-high").mkdir()
    (source / "summary.json").write_text(json.dumps({"runs": [row, stale]}))
    taken = import_runs(source, tmp_path / "results", {"beta-zero", "lr-high"})
    assert taken == ["beta-zero"]
    assert [r["name"] for r in load_summary(tmp_path / "results")["runs"]] == ["beta-zero"]
    assert (tmp_path / "results" / "beta-zero" / "samples.md").read_text() == "# Samples: beta-zero\n"


def test_a_lever_step_time_is_compared_only_within_one_session():
    from experiments.reporting.findings import lever_step_times

    def timed(name, day, step_s):
        machine = {"date": f"{day}T10:00:00+00:00", "cpu": "AMD EPYC"}
        return dataclasses.replace(run(name, step_s=step_s, config=name), environment=machine)

    same = lever_step_times([timed("baseline", "2026-12-02", 19.0), timed("lora-16", "2026-12-02", 12.5)])
    assert same and "`lora-16` 12.5 s" in same[0] and "baseline's 19.0 s" in same[0]
    assert lever_step_times([timed("baseline", "2026-12-01", 19.0), timed("lora-16", "2026-12-02", 12.5)]) == []
    assert lever_step_times([run("baseline", step_s=19.0), run("lora-16", step_s=12.5, config="lora-16")]) == []
