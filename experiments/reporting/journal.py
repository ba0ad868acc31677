"""The journals that make a publish or a curation all-or-nothing, read back as strictly as any input, and what applying
them moves: a run's in-progress model and live files promoted into its runs folder, leftovers of a killed writer cleared.

A journal is written by this project only, but a file on disk is no promise: a name in it that is not a name, a row
that is not a row, or a staging folder that is a link is refused in one line before anything is moved.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from experiments.cli import SummaryError
from experiments.files import IN_PROGRESS, FolderError, replace_problem, unsafe_name
from experiments.reporting.summary_file import (
    REQUIRED_ROW_FIELDS,
    check_metrics_file,
    load_summary,
    read_answers,
    row_problem,
)

JOURNAL = ".pending-run.json"
CURATION_JOURNAL = ".pending-curation.json"
REPORT_FILES = ("summary.json", "summary.md", "runs.md")  # written under the lock, with the figures
STUDY_FILES = ("trials.json", "dev.txt", "train.txt")  # a study's folder: the tuner writes these under the same lock
# runs/NAME/in-progress/X → runs/NAME/X when the row publishes
PROMOTED = ("model", "metrics.jsonl", "completions.jsonl")


def check_summary_readable(results_dir: Path, name: str | None = None) -> None:
    """Refuse, before any training, a results folder that could not take this run's row, or whose report could not be
    drawn: summary.json, a pending journal, each row's metrics.jsonl and answers.json, read as the report reads them;
    and (``name``) each file publishing ``name`` replaces, which must be replaceable."""
    try:
        check_results_files(results_dir)
    except SummaryError as error:
        raise FolderError(f"results folder {results_dir}: {error}; fix or move it, or pass --results-dir") from None
    replaced = [*REPORT_FILES, "figures", *([name] if name else [])]
    for file_name in replaced:
        problem = "a folder, not a file" if file_name in REPORT_FILES and (results_dir / file_name).is_dir() else None
        problem = problem or replace_problem(results_dir / file_name)
        if problem:
            raise FolderError(
                f"results folder {results_dir}: {file_name}: cannot be replaced ({problem}); publishing would fail "
                "after the training: fix its permissions (chattr -i), or pass --results-dir"
            )


def check_results_files(results_dir: Path) -> dict[str, Any]:
    """summary.json, any pending journal and every row's metrics and answers, checked as the report will read them;
    a SummaryError naming the file (and line) where one cannot be read."""
    summary = load_summary(results_dir)
    read_journal(results_dir)
    read_curation_journal(results_dir)
    for row in summary["runs"]:
        check_run_files(results_dir / row["name"], row)
    return summary


def check_run_files(folder: Path, row: dict[str, Any] | None = None) -> None:
    """A run folder's metrics.jsonl and answers.json read as the report reads them; with its row, answers.json must
    hold as many answers as the row recorded (a cut file is named, not read as a shorter run)."""
    for file_name in ("metrics.jsonl", "answers.json"):  # the report reads both: a folder of that name ended it
        if (folder / file_name).exists() and not (folder / file_name).is_file():
            raise SummaryError(f"{folder / file_name}: not a file; the report reads it as one: move it away")
    if (folder / "metrics.jsonl").is_file():
        check_metrics_file(folder / "metrics.jsonl")
    if (folder / "answers.json").exists():
        recorded = (row or {}).get("heldout_prompts")
        read_answers(folder / "answers.json", recorded if isinstance(recorded, int) else None)


@dataclasses.dataclass(frozen=True)
class Curation:
    """A curation's whole effect: the rows after it, the run folders renamed (old, new) and the run folders removed."""

    runs: list[dict[str, Any]]
    moves: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    removes: list[str] = dataclasses.field(default_factory=list)


def read_journal(results_dir: Path) -> dict[str, Any] | None:
    """The pending run's journal, checked like any file read back (a name that is a name, a row that is a row), or None."""
    path = results_dir / JOURNAL
    if not path.exists():
        return None
    pending = _journal_json(path)
    record = pending.get("record") if isinstance(pending, dict) else None
    if not isinstance(record, dict):
        raise SummaryError(f'{path}: not a pending run (expected {{"record": {{...}}}}); {_JOURNAL_FIX}')
    missing = [key for key in REQUIRED_ROW_FIELDS if key not in record]
    if missing:
        raise SummaryError(f"{path}: the pending run lacks {', '.join(missing)}; {_JOURNAL_FIX}")
    problem = row_problem(record)
    if problem:
        raise SummaryError(f"{path}: the pending run: {problem}; {_JOURNAL_FIX}")
    folder = pending.get("run_folder")
    if folder is not None and not (
        isinstance(folder, str) and Path(folder).is_absolute() and Path(folder).name == record["name"]
    ):
        raise SummaryError(f"{path}: run_folder {str(folder)[:80]!r} is not the run's own folder; {_JOURNAL_FIX}")
    return pending


def read_curation_journal(results_dir: Path) -> dict[str, Any] | None:
    """A pending curation's journal, checked as a run's is, or None."""
    path = results_dir / CURATION_JOURNAL
    if not path.exists():
        return None
    pending = _journal_json(path)
    if not isinstance(pending, dict) or not all(isinstance(pending.get(k), list) for k in ("runs", "moves", "removes")):
        raise SummaryError(f"{path}: not a pending curation (runs, moves, removes); {_JOURNAL_FIX}")
    names = [
        *pending["removes"],
        *(name for move in pending["moves"] for name in (move if isinstance(move, list) else [move])),
    ]
    if any(not isinstance(move, list) or len(move) != 2 for move in pending["moves"]):
        raise SummaryError(f"{path}: a move is not an [old, new] pair; {_JOURNAL_FIX}")
    for position, row in enumerate(pending["runs"]):
        missing = [key for key in REQUIRED_ROW_FIELDS if not isinstance(row, dict) or key not in row]
        problem = f"lacks {', '.join(missing)}" if missing else row_problem(row)
        if problem:
            raise SummaryError(f"{path}: run {position}: {problem}; {_JOURNAL_FIX}")
    for name in names:
        if unsafe_name(name):
            raise SummaryError(f"{path}: {unsafe_name(name)}; {_JOURNAL_FIX}")
    return pending


_JOURNAL_FIX = "a journal is written by this project only; move it away to drop what it would finish"


def _journal_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as error:
        raise SummaryError(f"{path}: not readable JSON ({' '.join(str(error).split())}); {_JOURNAL_FIX}") from None


def apply_curation(results_dir: Path, write_summary: Callable[..., None]) -> None:
    """Finish a committed curation: folders moved and removed (each step repeatable), then the rows written."""
    pending = read_curation_journal(results_dir)
    if pending is None:
        return
    for position, (old, new) in enumerate(pending["moves"]):
        source, target = results_dir / old, results_dir / new
        if (source.exists() or source.is_symlink()) and not (target.exists() or target.is_symlink()):
            os.replace(source, target)
        if position == 0:
            fault_point("curation moved one")
    for name in pending["removes"]:
        remove(results_dir / name)
    summary = load_summary(results_dir)
    write_summary(results_dir, pending["runs"], summary, keep_environment=True)
    fault_point("curation summary written")
    (results_dir / CURATION_JOURNAL).unlink()


def promote(run_folder: Path) -> None:
    """runs/NAME/in-progress's model and live files in place of the previous run's; repeatable after a kill."""
    live = run_folder / IN_PROGRESS
    if live.is_symlink() or not live.is_dir():
        return
    for name in PROMOTED:
        source, target = live / name, run_folder / name
        if not source.exists():
            continue
        aside = run_folder / f".{name}.replaced"
        remove(aside)
        if target.exists() or target.is_symlink():
            os.replace(target, aside)
        os.replace(source, target)
        remove(aside)
        if name == "model":
            fault_point("model promoted")
    remove(live)


def remove(path: Path) -> None:
    """A file, a folder or a link (never what a link points to), gone; nothing where nothing is."""
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.exists():
        shutil.rmtree(path, ignore_errors=True)


def clear_leftovers(results_dir: Path) -> None:
    """What a killed writer left: temporary files of the files written under the lock (``.summary.json.k2j3h4g5``,
    a study's ``.trials.json.…``), and a run's claim on its name that no process holds any more."""
    for name in (*REPORT_FILES, *STUDY_FILES, JOURNAL, CURATION_JOURNAL):
        for leftover in results_dir.glob(f".{name}.*"):
            if leftover.is_file() and not leftover.name.endswith((".staging", ".replaced")):
                leftover.unlink(missing_ok=True)
    for leftover in (results_dir / "figures").glob(".*.png.*"):
        leftover.unlink(missing_ok=True)
    for claim in results_dir.glob(".*.running"):  # a run's claim on its name, left by a killed run: no one holds it
        lock = FileLock(claim)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            continue
        claim.unlink(missing_ok=True)
        lock.release()


def fault_point(name: str) -> None:
    """Die here, as a power cut would, when ``LK_KILL_AT`` names this point: how the kill tests reach every step."""
    if os.environ.get("LK_KILL_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
