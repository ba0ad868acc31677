"""One run, read top to bottom: the modules a reader enters following an entry through ``run_experiment``.

How it counts: the smoke entry (a random tiny GPT-2, a few steps) runs under ``sys.setprofile``. A call counts
when its whole chain up to ``run_experiment`` is project code calling project code ("the code's own calls"; a
callback that TRL invokes is TRL's call, not ours) and it lies at most ``STAGE_DEPTH`` project frames below the
runner (the runner's own small helpers are transparent: they are the page being read). Consecutive calls into one
module are one stop; a stop in a module the reader has already left is a return.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import FrameType

import pytest

from experiments import runner
from experiments.registry import REGISTRY

pytestmark = pytest.mark.fast
ROOT = Path(__file__).resolve().parent.parent
PROJECT = (str(ROOT / "experiments") + "/", str(ROOT / "rewards.py"), str(ROOT / "text_measures.py"))
RUNNER = str(ROOT / "experiments" / "runner.py")
STAGE_DEPTH = 2  # the stage itself, and what the stage calls
MAX_STOPS, MAX_RETURNS = 35, 10


def module_of(filename: str) -> str:
    return str(Path(filename).relative_to(ROOT).with_suffix(""))


def trace_stops(run, depth: int = STAGE_DEPTH) -> list[str]:
    """The modules entered, in order, by the calls within ``depth`` project frames of ``run_experiment``."""
    stops: list[str] = []

    def depth_below_runner(frame: FrameType) -> int | None:
        levels, current = 0, frame
        while current is not None:
            filename = current.f_code.co_filename
            if filename == RUNNER:
                return levels if current.f_code.co_name == "run_experiment" or levels else None
            if not filename.startswith(PROJECT):
                return None  # called by a library: not one of the code's own calls
            levels += 1
            if levels > depth:
                return None
            current = current.f_back
        return None

    def on_event(frame: FrameType, event: str, _arg) -> None:
        if event != "call" or not frame.f_code.co_filename.startswith(PROJECT):
            return
        if frame.f_code.co_filename == RUNNER or depth_below_runner(frame) is None:
            return
        module = module_of(frame.f_code.co_filename)
        if not stops or stops[-1] != module:
            stops.append(module)

    sys.setprofile(on_event)
    try:
        run()
    finally:
        sys.setprofile(None)
    return stops


def returns_in(stops: list[str]) -> int:
    """Stops in a module already entered and left before.

    >>> returns_in(["a", "b", "a", "c", "b"])
    2
    """
    return sum(1 for i, module in enumerate(stops) if module in stops[:i])


def test_one_run_reads_top_to_bottom(tmp_path):
    stops = trace_stops(
        lambda: runner.run_experiment(
            REGISTRY["smoke"], results_dir=tmp_path / "results", runs_dir=tmp_path / "runs", steps=2
        )
    )
    path = " → ".join(stops)
    assert len(stops) <= MAX_STOPS, f"{len(stops)} stops: {path}"
    assert returns_in(stops) <= MAX_RETURNS, f"{returns_in(stops)} returns: {path}"
