"""The results folder under its lock: what a killed writer committed (a run's publish, a curation) finished before
anyone reads the folder, and summary.json written whole.

Beneath the training: a run finishes a killed run of its name (``read_results``) before it trains; publish.py, which
draws the report, commits through the same lock and journal.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from filelock import FileLock

from experiments.cli import SummaryError
from experiments.evaluation.verdicts import THRESHOLDS
from experiments.files import atomic_write_text
from experiments.registry import REGISTRY
from experiments.reporting.environment import environment
from experiments.reporting.journal import (
    CURATION_JOURNAL,
    JOURNAL,
    apply_curation,
    clear_leftovers,
    fault_point,
    promote,
    read_journal,
    remove,
)
from experiments.reporting.summary_file import BENCHMARK_FILES, benchmark_figures, load_summary, merge_run, strict_json

LOCK = ".results.lock"
LOCK_TIMEOUT_S = 1800
NOT_JUDGED = "not_judged"  # summary.json's notes on runs that got no verdict: name → {reason, date}


def read_results(results_dir: Path) -> dict[str, Any]:
    """summary.json after finishing any run (or curation) that was killed while it published."""
    if any((results_dir / name).exists() for name in (JOURNAL, CURATION_JOURNAL)) or any(
        results_dir.glob(".*.staging")
    ):
        with _locked(results_dir):
            _apply_journal(results_dir)
    return load_summary(results_dir)


def _apply_journal(results_dir: Path) -> None:
    """Finish what a killed writer committed (a run's publish, a curation), and clear what a killed writer left
    uncommitted (staging folders, temporary files of the files written under the lock). Run under the lock."""
    clear_leftovers(results_dir)
    apply_curation(results_dir, _write_summary)
    pending = read_journal(results_dir)
    if pending is None:
        for leftover in results_dir.glob(".*.staging"):  # killed before its commit point: the previous run stands
            remove(leftover)
        return
    record = pending["record"]
    staging, target = _staging(results_dir, record["name"]), results_dir / record["name"]
    aside = results_dir / f".{record['name']}.replaced"
    if staging.is_symlink():
        raise SummaryError(
            f"{staging}: a symbolic link, not the staging folder a run writes; move it away (and {JOURNAL} with it)"
        )
    if staging.exists():
        if target.exists() or target.is_symlink():
            remove(aside)
            os.replace(target, aside)
        fault_point("swapping")
        os.replace(staging, target)
    remove(aside)
    summary = load_summary(results_dir)
    order = list(REGISTRY) if pending.get("registry_order", pending.get("registry_only", True)) else None
    if NOT_JUDGED in summary:  # a run of this name was judged now: its earlier note goes
        notes = {key: note for key, note in not_judged_notes(summary).items() if key != record["name"]}
        summary = {key: value for key, value in summary.items() if key != NOT_JUDGED} | (
            {NOT_JUDGED: notes} if notes else {}
        )
    _write_summary(results_dir, merge_run(summary, record, order=order), summary)
    fault_point("summary written")
    if pending.get("run_folder"):
        promote(Path(pending["run_folder"]))
    (results_dir / JOURNAL).unlink()


def _write_summary(
    results_dir: Path, runs: list[dict[str, Any]], previous: dict[str, Any], keep_environment: bool = False
) -> None:
    """summary.json, keeping any top-level key this code does not write itself, in strict JSON (no NaN, no Infinity).

    ``environment`` is this machine's after a run published here; a redraw (``keep_environment``) keeps the recorded one.
    """
    written = ("environment", "thresholds", "runs", *BENCHMARK_FILES)  # the benchmark keys: from the files present
    kept = {key: value for key, value in previous.items() if key not in written}
    machine = previous["environment"] if keep_environment and "environment" in previous else environment()
    updated = {
        **kept,
        "environment": machine,
        "thresholds": THRESHOLDS.as_dict(),
        "runs": runs,
        **benchmark_figures(results_dir),
    }
    atomic_write_text(results_dir / "summary.json", strict_json(updated))


def not_judged_notes(summary: dict[str, Any]) -> dict[str, Any]:
    """summary.json's notes on runs without a verdict (a copy), each a {reason, date}; none where there are none."""
    notes = summary.get(NOT_JUDGED)
    return {k: v for k, v in notes.items() if isinstance(v, dict)} if isinstance(notes, dict) else {}


def _staging(results_dir: Path, name: str) -> Path:
    return results_dir / f".{name}.staging"


@contextmanager
def _locked(results_dir: Path) -> Iterator[None]:
    results_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(results_dir / LOCK, timeout=LOCK_TIMEOUT_S):
        yield
