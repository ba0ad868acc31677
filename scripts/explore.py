"""Exploratory runs outside the registry: ``python scripts/explore.py NAME [--base baseline] [--FIELD VALUE ...]``.

Every Experiment field is a flag (``--frozen_fraction 0.5``, ``--rewards four_letter_share,distinct_bigrams``);
any other ``--KEY VALUE`` is a GRPOConfig field (``--learning_rate 2e-4``). Results go to runs/explore,
never to results/; a run worth keeping becomes a registry entry in experiments/lessons/.
"""

import ast
import sys
from dataclasses import field, fields, make_dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from experiments.cli import one_line_errors, parse  # noqa: E402
from experiments.configs import REGISTRY, Experiment, variant  # noqa: E402
from experiments.runner import run_experiment  # noqa: E402
from experiments.validation import ConfigError  # noqa: E402

SET_BY_EXPLORE = {"name", "hypothesis", "expect", "grpo", "base", "family", "seeds"}
ExploreOptions = make_dataclass(
    "ExploreOptions",
    [("base", str, field(default="baseline", metadata={"help": "the registry entry to vary"}))]
    + [(f.name, str | None, field(default=None, metadata={"help": f"Experiment.{f.name}"})) for f in fields(Experiment) if f.name not in SET_BY_EXPLORE],
)


def value(text: str):
    """A Python literal where the text is one (numbers, None, True, tuples), a tuple for comma lists, else the text."""
    if "," in text and not text.startswith(("(", "[")):
        return tuple(value(part) for part in text.split(","))
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def main(argv: list[str] | None = None) -> None:
    options, words = parse(ExploreOptions, argv, __doc__, other_options=True)
    with one_line_errors():
        if not words or words[0].startswith("--") or options.base not in REGISTRY:
            raise ConfigError(f"give a NAME for the exploration and a known --base (got {options.base!r})")
        name, pairs = words[0], words[1:]
        if len(pairs) % 2 or not all(key.startswith("--") for key in pairs[::2]):
            raise ConfigError(f"expected --KEY VALUE pairs after the name, got {' '.join(pairs)!r}")
        top = {f.name: value(getattr(options, f.name)) for f in fields(Experiment) if f.name not in SET_BY_EXPLORE and getattr(options, f.name) is not None}
        grpo = {key[2:]: value(text) for key, text in zip(pairs[::2], pairs[1::2])}
        config = variant(REGISTRY[options.base], name, "exploration", "works", grpo=grpo, **top)
        run_experiment(config, Path("runs/explore/results"), Path("runs/explore"))


if __name__ == "__main__":
    main()
