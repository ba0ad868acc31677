"""Command-line options as dataclasses, parsed by transformers' HfArgumentParser (what TRL's TrlParser builds on).

Every entry point (runner, sample) reads its options from here, so a flag means the
same thing everywhere, and a known mistake ends in one line naming it, not a traceback.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from transformers import HfArgumentParser

from experiments.models import ModelError
from experiments.prompts import PromptFileError
from experiments.validation import ConfigError, FolderError, RewardError

PROJECT_ERRORS = (ConfigError, PromptFileError, ModelError, RewardError, FolderError)

Options = TypeVar("Options")


@dataclass
class RunOptions:
    """``python -m experiments.runner NAME [NAME ...] [--model M] [--steps N] [--precision P] [--results-dir D] [--runs-dir D]``."""

    model: str | None = field(default=None, metadata={"help": "train on this model instead of the registry's (a quick look)"})
    steps: int | None = field(default=None, metadata={"help": "train this many steps instead of the registry's (a quick look)"})
    results_dir: str | None = field(
        default=None, metadata={"help": "where results go (default: results/ for a registry run, runs/quick-looks for a quick look)"}
    )
    runs_dir: str = field(default="runs", metadata={"help": "models, live metrics and caches"})
    tracker: str = field(
        default="none", metadata={"help": "also log to a local tracker: tensorboard (runs/NAME/trainer/runs) or trackio"}
    )
    precision: str | None = field(
        default=None,
        metadata={"help": "auto (measure fp32 against bf16 autocast, train in the faster), fp32 or bf16; default: the configuration's own"},
    )


@dataclass
class SampleOptions:
    """``python -m experiments.sample MODEL QUESTION [QUESTION ...] [--samples N] [--max_new_tokens N] [--seed S]``."""

    samples: int = field(default=3, metadata={"help": "sampled answers per prompt, besides the greedy one"})
    max_new_tokens: int = 48
    seed: int = 0
    precision: str = field(default="auto", metadata={"help": "auto (fp32 on a CPU without bf16; measured elsewhere), fp32 or bf16"})
    runs_dir: str = field(default="runs", metadata={"help": "where the cached precision answer lives"})


@dataclass
class PrecisionOptions:
    """``python -m experiments.precision [--model M] [--fresh]``: the precision a run would train in here, and why."""

    model: str = field(default="smollm2-135m", metadata={"help": "the model the cached answer is kept for"})
    runs_dir: str = field(default="runs", metadata={"help": "where the cache of measured answers lives"})
    fresh: bool = field(default=False, metadata={"help": "ignore (and do not write) the cache: decide again now"})


class TqdmHandler(logging.StreamHandler):
    """Messages printed above any progress bar instead of through it (tqdm.write), in today's one-line format."""

    def emit(self, record: logging.LogRecord) -> None:
        from tqdm.auto import tqdm

        try:
            tqdm.write(self.format(record), file=sys.stdout)
        except Exception:  # noqa: BLE001 (logging must never end a run)
            self.handleError(record)


def setup_logging(level: int = logging.INFO) -> None:
    """The project's messages on stdout, one line each, above any progress bar; called once by each command."""
    root = logging.getLogger("experiments")
    if not any(isinstance(h, TqdmHandler) for h in root.handlers):
        handler = TqdmHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        root.addHandler(handler)
    root.setLevel(level)


def parse(options_type: type[Options], argv: list[str] | None, usage: str, other_options: bool = False) -> tuple[Options, list[str]]:
    """The options, and the positional words (configuration names, or a model and its questions).

    ``other_options`` passes flags the dataclass does not know on with the positional words (explore's GRPOConfig fields).
    """
    setup_logging()
    parser = HfArgumentParser(options_type, usage=usage)
    options, positional = parser.parse_args_into_dataclasses(args=argv, return_remaining_strings=True)
    unknown = [word for word in positional if word.startswith("--")]
    if unknown and not other_options:
        parser.error(f"unknown option {unknown[0]}")
    return options, positional


@contextmanager
def one_line_errors() -> Iterator[None]:
    """A mistake the project names (configuration, prompts, reward, folder, model) exits with its message, not a traceback."""
    try:
        yield
    except PROJECT_ERRORS as error:
        print(f"error: {' '.join(str(error).split())}", file=sys.stderr)
        sys.exit(2)
