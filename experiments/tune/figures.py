"""Optuna's own figures of a study, as PNG under results/figures/tune-STUDY-*.png: the optimisation history, the
levers' importances, and a slice for each of the most important levers, once the study has enough complete trials."""

from __future__ import annotations

import logging
import warnings
from io import BytesIO
from pathlib import Path
from typing import Any

import optuna
from optuna.trial import TrialState

from experiments.files import atomic_write_bytes

log = logging.getLogger(__name__)
MIN_COMPLETE = 5  # fewer complete trials say nothing about importances
SLICES = 3  # a slice for each of the most important levers


def draw_study_figures(study: optuna.Study, figures_dir: Path) -> list[Path]:
    """The figures drawn (none, with a line saying why, before the study has MIN_COMPLETE complete trials)."""
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if len(complete) < MIN_COMPLETE:
        log.info(
            f"figures: study {study.study_name} has {len(complete)} complete trials; Optuna's figures are drawn from "
            f"{MIN_COMPLETE}"
        )
        return []
    import matplotlib

    matplotlib.use("Agg")
    from optuna.visualization import matplotlib as plots

    stem = figures_dir / f"tune-{study.study_name}"  # the names the study's page shows (tune_table.figure_names)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        drawn = [_saved(plots.plot_optimization_history(study), Path(f"{stem}-history.png"))]
        try:
            importances = optuna.importance.get_param_importances(study)
        except (RuntimeError, ValueError) as error:
            log.info(f"figures: no importances for study {study.study_name} ({error})")
            return drawn
        drawn.append(_saved(plots.plot_param_importances(study), Path(f"{stem}-importances.png")))
        for lever in list(importances)[:SLICES]:
            drawn.append(_saved(plots.plot_slice(study, params=[lever]), Path(f"{stem}-slice-{lever}.png")))
    log.info(f"figures: {', '.join(str(path) for path in drawn)}")
    return drawn


def _saved(axes: Any, path: Path) -> Path:
    """One figure written whole (atomically), and closed."""
    import matplotlib.pyplot as plt

    figure = axes.figure if hasattr(axes, "figure") else axes.flat[0].figure
    buffer = BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight", dpi=100)
    plt.close(figure)
    atomic_write_bytes(path, buffer.getvalue())
    return path
