"""Verdicts from thresholds declared once, before any run, and printed in the summary.

The guards are relative to the model before training, so they ask "did training
damage the language?" rather than "is this model good?"; a tiny random model and
SmolLM2 are judged by the same rules.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Literal

from experiments.cli import NotJudged
from experiments.evaluation.measurements import Measurements, StopReason


def _declared(value: float, meaning: str) -> float:
    return field(default=value, metadata={"meaning": meaning})


@dataclass(frozen=True)
class Thresholds:
    """Every threshold a verdict reads, with its meaning; the one place they live."""

    min_share_rise: float = _declared(0.25, "held-out sampled share after − before ≥ this, for `works`")
    max_ref_ppl_ratio: float = _declared(1.5, "perplexity of prompts/reference.txt after ÷ before ≤ this")
    min_distinct2_ratio: float = _declared(0.6, "distinct-2 after ÷ before ≥ this")
    max_repeat3_rise: float = _declared(0.25, "share of completions repeating a word 3-gram, after − before ≤ this")
    max_real_words_drop: float = _declared(0.10, "wordfreq-known word share, before − after ≤ this")
    min_length_ratio: float = _declared(0.5, "mean words per completion after ÷ before ≥ this")
    min_relevance_ratio: float = _declared(
        0.5,
        "relevance after ÷ before ≥ this: per-token PMI of each held-out greedy answer with its own question against "
        "other questions, judged by the model before training",
    )
    max_template_share: float = _declared(
        0.25,
        "share of held-out greedy answers opening with the run's most common three words ≤ this, or ≤ before + "
        "max_template_rise when that is larger",
    )
    max_template_rise: float = _declared(0.10, "see max_template_share")
    max_loop_share: float = _declared(
        0.05,
        "share of held-out greedy answers that loop (a word 3-gram three times, or one word four times in a row) ≤ this, "
        "or ≤ before + max_loop_rise when that is larger",
    )
    max_loop_rise: float = _declared(0.05, "see max_loop_share")
    max_frame_share: float = _declared(
        0.30,
        "share of held-out greedy answers holding the word 3-gram found in the most of them ≤ this, or ≤ before + "
        "max_frame_rise when that is larger",
    )
    max_frame_rise: float = _declared(0.10, "see max_frame_share")

    def as_dict(self) -> dict[str, float]:
        return dataclasses.asdict(self)

    @staticmethod
    def meanings() -> dict[str, str]:
        return {f.name: f.metadata["meaning"] for f in dataclasses.fields(Thresholds)}


THRESHOLDS = Thresholds()


Verdict = Literal["works", "broken", "no change"]


@dataclass(frozen=True)
class Judgement:
    """A run's verdict and each guard's pass or fail."""

    verdict: Verdict
    guards: dict[str, bool]

    @property
    def failed(self) -> list[str]:
        return failed_guards(self.guards)


def failed_guards(guards: dict[str, bool]) -> list[str]:
    """The guards that failed, in their order."""
    return [guard for guard, held in guards.items() if not held]


# The guards read from the sampled answers' words: with no word before training there is nothing to compare with.
WORD_GUARDS = ("distinct2", "repeat3", "real_words", "length")


def uncomputable(before: Measurements, after: Measurements) -> dict[str, str]:
    """The guards that cannot be computed from these measurements, each with why: a guard that cannot be computed
    must not count as held.

    >>> ok = Measurements(ref_ppl=10, mean_words=5, relevance=1.0, template=0.1, loops=0.0, frame=0.1)
    >>> uncomputable(ok, ok), list(uncomputable(dataclasses.replace(ok, mean_words=0.0), ok))
    ({}, ['distinct2', 'repeat3', 'real_words', 'length'])
    >>> uncomputable(ok, dataclasses.replace(ok, relevance=None))
    {'relevance': 'relevance was not measured after training'}
    """
    reasons: dict[str, str] = {}
    if not (isinstance(before.ref_ppl, (int, float)) and math.isfinite(before.ref_ppl) and before.ref_ppl > 0):
        reasons["ref_ppl"] = f"the reference perplexity before training is {before.ref_ppl!r}"
    elif not isinstance(after.ref_ppl, (int, float)) or math.isnan(after.ref_ppl):
        reasons["ref_ppl"] = f"the reference perplexity after training is {after.ref_ppl!r}"
    if not before.mean_words:
        for guard in WORD_GUARDS:
            reasons[guard] = "the sampled answers before training hold no word"
    for guard in ("relevance", "template", "loops", "frame"):
        for when, measures in (("before", before), ("after", after)):
            if getattr(measures, guard) is None and guard not in reasons:
                reasons[guard] = f"{guard} was not measured {when} training"
    return reasons


def guards(before: Measurements, after: Measurements, t: Thresholds = THRESHOLDS) -> dict[str, bool]:
    """Each guard's pass/fail; all must hold for a run to count as working."""
    return {
        "ref_ppl": after.ref_ppl / before.ref_ppl <= t.max_ref_ppl_ratio,
        "distinct2": after.distinct2 >= t.min_distinct2_ratio * before.distinct2,
        "repeat3": after.repeat3 - before.repeat3 <= t.max_repeat3_rise,
        "real_words": before.real_words - after.real_words <= t.max_real_words_drop,
        "length": after.mean_words >= t.min_length_ratio * before.mean_words,
        "relevance": relevance_kept(measured(before.relevance), measured(after.relevance), t),
        "template": template_kept(measured(before.template), measured(after.template), t),
        "loops": loops_kept(measured(before.loops), measured(after.loops), t),
        "frame": frame_kept(measured(before.frame), measured(after.frame), t),
    }


def measured(value: float | None) -> float:
    """A measure a guard reads; None (a row written before the measure existed) cannot be judged by it."""
    if value is None:
        raise TypeError("a guard read a measure this row was written without")
    return value


def relevance_kept(before: float, after: float, t: Thresholds = THRESHOLDS) -> bool:
    """Answers still answer their own question: at least half the base model's relevance is left.

    >>> relevance_kept(1.38, 0.69), relevance_kept(1.38, 0.63), relevance_kept(1.38, 1.50)
    (True, False, True)
    """
    return after >= t.min_relevance_ratio * before


def template_kept(before: float, after: float, t: Thresholds = THRESHOLDS) -> bool:
    """No canned opening: at most a quarter of the answers share one, or barely more than before training did.

    >>> template_kept(0.0, 0.25), template_kept(0.0, 0.875), template_kept(0.30, 0.375), template_kept(0.30, 0.5)
    (True, False, True, False)
    """
    return after <= max(t.max_template_share, before + t.max_template_rise)


def loops_kept(before: float, after: float, t: Thresholds = THRESHOLDS) -> bool:
    """Answers are not stuck: at most one in twenty loops, or barely more than before training.

    >>> loops_kept(0.05, 0.10), loops_kept(0.05, 0.12), loops_kept(0.0, 0.24)
    (True, False, False)
    """
    return after <= max(t.max_loop_share, before + t.max_loop_rise) + 1e-9


def frame_kept(before: float, after: float, t: Thresholds = THRESHOLDS) -> bool:
    """No one frame for every question: the commonest word 3-gram sits in at most 30% of the answers.

    >>> frame_kept(0.05, 0.30), frame_kept(0.05, 0.71), frame_kept(0.35, 0.45)
    (True, False, True)
    """
    return after <= max(t.max_frame_share, before + t.max_frame_rise) + 1e-9


# Stop rules that end a run because its policy is broken (experiments/training/stop_rules.py): the verdict says so.
BREAKING_STOPS: tuple[StopReason, ...] = ("loops", "collapse")


def judge(
    before: Measurements, after: Measurements, t: Thresholds = THRESHOLDS, stop_reason: StopReason | None = None
) -> Judgement:
    """`works`: the share rose enough and every guard held. `broken`: a guard failed. Otherwise `no change`. A run with
    a guard that cannot be computed (``uncomputable``) gets no verdict: NotJudged, naming each guard and why.

    A failed guard means `broken` even when the share did not rise: a damaged model is
    damaged whatever the objective did. A run ended by a breaking stop rule (its greedy
    probe looped, or its policy collapsed) fails the ``stop_rule`` guard, named after the rule:
    ``judge(..., stop_reason="loops").failed == ["stop_rule"]``, read as `broken (loops)`.

    >>> same = Measurements(share=0.1, ref_ppl=10, distinct2=0.8, repeat3=0.0, real_words=0.95, mean_words=20,
    ...                     relevance=1.4, template=0.1, loops=0.0, frame=0.1)
    >>> looping = dataclasses.replace(same, share=0.9, loops=0.25)
    >>> judge(same, dataclasses.replace(same, share=0.5)).verdict, judge(same, same).verdict, judge(same, looping).failed
    ('works', 'no change', ['loops'])
    """
    missing = uncomputable(before, after)
    if missing:
        by_reason: dict[str, list[str]] = {}
        for guard, why in missing.items():
            by_reason.setdefault(why, []).append(guard)
        raise NotJudged(
            "not judged: "
            + "; ".join(f"{', '.join(names)} cannot be computed ({why})" for why, names in by_reason.items())
        )
    held = guards(before, after, t)
    if stop_reason is not None:
        held["stop_rule"] = stop_reason not in BREAKING_STOPS
    if not all(held.values()):
        return Judgement("broken", held)
    return Judgement("works" if after.share - before.share >= t.min_share_rise else "no change", held)
