"""Prompt files → datasets.Dataset: the first step of every experiment.

A prompt file is plain UTF-8 text with one prompt per line. Blank lines and lines
starting with ``#`` are skipped so that files can carry their own provenance notes.
Errors are raised here, before any model is loaded, and name the file and line.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from datasets import Dataset

from experiments.cli import PromptFileError

# Control characters, line and paragraph separators and stray BOMs: invisible in an editor, but tokens to a model.
# Terminal colour and cursor codes (ANSI CSI and OSC sequences): removed whole, so "[31m" does not reach the model.
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
SHOWN_LINES = 5


def read_numbered_prompts(path: str | Path) -> list[tuple[int, str]]:
    """(file line, prompt) pairs, cleaned and de-duplicated (first occurrence wins), so later errors can name the line."""
    path = Path(path)
    raw = _read_bytes(path)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]

    prompts: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    duplicates: list[tuple[int, int]] = []
    cleaned: list[int] = []
    escaped: list[int] = []
    for number, line_bytes in enumerate(raw.splitlines(), start=1):
        try:
            line = line_bytes.decode("utf-8")
        except UnicodeDecodeError as error:
            raise PromptFileError(
                f"{path}:{number}: not valid UTF-8 (byte {line_bytes[error.start]:#04x} at column {error.start + 1})"
            ) from None
        line, escapes = _ANSI.subn("", line)
        if escapes:
            escaped.append(number)
        line, removed = _INVISIBLE.subn(" ", line.replace("\t", " "))
        removed += escapes
        line = " ".join(line.split()) if removed else line.strip()
        if removed > escapes:
            cleaned.append(number)
        if not line or line.startswith("#"):
            continue
        if line in seen:
            duplicates.append((number, seen[line]))
            continue
        seen[line] = number
        prompts.append((number, line))

    if escaped:
        warnings.warn(f"{path}: terminal escape codes (colours) removed on line {_some(escaped)}", stacklevel=2)
    if cleaned:
        warnings.warn(f"{path}: control characters replaced by spaces on line {_some(cleaned)}", stacklevel=2)
    if duplicates:
        pairs = [f"{line} (= line {first})" for line, first in duplicates]
        warnings.warn(f"{path}: {len(duplicates)} duplicate prompts removed: line {_some(pairs)}", stacklevel=2)
    if not prompts:
        what = "is empty" if not raw.strip() else "holds only blank lines and # comments"
        raise PromptFileError(f"{path}: {what}; expected one prompt per line")
    return prompts


def read_prompt_lines(path: str | Path) -> list[str]:
    """The prompts of a file, cleaned and de-duplicated."""
    return [text for _number, text in read_numbered_prompts(path)]


def _read_bytes(path: Path) -> bytes:
    try:
        path.resolve(strict=True)
    except FileNotFoundError:
        raise PromptFileError(f"{path}: prompt file not found") from None
    except (RuntimeError, OSError) as error:  # Python ≤ 3.12 raises RuntimeError for a loop, 3.13 OSError(ELOOP)
        raise PromptFileError(f"{path}: symbolic link loop ({error}); point it at a real file") from None
    if path.is_dir():
        raise PromptFileError(f"{path}: is a directory, expected a text file with one prompt per line")
    if not path.is_file():
        raise PromptFileError(
            f"{path}: is not a regular file (a pipe or a device would be read forever); expected a text file"
        )
    try:
        return path.read_bytes()
    except OSError as error:
        raise PromptFileError(f"{path}: cannot be read ({error.strerror})") from None


def _some(items: list) -> str:
    """The first few of many, with the count, so 200,000 duplicates make one readable line."""
    shown = ", ".join(map(str, items[:SHOWN_LINES]))
    return shown + (f", … ({len(items)} in all)" if len(items) > SHOWN_LINES else "")


def load_prompts(
    path: str | Path, conversational: bool = True, system: str | None = None, lines: list[str] | None = None
) -> Dataset:
    """A ``prompt`` column in the format GRPOTrainer expects.

    Conversational prompts (lists of messages) let TRL apply the model's chat
    template, which instruct models need; plain strings suit base models such as
    GPT-2 that have no template. ``system`` replaces the template's default system
    line (SmolLM2's adds 20 tokens to every prompt); ``""`` leaves an empty one.
    ``lines`` are the file's prompts already read, so that its warnings are given once.
    """
    lines = read_prompt_lines(path) if lines is None else lines
    if not conversational:
        if system is not None:
            raise PromptFileError(
                f"{path}: system_prompt {system!r} given, but the model has no chat template to put it in"
            )
        return Dataset.from_dict({"prompt": lines})
    prefix = [{"role": "system", "content": system}] if system is not None else []
    return Dataset.from_dict({"prompt": [prefix + [{"role": "user", "content": line}] for line in lines]})
