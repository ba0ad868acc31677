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

from experiments.cli import NotJudged, SummaryError
from experiments.evaluation.answers import answer_measures, vocabulary_measures
from experiments.evaluation.verdicts import judge
from experiments.registry import REGISTRY
from experiments.reporting.record import RunRecord, previous_verdict
from experiments.reporting.summary_file import read_answers
from experiments.training.prompts import read_prompt_lines
from rewards import REWARDS


def rejudged(row: dict[str, Any], results_dir: Path) -> dict[str, Any] | None:
    """The row with its per-answer measures and its verdict under every guard; None where it cannot be rejudged
    (already measured, no answers.json, an objective that is not a plain reward, or judged before relevance existed).

    Judged as the run was: by every guard, the stop rule's included (the row's recorded stop reason), and its hypothesis
    by its entry's own ``held_by`` (the guards that must catch it, where the entry names them)."""
    record = RunRecord.from_dict(row)
    answers_file = results_dir / record.name / "answers.json"
    if record.after.clean is not None or not answers_file.exists() or record.objective not in REWARDS:
        return None
    if None in (record.before.relevance, record.after.relevance, record.before.template, record.after.template):
        return None
    answers = read_answers(answers_file, recorded_heldout(record))
    objective, prompts = REWARDS[record.objective], [a["prompt"] for a in answers]
    before = dataclasses.replace(record.before, **answer_measures([a["before"] for a in answers], objective, prompts))
    after = dataclasses.replace(record.after, **answer_measures([a["after"] for a in answers], objective, prompts))
    try:
        judgement = judge(before, after, stop_reason=record.training.stop_reason)
    except NotJudged as error:
        raise SummaryError(f"{results_dir / 'summary.json'}: run {record.name!r} cannot be rejudged: {error}") from None
    changed = judgement.verdict != record.verdict or set(judgement.guards) != set(record.guards)
    updated = dataclasses.replace(
        record,
        before=before,
        after=after,
        guards=judgement.guards,
        verdict=judgement.verdict,
        hypothesis_held=held_by(record, judgement.verdict, judgement.guards),
        previous=previous_verdict(row, set(judgement.guards)) if changed else record.previous,
    )
    return updated.as_dict()


def held_by(record: RunRecord, verdict: str, guards: dict[str, bool]) -> bool:
    """Whether a verdict meets the run's hypothesis: its entry's own rule (the expected verdict and, where the entry
    names them, a failure of one of the guards that must catch it); a run outside the registry, the expected verdict."""
    entry = REGISTRY.get(record.family)
    if entry is not None and entry.expect == record.expected:
        return entry.held_by(verdict, guards)
    return verdict == record.expected


CHANGED_MEASURES = ("loops", "frame", "frame_phrase", "clean")


def changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Every field a rejudging changed in a row, read as ``field old → new``: the verdict, the hypothesis, each guard,
    and the per-answer measures before and after (one filled in where the row had none is no change).

    >>> changes({"verdict": "broken", "hypothesis_held": False, "guards": {"loops": True}, "after": {"loops": 0.1}},
    ...         {"verdict": "broken", "hypothesis_held": True, "guards": {"loops": False}, "after": {"loops": 0.2}})
    ['hypothesis_held False → True', 'guard loops held → failed', 'after.loops 0.1 → 0.2']
    """
    found = []
    for key in ("verdict", "hypothesis_held"):
        if old.get(key) != new.get(key):
            found.append(f"{key} {old.get(key)} → {new.get(key)}")
    old_guards, new_guards = old.get("guards") or {}, new.get("guards") or {}
    word = {True: "held", False: "failed", None: "absent"}
    for guard in dict.fromkeys([*old_guards, *new_guards]):
        if old_guards.get(guard) != new_guards.get(guard):
            found.append(f"guard {guard} {word[old_guards.get(guard)]} → {word[new_guards.get(guard)]}")
    for when in ("before", "after"):
        was, now = old.get(when) or {}, new.get(when) or {}
        for measure in CHANGED_MEASURES:  # a measure filled in where the row had none is no change
            if was.get(measure) is not None and was.get(measure) != now.get(measure):
                found.append(f"{when}.{measure} {_shown(was.get(measure))} → {_shown(now.get(measure))}")
    return found


def _shown(value: Any) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


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
    """summary.json's runs, each rejudged where it can be and given the vocabulary measures where it lacks them; and,
    for each run rejudged, every field that changed."""
    runs, changed = [], []
    for row in summary["runs"]:
        new = rejudged(row, results_dir)
        if new is not None:
            changed += [f"{row['name']}: {change}" for change in changes(row, new)]
        runs.append(with_vocabulary(new if new is not None else row, results_dir))
    return runs, changed
