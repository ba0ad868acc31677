"""A call's trials, run in lanes: ask Optuna, start each trial's seeds, report the worse seed's probe, prune, tell.

A trial starts when its seeds can start side by side (as many free lanes as seeds; with fewer lanes than seeds, they
run in turn), so choose a number of lanes that the seeds divide. A probe step is reported to the trial once every
seed still running has read its probe there (a seed waiting for a lane does not hold it back: with fewer lanes than
seeds, a step is reported from the seeds that ran it), as the worse seed's reading (objective.reading_value). When
the pruner says so, the seeds still training are killed (a seed past training is left to publish and finish, its
figures kept) and the trial is told PRUNED, its last reading its value; so too when a seed that a stop rule ended
before the cap is infeasible on its own (objective.settles_trial). Ctrl-C or SIGTERM kills every seed, and each
trial not yet told is told FAIL, to be retried first by the next call.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import optuna
from optuna.exceptions import UpdateFinishedTrialError
from optuna.trial import Trial, TrialState

from experiments.registry.search_space import configured
from experiments.tune.interrupts import ignoring_interrupts, sigterm_as_interrupt
from experiments.tune.lanes import Lanes, SeedRun, seed_attrs, seed_line
from experiments.tune.levers import suggest
from experiments.tune.objective import CONSTRAINTS, constraints, feasible, reading_value, settles_trial, trial_value
from experiments.tune.options import TunePlan
from experiments.tune.seed_run import SeedSpec
from experiments.tune.study import TUNER, this_tuner, write_snapshot

log = logging.getLogger(__name__)
POLL_S = 0.25
SHOWN = ("share", "loops", "clean")


@dataclass
class TrialRun:
    """A trial of this call: its seeds, the probe steps reported so far, and where it was pruned."""

    trial: Trial
    label: str  # "trial k of N (#number)"
    seeds: list[SeedRun]
    started_s: float = field(default_factory=time.perf_counter)
    reported: dict[int, float] = field(default_factory=dict)  # probe step → the value reported there
    pruned_at: int | None = None
    told: bool = False

    @property
    def ended(self) -> bool:
        return all(seed.ended for seed in self.seeds)

    @property
    def wall_s(self) -> float:
        return time.perf_counter() - self.started_s

    @property
    def lane_s(self) -> float:
        """What the trial cost in lane-seconds: each seed's seconds in its lane."""
        return sum(seed.seconds for seed in self.seeds)


@dataclass
class CallOutcome:
    """What a call did: each trial's number and the state it was told, and whether an interrupt ended the call."""

    states: dict[int, str] = field(default_factory=dict)
    interrupted: bool = False


class TrialLoop:
    """Keeps the lanes busy with ``count`` trials of the study (retries and enqueued ones first, as Optuna hands them)."""

    def __init__(self, study: optuna.Study, plan: TunePlan, count: int, lanes: Lanes):
        self.study, self.plan, self.count, self.lanes = study, plan, count, lanes
        self.runs: list[TrialRun] = []
        self.outcome = CallOutcome()

    def run(self) -> CallOutcome:
        try:
            with sigterm_as_interrupt():
                while not self._done():
                    if self._fill_lanes():
                        continue
                    for run in self._active():
                        self._watch(run)
                    time.sleep(POLL_S)
        except KeyboardInterrupt:
            self._interrupted()
        return self.outcome

    def _active(self) -> list[TrialRun]:
        return [run for run in self.runs if not run.told]

    def _done(self) -> bool:
        return len(self.runs) >= self.count and not self._active()

    def _fill_lanes(self) -> bool:
        """Start waiting seeds in free lanes; ask a new trial when none waits and its seeds can start side by side
        (as many free lanes as seeds, or every lane where there are fewer). True when a trial was asked."""
        waiting = [seed for run in self._active() for seed in run.seeds if seed.state == "pending"]
        for seed in waiting[: len(self.lanes.free)]:
            self.lanes.start(seed)
        side_by_side = min(len(self.plan.seeds), self.lanes.count)
        if waiting or len(self.lanes.free) < side_by_side or len(self.runs) >= self.count:
            return False
        self.runs.append(self._asked())
        return True

    def _asked(self) -> TrialRun:
        trial = self.study.ask()
        trial.set_user_attr(TUNER, this_tuner())
        values = {name: suggest(trial, lever) for name, lever in self.plan.levers.items()}
        label = f"trial {len(self.runs) + 1} of {self.count} (#{trial.number})"
        shown = ", ".join(
            f"{name}={value:.3g}" if isinstance(value, float) else f"{name}={value}" for name, value in values.items()
        )
        log.info(f"{label}: {shown or 'the base entry as it is'}")
        seeds = [SeedRun(self._spec(trial.number, values, seed)) for seed in self.plan.seeds]
        return TrialRun(trial, label, seeds)

    def _spec(self, number: int, values: dict[str, Any], seed: int) -> SeedSpec:
        plan = self.plan
        name = plan.run_name(number, seed)
        hypothesis = f"trial {number} of study {plan.study}, searched around {plan.base.name}"
        entry = configured(
            plan.base, name, hypothesis, values, seed=seed, seeds=(seed,), train_prompts=plan.train_field
        )
        options = plan.options
        return SeedSpec(
            entry,
            plan.study_dir,
            plan.runs_dir,
            plan.dev_path,
            plan.runs_dir / "logs" / f"{name}.log",
            keep_model=options.keep_models,
        )

    def _watch(self, run: TrialRun) -> None:
        """Read the running seeds, report what is ready, prune or end the trial."""
        for seed in run.seeds:
            if seed.state == "running":
                for step in self.lanes.poll(seed):
                    figures = "  ".join(f"{key}={seed.readings[step].get(f'probe/{key}', 0):.2f}" for key in SHOWN)
                    log.info(f"{run.label}, lane {seed.lane}, seed {seed.seed}, step {step}: probe {figures}")
                if seed.state == "failed":
                    self._kill_training(run)
        reported = self._report(run)
        if run.pruned_at is None and any(s.training for s in run.seeds):
            settler = next(
                (s for s in run.seeds if s.state == "done" and settles_trial(s.figures, self.plan.base.steps)), None
            )
            if settler is not None:
                self._prune(run, settler)
            elif reported and run.trial.should_prune():
                self._prune(run)
        if run.ended:
            self._tell(run)

    def _report(self, run: TrialRun) -> bool:
        """Report each probe step every running seed has reached, as the worse seed's reading; True if any was."""
        steps = sorted({step for seed in run.seeds for step in seed.readings} - set(run.reported))
        reported = False
        for step in steps:
            if any(s.state == "running" and s.last_step() < step for s in run.seeds):
                break
            value = min(reading_value(s.readings[step]) for s in run.seeds if step in s.readings)
            run.trial.report(value, step)
            run.reported[step] = value
            reported = True
        return reported

    def _prune(self, run: TrialRun, settler: SeedRun | None = None) -> None:
        """Stop the trial's training seeds: the pruner said so, or a seed settled the trial (objective.settles_trial)."""
        run.pruned_at = max(run.reported, default=0)
        why = f"worse seed's probe value {run.reported.get(run.pruned_at, 0.0):.2f}"
        if settler is not None and settler.figures is not None:
            settled = f"seed {settler.seed}: {settler.figures['stop_reason']} at step {settler.figures.get('steps')}"
            run.trial.set_user_attr("settled_by", settled)
            why = f"settled by {settled}, infeasible"
        log.info(f"{run.label} pruned at step {run.pruned_at} ({why}); {self._kill_training(run)} seeds stopped")

    def _kill_training(self, run: TrialRun) -> int:
        """Stop the seeds still training or waiting (the others finish and publish as any run does)."""
        stopped = [seed for seed in run.seeds if seed.training or seed.state == "pending"]
        for seed in stopped:
            self.lanes.kill(seed)
        return len(stopped)

    def _tell(self, run: TrialRun) -> None:
        """Tell Optuna how the trial ended, with each seed's figures, its times and, when complete, its constraints."""
        trial, seeds = run.trial, [seed.figures for seed in run.seeds if seed.figures]
        for seed in run.seeds:
            trial.set_user_attr(f"seed{seed.seed}", seed_attrs(seed))
        record_times(run)
        failed = next((seed for seed in run.seeds if seed.state == "failed"), None)
        if failed is not None:
            trial.set_user_attr("error", f"seed {failed.seed}: {failed.error}")
            self._told(run, TrialState.FAIL, f"failed: seed {failed.seed}: {failed.error}")
        elif run.pruned_at is not None:
            trial.set_user_attr("pruned_at", run.pruned_at)
            trial.set_user_attr("last_reading", run.reported.get(run.pruned_at))
            self._told(run, TrialState.PRUNED, f"pruned at step {run.pruned_at}")
        else:
            met = constraints(seeds)
            for key, excess in zip(CONSTRAINTS, met):
                trial.set_constraint(key, excess)
            value = trial_value(seeds)
            self._told(
                run,
                TrialState.COMPLETE,
                f"complete: value {value:.2f} ({'feasible' if feasible(met) else 'infeasible'}); "
                + "; ".join(seed_line(figures) for figures in seeds),
                value,
            )

    def _told(self, run: TrialRun, state: TrialState, what: str, value: float | None = None) -> None:
        self.study.tell(run.trial, value, state=state if value is None else None, skip_if_finished=True)
        run.told = True
        self.outcome.states[run.trial.number] = state.name
        log.info(f"{run.label} {what}; {run.wall_s:.0f} s, {run.lane_s:.0f} lane-seconds")
        write_snapshot(self.study, self.plan)

    def _interrupted(self) -> None:
        """Every seed killed, every trial not yet told failed as interrupted (the next call retries it first)."""
        with ignoring_interrupts():
            self.outcome.interrupted = True
            cut = self._active()
            for run in cut:
                for seed in run.seeds:
                    self.lanes.kill(seed)
                try:
                    run.trial.set_user_attr("interrupted", True)
                    record_times(run)
                except UpdateFinishedTrialError:  # told just before the interrupt: it stands as told
                    continue
                self._told(run, TrialState.FAIL, "interrupted: its seeds were stopped and it is marked failed")
            log.warning(
                f"interrupted: {len(cut)} trials marked failed; the next call with study {self.plan.study} retries "
                "them first"
            )


def record_times(run: TrialRun) -> None:
    """What the trial cost, however it ended: its wall time and lane-seconds (read by the study's time line)."""
    run.trial.set_user_attr("wall_s", round(run.wall_s, 1))
    run.trial.set_user_attr("lane_s", round(run.lane_s, 1))
