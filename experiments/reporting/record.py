"""One typed record per run: the row of summary.json that the runner writes and the report reads.

Nothing else crosses from a run to the report, so renaming a metric is a change to
this file and the two places that fill and read the field, caught by a type checker.
Rows written before a field existed read back with its default (None).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from experiments.measurements import MEASURES, Measurements, TrainingOutcome
from experiments.verdicts import Judgement

if TYPE_CHECKING:
    from experiments.registry.experiment import Experiment


@dataclass
class RunRecord:
    name: str
    hypothesis: str
    expected: str
    verdict: str
    hypothesis_held: bool
    guards: dict[str, bool]
    model: str
    seed: int
    steps: int
    config: str | None = None  # the registry entry this run is a seed of; None in rows written before seeds were a field
    overrides: dict[str, Any] = field(default_factory=dict)
    train_prompts: str = ""
    rewards: list[str] = field(default_factory=list)
    reward_weights: list[float] | None = None
    objective: str = "four_letter_share"
    long: bool = False
    wall_clock_s: float = 0.0
    eval_s: float = 0.0
    time_to_behaviour_s: float | None = None
    stop_reason: str | None = None
    eval_settings: dict[str, Any] = field(default_factory=dict)
    steps_trained: int | None = None
    generation_steps: int | None = None
    final_train_reward: float | None = None
    mean_kl: float | None = None
    final_entropy: float | None = None
    mean_frac_reward_zero_std: float | None = None
    mean_step_time_s: float | None = None
    behaviour_step: int | None = None  # the first step the arrival rule held; None in rows written before the probe
    probe_s: float | None = None  # seconds of the greedy probe within wall_clock_s
    num_processes: int = 1
    precision: dict[str, Any] | None = None
    heldout_prompts: int | None = None  # held-out prompts evaluated (answers.json holds as many); None in older rows
    environment: dict[str, Any] = field(default_factory=dict)
    before: Measurements = field(default_factory=Measurements)
    after: Measurements = field(default_factory=Measurements)
    previous: dict[str, Any] | None = None  # the row this run replaced: its verdict, guards and date, for "what changed"

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> RunRecord:
        """A row of summary.json: nested ``before``/``after``, or the flat ``<name>_before`` fields of older rows."""
        known = {f.name for f in dataclasses.fields(cls)}
        values = {key: value for key, value in row.items() if key in known and key not in ("before", "after")}
        for when in ("before", "after"):
            if isinstance(row.get(when), dict):
                values[when] = Measurements.from_dict(row[when])
            else:
                values[when] = Measurements.from_dict({name: row[f"{name}_{when}"] for name in MEASURES if f"{name}_{when}" in row})
        return cls(**values)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def of_run(
        cls,
        config: Experiment,
        before: Measurements,
        after: Measurements,
        judgement: Judgement,
        training: TrainingOutcome,
        eval_s: float,
        settings: dict[str, Any],
        precision: dict[str, Any],
        num_processes: int,
        environment: dict[str, Any],
    ) -> RunRecord:
        """The row of a finished run: what was declared, what was measured before and after, and how it was judged."""
        return cls(
            name=config.name,
            config=config.family or config.name,
            hypothesis=config.hypothesis,
            expected=config.expect,
            verdict=judgement.verdict,
            hypothesis_held=judgement.verdict == config.expect,
            guards=judgement.guards,
            overrides=json.loads(json.dumps(config.differences())),  # as summary.json will read back
            model=config.model,
            train_prompts=config.train_prompts,
            rewards=list(config.rewards),
            reward_weights=list(config.reward_weights) if config.reward_weights else None,
            objective=config.rewards[0],
            seed=config.seed,
            steps=config.steps,
            long=config.long,
            eval_s=round(eval_s, 1),
            eval_settings=settings,
            num_processes=num_processes,
            precision=precision,
            environment=environment,
            before=before,
            after=after,
            **dataclasses.asdict(training),
        )

    @property
    def family(self) -> str:
        """The registry entry this run belongs to (rows written before ``config`` existed are their own entry)."""
        return self.config or self.name

    @property
    def failed_guards(self) -> list[str]:
        return [guard for guard, held in self.guards.items() if not held]

    @property
    def judged_by_all_guards(self) -> bool:
        """False for rows judged before the relevance and template guards existed."""
        return "relevance" in self.guards and "template" in self.guards
