"""Train in whichever precision is faster on this machine, decided in seconds.

bf16 autocast was 3.8× faster than fp32 in matmul on one 2-core AMD EPYC (native
AVX512-BF16), 3.4× slower on an Intel Xeon without it, and about 150× slower on an
"AMD EPYC" with AVX2 only, whose name is the same as the first one's. So:

- on CUDA, bf16;
- on a CPU whose flags hold no bf16 instruction, fp32, without timing anything
  (timing emulated bf16 once took 19 minutes);
- elsewhere, a small matmul timed both ways under a time budget; bf16 only where it is
  clearly faster.

The answer is cached per CPU name *and flags*, torch version and model, so two CPUs
sharing a name never share an answer. ``python -m experiments.precision`` prints it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import platform
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from experiments.cli import ConfigError as PrecisionError  # an unknown precision, asked for or cached
from experiments.files import atomic_write_text
from experiments.registry.experiment import PRECISIONS

log = logging.getLogger("experiments.precision")  # not __name__: run as __main__ by python -m

BF16_FLAGS = ("avx512_bf16", "amx_bf16", "bf16")  # x86 AVX512-BF16 or AMX, Arm BF16
BF16_MARGIN = 0.9  # bf16 must beat fp32 by 10%: fp32 is the safer arithmetic, and a coin flip between near-equal timings is no choice
PROBE_SIZE = 512  # a 512² matmul: milliseconds with native bf16, about a second emulated
PROBE_BUDGET_S = 5.0  # a probe's hard limit; a precision still running past it has lost


@dataclass(frozen=True)
class PrecisionChoice:
    """The precision a run trains and evaluates in, with the timings that chose it (None where nothing was timed)."""

    precision: str
    fp32_s: float | None
    bf16_s: float | None
    how: str

    @property
    def bf16(self) -> bool:
        return self.precision == "bf16"

    def as_dict(self) -> dict:
        return asdict(self)

    def shown(self) -> str:
        """As the summary names it: the precision, how it was chosen, and the timings where there were any."""
        timed = f": fp32 {self.fp32_s} s, bf16 {self.bf16_s} s a pass" if self.fp32_s else ""
        return f"{self.precision} ({self.how}{timed})"


def cpu_model() -> str:
    """The CPU's marketing name: what a reader recognises, not what decides bf16 speed (see ``cpu_flags``)."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cpu_flags() -> frozenset[str]:
    """The instruction-set flags of the first CPU: what tells apart two machines that report one name."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith(("flags", "Features")):
                return frozenset(line.split(":", 1)[1].lower().split())
    except OSError:
        pass
    return frozenset()


def native_bf16(flags: frozenset[str] | None = None) -> bool:
    """Whether the CPU has bf16 instructions.

    >>> native_bf16(frozenset({"avx2", "fma"})), native_bf16(frozenset({"avx512f", "avx512_bf16"}))
    (False, True)
    """
    return any(flag in (cpu_flags() if flags is None else flags) for flag in BF16_FLAGS)


def machine_key(model_name: str, flags: frozenset[str] | None = None) -> str:
    """The cache key: CPU name, a hash of its flags, torch and model.

    >>> machine_key("m", frozenset({"avx2"})) != machine_key("m", frozenset({"avx2", "avx512_bf16"}))
    True
    """
    flags = cpu_flags() if flags is None else flags
    digest = hashlib.sha256(" ".join(sorted(flags)).encode()).hexdigest()[:12]
    return f"{cpu_model()} | flags {digest} | torch {torch.__version__} | {model_name}"


def time_matmul(bf16: bool, size: int = PROBE_SIZE, budget_s: float = PROBE_BUDGET_S) -> float:
    """Seconds for one size² matmul in the given precision (best of three after a warm-up), capped at ``budget_s``.

    The first, untimed call already counts against the budget: emulated bf16 is found out by it.
    """
    dtype = torch.bfloat16 if bf16 else torch.float32
    a = torch.randn(size, size, generator=torch.Generator().manual_seed(0)).to(dtype)
    best, spent = float("inf"), 0.0
    for repeat in range(4):
        started = time.perf_counter()
        a @ a
        took = time.perf_counter() - started
        spent += took
        if repeat:
            best = min(best, took)
        if spent > budget_s:
            return max(best if best < float("inf") else took, budget_s)
    return best


def choose_precision(
    requested: str,
    device_type: str,
    model_name: str,
    cache_file: Path | None,
    probe: Callable[[bool], float] = time_matmul,
    flags: frozenset[str] | None = None,
) -> PrecisionChoice:
    """``requested`` if it names a precision; otherwise bf16 on CUDA, fp32 on a CPU without bf16, else the faster measured."""
    if requested not in PRECISIONS:
        raise PrecisionError(f"precision must be one of {PRECISIONS}, got {requested!r}")
    if requested != "auto":
        return PrecisionChoice(requested, None, None, "asked for")
    if device_type == "cuda":
        return PrecisionChoice("bf16", None, None, "CUDA: bf16 autocast")
    flags = cpu_flags() if flags is None else flags
    if not native_bf16(flags):
        return PrecisionChoice(
            "fp32", None, None, "this CPU has no bf16 instructions, so bf16 would be emulated; nothing timed"
        )
    key = machine_key(model_name, flags)
    cache = _read_cache(cache_file) if cache_file is not None else {}
    if key in cache:
        return PrecisionChoice(**{**cache[key], "how": "measured earlier on this machine"})
    fp32_s = probe(False)
    bf16_s = probe(True)
    chosen = "bf16" if bf16_s < BF16_MARGIN * fp32_s else "fp32"
    choice = PrecisionChoice(chosen, round(fp32_s, 4), round(bf16_s, 4), f"measured: a {PROBE_SIZE}² matmul")
    if cache_file is not None:
        atomic_write_text(cache_file, json.dumps({**cache, key: choice.as_dict()}, indent=1))
    return choice


def _read_cache(path: Path) -> dict:
    """The cached answers; an unreadable file is measured again, a damaged one is named (it may hide a wrong precision)."""
    try:
        cache = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(cache, dict):
        raise PrecisionError(
            f"{path}: holds a {type(cache).__name__}, not an object of cached answers; delete it to measure again"
        )
    for key, entry in cache.items():
        fields = {"precision", "fp32_s", "bf16_s"}
        missing = sorted(fields - set(entry)) if isinstance(entry, dict) else sorted(fields)
        if missing or entry["precision"] not in ("fp32", "bf16") or set(entry) - fields - {"how"}:
            raise PrecisionError(
                f"{path}: entry {key[-40:]!r} is {str(entry)[:80]}: "
                + (f"lacks {', '.join(missing)}" if missing else "precision must be fp32 or bf16")
                + "; delete the file to measure again"
            )
    return cache


def main(argv: list[str] | None = None) -> None:
    """``python -m experiments.precision``: the precision a run would use here, and why."""
    from experiments.cli import PrecisionOptions, one_line_errors, parse, setup_logging

    options, _ = parse(PrecisionOptions, argv, PrecisionOptions.__doc__)
    setup_logging()
    flags = cpu_flags()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    started = time.perf_counter()
    with one_line_errors():
        choice = choose_precision(
            "auto", device, options.model, None if options.fresh else Path(options.runs_dir) / "precision-probes.json"
        )
    shown = sorted(f for f in flags if f.startswith(("avx", "amx", "fma", "sse4", "bf16", "asimd", "sve")))
    print(f"CPU: {cpu_model()}  ({'native bf16' if native_bf16(flags) else 'no bf16 instructions'})")
    print(f"flags: {' '.join(shown) or '(none read)'}")
    print(f"device: {device}")
    timed = (
        "nothing timed"
        if choice.fp32_s is None
        else f"{PROBE_SIZE}² matmul: fp32 {choice.fp32_s} s, bf16 {choice.bf16_s} s"
    )
    print(f"timings: {timed}")
    print(f"precision: {choice.precision}  ({choice.how}; decided in {time.perf_counter() - started:.2f} s)")


if __name__ == "__main__":
    main()
