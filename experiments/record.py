"""One typed record per run: the row of summary.json that the runner writes and the report reads.

Nothing else crosses from a run to the report, so renaming a metric is a change to
this file and the two places that fill and read the field, caught by a type checker.
Rows written before a field existed read back with its default (None).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any

# Held-out measurements taken before and after training, each stored as <name>_before and <name>_after.
MEASURES = ("share", "share_greedy", "ref_ppl", "distinct2", "repeat3", "real_words", "mean_words", "relevance", "template", "loops", "frame", "frame_phrase", "clean")


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
    num_processes: int = 1
    precision: dict[str, Any] | None = None
    environment: dict[str, Any] = field(default_factory=dict)
    share_before: float = 0.0
    share_after: float = 0.0
    share_greedy_before: float | None = None
    share_greedy_after: float | None = None
    ref_ppl_before: float = 0.0
    ref_ppl_after: float = 0.0
    distinct2_before: float = 0.0
    distinct2_after: float = 0.0
    repeat3_before: float = 0.0
    repeat3_after: float = 0.0
    real_words_before: float = 0.0
    real_words_after: float = 0.0
    mean_words_before: float = 0.0
    mean_words_after: float = 0.0
    relevance_before: float | None = None
    relevance_after: float | None = None
    template_before: float | None = None
    template_after: float | None = None
    loops_before: float | None = None
    loops_after: float | None = None
    frame_before: float | None = None
    frame_after: float | None = None
    frame_phrase_before: str | None = None
    frame_phrase_after: str | None = None
    clean_before: float | None = None
    clean_after: float | None = None
    previous: dict[str, Any] | None = None  # the row this run replaced: its verdict, guards and date, for "what changed"

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> RunRecord:
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{key: value for key, value in row.items() if key in known})

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def of_run(cls, config, before, after, wall_clock_s, eval_s, recorder, settings, precision, num_processes, device) -> RunRecord:
        """The row of a finished run: what was declared, what was measured before and after, and how it was judged."""
        from experiments.results import environment
        from experiments.verdicts import guards, verdict

        outcome = verdict(before, after)
        measured = {
            f"{name}_{when}": values["share_sampled" if name == "share" else name]
            for name in MEASURES for when, values in (("before", before), ("after", after))
        }
        return cls(
            name=config.name,
            config=config.family or config.name,
            hypothesis=config.hypothesis,
            expected=config.expect,
            verdict=outcome,
            hypothesis_held=outcome == config.expect,
            guards=guards(before, after),
            overrides=json.loads(json.dumps(config.differences())),  # as summary.json will read back
            model=config.model,
            train_prompts=config.train_prompts,
            rewards=list(config.rewards),
            reward_weights=list(config.reward_weights) if config.reward_weights else None,
            objective=config.rewards[0],
            seed=config.seed,
            steps=config.steps,
            long=config.long,
            wall_clock_s=round(wall_clock_s, 1),
            eval_s=round(eval_s, 1),
            time_to_behaviour_s=recorder.time_to_behaviour_s,
            stop_reason=recorder.stop_reason,
            eval_settings=settings.as_dict(),
            num_processes=num_processes,
            precision=precision.as_dict(),
            environment=environment(device),
            **training_signals(recorder.history),
            **measured,
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


def training_signals(history: list[dict[str, Any]]) -> dict[str, Any]:
    """Summary figures of the logged steps.

    Rewards are logged only on steps that generate; with ``num_iterations`` > 1 the
    steps that reuse a batch log loss, KL and step time but no reward, so steps and
    their times are counted from the loss rows and rewards from the reward rows.
    """
    optimizer_steps = [row for row in history if "loss" in row]
    generations = [row for row in history if "reward" in row]
    return {
        "steps_trained": len(optimizer_steps),
        "generation_steps": len(generations),
        "final_train_reward": generations[-1]["reward"] if generations else None,
        "mean_kl": _mean([row.get("kl") for row in optimizer_steps]),
        "final_entropy": optimizer_steps[-1].get("entropy") if optimizer_steps else None,
        "mean_frac_reward_zero_std": _mean([row.get("frac_reward_zero_std") for row in generations]),
        "mean_step_time_s": _mean([row.get("step_time") for row in optimizer_steps]),
    }


def _mean(values: list[Any]) -> float | None:
    present = [v for v in values if isinstance(v, (int, float))]
    return sum(present) / len(present) if present else None


