"""Exploratory runs outside the registry: ``python scripts/explore.py NAME [--base baseline] [--FIELD VALUE ...]``.

Every Experiment field is a flag (``--frozen_fraction 0.5``, ``--rewards four_letter_share,distinct_bigrams``),
and any GRPOConfig field too (``--learning_rate 2e-4``); each value is read as its field's declared type, so
``--num_generations many`` is refused in one line before a model loads. Results go to runs/explore/results
(``--results_dir``), models to runs/explore (``--runs_dir``), never to results/; every exploration keeps its row.
A run worth keeping becomes a registry entry in experiments/registry/.
"""

import sys
import typing
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from trl import GRPOConfig  # noqa: E402

from experiments.cli import ConfigError, one_line_errors, parse, typed_value  # noqa: E402
from experiments.registry import REGISTRY, Experiment, variant  # noqa: E402
from experiments.runner import run_experiment  # noqa: E402
from experiments.training.checks import check_name  # noqa: E402

SET_BY_EXPLORE = {"name", "hypothesis", "expect", "grpo", "base", "family", "seeds"}
EXPERIMENT_TYPES = {
    name: kind for name, kind in typing.get_type_hints(Experiment).items() if name not in SET_BY_EXPLORE
}
GRPO_TYPES = typing.get_type_hints(GRPOConfig)


@dataclass
class ExploreOptions:
    """``python scripts/explore.py NAME [--base ENTRY] [--results_dir D] [--runs_dir D] [--FIELD VALUE ...]``."""

    base: str = field(default="baseline", metadata={"help": "the registry entry to vary"})
    results_dir: str = field(
        default="runs/explore/results", metadata={"help": "where the exploration's rows and files go"}
    )
    runs_dir: str = field(default="runs/explore", metadata={"help": "models, live metrics and caches"})


def exploration(base: Experiment, name: str, pairs: list[str]) -> Experiment:
    """The base entry with each ``--FIELD VALUE`` applied, typed by the field it names."""
    if len(pairs) % 2 or not all(key.startswith("--") for key in pairs[::2]):
        raise ConfigError(f"expected --FIELD VALUE pairs after the name, got {' '.join(pairs)!r}")
    top, grpo = {}, {}
    for key, text in zip(pairs[::2], pairs[1::2]):
        field_name = key[2:].replace("-", "_")
        if field_name in EXPERIMENT_TYPES:
            top[field_name] = typed_value(field_name, EXPERIMENT_TYPES[field_name], text)
        elif field_name in GRPO_TYPES:
            grpo[field_name] = typed_value(field_name, GRPO_TYPES[field_name], text)
        else:
            raise ConfigError(f"{key}: neither an Experiment field nor a GRPOConfig field")
    return variant(base, name, "exploration", "works", grpo=grpo, **top)


def main(argv: list[str] | None = None) -> None:
    options, words = parse(ExploreOptions, argv, __doc__, other_options=True)
    with one_line_errors():
        if not words or words[0].startswith("--"):
            raise ConfigError("give a NAME for the exploration first")
        check_name(words[0], "exploration")  # before anything: the name becomes a folder in both folders
        if words[0] in REGISTRY:
            raise ConfigError(
                f"exploration name {words[0]!r} is a run of the registry entry {REGISTRY[words[0]].family or words[0]}; "
                "an exploration's row would replace that run's: pick another name"
            )
        if options.base not in REGISTRY:
            raise ConfigError(f"--base: no registry entry {options.base!r}")
        config = exploration(REGISTRY[options.base], words[0], words[1:])
        run_experiment(config, Path(options.results_dir), Path(options.runs_dir), keep_all_rows=True)


if __name__ == "__main__":
    main()
