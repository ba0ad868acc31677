"""Where a study lives and how a later call finds it: a journal file under results/ (committed), or a database.

The journal is read before anything is written to it: a damaged one (a line that is not a journal record, or a last
line cut short) is refused in one line and left as it was. A study remembers what it was begun with (base, seeds,
steps, model, precision, development split): a later call, from this session or another machine, continues it only
with the same. Trials cut by an interrupt are failed, and retried first by the next call, each exactly once; a trial
left running by a tuner that is gone (killed outright, on this machine) is failed the same way.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import optuna
from filelock import FileLock
from optuna.distributions import check_distribution_compatibility
from optuna.pruners import BasePruner, MedianPruner, NopPruner, SuccessiveHalvingPruner
from optuna.samplers import TPESampler
from optuna.storages import BaseStorage, JournalStorage, RDBStorage
from optuna.storages.journal import JournalFileBackend
from optuna.trial import FrozenTrial, TrialState

from experiments.cli import ConfigError
from experiments.files import atomic_write_text
from experiments.reporting.results_folder import LOCK, LOCK_TIMEOUT_S
from experiments.tune.inputs import check_unclaimed
from experiments.tune.levers import distribution, entry_values
from experiments.tune.options import TunePlan

log = logging.getLogger(__name__)
optuna.logging.set_verbosity(optuna.logging.WARNING)  # the tuner says what happens, one line a trial
TUNER = "tuner"  # the user attr naming the process that runs a trial: host:pid
REMEMBERED = ("base", "seeds", "steps", "model", "precision", "dev_split")


def check_journal(path: Path) -> None:
    """Refuse a damaged journal before it is opened for writing: a regular file (a folder, a pipe that would be read
    forever, or a link that Optuna would follow out of the results folder is none), every line a record, none cut."""
    if path.is_symlink() or (path.exists() and not path.is_file()):
        kind = "a symbolic link" if path.is_symlink() else "a folder" if path.is_dir() else "not a regular file"
        raise ConfigError(
            f"{path}: {kind}; a study's journal is a regular file in its folder: move it away, or restore the file"
        )
    if not path.exists():
        return
    data = path.read_bytes()
    lines = data.split(b"\n")
    if lines[-1]:
        raise ConfigError(f"{path}: damaged journal (its last line is cut short); {_LEFT_AS_IT_WAS}")
    for number, line in enumerate(lines[:-1], start=1):
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        if not isinstance(record, dict) or "op_code" not in record:
            raise ConfigError(f"{path}: damaged journal (line {number} is not a journal record); {_LEFT_AS_IT_WAS}")
    try:
        JournalStorage(JournalFileBackend(str(path))).get_all_studies()
    except Exception as error:  # noqa: BLE001 - whatever optuna cannot replay is damage, named in one line
        raise ConfigError(f"{path}: damaged journal ({type(error).__name__}: {error}); {_LEFT_AS_IT_WAS}") from None


_LEFT_AS_IT_WAS = "refused and left as it was: restore it (git checkout) or move it away to begin a new study"


def open_storage(plan: TunePlan) -> BaseStorage:
    """The journal file of the study (checked first), or the database of ``--storage``."""
    if plan.storage is None:
        check_journal(plan.journal)
        if not plan.journal.exists():
            check_unclaimed(plan)  # before the journal is made: a refused call writes nothing
        plan.study_dir.mkdir(parents=True, exist_ok=True)
        return JournalStorage(JournalFileBackend(str(plan.journal)))
    if "://" not in plan.storage:
        raise ConfigError(f"--storage {plan.storage}: expected a database URL such as sqlite:///study.db")
    try:
        return RDBStorage(plan.storage)
    except Exception as error:  # noqa: BLE001 - a URL SQLAlchemy cannot open, in one line
        raise ConfigError(f"--storage {plan.storage}: {type(error).__name__}: {error}") from None


def pruner_of(name: str) -> BasePruner:
    """median: below the median of earlier trials at the same probe step; halving: successive halving from step 10."""
    if name == "median":
        return MedianPruner(n_startup_trials=4, n_warmup_steps=10)
    if name == "halving":
        return SuccessiveHalvingPruner(min_resource=10, reduction_factor=3)
    return NopPruner()


def remembered(plan: TunePlan) -> dict[str, Any]:
    """What a study is begun with, and must be continued with."""
    split = "\n".join(plan.dev_prompts) + "\n--\n" + "\n".join(plan.train_prompts)
    return {
        "base": plan.base.name,
        "seeds": list(plan.seeds),
        "steps": plan.base.steps,
        "model": plan.base.model,
        "precision": plan.base.precision,
        "dev_split": hashlib.sha256(split.encode()).hexdigest()[:16],
    }


def opened(plan: TunePlan, storage: BaseStorage, pruner: BasePruner | None = None) -> optuna.Study:
    """The study, begun or continued; a continuation must match what it was begun with and its levers' kinds."""
    sampler = TPESampler()  # reads the constraints each complete trial sets (objective.py)
    pruner = pruner or pruner_of(plan.pruner)
    names = {study.study_name for study in storage.get_all_studies()}
    if plan.study not in names:
        check_unclaimed(plan)  # its folders hold no earlier study's runs of this name
        study = optuna.create_study(
            storage=storage, study_name=plan.study, direction="maximize", sampler=sampler, pruner=pruner
        )
        for key, value in remembered(plan).items():
            study.set_user_attr(key, value)
        return study
    study = optuna.load_study(study_name=plan.study, storage=storage, sampler=sampler, pruner=pruner)
    check_continuation(plan, study)
    return study


def check_continuation(plan: TunePlan, study: optuna.Study) -> None:
    """Refuse to continue a study with another base, seeds, steps, model, precision, split, or lever kinds."""
    now = remembered(plan)
    changed = [key for key in REMEMBERED if key in study.user_attrs and study.user_attrs[key] != now[key]]
    if changed:
        was = ", ".join(f"{key} {study.user_attrs[key]}" for key in changed)
        raise ConfigError(
            f"study {plan.study} was begun with {was}; continue it with the same, or name a new study "
            f"(this call: {', '.join(f'{key} {now[key]}' for key in changed)})"
        )
    for trial in study.get_trials(deepcopy=False):
        for name, earlier in trial.distributions.items():
            if name in plan.levers:
                try:
                    check_distribution_compatibility(earlier, distribution(plan.levers[name]))
                except ValueError:
                    raise ConfigError(
                        f"--lever {name}: study {plan.study} searched it as {earlier}; keep its kind and choices, or "
                        "name a new study"
                    ) from None


def this_tuner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def fail_orphans(study: optuna.Study) -> None:
    """Trials left running by a tuner on this machine that is gone: failed as interrupted, to be retried."""
    host = socket.gethostname()
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        owner_host, _, pid = str(trial.user_attrs.get(TUNER, "")).rpartition(":")
        if owner_host == host and pid.isdigit() and not _alive(int(pid)):
            study.tell(trial.number, state=TrialState.FAIL, skip_if_finished=True)
            log.info(f"trial #{trial.number}: its tuner (pid {pid}) is gone; marked failed, to be retried")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def enqueue_retries(study: optuna.Study) -> list[int]:
    """Each interrupted trial not yet retried, enqueued with its values (first in line); its number is remembered.

    A trial that failed by an error of its own (``error``: a run refused or raised) is not retried: it would again.
    """
    trials = study.get_trials(deepcopy=False)
    retried = {trial.user_attrs.get("retry_of") for trial in trials}
    failed = [
        trial
        for trial in trials
        if trial.state == TrialState.FAIL and "error" not in trial.user_attrs and trial.number not in retried
    ]
    for trial in failed:
        study.enqueue_trial(trial.params, user_attrs={"retry_of": trial.number})
    return [trial.number for trial in failed]


def enqueue_known(study: optuna.Study, plan: TunePlan) -> None:
    """``--enqueue``'s entries, each by its lever values (once: a study that tried them skips them)."""
    for entry in plan.enqueue:
        values, left = entry_values(entry, plan.levers)
        study.enqueue_trial(values, user_attrs={"enqueued": entry.name}, skip_if_exists=True)
        log.info(
            f"enqueued {entry.name} by its lever values"
            + (f"; outside the levers' ranges, left to the sampler: {', '.join(left)}" if left else "")
        )


def finished(trial: FrozenTrial) -> bool:
    """A trial that counts: complete or pruned (a failed one is retried, and counts then)."""
    return trial.state in (TrialState.COMPLETE, TrialState.PRUNED)


def write_snapshot(study: optuna.Study, plan: TunePlan) -> None:
    """trials.json in the study's folder: every trial as the report reads it (tune_table.py), whatever the storage."""
    trials = [
        {
            "number": trial.number,
            "state": trial.state.name,
            "value": trial.value,
            "params": trial.params,
            "constraints": trial.constraints,
            "user_attrs": trial.user_attrs,
            "started": trial.datetime_start.isoformat(timespec="seconds") if trial.datetime_start else None,
        }
        for trial in study.get_trials(deepcopy=False)
    ]
    snapshot = {
        "study": plan.study,
        **study.user_attrs,
        "dev_prompts": f"{len(plan.dev_prompts)} from {plan.dev_source}",
        "levers": list(plan.levers),
        "trials": trials,
    }
    with study_lock(plan):
        atomic_write_text(plan.study_dir / "trials.json", json.dumps(snapshot, indent=1, default=str) + "\n")


@contextmanager
def study_lock(plan: TunePlan) -> Iterator[None]:
    """The study folder's results lock: its seeds publish under it, and the tuner writes trials.json and the split
    under it too, so the next writer clears what a killed one left (journal.clear_leftovers) without racing a live one."""
    plan.study_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(plan.study_dir / LOCK, timeout=LOCK_TIMEOUT_S):
        yield
