"""Lanes: at most L seed processes at once, each read as it trains, and killed cleanly when its trial is pruned.

Each seed runs in its own process (seed_run.py), started through multiprocessing's forkserver: the server imports the
training stack once, with one OpenMP thread, and forks a fresh process for each seed. While a seed trains, its greedy
probe readings appear in its live metrics.jsonl (runs/tune/STUDY/NAME/in-progress/metrics.jsonl, written by the
recorder and flushed every step); the tuner reads them there. A seed is pruned only while it trains (its model not yet
saved): a run stages and publishes its files only after training, so a killed run leaves nothing in results/ but its
claim on its name (cleared by the next command that opens the folder), and its runs folder (metrics.jsonl,
completions.jsonl, the trainer's folder, the folder's lock), which is removed; its log stays. A seed past training is
left to evaluate, publish and read its development answers, and its figures are kept; one that an interrupt kills
after it published keeps its runs folder, which holds its row's model and live files.

A seed ends with its tuner, however the tuner ends (``kill -9`` too): the tuner holds the only write end of a pipe
whose read end every seed watches (seed_run.end_with_tuner), and the kernel closes it when the tuner goes.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import multiprocessing.forkserver
import os
import shutil
import time
from dataclasses import dataclass, field
from multiprocessing.context import ForkServerContext
from multiprocessing.process import BaseProcess
from typing import Any, Literal

from experiments.files import IN_PROGRESS, inside
from experiments.training.recorder import read_metrics
from experiments.tune.seed_run import SeedSpec, run_seed

log = logging.getLogger(__name__)

SeedState = Literal["pending", "running", "done", "failed", "killed", "skipped"]
KILL_WAIT_S = 30
# The forkserver's environment: one OpenMP thread a seed, and no progress bars in the seeds' logs.
SEED_ENVIRONMENT = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "TQDM_DISABLE": "1"}


@dataclass
class SeedRun:
    """One seed of a trial: its spec, its process and lane once started, its probe readings, and how it ended."""

    spec: SeedSpec
    state: SeedState = "pending"
    process: BaseProcess | None = None
    lane: int = 0
    started_s: float | None = None
    ended_s: float | None = None
    readings: dict[int, dict[str, Any]] = field(default_factory=dict)  # probe step → its metrics.jsonl record
    figures: dict[str, Any] | None = None  # what seed_run.py returned: development figures and the record's
    error: str | None = None

    @property
    def name(self) -> str:
        return self.spec.entry.name

    @property
    def seed(self) -> int:
        return self.spec.entry.seed

    @property
    def ended(self) -> bool:
        return self.state not in ("pending", "running")

    @property
    def training(self) -> bool:
        """Running, with no model saved yet: what is left after the save is the evaluation, the publishing and the
        development reading, which are left to finish."""
        return self.state == "running" and not self.trained

    @property
    def trained(self) -> bool:
        """Its model saved: in in-progress/ until the row publishes, then (publishing moves in-progress/ into the run's
        folder) its row's files in the study's folder, which appear before the model moves and stay after the model is
        read and removed, and at last its RESULT; so no moment from the save on reads as training again."""
        run_dir = self.spec.run_dir
        return self.published or any(path.exists() for path in (run_dir / IN_PROGRESS / "model", self.spec.result))

    @property
    def published(self) -> bool:
        """Its row's files are in the study's folder (a run's name is its study's, trial's and seed's: never reused)."""
        return (self.spec.results_dir / self.name).exists()

    @property
    def seconds(self) -> float:
        """Seconds this seed held a lane (so far)."""
        if self.started_s is None:
            return 0.0
        return (self.ended_s if self.ended_s is not None else time.perf_counter()) - self.started_s

    def last_step(self) -> int:
        return max(self.readings, default=0)


def forkserver() -> ForkServerContext:
    """The forkserver every seed process is forked from, started (once per tuner process) in SEED_ENVIRONMENT."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["experiments.tune.seed_run"])
    saved = {name: os.environ.get(name) for name in SEED_ENVIRONMENT}
    os.environ.update(SEED_ENVIRONMENT)
    try:
        multiprocessing.forkserver.ensure_running()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return context


class Lanes:
    """``count`` lanes, numbered from 1; a seed takes a free lane when it starts and gives it back when it ends."""

    def __init__(self, count: int, context: ForkServerContext | None = None):
        self.count = count
        self.free = list(range(1, count + 1))
        self.context = context or forkserver()
        # Each seed reads this pipe; its write end lives in this process only, so a seed meets EOF when the tuner ends.
        self.tuner_alive, self._held_open = multiprocessing.Pipe(duplex=False)

    def start(self, run: SeedRun) -> None:
        run.lane = self.free.pop(0)
        run.spec.run_dir.parent.mkdir(parents=True, exist_ok=True)
        run.spec.result.unlink(missing_ok=True)
        run.process = self.context.Process(target=run_seed, args=(run.spec, self.tuner_alive), name=run.name)
        run.state, run.started_s = "running", time.perf_counter()  # before it starts: an interrupt still finds it
        run.process.start()

    def poll(self, run: SeedRun) -> list[int]:
        """The probe steps newly read from a running seed's metrics.jsonl; a seed whose process ended is finished."""
        assert run.process is not None
        alive = run.process.is_alive()
        new = []
        for record in read_metrics(run.spec.run_dir / IN_PROGRESS / "metrics.jsonl"):
            step = record.get("step")
            if isinstance(step, int) and "probe/share" in record and step not in run.readings:
                run.readings[step] = record
                new.append(step)
        if not alive:
            self._finished(run)
        return sorted(new)

    def _finished(self, run: SeedRun) -> None:
        assert run.process is not None
        run.process.join()
        result = json.loads(run.spec.result.read_text(encoding="utf-8")) if run.spec.result.exists() else {}
        if run.process.exitcode == 0 and "error" not in result and result:
            run.state, run.figures = "done", result
        else:
            run.state = "failed"
            run.error = result.get("error") or f"its process ended with exit code {run.process.exitcode}"
        self._ended(run)

    def kill(self, run: SeedRun) -> None:
        """End a seed now: its process killed, its runs folder (partial metrics, trainer files) removed unless it
        published."""
        if run.state == "pending":
            run.state = "skipped"
            return
        if run.ended or run.process is None:
            return
        if run.process.pid is not None:  # None: interrupted before it started
            run.process.kill()
            run.process.join(KILL_WAIT_S)
        run.state = "killed"
        if not run.published:  # a published seed's folder holds its row's model and live files
            shutil.rmtree(inside(run.spec.runs_dir, run.spec.run_dir), ignore_errors=True)
        self._ended(run)

    def _ended(self, run: SeedRun) -> None:
        run.ended_s = time.perf_counter()
        self.free.append(run.lane)
        self.free.sort()


def seed_attrs(seed: SeedRun) -> dict[str, Any]:
    """A seed's figures as the trial keeps them: how it ended, its development figures, its last probe reading."""
    figures = {key: value for key, value in (seed.figures or {}).items() if key != "dev_answers"}
    last = seed.readings.get(seed.last_step(), {})
    probe = {key: last.get(f"probe/{key}") for key in ("share", "loops", "frame", "clean")} if last else None
    return {"state": seed.state, "run": seed.name, **figures, "probe_step": seed.last_step() or None, "probe": probe}


def seed_line(figures: dict[str, Any]) -> str:
    """A seed's development figures in one clause."""
    ratio = figures.get("ref_ppl_ratio")
    shown = " ".join(
        f"{key} {figures[key]:.2f}"
        for key in ("share", "clean", "loops", "frame", "content_share")
        if figures.get(key) is not None
    )
    return (
        f"seed {figures['seed']}: {shown}"
        + (f" ref ppl x{ratio:.2f}" if ratio else "")
        + f", {figures.get('steps')} steps ({figures.get('stop_reason')})"
    )
