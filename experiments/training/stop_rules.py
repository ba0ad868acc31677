"""When a run ends before its step cap, and why: the behaviour arrived, the greedy answers loop, or the policy collapsed.

Training reads sampled completions, the reader reads greedy answers, and the two part ways:
at temperature 1.0 a run's samples almost never loop while its greedy answers do. So the
rules that end a run read the greedy probe (experiments/training/probe.py) besides the
training batch:

- **behaviour** (arrived): with ``arrival="training"``, the training objective's 5-step mean
  reaches ``level``; with ``arrival="probe"``, a greedy probe reaches ``level`` with no answer
  looping and no 3-gram in more than 30% of its answers (the held-out guards' limits).
- **loops** (fail fast): the probe loops in 3 or more of 8 answers on two probes in a row.
- **collapse**: the policy's 5-step mean entropy falls under a third of its own first 5-step
  mean (TRL logs the entropy of the *tempered* distribution, so a fixed level means nothing
  across temperatures or models), or over half a batch opens like an answer to another question.
- **patience** (an entry's ``patience``): the probe's rank against the lesson's targets
  (``reading_rank``) has not improved for that many readings. Runs often pass through a good
  state a probe or two before breaking; with ``keep="best"`` the run keeps that state's weights.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from experiments.evaluation.measurements import StopReason
from experiments.evaluation.verdicts import THRESHOLDS
from experiments.registry.baseline import TARGETS

Arrival = Literal["training", "probe"]

BEHAVIOUR_LEVEL = 0.5
BEHAVIOUR_WINDOW = 5
# A collapsed policy writes one canned answer: its entropy falls far below where it started. A third of the start
# matches the old fixed level (1.0) at SmolLM2's 3.2 nats at temperature 1.0, where healthy stops ended at 2.2-3.5.
COLLAPSE_ENTROPY_FRACTION = 1 / 3
# Answers to *different* questions that open with the same three words: more than half of a batch is more than any
# one question's group can explain.
COLLAPSE_SHARED_OPENINGS = 0.5
FAIL_FAST_LOOPS = 3 / 8  # share of a probe's answers that loop
FAIL_FAST_PROBES = 2  # consecutive probes at or above it


@dataclass(frozen=True)
class ProbeReading:
    """The greedy probe's answers at one step, measured as the held-out evaluation measures its answers."""

    step: int
    share: float
    loops: float
    frame: float
    frame_phrase: str
    clean: float
    answers: tuple[str, ...]
    seconds: float
    content: float = 0.0  # what the share is made of: content four-letter words, shown, not judged
    vocabulary: int = 0

    def logged(self) -> dict[str, float | str]:
        """The figures as metrics.jsonl keys."""
        return {
            "probe/share": self.share,
            "probe/loops": self.loops,
            "probe/frame": self.frame,
            "probe/clean": self.clean,
            "probe/content": self.content,
            "probe/vocabulary": self.vocabulary,
            "probe/frame_phrase": self.frame_phrase,
            "probe/seconds": self.seconds,
        }


def targets_met(reading: ProbeReading) -> int:
    """How many of the first lesson's four answer targets a probe reading meets: share, clean, loops and frame."""
    return (
        (reading.share >= TARGETS.min_share)
        + (reading.clean >= TARGETS.min_clean)
        + (reading.loops <= TARGETS.max_loops)
        + (reading.frame <= TARGETS.max_frame)
    )


def reading_rank(reading: ProbeReading) -> tuple[int, float, float]:
    """How well a probe reading (greedy answers to *training* prompts) meets the targets, for keeping the best weights:
    the targets met first, then the clean share, then the share. A canned sentence for every question meets the share
    and loops targets but no clean one, so it ranks under an earlier reading that answered in words of its own.

    >>> canned = ProbeReading(60, 0.78, 0.0, 1.0, "just what you", 0.0, (), 1.0)
    >>> early = ProbeReading(20, 0.37, 0.0, 0.25, "", 0.3, (), 1.0)
    >>> reading_rank(canned), reading_rank(early), max([canned, early], key=reading_rank).step
    ((2, 0.0, 0.78), (2, 0.3, 0.37), 20)
    """
    return targets_met(reading), reading.clean, reading.share


def probe_arrived(reading: ProbeReading, level: float) -> bool:
    """The reader's view of the behaviour: the greedy share at ``level`` with loops and one frame within the guards.

    >>> good = ProbeReading(5, 0.6, 0.0, 0.25, "they do not", 0.8, (), 1.0)
    >>> probe_arrived(good, 0.55), probe_arrived(ProbeReading(5, 0.6, 0.125, 0.25, "", 0.8, (), 1.0), 0.55)
    (True, False)
    """
    return (
        reading.share >= level
        and reading.loops <= THRESHOLDS.max_loop_share
        and reading.frame <= THRESHOLDS.max_frame_share
    )


class StopRules:
    """Reads each logged step and each probe, and says when training should end and why.

    ``enabled`` False only watches: the behaviour's arrival is still recorded, nothing is stopped.
    ``behaviour_step`` is the first step the arrival rule held, whether or not it stopped the run.
    """

    def __init__(
        self,
        enabled: bool,
        level: float = BEHAVIOUR_LEVEL,
        arrival: Arrival = "training",
        patience: int | None = None,
    ):
        self.enabled = enabled
        self.level = level
        self.arrival = arrival
        self.patience = patience
        self.best_rank: tuple[int, float, float] | None = None
        self.readings_since_best = 0
        self.reason: StopReason = "step cap"
        self.behaviour_step: int | None = None
        self.objective: deque[float] = deque(maxlen=BEHAVIOUR_WINDOW)
        self.entropies: deque[float] = deque(maxlen=BEHAVIOUR_WINDOW)
        self.first_entropies: list[float] = []
        self.shared: deque[float] = deque(maxlen=BEHAVIOUR_WINDOW)
        self.looping_probes = 0

    @property
    def objective_mean(self) -> float | None:
        """The training objective's 5-step mean, once five steps are in."""
        return sum(self.objective) / BEHAVIOUR_WINDOW if len(self.objective) == BEHAVIOUR_WINDOW else None

    def after_step(
        self, step: int, objective: float | None, entropy: float | None, shared_openings: float | None
    ) -> str | None:
        """A logged training step; the message of the rule that ends the run here, or None."""
        if entropy is not None:
            self.entropies.append(entropy)
            if len(self.first_entropies) < BEHAVIOUR_WINDOW:
                self.first_entropies.append(entropy)
        if shared_openings is not None:
            self.shared.append(shared_openings)
        if objective is not None:
            self.objective.append(objective)
        collapse = collapse_signal(self.first_entropies, list(self.entropies), list(self.shared))
        stop = self._stop("collapse", collapse) if collapse else None
        mean = self.objective_mean
        if self.arrival == "training" and objective is not None and mean is not None and mean >= self.level:
            stop = self._arrive(step, f"the training objective's 5-step mean reached {self.level}") or stop
        return stop

    def after_probe(self, reading: ProbeReading) -> str | None:
        """A greedy probe; the message of the rule that ends the run here, or None."""
        self.looping_probes = self.looping_probes + 1 if reading.loops >= FAIL_FAST_LOOPS - 1e-9 else 0
        if self.looping_probes >= FAIL_FAST_PROBES:
            return self._stop(
                "loops",
                f"the greedy probe looped in ≥ {FAIL_FAST_LOOPS:.0%} of its answers on {FAIL_FAST_PROBES} probes in a row",
            )
        if self.arrival == "probe" and probe_arrived(reading, self.level):
            return self._arrive(
                reading.step, f"the greedy probe reached share {self.level} with loops and frame within the guards"
            )
        rank = reading_rank(reading)
        if self.best_rank is None or rank > self.best_rank:
            self.best_rank, self.readings_since_best = rank, 0
        else:
            self.readings_since_best += 1
        if self.patience is not None and self.readings_since_best >= self.patience:
            return self._stop("patience", f"the greedy probe has not improved for {self.patience} readings")
        return None

    def _arrive(self, step: int, why: str) -> str | None:
        if self.behaviour_step is None:
            self.behaviour_step = step
        return self._stop("behaviour", why)

    def _stop(self, reason: StopReason, why: str) -> str | None:
        if not self.enabled or self.reason != "step cap":
            return None
        self.reason = reason
        return f"{reason}: {why}"


def collapse_signal(first: Sequence[float], recent: Sequence[float], shared: Sequence[float]) -> str | None:
    """Why the policy looks collapsed over the last five steps, judged against its own start; None if it does not.

    >>> collapse_signal([0.82] * 5, [0.80] * 5, [])  # temperature 0.5: a low start is no collapse
    >>> collapse_signal([3.2] * 5, [0.9] * 5, [])
    '5-step mean entropy 0.90, under a third of its first 5-step mean 3.20'
    >>> collapse_signal([3.2] * 5, [3.0] * 5, [0.6] * 5)
    'over 50% of the batch opens like an answer to another question, 5-step mean'
    """
    if len(first) == BEHAVIOUR_WINDOW and len(recent) == BEHAVIOUR_WINDOW:
        start, now = sum(first) / BEHAVIOUR_WINDOW, sum(recent) / BEHAVIOUR_WINDOW
        if now < COLLAPSE_ENTROPY_FRACTION * start:
            return f"5-step mean entropy {now:.2f}, under a third of its first 5-step mean {start:.2f}"
    if len(shared) == BEHAVIOUR_WINDOW and sum(shared) / BEHAVIOUR_WINDOW > COLLAPSE_SHARED_OPENINGS:
        return f"over {COLLAPSE_SHARED_OPENINGS:.0%} of the batch opens like an answer to another question, 5-step mean"
    return None
