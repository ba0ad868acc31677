"""Every configuration in the registry is one case of one train test (``-k NAME`` runs one).

A hypothesis the committed results refuted stays as declared and becomes a strict xfail
whose reason is the evidence: the suite is green when every run reproduces its recorded
outcome, and a refuted hypothesis that suddenly holds (XPASS) fails it.
"""

import json
import os
from pathlib import Path

import pytest

from experiments.configs import CONFIGS
from experiments.models import TINY_GPT2
from experiments.runner import run_experiment

COMMITTED = Path(__file__).resolve().parent.parent / "results" / "summary.json"


class HypothesisRefuted(AssertionError):
    """The run's verdict is not the one its entry declared; only this failure turns into an expected one."""


def recorded_runs() -> dict:
    return {run["name"]: run for run in json.loads(COMMITTED.read_text())["runs"]} if COMMITTED.exists() else {}


def refuted_mark(config, recorded: dict):
    """A strict xfail carrying the committed run's verdict and failed guards; None if it held, never ran, or ran as another entry."""
    run = recorded.get(config.name)
    if run is None or run["hypothesis_held"] or run["hypothesis"] != config.hypothesis:
        return None
    failed = [guard for guard, held in run["guards"].items() if not held]
    return pytest.mark.xfail(
        strict=True,
        raises=HypothesisRefuted,
        reason=f"refuted in the committed run: verdict {run['verdict']}, expected {config.expect}; "
        f"failed guards: {', '.join(failed) or 'none'}; share {run['share_before']:.2f}→{run['share_after']:.2f}",
    )


def _marks(config, recorded: dict):
    if config.model == TINY_GPT2:
        marks = [pytest.mark.train, pytest.mark.fast]
    else:
        marks = [pytest.mark.train, pytest.mark.long] if config.long else [pytest.mark.train]
        marks += [pytest.mark.gpu] if config.on_gpu else []
    refuted = refuted_mark(config, recorded)
    return marks + [refuted] if refuted else marks


RECORDED = recorded_runs()


@pytest.mark.parametrize("config", [pytest.param(c, id=c.name, marks=_marks(c, RECORDED)) for c in CONFIGS])
def test_configuration_meets_its_hypothesis(config, experiment_options, capsys):
    with capsys.disabled():
        record = run_experiment(config, **experiment_options)
    assert record.num_processes == int(os.environ.get("WORLD_SIZE", 1)), "accelerate processes were not all used"
    if record.verdict != config.expect:
        raise HypothesisRefuted(
            f"hypothesis refuted: {config.hypothesis!r} expected {config.expect!r}, got {record.verdict!r} "
            f"(share {record.share_before:.2f}→{record.share_after:.2f}, guards {record.guards})"
        )
