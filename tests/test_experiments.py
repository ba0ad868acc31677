"""Every configuration in the registry is one case of one train test (``-k NAME`` runs one)."""

import os

import pytest

from experiments.configs import CONFIGS
from experiments.models import TINY_GPT2
from experiments.runner import run_experiment


def _marks(config):
    if config.model == TINY_GPT2:
        return [pytest.mark.train, pytest.mark.fast]
    marks = [pytest.mark.train, pytest.mark.long] if config.long else [pytest.mark.train]
    return marks + [pytest.mark.gpu] if config.on_gpu else marks


@pytest.mark.parametrize("config", [pytest.param(c, id=c.name, marks=_marks(c)) for c in CONFIGS])
def test_configuration_meets_its_hypothesis(config, experiment_options, capsys):
    with capsys.disabled():
        record = run_experiment(config, **experiment_options)
    assert record["num_processes"] == int(os.environ.get("WORLD_SIZE", 1)), "accelerate processes were not all used"
    assert record["verdict"] == config.expect, (
        f"hypothesis refuted: {config.hypothesis!r} expected {config.expect!r}, got {record['verdict']!r} "
        f"(share {record['share_before']:.2f}→{record['share_after']:.2f}, guards {record['guards']})"
    )
