"""Publishing a finished run into results/: every row kept, each run's files in step with its row.

Runs sharing a results folder take turns through a file lock, so neither loses the
other's row. A run's files are staged in a hidden sibling folder, then a journal
naming the run is written atomically: that write is the commit point. Applying the
journal (swap the folder in, merge the summary row) can be repeated, so a run
killed halfway is finished by whoever next opens the folder through
``read_results``: the next run, or ``python -m experiments.report``. The report
(summary.md, runs.md, figures) is drawn under the same lock, from the summary just
written, so it never describes another summary.json than the one beside it.
No writer drops a row it did not write: ``python -m experiments.report --remove NAME``
is the one command that removes a row (and its folder).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from experiments.files import atomic_write_text, inside
from experiments.reporting.environment import environment
from experiments.reporting.journal import (
    CURATION_JOURNAL,
    JOURNAL,
    Curation,
    check_run_files,
    fault_point,
    remove,
)
from experiments.reporting.record import RunRecord, previous_verdict
from experiments.reporting.results_folder import (
    NOT_JUDGED,
    _apply_journal,
    _locked,
    _staging,
    _write_summary,
    not_judged_notes,
)
from experiments.reporting.summary import write_report
from experiments.reporting.summary_file import load_summary, read_answers, strict_json


def publish_run(
    results_dir: Path,
    record: RunRecord,
    files: dict[str, str],
    registry_order: bool = True,
    draw: bool = True,
    run_folder: Path | None = None,
) -> None:
    """Make this run's files and its summary row appear together, or not at all, and redraw the report (``draw``).

    Every row already there is kept. ``registry_order`` sorts the registry's rows in its order, others after
    them as published; an exploration folder keeps the order its runs were published in. ``run_folder`` (runs/NAME):
    its ``in-progress`` model and live files take the place of the previous run's as part of the same commit, so
    runs/NAME/model is always the model of the run its row describes.
    """
    with _locked(results_dir):
        _apply_journal(results_dir)  # a run killed halfway is finished first
        _stage(results_dir, record.name, files)
        _commit(results_dir, _with_previous(results_dir, record), registry_order, run_folder)
        if draw:
            write_report(results_dir, load_summary(results_dir))


def record_not_judged(results_dir: Path, name: str, reason: str) -> None:
    """Note, under the lock, a run that gets no row (it did not train, or a guard could not be computed) with its reason,
    in summary.json's ``not_judged`` and summary.md. Every row stays as it was: a row is only for a judged run."""
    with _locked(results_dir):
        _apply_journal(results_dir)
        summary = load_summary(results_dir)
        notes = not_judged_notes(summary)
        notes[name] = {"reason": reason, "date": environment().get("date")}
        _write_summary(results_dir, summary["runs"], {**summary, NOT_JUDGED: notes}, keep_environment=True)
        write_report(results_dir, load_summary(results_dir))


def _stage(results_dir: Path, name: str, files: dict[str, str]) -> None:
    """The run's files, written into the hidden staging folder beside its results folder."""
    staging = inside(results_dir, _staging(results_dir, name))
    inside(results_dir, results_dir / name)
    remove(staging)
    for file_name, text in files.items():
        atomic_write_text(staging / file_name, text)
    fault_point("staged")


def _with_previous(results_dir: Path, record: RunRecord) -> RunRecord:
    """The record, carrying the verdict and guards of the row it replaces (for "what changed")."""
    replaced = next((row for row in load_summary(results_dir)["runs"] if row["name"] == record.name), None)
    if replaced is None:
        return record
    return dataclasses.replace(record, previous=previous_verdict(replaced, set(record.guards)))


def _commit(results_dir: Path, record: RunRecord, registry_order: bool, run_folder: Path | None) -> None:
    """Write the journal (the commit point), then apply it: the staged folder swapped in, the row merged, the run's
    in-progress model and live files promoted."""
    pending = {
        "record": record.as_dict(),
        "registry_order": registry_order,
        "run_folder": None if run_folder is None else str(run_folder.resolve()),
    }
    atomic_write_text(results_dir / JOURNAL, strict_json(pending))
    _apply_journal(results_dir)


def curate(results_dir: Path, plan: Callable[[dict[str, Any]], Curation]) -> dict[str, Any]:
    """Rows and run folders changed together, journalled as a run's publish is: ``plan`` reads the summary under the
    lock; its curation is written as a journal (the commit point), then applied; a curation killed halfway is finished
    by the next command that opens the folder. The report is redrawn."""
    with _locked(results_dir):
        _apply_journal(results_dir)
        summary = load_summary(results_dir)
        curation = plan(summary)
        for name in curation.removes + [new for _, new in curation.moves] + [old for old, _ in curation.moves]:
            inside(results_dir, results_dir / name)
        for row in curation.runs:
            if (results_dir / row["name"] / "answers.json").exists() and row["name"] not in curation.removes:
                read_answers(results_dir / row["name"] / "answers.json")
        journal = {"runs": curation.runs, "moves": curation.moves, "removes": curation.removes}
        atomic_write_text(results_dir / CURATION_JOURNAL, strict_json(journal))
        fault_point("curation journalled")
        _apply_journal(results_dir)
        written = load_summary(results_dir)
        write_report(results_dir, written)
    return written


def refresh_summary(
    results_dir: Path, transform: Callable[[dict[str, Any]], list[dict[str, Any]]] | None = None
) -> dict[str, Any]:
    """summary.json rewritten with today's thresholds and benchmark files, and the report redrawn from it, under the lock;
    its runs as they are, or as ``transform`` makes them from the summary read under the lock. No run was made here, so
    the recorded ``environment`` (the machine that made the runs) is kept."""
    with _locked(results_dir):
        _apply_journal(results_dir)
        summary = load_summary(results_dir)
        runs = transform(summary) if transform else summary["runs"]
        for row in runs:  # the report reads each metrics.jsonl and answers.json: a damaged one is named first
            check_run_files(results_dir / row["name"], row)
        _write_summary(results_dir, runs, summary, keep_environment=True)
        written = load_summary(results_dir)
        write_report(results_dir, written)
    return written
