"""Per-answer guards applied to runs recorded before they existed, from the answers those runs wrote.

Each run's answers.json holds its 42 held-out greedy answers before and after training:
exactly what the loops, frame and clean measures read. Rejudging fills those measures in
and judges the run again by every guard, from its recorded measurements; nothing is
trained or generated again. The row keeps the verdict it replaced under ``previous``,
so "Verdicts that changed" shows each change and why.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from experiments.evaluation.answers import answer_measures, vocabulary_measures
from experiments.evaluation.verdicts import judge
from experiments.registry import REGISTRY
from experiments.reporting.publish import previous_verdict
from experiments.reporting.record import RunRecord
from experiments.reporting.summary_file import read_answers
from experiments.training.prompts import read_prompt_lines
from rewards import REWARDS


def rejudged(row: dict[str, Any], results_dir: Path) -> dict[str, Any] | None:
    """The row with its per-answer measures and its verdict under every guard; None where it cannot be rejudged
    (already measured, no answers.json, an objective that is not a plain reward, or judged before relevance existed)."""
    record = RunRecord.from_dict(row)
    answers_file = results_dir / record.name / "answers.json"
    if record.after.clean is not None or not answers_file.exists() or record.objective not in REWARDS:
        return None
    if None in (record.before.relevance, record.after.relevance, record.before.template, record.after.template):
        return None
    answers = read_answers(answers_file, recorded_heldout(record))
    objective = REWARDS[record.objective]
    before = dataclasses.replace(record.before, **answer_measures([a["before"] for a in answers], objective))
    after = dataclasses.replace(record.after, **answer_measures([a["after"] for a in answers], objective))
    judgement = judge(before, after)
    changed = judgement.verdict != record.verdict or set(judgement.guards) != set(record.guards)
    updated = dataclasses.replace(
        record,
        before=before,
        after=after,
        guards=judgement.guards,
        verdict=judgement.verdict,
        hypothesis_held=judgement.verdict == record.expected,
        previous=previous_verdict(row, set(judgement.guards)) if changed else record.previous,
    )
    return updated.as_dict()


HELDOUT = Path(__file__).resolve().parent.parent.parent / "prompts" / "heldout.txt"


def recorded_heldout(record: RunRecord) -> int:
    """The held-out prompts a run evaluated: recorded in its row, or (older rows) its entry's eval_prompts or the whole file."""
    if record.heldout_prompts is not None:
        return record.heldout_prompts
    entry = REGISTRY.get(record.family)
    available = len(read_prompt_lines(HELDOUT))
    return min(entry.eval_prompts, available) if entry is not None and entry.eval_prompts is not None else available


def with_vocabulary(row: dict[str, Any], results_dir: Path) -> dict[str, Any]:
    """The row with the content share and four-letter vocabulary of its greedy answers before and after, read from its
    answers.json where the row was written before these measures existed (issue 39); shown, not judged, so no verdict
    changes."""
    record = RunRecord.from_dict(row)
    answers_file = results_dir / record.name / "answers.json"
    if record.after.vocabulary is not None or not answers_file.exists():
        return row
    answers = read_answers(answers_file, recorded_heldout(record))
    before = dataclasses.replace(record.before, **vocabulary_measures([a["before"] for a in answers]))
    after = dataclasses.replace(record.after, **vocabulary_measures([a["after"] for a in answers]))
    return dataclasses.replace(record, before=before, after=after).as_dict()


def rejudge_summary(summary: dict[str, Any], results_dir: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """summary.json's runs, each rejudged where it can be and given the vocabulary measures where it lacks them; and
    the names whose verdict changed."""
    runs, changed = [], []
    for row in summary["runs"]:
        new = rejudged(row, results_dir)
        if new is not None and new["verdict"] != row["verdict"]:
            changed.append(f"{row['name']}: {row['verdict']} → {new['verdict']}")
        runs.append(with_vocabulary(new if new is not None else row, results_dir))
    return runs, changed
