"""samples.md: a run's held-out answers before and after, side by side, and completions from training, read by eye."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tabulate import tabulate

from experiments.evaluation.answers import HeldOutAnswer
from experiments.reporting.record import RunRecord
from experiments.training.recorder import read_metrics


def run_files(
    live_dir: Path, record: RunRecord, prompts: list[str], before: list[str], after: list[str]
) -> dict[str, str]:
    """What a finished run publishes beside its row: its live metrics and completions (in ``live_dir``, the run's
    in-progress folder), samples.md and answers.json."""
    answers = [HeldOutAnswer(prompt=p, before=b, after=a) for p, b, a in zip(prompts, before, after)]
    completions = live_dir / "completions.jsonl"
    return {
        "metrics.jsonl": (live_dir / "metrics.jsonl").read_text(encoding="utf-8"),
        "completions.jsonl": completions.read_text(encoding="utf-8") if completions.exists() else "",
        "samples.md": samples_markdown(record, answers, completions),
        "answers.json": json.dumps(answers, indent=1),
    }


def samples_markdown(record: RunRecord, answers: list[HeldOutAnswer], completions: Path, shown: int = 8) -> str:
    """Before/after greedy answers side by side, then completions sampled during training (completions.jsonl), for
    reading by eye."""
    during = read_metrics(completions)
    rows = [[a["prompt"], _one_line(a["before"]), _one_line(a["after"])] for a in answers[:shown]]
    trained = [
        [
            row["step"],
            _one_line(row["prompt"]),
            _one_line(row["completion"]),
            ", ".join(f"{name} {value:.2f}" for name, value in row["rewards"].items()),
            f"{row['advantage']:+.2f}",
        ]
        for row in during
        if not row.get("probe")
    ]
    return (
        f"# Samples: {record.name}\n\n"
        f"Hypothesis: {record.hypothesis}\n\n"
        f"Model `{record.model}`, seed {record.seed}, {record.training.steps_trained} of {record.steps} steps (stopped by "
        f"{record.training.stop_reason}), verdict **{record.verdict}**. Greedy decoding with transformers `pipeline`, same settings "
        "before and after, on held-out prompts.\n\n"
        + tabulate(rows, headers=["held-out prompt", "before", "after"], tablefmt="github")
        + "\n\n## During training\n\nEvery few steps and at the last one, completions of the training batch with their rewards "
        "(as TRL's `log_completions` shows them; all of them are in completions.jsonl).\n\n"
        + (
            tabulate(trained, headers=["step", "prompt", "completion", "rewards", "advantage"], tablefmt="github")
            if trained
            else "(none kept)"
        )
        + "\n"
        + probe_section([row for row in during if row.get("probe")])
    )


def probe_section(rows: list[dict[str, Any]]) -> str:
    """The greedy probe's answers (training prompts, held-out length) at its last two readings, side by side."""
    steps = sorted({row["step"] for row in rows})[-2:]
    if not steps:
        return ""
    by_prompt: dict[str, dict[int, str]] = {}
    for row in rows:
        if row["step"] in steps:
            by_prompt.setdefault(row["prompt"], {})[row["step"]] = _one_line(row["completion"])
    table = [[_one_line(prompt), *(answers.get(step, "") for step in steps)] for prompt, answers in by_prompt.items()]
    return (
        "\n## The greedy probe during training\n\nGreedy answers to fixed training prompts at the held-out answer length, "
        "read every few steps (all of them are in completions.jsonl, marked `probe`; their measures in metrics.jsonl).\n\n"
        + tabulate(table, headers=["probe prompt", *(f"step {step}" for step in steps)], tablefmt="github")
        + "\n"
    )


def _one_line(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|") or "(empty)"
