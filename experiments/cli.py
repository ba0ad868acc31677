"""Command-line options as dataclasses, parsed by transformers' HfArgumentParser (what TRL's TrlParser builds on).

Every entry point (runner, sample) reads its options from here, so a flag means the
same thing everywhere, and a known mistake ends in one line naming it, not a traceback.
"""

from __future__ import annotations

import json
import logging
import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import UnionType
from typing import Any, NoReturn, TypeVar, Union, cast, get_args, get_origin

from transformers import HfArgumentParser

from experiments.files import FolderError


# The mistakes the project names, each ended in one line by one_line_errors: on the ground floor, so every floor raises them.
class ConfigError(ValueError):
    """A configuration that would fail or mislead; the message names the field."""


class PromptFileError(ValueError):
    """A prompt file that cannot be trained on; the message names the file (and line)."""


class ModelError(RuntimeError):
    """A model that cannot be provided; the message says what to do instead."""


class RewardError(ValueError):
    """A reward function that misbehaves on sample completions; the message names it."""


class SummaryError(ValueError):
    """A summary.json that cannot be read as this project wrote it; the message names the file and what is wrong."""


class NotJudged(ValueError):
    """A run that gets no verdict: it did not train, or a guard cannot be computed. The message says why."""


PROJECT_ERRORS = (ConfigError, PromptFileError, ModelError, RewardError, FolderError, SummaryError, NotJudged)

Options = TypeVar("Options")


@dataclass
class RunOptions:
    """``python -m experiments.runner NAME [NAME ...] [--model M] [--steps N] [--precision P] [--results-dir D] [--runs-dir D]``."""

    model: str | None = field(
        default=None, metadata={"help": "train on this model instead of the registry's (a quick look)"}
    )
    steps: int | None = field(
        default=None, metadata={"help": "train this many steps instead of the registry's (a quick look)"}
    )
    results_dir: str | None = field(
        default=None,
        metadata={"help": "where results go (default: results/ for a registry run, runs/quick-looks for a quick look)"},
    )
    runs_dir: str = field(default="runs", metadata={"help": "models, live metrics and caches"})
    tracker: str = field(
        default="none",
        metadata={"help": "also log to a local tracker: tensorboard (runs/NAME/trainer/runs) or trackio"},
    )
    precision: str | None = field(
        default=None,
        metadata={
            "help": "auto (measure fp32 against bf16 autocast, train in the faster), fp32 or bf16; default: the configuration's own"
        },
    )


@dataclass
class SampleOptions:
    """``python -m experiments.sample MODEL QUESTION [QUESTION ...] [--samples N] [--max_new_tokens N] [--seed S]
    [--before MODEL]``."""

    samples: int = field(default=3, metadata={"help": "sampled answers per prompt, besides the greedy one"})
    max_new_tokens: int = 48
    seed: int = 0
    precision: str = field(
        default="auto", metadata={"help": "auto (fp32 on a CPU without bf16; measured elsewhere), fp32 or bf16"}
    )
    runs_dir: str = field(default="runs", metadata={"help": "where the cached precision answer lives"})
    before: str | None = field(
        default=None,
        metadata={
            "help": "the model before training (smollm2-135m for the lessons): its greedy answers are measured beside"
        },
    )


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
    for stream in (sys.stdout, sys.stderr):  # LC_ALL=C: "→" would end each message in a logging error
        if (getattr(stream, "encoding", None) or "").lower().replace("-", "") != "utf8" and hasattr(
            stream, "reconfigure"
        ):
            stream.reconfigure(errors="backslashreplace")
    if not any(isinstance(h, TqdmHandler) for h in root.handlers):
        handler = TqdmHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        root.addHandler(handler)
    root.setLevel(level)


def parse(
    options_type: type[Options],
    argv: list[str] | None,
    usage: str | None,
    other_options: bool = False,
    expand: Callable[[list[str]], list[str]] | None = None,
) -> tuple[Options, list[str]]:
    """The options, and the positional words (configuration names, or a model and its questions).

    ``other_options`` passes flags the dataclass does not know on with the positional words (explore's GRPOConfig fields).
    ``expand`` rewrites the words first (the tuner puts a declared study's options before the command line's).
    """
    setup_logging()
    if expand is not None:
        argv = expand(sys.argv[1:] if argv is None else argv)
    parser = HfArgumentParser(cast(Any, options_type), usage=usage)  # a dataclass type, which TypeVar cannot say
    parser.error = _one_line_error  # type: ignore[method-assign]  # a mistake is one line (--help shows the usage)
    options, positional = parser.parse_args_into_dataclasses(args=argv, return_remaining_strings=True)
    unknown = [word for word in positional if word.startswith("--")]
    if unknown and not other_options:
        parser.error(f"unknown option {unknown[0]}")
    for name in FOLDER_OPTIONS:
        value = getattr(options, name, None)
        if isinstance(value, str) and not value.strip():
            kind = "file" if name == "output" else "folder"
            parser.error(f"--{name} is empty; name a {kind} (an empty path would write into the working folder)")
    return options, positional


FOLDER_OPTIONS = ("results_dir", "runs_dir", "import_from", "output")


def _one_line_error(message: str) -> NoReturn:
    """argparse's refusal (``argument --trials: invalid int value: '1e3'``) in one line, as every project error."""
    print(f"error: {' '.join(message.split())}", file=sys.stderr)
    sys.exit(2)


def typed_value(name: str, annotation: Any, text: str) -> Any:
    """``text`` as a value of a dataclass field's type, or a ConfigError naming the field: how explore's
    ``--FIELD VALUE`` pairs become an Experiment's or a GRPOConfig's fields. Sequences are comma lists.

    >>> typed_value("rewards", tuple[str, ...], "four_letter_share"), typed_value("reward_weights", tuple[float, ...] | None, "1,0.5")
    (('four_letter_share',), (1.0, 0.5))
    >>> typed_value("train_prompts", str, "prompts/a,b.txt"), typed_value("lora_rank", int | None, "None")
    ('prompts/a,b.txt', None)
    >>> typed_value("generation_kwargs", dict | str | None, '{"min_p": 0.1}')
    {'min_p': 0.1}
    >>> typed_value("beta", float, "nan")
    Traceback (most recent call last):
    ...
    experiments.cli.ConfigError: --beta: expected a finite number, got 'nan'
    """
    options = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else (annotation,)
    if type(None) in options and text.strip().lower() == "none":
        return None
    if any(o is dict or get_origin(o) is dict for o in options):  # TRL reads the text of a dict | str field as JSON
        options = tuple(o for o in options if o is not str)
    errors = []
    for option in (o for o in options if o is not type(None)):
        try:
            return _as_type(option, text)
        except (ValueError, TypeError) as error:
            errors.append(str(error))
    raise ConfigError(f"--{name}: {errors[0] if errors else f'cannot read {text!r}'}")


def _as_type(kind: Any, text: str) -> Any:
    origin = get_origin(kind)
    if origin in (tuple, list):
        items = [part.strip() for part in text.split(",") if part.strip()]
        inner = get_args(kind)[0] if get_args(kind) else str
        converted = [_as_type(inner, part) for part in items]
        return tuple(converted) if origin is tuple else converted
    if kind is bool:
        lowered = text.strip().lower()
        if lowered not in ("true", "false", "1", "0", "yes", "no"):
            raise ValueError(f"expected true or false, got {text!r}")
        return lowered in ("true", "1", "yes")
    if kind is int:
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"expected a whole number, got {text!r}") from None
    if kind is float:
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"expected a number, got {text!r}") from None
        if not math.isfinite(number):
            raise ValueError(f"expected a finite number, got {text!r}")
        return number
    if kind is str or kind is Any:
        return text
    if origin is dict or kind is dict:
        try:
            value = json.loads(text)
        except ValueError:
            raise ValueError(f"expected a JSON object such as '{{\"key\": 1}}', got {text!r}") from None
        if not isinstance(value, dict):
            raise ValueError(f"expected a JSON object, got {text!r}")
        return value
    raise TypeError(f"no reader for {kind!r}")


@contextmanager
def one_line_errors() -> Iterator[None]:
    """A mistake the project names (configuration, prompts, reward, folder, model) exits with its message, not a traceback."""
    try:
        yield
    except PROJECT_ERRORS as error:
        print(f"error: {' '.join(str(error).split())}", file=sys.stderr)
        sys.exit(2)
