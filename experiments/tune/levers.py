"""The levers a study searches: the declared space (experiments/registry/search_space.py), narrowed, widened or fixed
from the command line (``--lever NAME=LOW:HIGH``, ``--lever NAME=a,b,c``), each as an Optuna distribution.

Every value a lever can take is checked against the base entry before any model loads: an unknown lever, an empty
range, or a value the run would refuse (a GRPOConfig TRL rejects, too few prompts a step) ends in one line.
"""

from __future__ import annotations

import dataclasses
import difflib
from typing import Any

from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from optuna.trial import Trial

from experiments.cli import ConfigError
from experiments.registry.experiment import Experiment
from experiments.registry.search_space import Lever, configured, lever_value
from experiments.training.checks import check_prompt_count, validate_experiment


def narrowed(levers: dict[str, Lever], specs: list[str], base: str) -> dict[str, Lever]:
    """The levers with each ``NAME=LOW:HIGH`` (a range) or ``NAME=a,b,c`` (choices; one value fixes it) applied.

    >>> from experiments.registry.search_space import LEVERS_BY_NAME
    >>> narrowed(dict(LEVERS_BY_NAME), ["beta=0:0.05", "loss_type=dapo"], "baseline")["beta"].high
    0.05
    >>> narrowed(dict(LEVERS_BY_NAME), ["beta=0.2:0.1"], "baseline")
    Traceback (most recent call last):
    ...
    experiments.cli.ConfigError: --lever beta=0.2:0.1: empty range (0.2 > 0.1); give LOW:HIGH with LOW ≤ HIGH
    """
    levers = dict(levers)
    for spec in specs:
        name, equals, text = spec.partition("=")
        if not equals:
            raise ConfigError(f"--lever {spec}: expected NAME=LOW:HIGH or NAME=a,b,c")
        if name not in levers:
            hint = difflib.get_close_matches(name, levers, n=1)
            raise ConfigError(
                f"--lever {spec}: no lever {name!r}{f'; did you mean {hint[0]!r}?' if hint else ''} "
                f"Levers of {base}: {', '.join(levers)}"
            )
        levers[name] = respecified(levers[name], text.strip(), spec)
    return levers


def respecified(lever: Lever, text: str, spec: str) -> Lever:
    """A lever with the range or the choices a ``--lever`` gives it."""
    if not text or not text.strip(",:"):
        raise ConfigError(f"--lever {spec}: empty range; give LOW:HIGH or a,b,c")
    if ":" not in text:
        choices = tuple(dict.fromkeys(choice_value(part) for part in text.split(",") if part.strip()))
        if lever.kind != "categorical":  # a number lever takes numbers: true is no learning rate, though Python reads 1
            numbers = int if lever.kind == "int" else int | float
            wrong = [c for c in choices if isinstance(c, bool) or not isinstance(c, numbers)]
            if wrong:
                kind = "whole numbers" if lever.kind == "int" else "numbers"
                raise ConfigError(f"--lever {spec}: {lever.name} takes {kind}, got {wrong[0]!r}")
        return dataclasses.replace(lever, kind="categorical", low=None, high=None, choices=choices)
    if lever.kind == "categorical":
        raise ConfigError(f"--lever {spec}: {lever.name} is a choice among {lever.describe()}; give a,b,c")
    low_text, _, high_text = text.partition(":")
    low, high = (_number(lever, part.strip(), spec) for part in (low_text, high_text))
    if low > high:
        raise ConfigError(f"--lever {spec}: empty range ({low:g} > {high:g}); give LOW:HIGH with LOW ≤ HIGH")
    if lever.kind == "log" and low <= 0:
        raise ConfigError(f"--lever {spec}: {lever.name} is searched on a log scale; LOW must be > 0")
    return dataclasses.replace(lever, low=low, high=high)


def _number(lever: Lever, text: str, spec: str) -> float:
    try:
        return int(text) if lever.kind == "int" else float(text)
    except ValueError:
        kind = "a whole number" if lever.kind == "int" else "a number"
        raise ConfigError(f"--lever {spec}: expected {kind}, got {text!r}") from None


def choice_value(text: str) -> Any:
    """A choice as typed on the command line: None, true/false, a number, or the word itself.

    >>> [choice_value(t) for t in ("None", "true", "8", "1e-4", "dapo")]
    [None, True, 8, 0.0001, 'dapo']
    """
    word = text.strip()
    if word.lower() == "none":
        return None
    if word.lower() in ("true", "false"):
        return word.lower() == "true"
    for kind in (int, float):
        try:
            return kind(word)
        except ValueError:
            continue
    return word


def only(levers: dict[str, Lever], names: str) -> dict[str, Lever]:
    """The levers named in ``--only a,b`` (every lever when empty); an unknown name is refused."""
    chosen = [name.strip() for name in names.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in levers]
    if unknown:
        raise ConfigError(f"--only {unknown[0]}: no such lever; levers: {', '.join(levers)}")
    return {name: levers[name] for name in chosen} if chosen else levers


def distribution(lever: Lever) -> BaseDistribution:
    """The lever as Optuna's distribution."""
    if lever.kind == "categorical":
        return CategoricalDistribution(lever.choices)
    assert lever.low is not None and lever.high is not None
    if lever.kind == "int":
        return IntDistribution(int(lever.low), int(lever.high))
    return FloatDistribution(float(lever.low), float(lever.high), log=lever.kind == "log")


def suggest(trial: Trial, lever: Lever) -> Any:
    """The trial's value for a lever (the sampler's choice, or an enqueued trial's)."""
    if lever.kind == "categorical":
        return trial.suggest_categorical(lever.name, list(lever.choices))
    assert lever.low is not None and lever.high is not None
    if lever.kind == "int":
        return trial.suggest_int(lever.name, int(lever.low), int(lever.high))
    return trial.suggest_float(lever.name, float(lever.low), float(lever.high), log=lever.kind == "log")


def extremes(lever: Lever) -> tuple[Any, ...]:
    """The values that bound what a lever can take: its range's ends, or every choice."""
    return lever.choices if lever.kind == "categorical" else (lever.low, lever.high)


def check_values(base: Experiment, levers: dict[str, Lever], train_prompts: int) -> None:
    """Every lever at each of its extremes, with the levers fixed to one value (every trial takes those together: two
    reward weights fixed at 0), on the base entry, passes the run's own checks (a one-line refusal here instead of a
    trial that every run refuses)."""
    fixed = {name: extremes(lever)[0] for name, lever in levers.items() if len(set(map(repr, extremes(lever)))) == 1}
    if len(fixed) > 1:
        _check(base, fixed, train_prompts, " ".join(f"--lever {name}={value}" for name, value in fixed.items()))
    for lever in levers.values():
        for value in extremes(lever):
            _check(base, {**fixed, lever.name: value}, train_prompts, f"--lever {lever.name}={value}")


def _check(base: Experiment, values: dict[str, Any], train_prompts: int, shown: str) -> None:
    entry = configured(base, "lever-check", "checked", values)
    try:
        grpo_config = validate_experiment(entry)
        check_prompt_count(entry, train_prompts, grpo_config)
    except ConfigError as error:
        raise ConfigError(f"{shown}: {str(error).removeprefix('lever-check: ')}") from None


def contains(lever: Lever, value: Any) -> bool:
    """Whether a value lies in a lever's range or among its choices (True is not 1, None is not 0).

    >>> from experiments.registry.search_space import LEVERS_BY_NAME as L
    >>> contains(L["frozen_fraction"], None), contains(L["num_generations"], 8.0), contains(L["num_generations"], True)
    (True, True, False)
    """
    if lever.kind == "categorical":
        return any(_same(value, choice) for choice in lever.choices)
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (lever.kind == "int" and isinstance(value, float))
    ):
        return False
    assert lever.low is not None and lever.high is not None
    return lever.low <= value <= lever.high


def _same(value: Any, choice: Any) -> bool:
    if isinstance(value, bool) or isinstance(choice, bool) or value is None or choice is None:
        return value is choice
    return bool(value == choice)


def entry_values(entry: Experiment, levers: dict[str, Lever]) -> tuple[dict[str, Any], list[str]]:
    """A known entry as a trial: its value for each lever that can take it, and the ones left to the sampler."""
    values, left = {}, []
    for name, lever in levers.items():
        value = lever_value(entry, name)
        if contains(lever, value):
            values[name] = value
        else:
            left.append(f"{name}={value}")
    return values, left
