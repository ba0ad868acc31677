"""Exploratory runs outside the registry: ``python scripts/explore.py NAME key=value ...``.

Results go to /tmp/explore, never to results/; a run worth keeping becomes a registry entry.
"""

import ast
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from experiments.configs import variant  # noqa: E402
from experiments.runner import run_experiment  # noqa: E402

TOP_LEVEL = {"steps", "seed", "rewards", "reward_weights", "train_prompts", "stop_at_behaviour"}


def main(name: str, *assignments: str) -> None:
    grpo, top = {}, {}
    for assignment in assignments:
        key, value = assignment.split("=", 1)
        (top if key in TOP_LEVEL else grpo)[key] = ast.literal_eval(value)
    config = variant(name, "exploration", "works", grpo=grpo, **top)
    run_experiment(config, Path("/tmp/explore/results"), Path("/tmp/explore/runs"))


if __name__ == "__main__":
    main(*sys.argv[1:])
