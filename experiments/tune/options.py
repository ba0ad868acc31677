"""The tuner's options (one dataclass, read by the project's one parser) and the plan they make once every check held.

Every refusal comes here, before any model loads or anything is written: the study's name, the counts, lanes above
the cores, the base entry, each lever and its values, the known entries to enqueue, the prompt file's split.
"""

from __future__ import annotations

import dataclasses
import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import rewards as reward_module
from experiments.cli import ConfigError
from experiments.files import overlap
from experiments.registry import REGISTRY, Experiment, wing_folder
from experiments.registry.search_space import Lever, levers_for
from experiments.training.checks import SEED_LIMIT, check_count, check_name, validate_experiment
from experiments.training.preflight import HELDOUT, ROOT, with_overrides
from experiments.training.prompts import read_prompt_lines
from experiments.tune.levers import check_values, narrowed, only
from experiments.tune.objective import MAX_DEV_FROM_FILE, MIN_DEV_PROMPTS, dev_split

PRUNERS = ("median", "halving", "none")
LONGEST_RUN_SUFFIX = "-t0000-seed4294967295"  # what a run name adds to the study's name, at its longest


@dataclass
class TuneOptions:
    """``python -m experiments.tune STUDY --base ENTRY --trials N --lanes L [--lever NAME=LOW:HIGH ...]``."""

    base: str = field(default="baseline", metadata={"help": "the registry entry the search varies"})
    trials: int = field(
        default=10,
        metadata={
            "help": "trials this call runs (failed ones retried first); 0 declares the study and redraws its files"
        },
    )
    lanes: int | None = field(default=None, metadata={"help": "seed runs at once, one thread each (default: cores)"})
    seeds: str = field(default="1,2", metadata={"help": "the seeds of every trial; its value is the worse seed's"})
    steps: int | None = field(default=None, metadata={"help": "a cap on every run's steps instead of the base's"})
    model: str | None = field(default=None, metadata={"help": "train on this model instead of the base's"})
    precision: str | None = field(default=None, metadata={"help": "auto, fp32 or bf16 (default: the base's)"})
    results_dir: str = field(
        default="results",
        metadata={
            "help": "the study's files go to RESULTS/tune/STUDY; by default RESULTS is results/ for a base of today's "
            "lessons and results/history/ for a base of the history wing (experiments/registry/history/)"
        },
    )
    runs_dir: str = field(default="runs", metadata={"help": "the runs' models and live metrics: RUNS/tune/STUDY"})
    storage: str | None = field(
        default=None,
        metadata={"help": "a database URL (sqlite:///…, postgresql://…); default: RESULTS/tune/STUDY/study.journal"},
    )
    pruner: str = field(default="median", metadata={"help": "median, halving or none"})
    enqueue: str = field(default="", metadata={"help": "known entries tried first, e.g. baseline,leash-0.04"})
    only: str = field(default="", metadata={"help": "search only these levers (a,b,c); the others keep the base's"})
    dev_prompts: str = field(
        default="",
        metadata={
            "help": "development prompts from this file (every 4th, at most 40) instead of every 4th of the base's "
            "training prompts, which it then trains on whole; never prompts/heldout.txt"
        },
    )
    keep_models: bool = field(default=False, metadata={"help": "keep each run's model (540 MB for SmolLM2)"})


@dataclass(frozen=True)
class TunePlan:
    """A study that passed every check: what it searches, how, and where it writes."""

    study: str
    base: Experiment  # the registry entry, with the study's model, steps and precision
    levers: dict[str, Lever]
    seeds: tuple[int, ...]
    trials: int
    lanes: int
    results_dir: Path
    runs_dir: Path  # RUNS/tune/STUDY
    storage: str | None
    pruner: str
    enqueue: tuple[Experiment, ...]
    dev_prompts: tuple[str, ...]
    train_prompts: tuple[str, ...]
    options: TuneOptions

    @property
    def dev_source(self) -> str:
        """The file the development prompts come from."""
        return self.options.dev_prompts or self.base.train_prompts

    @property
    def study_dir(self) -> Path:
        return self.results_dir / "tune" / self.study

    @property
    def journal(self) -> Path:
        return self.study_dir / "study.journal"

    @property
    def dev_path(self) -> Path:
        return self.study_dir / "dev.txt"

    @property
    def train_path(self) -> Path:
        return self.study_dir / "train.txt"

    @property
    def train_field(self) -> str:
        """The training remainder as an entry's ``train_prompts`` (read from the project's root): relative where it can."""
        path = self.train_path.resolve()
        return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)

    def run_name(self, number: int, seed: int) -> str:
        return f"{self.study}-t{number:03d}-seed{seed}"


def plan_of(options: TuneOptions, words: list[str], lever_specs: list[str]) -> TunePlan:
    """The plan, or a ConfigError naming the first thing wrong."""
    if len(words) != 1:
        raise ConfigError(f"name one study (a folder name), got {' '.join(words) or 'none'}")
    study = check_name(words[0], "study")
    check_name(study + LONGEST_RUN_SUFFIX, "study")
    check_count("tune", "--trials", options.trials, low=0)
    cores = os.cpu_count() or 1
    lanes = cores if options.lanes is None else options.lanes
    check_count("tune", "--lanes", lanes)
    if lanes > cores:
        raise ConfigError(f"--lanes {lanes}: this machine has {cores} cores; at most {cores} lanes of one thread each")
    if options.pruner not in PRUNERS:
        raise ConfigError(f"--pruner must be one of {', '.join(PRUNERS)}, got {options.pruner!r}")
    if options.base not in REGISTRY:
        raise ConfigError(f"--base: no registry entry {options.base!r}")
    base = with_overrides(REGISTRY[options.base], options.model, options.steps, options.precision)
    check_overrides(REGISTRY[options.base], options)
    if base.rewards[0] not in reward_module.REWARDS:
        raise ConfigError(
            f"--base {base.name}: its objective (first reward) {base.rewards[0]} is judged by a model; the tuner reads "
            "development answers by a plain reward from rewards.py"
        )
    runs_dir = Path(options.runs_dir) / "tune" / study
    results_dir = Path(options.results_dir)
    if options.results_dir == TuneOptions.results_dir:  # by default a study lives in its base's wing
        results_dir = wing_folder(results_dir, base.name)
    if (problem := overlap(results_dir / "tune" / study, runs_dir, runs_dir / study)) is not None:
        raise ConfigError(f"--results_dir and --runs_dir: {problem}; pass folders apart (results/ and runs/)")
    dev, train = split_of(base, options.dev_prompts)
    levers = only(narrowed(levers_for(base), lever_specs, base.name), options.only)
    check_values(base, levers, len(train))
    return TunePlan(
        study,
        base,
        levers,
        seeds_of(options.seeds),
        options.trials,
        lanes,
        results_dir,
        runs_dir,
        options.storage,
        options.pruner,
        tuple(enqueued_entries(options.enqueue)),
        tuple(dev),
        tuple(train),
        options,
    )


def check_overrides(entry: Experiment, options: TuneOptions) -> None:
    """``--model``, ``--steps`` and ``--precision``, each on the base entry as the run would check it, refused in one
    line that names the option (not a lever, whose check would otherwise meet it first)."""
    for name in ("model", "steps", "precision"):
        value = getattr(options, name)
        if value is None:
            continue
        try:
            validate_experiment(dataclasses.replace(entry, **{name: value}))
        except ConfigError as error:
            raise ConfigError(f"--{name} {value!r}: {str(error).removeprefix(f'{entry.name}: ')}") from None


def seeds_of(text: str) -> tuple[int, ...]:
    """``--seeds 1,2`` as distinct seeds.

    >>> seeds_of("1,2")
    (1, 2)
    """
    try:
        seeds = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise ConfigError(f"--seeds: expected whole numbers separated by commas, got {text!r}") from None
    if not seeds or len(set(seeds)) != len(seeds) or not all(0 <= seed < SEED_LIMIT for seed in seeds):
        raise ConfigError(f"--seeds: expected distinct seeds in [0, {SEED_LIMIT}), got {text!r}")
    return seeds


def split_of(base: Experiment, dev_file: str = "") -> tuple[list[str], list[str]]:
    """The development prompts and the prompts a trial trains on: every 4th of the base's training prompts and the
    remainder, or (``dev_file``) every 4th of that file, at most MAX_DEV_FROM_FILE, and the base's prompts whole."""
    training = read_prompt_lines(ROOT / base.train_prompts)
    if not dev_file:
        dev, train = dev_split(training)
    else:
        lines = read_prompt_lines(Path(dev_file))
        held_out = set(map(compared, lines)) & set(map(compared, read_prompt_lines(HELDOUT)))
        if held_out:  # the file itself, a copy, or a file that borrowed some
            raise ConfigError(
                f"--dev_prompts {dev_file}: {len(held_out)} of its prompts are in {HELDOUT.name}; the held-out prompts "
                "are never searched on: pass another file"
            )
        dev, train = dev_split(lines)[0][:MAX_DEV_FROM_FILE], training
        shared = set(map(compared, dev)) & set(map(compared, train))
        if shared:
            raise ConfigError(
                f"--dev_prompts {dev_file}: {len(shared)} development prompts are also training prompts of "
                f"{base.train_prompts} (e.g. {sorted(shared)[0]!r}); pass a file the base does not train on"
            )
    if len(dev) < MIN_DEV_PROMPTS:
        raise ConfigError(
            f"{dev_file or base.train_prompts}: {len(dev)} development prompts (every 4th); the tuner needs at least "
            f"{MIN_DEV_PROMPTS}: base the study on an entry with a longer prompt file, or pass --dev_prompts"
        )
    return dev, train


ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))  # invisible: no part of a prompt's words


def compared(prompt: str) -> str:
    """A prompt as the overlap checks compare it: NFKC, without zero-width characters, its whitespace (non-breaking
    spaces too) one space, casefolded; a held-out prompt retyped with a doubled or a non-breaking space is the same.

    >>> compared("What  is\u00a0a\u200b cat?") == compared("what is a cat?")
    True
    """
    return " ".join(unicodedata.normalize("NFKC", prompt).translate(ZERO_WIDTH).split()).casefold()


def enqueued_entries(names: str) -> list[Experiment]:
    """The known entries of ``--enqueue a,b``, each tried first by its lever values."""
    entries = []
    for name in (word.strip() for word in names.split(",") if word.strip()):
        if name not in REGISTRY:
            raise ConfigError(f"--enqueue: no registry entry {name!r}")
        entries.append(REGISTRY[name])
    return entries
