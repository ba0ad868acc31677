"""``python -m experiments.report``: redraw summary.md, runs.md and the figures from summary.json.

The command only: the renderer is experiments/reporting/summary.py, publishing experiments/reporting/publish.py.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from experiments.cli import one_line_errors, parse
from experiments.files import FolderError, check_writable_folder
from experiments.reporting.curation import import_runs, remove_run, rename_family
from experiments.reporting.findings import machine_differences
from experiments.reporting.publish import refresh_summary
from experiments.reporting.record import RunRecord
from experiments.reporting.rejudge import rejudge_summary
from experiments.training.checks import check_name

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


def check_results_folder(path: Path, role: str = "results folder") -> None:
    """An existing, writable folder, or a FolderError: a typo must not create an empty report elsewhere."""
    if not path.exists():
        raise FolderError(f"{role} {path} does not exist; pass --results_dir with the folder that holds summary.json")
    check_writable_folder(path, role, "pass --results_dir with a writable folder")


def main(argv: list[str] | None = None) -> None:
    options, _ = parse(ReportOptions, argv, ReportOptions.__doc__)
    results_dir = Path(options.results_dir)
    with one_line_errors():
        check_results_folder(results_dir)
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
        elif options.rename is not None:
            old, _, new = options.rename.partition("=")
            summary = rename_family(results_dir, check_name(old), check_name(new))
            log.info(f"renamed the runs of {old} to {new}")
        elif options.remove is not None:
            summary = remove_run(results_dir, check_name(options.remove))
            log.info(f"removed {options.remove}: its row and {results_dir / options.remove}")
        else:
            summary = refresh_summary(results_dir)
    runs = [RunRecord.from_dict(row) for row in summary["runs"]]
    log.info(
        f"{results_dir / 'summary.md'}: {len((results_dir / 'summary.md').read_text().splitlines())} lines, {len(runs)} runs"
    )
    for difference in machine_differences(runs):
        log.info(
            f"note: this machine differs from the one that produced these results ({difference}); a rerun may not reproduce them"
        )


if __name__ == "__main__":
    main()
