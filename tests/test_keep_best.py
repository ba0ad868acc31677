"""keep="best" and patience (issue 52): the weights at the best probe reading, and a run ended when it stops improving."""

import dataclasses

import pytest
import torch

from experiments.cli import ConfigError
from experiments.registry import REGISTRY
from experiments.training.best_weights import BestWeights
from experiments.training.checks import validate_experiment
from experiments.training.stop_rules import ProbeReading, StopRules

pytestmark = pytest.mark.fast


def reading(step: int, share: float, clean: float, loops: float = 0.0, frame: float = 0.0) -> ProbeReading:
    return ProbeReading(step, share, loops, frame, "", clean, (), 0.1)


def test_the_weights_of_the_best_reading_are_put_back():
    model = torch.nn.Linear(2, 2)
    frozen = torch.nn.Linear(2, 2)
    model.bias.requires_grad_(False)
    best = BestWeights()
    assert best.offer(model, reading(10, 0.4, 0.5))
    kept = model.weight.detach().clone()
    with torch.no_grad():
        model.weight.add_(1.0)
    assert not best.offer(model, reading(20, 0.9, 0.0, frame=1.0)), "a canned frame ranks under clean answers"
    best.restore(model)
    assert torch.equal(model.weight, kept) and best.step == 10
    assert set(best.weights) == {"weight"}, "only weights that train are copied"
    del frozen


def test_patience_ends_a_run_whose_probe_stopped_improving():
    rules = StopRules(enabled=True, arrival="training", patience=2)
    assert rules.after_probe(reading(5, 0.3, 0.2)) is None
    assert rules.after_probe(reading(10, 0.4, 0.3)) is None  # better: the count starts again
    assert rules.after_probe(reading(15, 0.4, 0.1)) is None
    assert rules.after_probe(reading(20, 0.2, 0.1)) is not None
    assert rules.reason == "patience"


def test_no_patience_never_stops_on_readings():
    rules = StopRules(enabled=True, arrival="training")
    assert all(rules.after_probe(reading(step, 0.1, 0.0)) is None for step in range(5, 100, 5))


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"keep": "best", "probe_every": 0}, "probe_every is 0"),
        ({"patience": 3, "probe_every": 0}, "probe_every is 0"),
        ({"keep": "first"}, "keep must be one of"),
        ({"patience": 0}, "patience must be a whole number"),
        ({"greedy_members": 4}, "greedy_members (4) must be fewer than num_generations (4)"),
        ({"greedy_members": -1}, "greedy_members must be a whole number"),
        ({"cold_temperature": 0.0}, "cold_temperature must be a number in (0, 2]"),
    ],
)
def test_bad_keep_patience_and_greedy_members_are_refused_in_one_line(changes, message):
    with pytest.raises(ConfigError, match=None) as refused:
        validate_experiment(dataclasses.replace(REGISTRY["smoke"], **changes))
    assert message in str(refused.value) and "\n" not in str(refused.value)


def test_a_kept_run_records_its_kept_step_and_every_reading():
    from experiments.training.stages import quiet_trainer

    entry = dataclasses.replace(REGISTRY["smoke"], steps=4, keep="best", probe_every=2)
    trainer, recorder = quiet_trainer(entry, probe_every=2)
    trainer.train()
    outcome = recorder.outcome(1.0)
    assert outcome.kept_step in (2, 4)
    assert [r["step"] for r in outcome.probe_readings] == [2, 4]
