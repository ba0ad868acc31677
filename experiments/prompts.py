"""Prompt files → datasets.Dataset: the first step of every experiment.

A prompt file is plain UTF-8 text with one prompt per line. Blank lines and lines
starting with ``#`` are skipped so that files can carry their own provenance notes.
Errors are raised here, before any model is loaded, and name the file and line.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from datasets import Dataset


class PromptFileError(ValueError):
    """A prompt file that cannot be trained on; the message names the file (and line)."""


def read_prompt_lines(path: str | Path) -> list[str]:
    """The prompts of a file, cleaned and de-duplicated (first occurrence wins)."""
    path = Path(path)
    if not path.exists():
        raise PromptFileError(f"{path}: prompt file not found")
    if path.is_dir():
        raise PromptFileError(f"{path}: is a directory, expected a text file with one prompt per line")
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]

    prompts: list[str] = []
    seen: dict[str, int] = {}
    for number, line_bytes in enumerate(raw.splitlines(), start=1):
        try:
            line = line_bytes.decode("utf-8").strip()
        except UnicodeDecodeError as error:
            raise PromptFileError(
                f"{path}:{number}: not valid UTF-8 (byte {line_bytes[error.start]:#04x} at column {error.start + 1})"
            ) from None
        if not line or line.startswith("#"):
            continue
        if line in seen:
            warnings.warn(f"{path}:{number}: duplicate of line {seen[line]} removed: {line!r}", stacklevel=2)
            continue
        seen[line] = number
        prompts.append(line)

    if not prompts:
        what = "is empty" if not raw.strip() else "holds only blank lines and # comments"
        raise PromptFileError(f"{path}: {what}; expected one prompt per line")
    return prompts


def load_prompts(path: str | Path, conversational: bool = True, system: str | None = None) -> Dataset:
    """A ``prompt`` column in the format GRPOTrainer expects.

    Conversational prompts (lists of messages) let TRL apply the model's chat
    template, which instruct models need; plain strings suit base models such as
    GPT-2 that have no template. ``system`` replaces the template's default system
    line (SmolLM2's adds 20 tokens to every prompt); ``""`` leaves an empty one.
    """
    lines = read_prompt_lines(path)
    if not conversational:
        if system is not None:
            raise PromptFileError(f"{path}: system_prompt {system!r} given, but the model has no chat template to put it in")
        return Dataset.from_dict({"prompt": lines})
    prefix = [{"role": "system", "content": system}] if system is not None else []
    return Dataset.from_dict({"prompt": [prefix + [{"role": "user", "content": line}] for line in lines]})
