"""summary.json: read strictly, one row per run merged in, written as strict JSON."""

from __future__ import annotations

import json
import math
import numbers
from pathlib import Path
from typing import Any

from experiments.cli import SummaryError
from experiments.evaluation.answers import HeldOutAnswer
from experiments.evaluation.measurements import MEASURES
from experiments.files import unsafe_name

# Figures of `pytest -m benchmark`, by summary.json key: CPU steps, and GPU steps where a GPU ran them.
BENCHMARK_FILES = {
    "benchmark": "benchmark.json",
    "benchmark_gpu": "benchmark-gpu.json",
    "step_breakdown": "step-breakdown.json",
}


def benchmark_figures(results_dir: Path) -> dict[str, Any]:
    """The benchmark files present in results_dir, keyed as summary.json holds them."""
    return {
        key: json.loads((results_dir / name).read_text(encoding="utf-8"))
        for key, name in BENCHMARK_FILES.items()
        if (results_dir / name).exists()
    }


REQUIRED_ROW_FIELDS = (
    "name",
    "hypothesis",
    "expected",
    "verdict",
    "hypothesis_held",
    "guards",
    "model",
    "seed",
    "steps",
)


def load_summary(results_dir: Path) -> dict[str, Any]:
    """summary.json, or an empty one where there is none; a SummaryError where it is not what this project writes."""
    path = results_dir / "summary.json"
    if not path.exists():
        return {"runs": []}
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as error:
        raise SummaryError(f"{path}: not readable JSON ({error})") from None
    if not isinstance(summary, dict) or not isinstance(summary.get("runs"), list):
        raise SummaryError(f'{path}: holds no list of runs (expected {{"runs": [...]}})')
    seen: dict[str, int] = {}
    for position, row in enumerate(summary["runs"]):
        missing = [key for key in REQUIRED_ROW_FIELDS if not isinstance(row, dict) or key not in row]
        if missing:
            label = row.get("name", "?") if isinstance(row, dict) else repr(row)
            raise SummaryError(f"{path}: run {position} ({label}) lacks {', '.join(missing)}")
        problem = row_problem(row)
        if problem:
            raise SummaryError(f"{path}: run {position} ({str(row['name'])[:40]!r}): {problem}; fix or remove the row")
        if row["name"] in seen:
            raise SummaryError(
                f"{path}: runs {seen[row['name']]} and {position} are both named {row['name']!r}; keep one"
            )
        seen[row["name"]] = position
    return summary


ANSWER_KEYS = ("prompt", "before", "after")
MAX_ANSWER_CHARS = 100_000  # what a reader hands the measures: a generated answer is a few hundred characters


def read_answers(path: Path, expected: int | None = None) -> list[HeldOutAnswer]:
    """A run's answers.json: a list of {prompt, before, after} texts, ``expected`` of them where given; else a SummaryError."""
    try:
        answers = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as error:
        raise SummaryError(f"{path}: not readable JSON ({' '.join(str(error).split())})") from None
    if not isinstance(answers, list):
        raise SummaryError(f"{path}: holds a {type(answers).__name__}, not a list of answers")
    for position, answer in enumerate(answers):
        if not isinstance(answer, dict) or not all(isinstance(answer.get(key), str) for key in ANSWER_KEYS):
            raise SummaryError(
                f"{path}: answer {position} is {str(answer)[:60]!r}, not {{prompt, before, after}} texts"
            )
        for key in ANSWER_KEYS:
            if len(answer[key]) > MAX_ANSWER_CHARS:
                raise SummaryError(
                    f"{path}: answer {position}'s {key} is {len(answer[key])} characters; a held-out answer is at most "
                    f"{MAX_ANSWER_CHARS} (a run writes a few hundred)"
                )
    if expected is not None and len(answers) != expected:
        raise SummaryError(f"{path}: holds {len(answers)} answers, but the run recorded {expected} held-out prompts")
    return answers


TEXT_FIELDS = ("hypothesis", "expected", "verdict", "model")
WHOLE_FIELDS = ("seed", "steps")
TEXT_MEASURES = ("frame_phrase",)


def row_problem(row: dict[str, Any]) -> str | None:
    """What is wrong with a row's types (the first field found), or None: a damaged row is named before anything is rewritten.

    >>> row_problem({"name": "x", "seed": "zero"}), row_problem({"name": "x", "after": {"share": "high"}})
    ("seed is 'zero', not a whole number", "after.share is 'high', not a number")
    """
    reason = unsafe_name(row.get("name"))
    if reason:
        return reason
    where = _non_finite(row)
    if where:
        return (
            f"{where} is NaN or infinite, not a finite number (this project writes null for a number it could not tell)"
        )
    for key in TEXT_FIELDS:
        if key in row and not isinstance(row[key], str):
            return f"{key} is {row[key]!r}, not text"
    for key in WHOLE_FIELDS:
        if key in row and (isinstance(row[key], bool) or not isinstance(row[key], int)):
            return f"{key} is {row[key]!r}, not a whole number"
    if "hypothesis_held" in row and not isinstance(row["hypothesis_held"], bool):
        return f"hypothesis_held is {row['hypothesis_held']!r}, not true or false"
    if "guards" in row and (
        not isinstance(row["guards"], dict) or not all(isinstance(v, bool) for v in row["guards"].values())
    ):
        return f"guards is {row['guards']!r}, not an object of true/false"
    for when in ("before", "after"):
        if when in row and not isinstance(row[when], dict):
            return f"{when} is {row[when]!r}, not an object of measurements"
        values = row.get(when) or {name: row[f"{name}_{when}"] for name in MEASURES if f"{name}_{when}" in row}
        for name, value in values.items():
            if name in MEASURES and value is not None and name not in TEXT_MEASURES and not _number(value):
                return f"{when}.{name} is {value!r}, not a number"
    return None


def _non_finite(value: Any, at: str = "") -> str | None:
    """Where in a row a NaN or an infinity lies (``after.share``), or None: strict_json never writes one.

    >>> _non_finite({"after": {"share": float("nan")}}), _non_finite({"steps": [1, 2.5]})
    ('after.share', None)
    """
    if isinstance(value, float) and not math.isfinite(value):
        return at or "a value"
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        found = _non_finite(item, f"{at}.{key}" if at else str(key))
        if found:
            return found
    return None


TEXT_METRICS = ("probe/frame_phrase",)


def check_metrics_file(path: Path) -> None:
    """A run's metrics.jsonl as the report reads it: UTF-8 lines, each an object of numbers (or null, or the probe's
    frame phrase); the last line may be cut short by a kill. A SummaryError names the file, the line and the field.

    >>> import tempfile; folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "m.jsonl").write_text('{"step": 1, "loss": 0.5}\\n{"step": "x"}\\n', encoding="utf-8")
    >>> check_metrics_file(folder / "m.jsonl")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    experiments.cli.SummaryError: .../m.jsonl:2: step is 'x', not a number
    """
    try:
        lines = path.read_bytes().split(b"\n")
    except OSError as error:
        raise SummaryError(f"{path}: cannot be read ({error.strerror})") from None
    last = max((number for number, raw in enumerate(lines, 1) if raw.strip()), default=0)
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise SummaryError(
                f"{path}:{number}: not valid UTF-8 (byte 0x{raw[error.start]:02x} at column {error.start + 1})"
            ) from None
        try:
            record = json.loads(text)
        except ValueError:
            if number == last:
                continue  # a last line cut short by a killed process: every reader skips it
            raise SummaryError(f"{path}:{number}: not readable JSON ({text[:40]!r})") from None
        if not isinstance(record, dict):
            raise SummaryError(f"{path}:{number}: {text.strip()[:40]} is not an object of metrics")
        for key, value in record.items():
            text_ok = key in TEXT_METRICS and isinstance(value, str)
            if value is not None and not text_ok and not _number(value):
                raise SummaryError(f"{path}:{number}: {key} is {str(value)[:40]!r}, not a number")


def _number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def strict_json(value: Any) -> str:
    """JSON that every parser reads: a non-finite number (NaN, ±Infinity) is written as null.

    >>> json.loads(strict_json({"kl": float("nan"), "steps": [1, float("inf")]}))
    {'kl': None, 'steps': [1, None]}
    """
    return json.dumps(_finite(value), indent=1, allow_nan=False)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


def merge_run(summary: dict[str, Any], record: dict[str, Any], order: list[str] | None) -> list[dict[str, Any]]:
    """The runs with this record replacing any earlier row of the same name; every other row is kept.

    With the registry's ``order`` (results/), the registry's rows come first in its order, any other row
    (an exploration, an entry since removed) after them as it was. With None (an exploration folder),
    every row stays in the order the runs were first published. A row is removed only on request
    (``python -m experiments.report --remove NAME``), never as a side effect of another run.

    >>> rows = {"runs": [{"name": "idea"}, {"name": "b"}]}
    >>> [r["name"] for r in merge_run(rows, {"name": "a"}, order=["a", "b"])], [r["name"] for r in merge_run(rows, {"name": "a"}, None)]
    (['a', 'b', 'idea'], ['idea', 'b', 'a'])
    """
    existing = summary.get("runs", [])
    names = [run["name"] for run in existing]
    merged = [record if run["name"] == record["name"] else run for run in existing]
    if record["name"] not in names:
        merged.append(record)
    if order is None:
        return merged
    rank = {name: position for position, name in enumerate(order)}
    return sorted(merged, key=lambda run: (0, rank[run["name"]]) if run["name"] in rank else (1, 0))
