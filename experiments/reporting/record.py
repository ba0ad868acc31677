"""One typed record per run: the row of summary.json that the runner writes and the report reads.

Nothing else crosses from a run to the report, so renaming a metric is a change to
this file and the two places that fill and read the field, caught by a type checker.
Rows written before a field existed read back with its default (None).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from experiments.evaluation.measurements import MEASURES, Measurements, TrainingOutcome
from experiments.evaluation.verdicts import Judgement, Verdict, failed_guards
from experiments.precision import PrecisionChoice
from experiments.registry import REGISTRY
from experiments.reporting.environment import Environment

if TYPE_CHECKING:
    from experiments.registry.experiment import Experiment


@dataclass
class RunRecord:
    name: str
    hypothesis: str
    expected: str
    verdict: Verdict
    hypothesis_held: bool
    guards: dict[str, bool]
    model: str
    seed: int
    steps: int
    config: str | None = (
        None  # the registry entry this run is a seed of; None in rows written before seeds were a field
    )
    overrides: dict[str, Any] = field(default_factory=dict)
    train_prompts: str = ""
    rewards: list[str] = field(default_factory=list)
    reward_weights: list[float] | None = None
    objective: str = "four_letter_share"
    long: bool = False
    eval_s: float = 0.0
    eval_settings: dict[str, Any] = field(default_factory=dict)
    num_processes: int = 1
    precision: PrecisionChoice | None = None  # in summary.json, an object of its fields
    heldout_prompts: int | None = None  # held-out prompts evaluated (answers.json holds as many); None in older rows
    environment: Environment = field(default_factory=lambda: Environment())  # keys missing in older rows
    before: Measurements = field(default_factory=Measurements)
    after: Measurements = field(default_factory=Measurements)
    training: TrainingOutcome = field(default_factory=TrainingOutcome)  # how training went: stop, steps, KL, seconds
    previous: dict[str, Any] | None = (
        None  # the row this run replaced: its verdict, guards and date, for "what changed"
    )

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> RunRecord:
        """A row of summary.json: nested ``before``/``after``, or the flat ``<name>_before`` fields of older rows."""
        known = {f.name for f in dataclasses.fields(cls)}
        values = {
            key: value for key, value in row.items() if key in known and key not in ("before", "after", "training")
        }
        values["training"] = TrainingOutcome.from_dict(
            row["training"] if isinstance(row.get("training"), dict) else row
        )
        for when in ("before", "after"):
            if isinstance(row.get(when), dict):
                values[when] = Measurements.from_dict(row[when])
            else:
                values[when] = Measurements.from_dict(
                    {name: row[f"{name}_{when}"] for name in MEASURES if f"{name}_{when}" in row}
                )
        if isinstance(row.get("precision"), dict):
            values["precision"] = PrecisionChoice(**row["precision"])
        return cls(**values)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def of_run(
        cls,
        entry: Experiment,
        before: Measurements,
        after: Measurements,
        judgement: Judgement,
        training: TrainingOutcome,
        eval_s: float,
        settings: dict[str, Any],
        precision: PrecisionChoice,
        num_processes: int,
        environment: Environment,
        heldout_prompts: int,
    ) -> RunRecord:
        """The row of a finished run: what was declared, what was measured before and after, and how it was judged."""
        return cls(
            name=entry.name,
            config=entry.family or entry.name,
            hypothesis=entry.hypothesis,
            expected=entry.expect,
            verdict=judgement.verdict,
            hypothesis_held=entry.held_by(judgement.verdict, judgement.guards),
            guards=judgement.guards,
            overrides=json.loads(json.dumps(entry.differences())),  # as summary.json will read back
            model=entry.model,
            train_prompts=entry.train_prompts,
            rewards=list(entry.rewards),
            reward_weights=list(entry.reward_weights) if entry.reward_weights else None,
            objective=entry.rewards[0],
            seed=entry.seed,
            steps=entry.steps,
            long=entry.long,
            eval_s=round(eval_s, 1),
            eval_settings=settings,
            num_processes=num_processes,
            precision=precision,
            environment=environment,
            heldout_prompts=heldout_prompts,
            before=before,
            after=after,
            training=training,
        )

    @property
    def family(self) -> str:
        """The registry entry this run belongs to (rows written before ``config`` existed are their own entry)."""
        return self.config or self.name

    @property
    def failed_guards(self) -> list[str]:
        return failed_guards(self.guards)

    @property
    def judged_by_all_guards(self) -> bool:
        """False for rows judged before the relevance and template guards existed."""
        return "relevance" in self.guards and "template" in self.guards


def family_of(run: RunRecord) -> str:
    """The registry entry a run is a seed of: its own record says so, or the registry does for rows written before."""
    if run.config:
        return run.config
    entry = REGISTRY.get(run.name)
    return entry.family if entry is not None and entry.family else run.name


def seeds_of(runs: list[RunRecord], family: str) -> list[RunRecord]:
    return [run for run in runs if family_of(run) == family]


SESSION_HOURS = 3  # a working session's length: runs ending closer than this shared its machine and lanes


def one_session(first: RunRecord, second: RunRecord) -> bool:
    """Whether two runs were made in one session on one CPU (their step times compare; across sessions the machine,
    its load and its lanes differ). Rows without a date or CPU never compare.

    >>> def made(date, cpu="AMD EPYC"):
    ...     return RunRecord("r", "", "", "broken", True, {}, "m", 0, 1, environment={"date": date, "cpu": cpu})
    >>> one_session(made("2026-12-02T23:40:00+00:00"), made("2026-12-03T01:10:00+00:00"))
    True
    >>> one_session(made("2026-12-02T18:40:00+00:00"), made("2026-12-02T23:40:00+00:00"))
    False
    """
    dates = [run.environment.get("date") for run in (first, second)]
    cpus = [run.environment.get("cpu") for run in (first, second)]
    if None in dates or None in cpus or cpus[0] != cpus[1]:
        return False
    apart = abs(datetime.fromisoformat(str(dates[0])) - datetime.fromisoformat(str(dates[1])))
    return apart.total_seconds() <= SESSION_HOURS * 3600


def previous_verdict(replaced: dict[str, Any], guards: set[str]) -> dict[str, Any]:
    """What "Verdicts that changed" compares a rerun with: the replaced row, unless that row was itself
    judged by today's guards and replaced a verdict under other guards, which then stays the reference,
    so a second rerun under the same guards does not hide the change the guards made.

    >>> old = {"verdict": "works", "guards": {"ref_ppl": True}, "environment": {"date": "d0"}}
    >>> first = {"verdict": "broken", "guards": {"ref_ppl": True, "relevance": False}, "previous": previous_verdict(old, {"ref_ppl", "relevance"})}
    >>> previous_verdict(first, {"ref_ppl", "relevance"})["verdict"]
    'works'
    >>> previous_verdict(old, {"ref_ppl"})["date"]
    'd0'
    """
    carried = replaced.get("previous")
    if carried and set(replaced.get("guards") or {}) == guards and set(carried.get("guards") or {}) != guards:
        return carried
    previous = {key: replaced.get(key) for key in ("verdict", "hypothesis", "hypothesis_held", "guards")}
    previous["date"] = replaced.get("environment", {}).get("date")
    return previous
