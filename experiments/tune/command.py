"""``python -m experiments.tune STUDY --base ENTRY --trials N --lanes L``: search a configuration around an entry.

Every check comes first (options.py, inputs.py, study.py); then the study is begun or continued, interrupted trials are
retried first, known entries enqueued, and N trials run in L lanes (trials.py). Each trial's wall time, lane-seconds
and state are logged, so a ``--lanes 1`` call of the same trials is the one-by-one comparison.
"""

from __future__ import annotations

import logging
import sys
import time

import optuna
from optuna.trial import FrozenTrial, TrialState

from experiments.cli import PROJECT_ERRORS, ConfigError, one_line_errors, parse
from experiments.registry.history.studies import STUDIES, declared_in
from experiments.reporting.journal import clear_leftovers
from experiments.reporting.publish import refresh_summary
from experiments.tune.figures import draw_study_figures
from experiments.tune.inputs import check_folders, check_model
from experiments.tune.lanes import Lanes
from experiments.tune.objective import feasible, write_split
from experiments.tune.options import TuneOptions, TunePlan, plan_of
from experiments.tune.study import (
    enqueue_known,
    enqueue_retries,
    fail_orphans,
    finished,
    open_storage,
    opened,
    study_lock,
    write_snapshot,
)
from experiments.tune.trials import CallOutcome, TrialLoop

log = logging.getLogger("experiments.tune")  # not __name__: run as __main__ by python -m
INTERRUPTED_EXIT = 130


def main(argv: list[str] | None = None) -> None:
    options, words = parse(TuneOptions, argv, TuneOptions.__doc__, other_options=True, expand=with_declaration)
    if words and words[0] in STUDIES:
        log.info(f"study {words[0]}: declared in {declared_in(words[0])} ({STUDIES[words[0]].declared})")
    with one_line_errors():
        names, specs = lever_specs(words)
        plan = plan_of(options, names, specs)
        check_folders(plan)
        check_model(plan)
        study = opened(plan, open_storage(plan))
    if tune(plan, study).interrupted:
        sys.exit(INTERRUPTED_EXIT)


def with_declaration(argv: list[str]) -> list[str]:
    """A declared study's options (experiments/registry/history/studies.py) first, then the command line's, which win: a
    ``--lever`` of the command line replaces the declaration's for that lever.

    >>> with_declaration(["vocab-keep", "--trials", "2"])[:3], with_declaration(["my-study", "--base", "smoke"])
    (['vocab-keep', '--base', 'rare-in-batch-frozen-seed1'], ['my-study', '--base', 'smoke'])
    >>> [w for w in with_declaration(["vocab-keep", "--lever", "beta=0.05:0.1"]) if w.startswith("beta")]
    ['beta=0.05:0.1']
    """
    declared = [STUDIES[word] for word in argv if word in STUDIES]
    if len(declared) != 1:
        return argv
    given = {_lever_name(spec) for spec in _lever_words(argv)}
    kept = [word for spec in declared[0].levers if _lever_name(spec) not in given for word in ("--lever", spec)]
    options = declared[0].arguments()
    options = options[: options.index("--lever")] if "--lever" in options else options
    return [declared[0].name, *options, *kept, *(word for word in argv if word != declared[0].name)]


def _lever_words(words: list[str]) -> list[str]:
    """The specs of each ``--lever SPEC`` and ``--lever=SPEC`` among the words."""
    specs = [word.removeprefix("--lever=") for word in words if word.startswith("--lever=")]
    return specs + [spec for word, spec in zip(words, words[1:]) if word == "--lever"]


def _lever_name(spec: str) -> str:
    return spec.partition("=")[0].strip()


def lever_specs(words: list[str]) -> tuple[list[str], list[str]]:
    """The words the parser left: the study's name, and each ``--lever NAME=…``; any other flag, or a lever given twice
    (the first would be dropped in silence), is refused.

    >>> lever_specs(["my-study", "--lever", "beta=0:0.1", "--lever=lora_rank=None"])
    (['my-study'], ['beta=0:0.1', 'lora_rank=None'])
    """
    names: list[str] = []
    specs: list[str] = []
    remaining = iter(words)
    for word in remaining:
        if word == "--lever":
            spec = next(remaining, None)
            if spec is None:
                raise ConfigError("--lever: give NAME=LOW:HIGH or NAME=a,b,c")
            specs.append(spec)
        elif word.startswith("--lever="):
            specs.append(word.removeprefix("--lever="))
        elif word.startswith("--"):
            raise ConfigError(f"unknown option {word}")
        else:
            names.append(word)
    for index, spec in enumerate(specs):
        earlier = next((other for other in specs[:index] if _lever_name(other) == _lever_name(spec)), None)
        if earlier is not None:
            raise ConfigError(f"--lever {spec}: {_lever_name(spec)} is given twice (--lever {earlier}); give it once")
    return names, specs


def tune(plan: TunePlan, study: optuna.Study) -> CallOutcome:
    """One call: the split written, orphans failed, retries and known entries enqueued, the trials run, the report.

    ``--trials 0`` declares the study (or checks that a continuation matches it) and redraws its files: it enqueues no
    retry and no known entry, so it writes no trial.
    """
    with study_lock(plan):  # the study's files are written under its lock: what a killed writer left is cleared
        clear_leftovers(plan.study_dir)
        write_split(plan.dev_path, plan.dev_prompts, "development prompts", plan.dev_source)
        write_split(plan.train_path, plan.train_prompts, "training prompts", plan.base.train_prompts)
    fail_orphans(study)
    retried = enqueue_retries(study) if plan.trials else []
    if plan.trials:
        enqueue_known(study, plan)
    before = sum(finished(trial) for trial in study.get_trials(deepcopy=False))
    levers = ", ".join(f"{name} {lever.describe()}" for name, lever in plan.levers.items())
    log.info(
        f"study {plan.study}: {plan.trials} trials on {plan.base.name} (seeds {', '.join(map(str, plan.seeds))}), "
        f"{plan.lanes} lanes; {before} finished before"
        + (f"; retrying interrupted trials {', '.join(f'#{n}' for n in retried)} first" if retried else "")
        + f"; levers: {levers}"
    )
    started = time.perf_counter()
    outcome = TrialLoop(study, plan, plan.trials, Lanes(plan.lanes)).run() if plan.trials else CallOutcome()
    write_snapshot(study, plan)
    draw_study_figures(study, plan.results_dir / "figures")
    redraw_page(plan)  # after the last trial and the figures: the seeds drew it before their trial was told
    summarise(plan, study, outcome, time.perf_counter() - started)
    return outcome


def redraw_page(plan: TunePlan) -> None:
    """The study's summary.md, from its trials.json, its rows and its figures as they stand now; a page that cannot
    be drawn (a damaged row's files) is named in one line, and the trials stand."""
    if not (plan.study_dir / "summary.json").exists():  # no seed has published a row: there is no page yet
        return
    try:
        refresh_summary(plan.study_dir)
    except PROJECT_ERRORS as error:
        log.warning(f"{plan.study_dir / 'summary.md'}: not redrawn ({' '.join(str(error).split())})")


def summarise(plan: TunePlan, study: optuna.Study, outcome: CallOutcome, seconds: float) -> None:
    """The call in one line: its trials by state, the study's finished count and best trial, trials per hour."""
    states = list(outcome.states.values())
    counts = ", ".join(f"{states.count(state)} {state.lower()}" for state in dict.fromkeys(states)) or "none"
    total = sum(finished(trial) for trial in study.get_trials(deepcopy=False))
    rate = len(states) / seconds * 3600 if seconds and states else 0.0
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    best = max(complete, key=lambda trial: (meets(trial), trial.value or 0.0), default=None)
    log.info(
        f"study {plan.study}: this call {counts} in {seconds:.0f} s ({rate:.1f} trials an hour); {total} finished in "
        f"all"
        + (
            f"; best so far #{best.number}, value {best.value:.2f}{'' if meets(best) else ' (infeasible)'}"
            if best
            else ""
        )
        + (f"; its page: {page}" if (page := plan.study_dir / "summary.md").exists() else "; no row yet, so no page")
        + (
            f"; the suite's table: python -m experiments.report --results_dir {plan.results_dir} redraws "
            f"{plan.results_dir / 'summary.md'}"
            if (plan.results_dir / "summary.json").exists()
            else ""
        )
    )


def meets(trial: FrozenTrial) -> bool:
    """A complete trial that meets every constraint."""
    return feasible(list(trial.constraints.values()))
