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
import json
import os
import shutil
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from filelock import FileLock

from experiments.evaluation.verdicts import THRESHOLDS
from experiments.files import FolderError, atomic_write_text, inside
from experiments.registry import REGISTRY
from experiments.reporting.environment import environment
from experiments.reporting.record import RunRecord
from experiments.reporting.summary import write_report
from experiments.reporting.summary_file import (
    SummaryError,
    benchmark_figures,
    load_summary,
    merge_run,
    read_answers,
    strict_json,
)

LOCK = ".results.lock"
JOURNAL = ".pending-run.json"
LOCK_TIMEOUT_S = 1800


def check_summary_readable(results_dir: Path) -> None:
    """Refuse, before any training, a results folder whose summary.json could not take this run's row."""
    try:
        load_summary(results_dir)
    except SummaryError as error:
        raise FolderError(f"results folder {results_dir}: {error}; fix or move it, or pass --results-dir") from None


def publish_run(
    results_dir: Path, record: RunRecord, files: dict[str, str], registry_order: bool = True, draw: bool = True
) -> None:
    """Make this run's files and its summary row appear together, or not at all, and redraw the report (``draw``).

    Every row already there is kept. ``registry_order`` sorts the registry's rows in its order, others after
    them as published; an exploration folder keeps the order its runs were published in.
    """
    with _locked(results_dir):
        _apply_journal(results_dir)  # a run killed halfway is finished first
        _stage(results_dir, record.name, files)
        _commit(results_dir, _with_previous(results_dir, record), registry_order)
        if draw:
            write_report(results_dir, load_summary(results_dir))


NOT_JUDGED = "not_judged"  # summary.json's notes on runs that got no verdict: name → {reason, date}


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


def not_judged_notes(summary: dict[str, Any]) -> dict[str, Any]:
    """summary.json's notes on runs without a verdict (a copy), each a {reason, date}; none where there are none."""
    notes = summary.get(NOT_JUDGED)
    return {k: v for k, v in notes.items() if isinstance(v, dict)} if isinstance(notes, dict) else {}


def _stage(results_dir: Path, name: str, files: dict[str, str]) -> None:
    """The run's files, written into the hidden staging folder beside its results folder."""
    staging = inside(results_dir, _staging(results_dir, name))
    inside(results_dir, results_dir / name)
    shutil.rmtree(staging, ignore_errors=True)
    for file_name, text in files.items():
        atomic_write_text(staging / file_name, text)
    fault_point("staged")


def _with_previous(results_dir: Path, record: RunRecord) -> RunRecord:
    """The record, carrying the verdict and guards of the row it replaces (for "what changed")."""
    replaced = next((row for row in load_summary(results_dir)["runs"] if row["name"] == record.name), None)
    if replaced is None:
        return record
    return dataclasses.replace(record, previous=previous_verdict(replaced, set(record.guards)))


def _commit(results_dir: Path, record: RunRecord, registry_order: bool) -> None:
    """Write the journal (the commit point), then apply it: the staged folder swapped in, the row merged."""
    atomic_write_text(
        results_dir / JOURNAL, strict_json({"record": record.as_dict(), "registry_order": registry_order})
    )
    _apply_journal(results_dir)


def previous_verdict(replaced: dict[str, Any], guards: set[str]) -> dict[str, Any]:
    """What "Verdicts that changed" compares a rerun with: the replaced row, unless that row was itself
    judged by today's guards and replaced a verdict under other guards, which then stays the reference,
    so a second rerun under the same guards does not hide the change the guards made.

    >>> old = {"verdict": "works", "guards": {"ref_ppl": True}, "environment": {"date": "d0"}}
    >>> first = {"verdict": "broken", "guards": {"ref_ppl": True, "relevance": False}, "previous": previous_verdict(old, {"ref_ppl", "relevance"})}
    >>> previous_verdict(first, {"ref_ppl", "relevance"})["verdict"]
    'works'
    >>> previous_verdict(old, {"ref_ppl"})["date"]
    'd0'
    """
    carried = replaced.get("previous")
    if carried and set(replaced.get("guards") or {}) == guards and set(carried.get("guards") or {}) != guards:
        return carried
    previous = {key: replaced.get(key) for key in ("verdict", "hypothesis", "hypothesis_held", "guards")}
    previous["date"] = replaced.get("environment", {}).get("date")
    return previous


def read_results(results_dir: Path) -> dict[str, Any]:
    """summary.json after finishing any run that was killed while it published."""
    if (results_dir / JOURNAL).exists() or any(results_dir.glob(".*.staging")):
        with _locked(results_dir):
            _apply_journal(results_dir)
    return load_summary(results_dir)


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
        for row in runs:  # the report reads each answers.json: a damaged one is named before anything is rewritten
            if (results_dir / row["name"] / "answers.json").exists():
                recorded = row.get("heldout_prompts")  # a cut answers.json is named, not read as a shorter run
                read_answers(
                    results_dir / row["name"] / "answers.json", recorded if isinstance(recorded, int) else None
                )
        _write_summary(results_dir, runs, summary, keep_environment=True)
        written = load_summary(results_dir)
        write_report(results_dir, written)
    return written


def _apply_journal(results_dir: Path) -> None:
    journal = results_dir / JOURNAL
    if not journal.exists():
        for leftover in results_dir.glob(".*.staging"):  # killed before its commit point: the previous run stands
            shutil.rmtree(leftover, ignore_errors=True)
        return
    pending = json.loads(journal.read_text())
    record = pending["record"]
    staging, target = _staging(results_dir, record["name"]), results_dir / record["name"]
    aside = results_dir / f".{record['name']}.replaced"
    if staging.exists():
        if target.exists():
            shutil.rmtree(aside, ignore_errors=True)
            os.replace(target, aside)
        fault_point("swapping")
        os.replace(staging, target)
    shutil.rmtree(aside, ignore_errors=True)
    summary = load_summary(results_dir)
    order = list(REGISTRY) if pending.get("registry_order", pending.get("registry_only", True)) else None
    if NOT_JUDGED in summary:  # a run of this name was judged now: its earlier note goes
        notes = {key: note for key, note in not_judged_notes(summary).items() if key != record["name"]}
        summary = {key: value for key, value in summary.items() if key != NOT_JUDGED} | (
            {NOT_JUDGED: notes} if notes else {}
        )
    _write_summary(results_dir, merge_run(summary, record, order=order), summary)
    fault_point("summary written")
    journal.unlink()


def _write_summary(
    results_dir: Path, runs: list[dict[str, Any]], previous: dict[str, Any], keep_environment: bool = False
) -> None:
    """summary.json, keeping any top-level key this code does not write itself, in strict JSON (no NaN, no Infinity).

    ``environment`` is this machine's after a run published here; a redraw (``keep_environment``) keeps the recorded one.
    """
    kept = {key: value for key, value in previous.items() if key not in ("environment", "thresholds", "runs")}
    machine = previous["environment"] if keep_environment and "environment" in previous else environment()
    updated = {
        **kept,
        "environment": machine,
        "thresholds": THRESHOLDS.as_dict(),
        "runs": runs,
        **benchmark_figures(results_dir),
    }
    atomic_write_text(results_dir / "summary.json", strict_json(updated))


def _staging(results_dir: Path, name: str) -> Path:
    return results_dir / f".{name}.staging"


@contextmanager
def _locked(results_dir: Path) -> Iterator[None]:
    results_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(results_dir / LOCK, timeout=LOCK_TIMEOUT_S):
        yield


def fault_point(name: str) -> None:
    """Die here, as a power cut would, when ``LK_KILL_AT`` names this point: how the kill tests reach every step."""
    if os.environ.get("LK_KILL_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
