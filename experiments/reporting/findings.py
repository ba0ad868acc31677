"""The sentences of results/summary.md built from the rows: where the runs were produced, and the findings (at most
ten lines, each a claim with its numbers)."""

from __future__ import annotations

from experiments.evaluation.models import TINY_GPT2
from experiments.precision import cpu_model
from experiments.registry import BASELINE
from experiments.registry.history.greedy_eyes import HEADLINE
from experiments.registry.lessons import LEVER_RUNS
from experiments.reporting.environment import Environment, environment
from experiments.reporting.record import RunRecord, family_of, one_session, seeds_of

NO_STOP_RULE = "stop not recorded"


def findings(runs: list[RunRecord]) -> list[str]:
    """At most ten lines, each a claim with its numbers, built from the rows."""
    lines = [headline(name, seeds) for name in HEADLINE if (seeds := seeds_of(runs, name))]
    judged = [
        run
        for run in runs
        if run.judged_by_all_guards and None not in (run.after.relevance, run.after.template) and run.model != TINY_GPT2
    ]
    if judged:
        lines += answer_guards(judged)
    refuted = [
        run.name for run in runs if not run.hypothesis_held and run.model != TINY_GPT2
    ]  # the smoke run checks plumbing
    old = [run.name for run in runs if not run.judged_by_all_guards]
    lines.append(
        f"{len(refuted)} of {len(runs)} hypotheses were refuted and stay as declared (strict xfails): {', '.join(refuted)}."
        + (
            f" {len(old)} runs predate the relevance and template guards and are judged by the first five only."
            if old
            else ""
        )
    )
    lines += lever_step_times(runs)
    return lines[:10]


def lever_step_times(runs: list[RunRecord]) -> list[str]:
    """The speed levers' seconds a step against the baseline's, where both seed-0 runs were made in one session on one
    CPU (the lanes' load alike): a step time from another session says nothing about the lever."""
    base = next((run for run in seeds_of(runs, BASELINE.name) if run.seed == 0), None)
    timed = []
    for name in LEVER_RUNS.values():
        lever = next((run for run in seeds_of(runs, name) if run.seed == 0), None)
        if lever is None or base is None or not (lever.training.mean_step_time_s and base.training.mean_step_time_s):
            continue
        if one_session(lever, base) and name != BASELINE.name:
            timed.append(f"`{name}` {lever.training.mean_step_time_s:.1f} s ({lever.verdict})")
    if not timed or base is None:
        return []
    precision = base.precision.precision if base.precision is not None else "?"
    return [
        f"Speed levers, seconds a step on {base.environment.get('cpu')} ({precision}, one session, one thread beside "
        "another run): " + ", ".join(timed) + f", against the baseline's {base.training.mean_step_time_s:.1f} s."
    ]


def headline(name: str, seeds: list[RunRecord]) -> str:
    """One headline family over its seeds: verdicts, share, relevance, distinct-2 and steps."""
    precision = seeds[0].precision.precision if seeds[0].precision else "bf16"
    working = sum(run.verdict == "works" and run.after.share >= 0.5 for run in seeds)
    verdicts = ", ".join(
        r.verdict
        + (f" ({', '.join(r.failed_guards)})" if r.failed_guards else "")
        + ("" if r.judged_by_all_guards else " (5 guards)")
        for r in seeds
    )
    relevance = "/".join(nats(r.after.relevance) for r in seeds if r.after.relevance is not None)
    return (
        f"`{name}` ({precision}): works with held-out share ≥ 0.5 on {working} of {len(seeds)} seeds ({verdicts}); "
        f"share {seeds[0].before.share:.2f} → {'/'.join(f'{r.after.share:.3f}' for r in seeds)}"
        + (f", relevance {nats(seeds[0].before.relevance or 0.0)} → {relevance} nats/token" if relevance else "")
        + f", distinct-2 {seeds[0].before.distinct2:.2f} → {'/'.join(f'{r.after.distinct2:.2f}' for r in seeds)}"
        + f", steps {', '.join(f'{r.training.steps_trained} ({r.training.stop_reason or NO_STOP_RULE})' for r in seeds)}."
    )


def answer_guards(judged: list[RunRecord]) -> list[str]:
    """What keeps an answer an answer, per family, and how often the relevance and template guards failed."""
    failed = {g: [run.name for run in judged if not run.guards[g]] for g in ("relevance", "template")}
    return [
        f"What keeps an answer an answer (relevance → template after, from {judged[0].before.relevance:.2f} → "
        f"{judged[0].before.template:.2f} before): "
        + ", ".join(
            keeps_an_answer(family, [r for r in judged if family_of(r) == family])
            for family in dict.fromkeys(map(family_of, judged))
        )
        + ".",
        f"Of {len(judged)} runs judged by the relevance and template guards, relevance failed on {len(failed['relevance'])} "
        f"({', '.join(failed['relevance']) or 'none'}) and template on {len(failed['template'])} ({', '.join(failed['template']) or 'none'}).",
    ]


def nats(value: float, digits: int = 2) -> str:
    """Rounded, without the minus of a value that rounds to zero.

    >>> nats(-0.0002), nats(-0.5), nats(1.444), nats(-0.0001, 3)
    ('0.00', '-0.50', '1.44', '0.000')
    """
    return f"{round(value, digits) + 0.0:.{digits}f}"  # + 0.0 turns -0.0 into 0.0


def keeps_an_answer(family: str, seeds: list[RunRecord]) -> str:
    """One family's relevance → template after, and its share, over its seeds (each seed's figure, min-max when several)."""

    def spread(values: list[float], digits: int) -> str:
        low, high = min(values), max(values)
        shown = [nats(v, digits) for v in (low, high)]
        return shown[0] if shown[0] == shown[1] else f"{shown[0]}-{shown[1]}"

    count = f" ×{len(seeds)}" if len(seeds) > 1 else ""
    return (
        f"`{family}`{count} {spread([r.after.relevance or 0.0 for r in seeds], 2)} → {spread([r.after.template or 0.0 for r in seeds], 2)} "
        f"at share {spread([r.after.share for r in seeds], 3)}"
    )


NOT_RECORDED = "Produced before the environment was recorded in full."


def latest_environment(runs: list[RunRecord]) -> Environment | None:
    """The environment of the newest run that recorded its CPU, or None."""
    latest = max(
        (run for run in runs if run.environment.get("cpu")),
        key=lambda run: run.environment.get("date", ""),
        default=None,
    )
    return None if latest is None else latest.environment


def produced_on(runs: list[RunRecord]) -> str:
    """Where the runs come from: CPU, precisions (with the probe's timings), packages; so a reader can tell a rerun apart."""
    env = latest_environment(runs)
    if env is None:
        return NOT_RECORDED
    probes = sorted({r.precision.shown() for r in runs if r.precision})
    packages = ", ".join(f"{name} {version}" for name, version in env["packages"].items() if version)
    return (
        f"Latest runs produced on {env['device']}, CPU {env['cpu']} (native bf16: {'yes' if env['cpu_native_bf16'] else 'no'}), "
        f"{env['date']}; precisions {'; '.join(probes)}; {packages}; packages hash {env['packages_hash']}, lock {env['lock_hash']}."
    )


def machine_differences(runs: list[RunRecord]) -> list[str]:
    """How this machine differs from the one that produced the runs: CPU, packages, lock file."""
    here = environment()
    seen = [run.environment for run in runs if run.environment.get("cpu")]
    differences = []
    for key, label in (("cpu", "CPU"), ("packages_hash", "installed packages"), ("lock_hash", "lock file")):
        theirs = sorted({str(env.get(key)) for env in seen})
        if theirs and str(here.get(key)) not in theirs:
            differences.append(f"{label}: results from {', '.join(theirs)}, this machine {here.get(key)}")
    return differences or ([] if seen else [f"the committed runs do not record their CPU; this one is {cpu_model()}"])
