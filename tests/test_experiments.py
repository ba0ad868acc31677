"""Every configuration in the registry is one case of one train test (``-k NAME`` runs one).

A hypothesis the committed results refuted stays as declared and becomes a strict xfail
whose reason is the evidence: the suite is green when every run reproduces its recorded
outcome, and a refuted hypothesis that suddenly holds (XPASS) fails it.
"""

import json
import os
from pathlib import Path

import pytest

from experiments.evaluation.measurements import MEASURES
from experiments.evaluation.models import TINY_GPT2
from experiments.registry import CONFIGS, HISTORY, HISTORY_RUNS, REGISTRY, REWORDED, VERDICTS
from experiments.reporting.record import RunRecord
from experiments.runner import run_experiment

RESULTS = Path(__file__).resolve().parent.parent / "results"
# Both wings' committed rows: today's lessons in results/, the history in results/history/.
COMMITTED = (RESULTS / "summary.json", RESULTS / HISTORY / "summary.json")


class HypothesisRefuted(AssertionError):
    """The run's verdict is not the one its entry declared; only this failure turns into an expected one."""


def recorded_runs() -> dict:
    return {run["name"]: run for path in COMMITTED if path.exists() for run in json.loads(path.read_text())["runs"]}


def refuted_mark(config, recorded: dict):
    """A strict xfail carrying the committed run's verdict and failed guards; None if it held or never ran.

    Runs are found by name. A hypothesis reworded since its run is declared in REWORDED, and
    test_a_reworded_hypothesis_is_declared fails until it is: the wording never silently changes an expectation.
    """
    run = recorded.get(config.name)
    if run is None or run["hypothesis_held"]:
        return None
    failed = [guard for guard, held in run["guards"].items() if not held]
    return pytest.mark.xfail(
        strict=True,
        raises=HypothesisRefuted,
        reason=f"refuted in the committed run: verdict {run['verdict']}, expected {config.expect}; "
        f"failed guards: {', '.join(failed) or 'none'}; share {RunRecord.from_dict(run).before.share:.2f}→"
        f"{RunRecord.from_dict(run).after.share:.2f}",
    )


def _marks(config, recorded: dict):
    marks = [pytest.mark.train]
    marks += [pytest.mark.long] if config.long or config.name in HISTORY_RUNS else []
    marks += [pytest.mark.history] if config.name in HISTORY_RUNS else []  # pytest -m history --run-long
    marks += [pytest.mark.gpu] if config.on_gpu else []
    refuted = refuted_mark(config, recorded)
    return marks + [refuted] if refuted else marks


RECORDED = recorded_runs()


PLUMBING = [c for c in CONFIGS if c.model == TINY_GPT2]


@pytest.mark.parametrize(
    "config", [pytest.param(c, id=c.name, marks=_marks(c, RECORDED)) for c in CONFIGS if c not in PLUMBING]
)
def test_configuration_meets_its_hypothesis(config, experiment_options, capsys):
    with capsys.disabled():
        record = run_experiment(config, **experiment_options)
    assert record.num_processes == int(os.environ.get("WORLD_SIZE", 1)), "accelerate processes were not all used"
    if not record.hypothesis_held:
        caught = f" caught by {' or '.join(config.caught_by)}" if config.caught_by else ""
        raise HypothesisRefuted(
            f"hypothesis refuted: {config.hypothesis!r} expected {config.expect!r}{caught}, got {record.verdict!r} "
            f"(share {record.before.share:.2f}→{record.after.share:.2f}, guards {record.guards})"
        )


@pytest.mark.train
@pytest.mark.fast
@pytest.mark.parametrize("config", PLUMBING, ids=[c.name for c in PLUMBING])
def test_smoke_runs_the_whole_pipeline(config, experiment_options, capsys):
    """A random two-layer model predicts no behaviour; the smoke run checks the plumbing: files, a complete record, a verdict."""
    with capsys.disabled():
        record = run_experiment(config, **experiment_options)
    assert record.num_processes == int(os.environ.get("WORLD_SIZE", 1)), "accelerate processes were not all used"
    steps = experiment_options["steps"] or config.steps
    assert record.verdict in VERDICTS and record.training.steps_trained == steps
    assert set(record.guards) >= {"ref_ppl", "distinct2", "repeat3", "relevance", "template", "loops", "frame"}
    for name in MEASURES:
        for when in (record.before, record.after):
            assert getattr(when, name) is not None, f"{name} missing from the record"
    if int(os.environ.get("RANK", 0)) == 0 and experiment_options["results_dir"] is not None:
        folder = Path(experiment_options["results_dir"]) / record.name
        for name in ("metrics.jsonl", "completions.jsonl", "samples.md", "answers.json"):
            assert (folder / name).stat().st_size > 0, f"{name} was not written"
        row = next(
            r for r in json.loads((folder.parent / "summary.json").read_text())["runs"] if r["name"] == record.name
        )
        assert row["verdict"] == record.verdict and row["training"]["steps_trained"] == steps


@pytest.mark.fast
def test_a_reworded_hypothesis_is_declared():
    """A committed run is found by its name; if its entry's hypothesis now reads otherwise, REWORDED must say so."""
    silent = [
        name
        for name, run in RECORDED.items()
        if name in REGISTRY
        and run["hypothesis"] != REGISTRY[name].hypothesis
        and REWORDED.get(REGISTRY[name].family or name) != run["hypothesis"]
    ]
    assert not silent, f"hypotheses reworded since their committed runs without an entry in REWORDED: {silent}"
