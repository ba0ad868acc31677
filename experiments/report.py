"""``python -m experiments.report``: redraw summary.md, runs.md and the figures from summary.json.

The command only: the renderer is experiments/reporting/summary.py, publishing experiments/reporting/publish.py.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from experiments.cli import one_line_errors, parse
from experiments.files import FolderError, check_writable_folder
from experiments.registry import HISTORY
from experiments.reporting.curation import follow_wings, import_runs, remove_run, rename_family
from experiments.reporting.findings import machine_differences
from experiments.reporting.journal import check_summary_readable
from experiments.reporting.publish import refresh_summary
from experiments.reporting.record import RunRecord
from experiments.reporting.rejudge import rejudge_summary
from experiments.reporting.results_folder import read_results
from experiments.training.checks import ConfigError, check_name

log = logging.getLogger("experiments.report")  # not __name__: run as __main__ by python -m


@dataclass
class ReportOptions:
    """``python -m experiments.report [--results_dir results]``: redraw summary.md, runs.md and the figures from summary.json."""

    results_dir: str = str(Path(__file__).resolve().parent.parent / "results")
    import_from: str | None = field(
        default=None,
        metadata={
            "help": "first publish the registry runs recorded in this other results folder (a second lane's) here"
        },
    )
    runs: str = field(default="", metadata={"help": "with --import_from: the run names to take, comma-separated"})
    rejudge: bool = field(
        default=False,
        metadata={
            "help": "apply the per-answer guards (loops, frame) and the clean share to runs recorded before them, "
            "from their answers.json; the verdicts replaced are kept and listed"
        },
    )
    rename: str | None = field(
        default=None,
        metadata={"help": "OLD=NEW: rename every run of entry OLD (rows and folders) to entry NEW"},
    )
    remove: str | None = field(
        default=None,
        metadata={"help": "remove this run's row from summary.json and its folder (no other command drops a row)"},
    )
    follow_wings: bool = field(
        default=False,
        metadata={
            "help": "move each registry run's row and folder to its entry's wing: results/history/ for an entry under "
            "experiments/registry/history/, results/ for today's lessons (after an entry's module moved)"
        },
    )


def check_results_folder(path: Path, role: str = "results folder", importing: bool = False) -> None:
    """An existing, writable folder that holds a summary.json (or, for an import, is empty), whose files the report
    can read; or a FolderError: a typo must not create a report elsewhere, nor a damaged file end it halfway."""
    if not path.exists():
        raise FolderError(f"{role} {path} does not exist; pass --results_dir with the folder that holds summary.json")
    check_writable_folder(path, role, "pass --results_dir with a writable folder")
    if not (path / "summary.json").exists() and not (importing and path.is_dir() and not any(path.iterdir())):
        raise FolderError(
            f"{role} {path} holds no summary.json, so it is no results folder; pass --results_dir with the folder that "
            "holds one (an import may also go into an empty folder)"
        )
    check_summary_readable(path)


def chosen_action(options: ReportOptions) -> None:
    """One action a call: two (``--rejudge --remove``) once ran the first and silently ignored the second."""
    given = [
        flag
        for flag, value in (
            ("--import_from", options.import_from),
            ("--rejudge", options.rejudge or None),
            ("--rename", options.rename),
            ("--remove", options.remove),
            ("--follow_wings", options.follow_wings or None),
        )
        if value is not None
    ]
    if len(given) > 1:
        raise ConfigError(f"one action at a time: {' and '.join(given)}; run them one after the other")


def renaming(text: str) -> tuple[str, str]:
    """``--rename OLD=NEW`` as two names, or a ConfigError naming what is wrong with it."""
    old, equals, new = text.partition("=")
    if not equals or not old or not new:
        raise ConfigError(f"--rename takes OLD=NEW, got {text!r}")
    if old == new:
        raise ConfigError(f"--rename {text}: OLD and NEW are one name; nothing to rename")
    return check_name(old), check_name(new)


def main(argv: list[str] | None = None) -> None:
    options, _ = parse(ReportOptions, argv, ReportOptions.__doc__)
    results_dir = Path(options.results_dir)
    with one_line_errors():
        chosen_action(options)
        renamed = renaming(options.rename) if options.rename is not None else None
        removed = check_name(options.remove) if options.remove is not None else None
        check_results_folder(results_dir, importing=options.import_from is not None)
        if options.import_from is not None:
            source = Path(options.import_from)
            if not (source / "summary.json").is_file():
                raise FolderError(
                    f"--import_from {source}: no summary.json there; name a results folder another lane wrote"
                )
            wanted = {name for name in options.runs.split(",") if name}
            taken = import_runs(Path(options.import_from), results_dir, wanted)
            log.info(f"imported from {options.import_from}: {', '.join(taken) or 'nothing'}")
        if options.rejudge:
            changed: list[str] = []

            def rejudge(summary: dict) -> list[dict]:
                runs, names = rejudge_summary(summary, results_dir)
                changed.extend(names)
                return runs

            summary = refresh_summary(results_dir, rejudge)
            log.info(f"rejudged by every guard; changed: {'; '.join(changed) or 'nothing'}")
        elif renamed is not None:
            summary = rename_family(results_dir, *renamed)
            log.info(f"renamed the runs of {renamed[0]} to {renamed[1]}")
        elif removed is not None:
            summary = remove_run(results_dir, removed)
            log.info(f"removed {removed}: its row and {results_dir / removed}")
        elif options.follow_wings:
            for way, names in follow_wings(results_dir).items():
                log.info(f"moved {way}: {', '.join(names) or 'nothing'}")
            summary = read_results(results_dir)  # each move's curation has redrawn both wings' reports
        else:
            summary = refresh_summary(results_dir)
        if (results_dir / HISTORY / "summary.json").is_file() and not options.follow_wings:
            check_summary_readable(results_dir / HISTORY)
            refresh_summary(results_dir / HISTORY)  # the report reads both wings: the history's page is redrawn too
            log.info(f"{results_dir / HISTORY / 'summary.md'}: the history wing, redrawn")
    runs = [RunRecord.from_dict(row) for row in summary["runs"]]
    log.info(
        f"{results_dir / 'summary.md'}: {len((results_dir / 'summary.md').read_text(encoding='utf-8').splitlines())} lines, {len(runs)} runs"
    )
    for difference in machine_differences(runs):
        log.info(
            f"note: this machine differs from the one that produced these results ({difference}); a rerun may not reproduce them"
        )


if __name__ == "__main__":
    main()
