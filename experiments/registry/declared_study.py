"""A declared search as data: the ``Study`` every declaration in studies.py and studies_content.py is, and the
feasibility every study's hypothesis reads against."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Study:
    """One declared search: what it varies around which entry, and what it expects to find."""

    name: str
    base: str
    only: tuple[str, ...]  # the levers it searches; every other lever keeps the base's value
    levers: tuple[str, ...]  # ``NAME=LOW:HIGH`` or ``NAME=a,b,c``: each searched lever's range where not the default
    hypothesis: str  # what it expects, and what refutes it
    declared: str  # when, and after which trials
    enqueue: tuple[str, ...] = ()  # known entries tried first
    seeds: str = "1,2"  # the hard seeds: seed 0 was the lucky seed for two earlier leads
    steps: int = 60
    dev_prompts: str = "prompts/silly_large.txt"  # never prompts/heldout.txt

    def arguments(self) -> list[str]:
        """The study's options as the tuner's command line reads them, after the study's name.

        >>> Study("s", "smoke", ("beta",), ("beta=0:0.1",), "h", "d").arguments()
        ['--base', 'smoke', '--seeds', '1,2', '--steps', '60', '--only', 'beta', '--dev_prompts', 'prompts/silly_large.txt', '--lever', 'beta=0:0.1']
        """
        words = ["--base", self.base, "--seeds", self.seeds, "--steps", str(self.steps), "--only", ",".join(self.only)]
        words += ["--dev_prompts", self.dev_prompts] if self.dev_prompts else []
        words += ["--enqueue", ",".join(self.enqueue)] if self.enqueue else []
        return words + [word for spec in self.levers for word in ("--lever", spec)]

    def command(self) -> str:
        """The whole command, for a reader: ``python -m experiments.tune NAME …``."""
        return " ".join(["python -m experiments.tune", self.name, *self.arguments()])


REFUTED = "Refuted if no trial of the study is feasible on its worse seed."
FEASIBLE = "dev share ≥ 0.55, loops ≤ 5%, frame ≤ 30%, reference perplexity ≤ 1.5× on the development prompts"
