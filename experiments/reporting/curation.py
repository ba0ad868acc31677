"""Curating a results folder by hand: runs imported from another folder, a row removed, an entry renamed.

Each goes through publish.py's lock and journal (``publish_run``, ``refresh_summary``), so a curated
folder is as consistent as one written by runs; ``python -m experiments.report`` exposes them.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
from pathlib import Path
from typing import Any

from experiments.files import inside
from experiments.registry import REGISTRY
from experiments.reporting.publish import publish_run, refresh_summary
from experiments.reporting.record import RunRecord
from experiments.reporting.summary_file import SummaryError, load_summary


def import_runs(source_dir: Path, results_dir: Path, names: set[str]) -> list[str]:
    """Publish runs that a registry run wrote into another results folder (a second lane, another checkout) into
    ``results_dir``: the row as recorded and the run's files, each through ``publish_run``. Only runs of the registry,
    under their declared hypothesis, are taken; the names taken are returned."""
    taken = []
    for row in load_summary(source_dir)["runs"]:
        entry = REGISTRY.get(row["name"])
        if row["name"] not in names or entry is None or entry.hypothesis != row["hypothesis"]:
            continue
        folder = source_dir / row["name"]
        # The run's own text files; its figure (probe.png) is drawn again here by the report.
        files = {
            path.name: path.read_text(encoding="utf-8")
            for path in folder.iterdir()
            if path.is_file() and path.suffix != ".png"
        }
        record = RunRecord.from_dict(row)
        # Judged against its entry as declared today (a lane may run code from before a rule was encoded).
        held = entry.held_by(record.verdict, record.guards)
        publish_run(results_dir, dataclasses.replace(record, hypothesis_held=held), files, draw=False)
        taken.append(row["name"])
    return taken


def remove_run(results_dir: Path, name: str) -> dict[str, Any]:
    """summary.json without ``name``'s row, its folder deleted and the report redrawn: the one way a row goes."""

    def without(summary: dict[str, Any]) -> list[dict[str, Any]]:
        if name not in {row["name"] for row in summary["runs"]}:
            raise SummaryError(f"{results_dir / 'summary.json'}: no run named {name!r}; nothing removed")
        shutil.rmtree(inside(results_dir, results_dir / name), ignore_errors=True)
        return [row for row in summary["runs"] if row["name"] != name]

    return refresh_summary(results_dir, without)


def rename_family(results_dir: Path, old: str, new: str) -> dict[str, Any]:
    """Every run of entry ``old`` (``old``, ``old-seedN``) renamed to entry ``new``, rows and folders, under the lock:
    for an entry whose name a new entry takes, while its runs stay as history. Nothing else in a row changes."""

    def renamed(summary: dict[str, Any]) -> list[dict[str, Any]]:
        names = {row["name"] for row in summary["runs"]}
        rows = []
        for row in summary["runs"]:
            family = row.get("config") or re.sub(r"-seed\d+$", "", row["name"])  # older rows name no entry
            if family == old:
                name = new + row["name"][len(old) :]
                if name in names:
                    raise SummaryError(
                        f"{results_dir / 'summary.json'}: a run named {name!r} is there already; nothing renamed"
                    )
                if (results_dir / row["name"]).is_dir():
                    os.replace(inside(results_dir, results_dir / row["name"]), inside(results_dir, results_dir / name))
                row = {**row, "name": name, "config": new}
            rows.append(row)
        return rows

    return refresh_summary(results_dir, renamed)
