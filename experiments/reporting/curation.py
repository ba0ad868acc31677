"""Curating a results folder by hand: runs imported from another folder, a row removed, an entry renamed.

Each goes through publish.py's lock and journal (``publish_run``, ``curate``), so a curated
folder is as consistent as one written by runs; ``python -m experiments.report`` exposes them.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from experiments.files import unsafe_name
from experiments.registry import HISTORY, HISTORY_RUNS, REGISTRY
from experiments.reporting.journal import check_run_files
from experiments.reporting.publish import Curation, curate, publish_run
from experiments.reporting.record import RunRecord
from experiments.reporting.summary_file import SummaryError, load_summary
from experiments.training.checks import ConfigError


def import_runs(source_dir: Path, results_dir: Path, names: set[str]) -> list[str]:
    """Publish runs that a registry run wrote into another results folder (a second lane, another checkout) into
    ``results_dir``: the row as recorded and the run's files, each through ``publish_run``. Only runs of the registry,
    under their declared hypothesis, are taken; the names taken are returned."""
    rows = load_summary(source_dir)["runs"]
    check_wanted(source_dir, rows, names)
    taken = []
    for row in rows:
        entry = REGISTRY.get(row["name"])
        if row["name"] not in names or entry is None or entry.hypothesis != row["hypothesis"]:
            continue
        folder = source_dir / row["name"]
        check_run_files(folder, row)  # read as the report will read them here, before anything is published
        # The run's own text files; its figure (probe.png) is drawn again here by the report.
        files = {path.name: _text(path) for path in folder.iterdir() if path.is_file() and path.suffix != ".png"}
        record = RunRecord.from_dict(row)
        # Judged against its entry as declared today (a lane may run code from before a rule was encoded).
        held = entry.held_by(record.verdict, record.guards)
        publish_run(results_dir, dataclasses.replace(record, hypothesis_held=held), files, draw=False)
        taken.append(row["name"])
    return taken


def check_wanted(source_dir: Path, rows: list[dict[str, Any]], names: set[str]) -> None:
    """Refuse, before anything is published, an import that names no run or a run the source has no row of (``--runs
    smok``, a typo, once imported nothing and wrote an empty summary into an empty folder), naming each one."""
    if not names:
        raise ConfigError("--import_from takes the runs named by --runs NAME,NAME; none named, nothing imported")
    found = [row["name"] for row in rows]
    missing = sorted(names - set(found))
    if missing:
        raise ConfigError(
            f"--runs: no run named {', '.join(map(repr, missing))} in {source_dir / 'summary.json'} (its runs: "
            f"{', '.join(found[:20]) or 'none'}{' …' if len(found) > 20 else ''}); nothing imported"
        )


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise SummaryError(f"{path}: not valid UTF-8 (byte {error.start}); an imported run's files are text") from None


def remove_run(results_dir: Path, name: str) -> dict[str, Any]:
    """summary.json without ``name``'s row, its folder deleted and the report redrawn: the one way a row goes.
    Journalled: a remove killed halfway is finished by the next command."""

    def without(summary: dict[str, Any]) -> Curation:
        if name not in {row["name"] for row in summary["runs"]}:
            raise SummaryError(f"{results_dir / 'summary.json'}: no run named {name!r}; nothing removed")
        return Curation([row for row in summary["runs"] if row["name"] != name], removes=[name])

    return curate(results_dir, without)


def rename_family(results_dir: Path, old: str, new: str) -> dict[str, Any]:
    """Every run of entry ``old`` (``old``, ``old-seedN``) renamed to entry ``new``, rows and folders, under the lock:
    for an entry whose name a new entry takes, while its runs stay as history. Nothing else in a row changes.

    A run of the entry is known by its name, never by its ``config`` alone: an exploration based on ``old`` (which older
    code recorded with ``config`` ``old``) is its own entry and keeps its name. Journalled as a run's publish is.
    """

    def renamed(summary: dict[str, Any]) -> Curation:
        names = {row["name"] for row in summary["runs"]}
        rows, moves = [], []
        for row in summary["runs"]:
            seed = re.fullmatch(rf"{re.escape(old)}(-seed\d+)?", row["name"])
            if seed:
                name = new + (seed.group(1) or "")
                if unsafe_name(name):
                    raise SummaryError(f"--rename {old}={new}: run {unsafe_name(name)}")
                if name in names or (results_dir / name).exists():
                    raise SummaryError(
                        f"{results_dir / 'summary.json'}: a run or folder named {name!r} is there already; nothing renamed"
                    )
                if (results_dir / row["name"]).is_dir():
                    moves.append((row["name"], name))
                row = {**row, "name": name, "config": new}
            rows.append(row)
        if not moves and rows == summary["runs"]:
            raise SummaryError(f"{results_dir / 'summary.json'}: no run of entry {old!r}; nothing renamed")
        return Curation(rows, moves=moves)

    return curate(results_dir, renamed)


def follow_wings(results_root: Path) -> dict[str, list[str]]:
    """Every registry run's row and folder moved to the wing its entry lives in today: a run of an entry under
    experiments/registry/history/ into ``results_root/history``, a run of today's lessons back into ``results_root``.
    For the day a new baseline is adopted and the old lessons move to the history wing: move their modules, then run
    ``python -m experiments.report --follow_wings``. The names moved each way are returned."""
    history = results_root / HISTORY
    return {
        "to the history": _move_rows(results_root, history, lambda name: name in HISTORY_RUNS),
        "to today's lessons": _move_rows(
            history, results_root, lambda name: name in REGISTRY and name not in HISTORY_RUNS
        ),
    }


def _move_rows(source: Path, target: Path, belongs: Callable[[str], bool]) -> list[str]:
    """The rows ``belongs`` picks, moved whole from ``source`` into ``target``: first added to ``target`` (each folder
    copied to a staging name, then one journalled curation renames it in and adds the row exactly as recorded), then
    removed from ``source`` by a second journalled curation. A move killed between the two is finished by the next
    call: a row ``target`` already holds unchanged is not copied again. Copies are byte for byte, so git sees a rename."""
    if not (source / "summary.json").exists():
        return []
    rows = [row for row in load_summary(source)["runs"] if belongs(row["name"])]
    if not rows:
        return []
    target.mkdir(exist_ok=True)

    def added(summary: dict[str, Any]) -> Curation:
        held = {row["name"]: row for row in summary["runs"]}
        clashes = [row["name"] for row in rows if row["name"] in held and held[row["name"]] != row]
        if clashes:
            raise SummaryError(
                f"{target / 'summary.json'} and {source / 'summary.json'} both hold a different run named "
                f"{clashes[0]!r}; remove one (--remove) before the wings are followed; nothing moved"
            )
        new = [row for row in rows if row["name"] not in held]
        moves = []
        for row in new:
            if (source / row["name"]).is_dir():
                staging = f"{row['name']}.incoming"  # a journal names no hidden folder; a leftover is replaced
                shutil.rmtree(target / staging, ignore_errors=True)
                shutil.copytree(source / row["name"], target / staging, symlinks=True)
                moves.append((staging, row["name"]))
        return Curation(summary["runs"] + new, moves=moves)

    def removed(summary: dict[str, Any]) -> Curation:
        names = {row["name"] for row in rows}
        return Curation([row for row in summary["runs"] if row["name"] not in names], removes=sorted(names))

    curate(target, added)
    curate(source, removed)
    return [row["name"] for row in rows]
