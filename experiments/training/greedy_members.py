"""Greedy members (issue 52): which completions of a group are decoded as the reader reads, under which generation
config, and what the greedy member earned against its group; the entry fields that set them, checked."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn

from trl import GRPOTrainer

from experiments.registry.experiment import KEEPS, Experiment

Role = str  # a completion's place in its group: "sample", "greedy" or "cold"


def member_roles(offset: int, count: int, group: int, greedy_members: int) -> list[Role]:
    """Each completion's role, for ``count`` completions starting at ``offset`` in the global batch, in groups of
    ``group`` consecutive completions: the first of each group is the greedy answer, the next ``greedy_members - 1``
    cold samples, the rest samples as TRL draws them.

    >>> member_roles(0, 8, 4, 2), member_roles(4, 4, 4, 1), member_roles(2, 4, 4, 0)
    (['greedy', 'cold', 'sample', 'sample', 'greedy', 'cold', 'sample', 'sample'], ['greedy', 'sample', 'sample', 'sample'], ['sample', 'sample', 'sample', 'sample'])
    """
    roles: list[Role] = []
    for index in range(offset, offset + count):
        member = index % group
        roles.append("greedy" if member == 0 < greedy_members else "cold" if member < greedy_members else "sample")
    return roles


@contextmanager
def generation_config_of(trainer: GRPOTrainer, config: Any) -> Iterator[None]:
    """TRL's regular path reads ``trainer.generation_config`` and, for the unwrapped model, ``generation_kwargs``:
    both say ``config`` for the duration, and are put back after."""
    kept_config, kept_kwargs = trainer.generation_config, trainer.generation_kwargs
    trainer.generation_config = config
    trainer.generation_kwargs = {
        **kept_kwargs,
        **{key: getattr(config, key) for key in ("do_sample", "temperature", "top_p", "top_k", "min_p")},
    }
    try:
        yield
    finally:
        trainer.generation_config, trainer.generation_kwargs = kept_config, kept_kwargs


def greedy_reward_gap(logs: dict[str, Any], weights: Sequence[float], group: int) -> float | None:
    """The greedy members' weighted reward minus their groups' mean, averaged over the last batch's groups.

    >>> logs = {"rewards": {"a": [1.0, 0.0, 0.5, 0.5], "b": [0.0, 0.0, 0.0, 1.0]}}
    >>> greedy_reward_gap(logs, [1.0, 1.0], 2)  # groups (1, 0) and (0.5, 1.5): gaps 0.5 and -0.5
    0.0
    """
    per_function = list(logs.get("rewards", {}).values())
    if not per_function or not per_function[0]:
        return None
    totals = [sum(w * v for w, v in zip(weights, column) if v == v) for column in zip(*per_function)]  # NaN: unscored
    first = len(totals) % group  # TRL keeps the batch's last completions: whole groups counted from the end
    gaps = [totals[start] - sum(totals[start : start + group]) / group for start in range(first, len(totals), group)]
    return sum(gaps) / len(gaps) if gaps else None


def check_reader_fields(entry: Experiment, where: str, refuse: Callable[[str], NoReturn]) -> None:
    """Greedy members fit in a group and leave at least one sample; ``keep="best"`` and a patience read the probe."""
    generations = entry.grpo.get("num_generations", 8)
    if isinstance(entry.greedy_members, bool) or not isinstance(entry.greedy_members, int) or entry.greedy_members < 0:
        refuse(f"{where}: greedy_members must be a whole number ≥ 0, got {entry.greedy_members!r}")
    if isinstance(generations, int) and entry.greedy_members >= generations:
        refuse(
            f"{where}: greedy_members ({entry.greedy_members}) must be fewer than num_generations ({generations}): "
            "a group needs at least one sample for its advantage"
        )
    cold = entry.cold_temperature
    if isinstance(cold, bool) or not isinstance(cold, numbers.Real) or not 0 < float(cold) <= 2:
        refuse(f"{where}: cold_temperature must be a number in (0, 2], got {cold!r}")
    if entry.greedy_members and entry.grpo.get("use_vllm"):
        refuse(f"{where}: greedy_members decodes with transformers' generate; use_vllm cannot serve them")
    if entry.keep not in KEEPS:
        refuse(f"{where}: keep must be one of {KEEPS}, got {entry.keep!r}")
    patience = entry.patience
    if patience is not None and (isinstance(patience, bool) or not isinstance(patience, int) or patience < 1):
        refuse(f"{where}: patience must be a whole number ≥ 1 or None, got {patience!r}")
    if (entry.keep == "best" or entry.patience is not None) and not entry.probe_every:
        refuse(f"{where}: keep 'best' and patience read the greedy probe, but probe_every is 0; set probe_every ≥ 1")
