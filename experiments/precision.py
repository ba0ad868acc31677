"""Train in whichever precision is faster on this machine, measured rather than assumed.

bf16 autocast was 3.8× faster than fp32 in matmul on one 2-core AMD EPYC (native
AVX512-BF16) and 3.4× slower on an Intel Xeon without it. So before training, a few
forward and backward passes at the run's batch shape are timed both ways; the
answer is cached per CPU model, torch version, model and shape. On CUDA bf16 stays.
"""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from transformers import PreTrainedModel

from experiments.results import atomic_write_text

PRECISIONS = ("auto", "fp32", "bf16")
PROBE_REPEATS = 2
BF16_MARGIN = 0.9  # bf16 must beat fp32 by 10%: fp32 is the safer arithmetic, and a coin flip between near-equal timings is no choice


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


def cpu_model() -> str:
    """The CPU's marketing name, which is what decides bf16 speed."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def native_bf16() -> bool:
    """Whether the CPU has bf16 instructions (AVX512-BF16 or AMX on x86, BF16 on Arm): a hint, the probe decides."""
    try:
        flags = Path("/proc/cpuinfo").read_text().lower().split()
    except OSError:
        return False
    return any(flag in flags for flag in ("avx512_bf16", "amx_bf16", "bf16"))


def time_passes(model: PreTrainedModel, batch: int, length: int, bf16: bool) -> float:
    """Seconds for one forward and backward pass (best of a few, after a warm-up); gradients are dropped after."""
    ids = torch.randint(0, model.config.vocab_size, (batch, length), generator=torch.Generator().manual_seed(0)).to(model.device)
    was_training = model.training
    model.eval()
    best = float("inf")
    try:
        for repeat in range(PROBE_REPEATS + 1):
            started = time.perf_counter()
            with torch.autocast(model.device.type, dtype=torch.bfloat16, enabled=bf16):
                loss = model(input_ids=ids).logits.float().mean()
            loss.backward()
            if repeat:
                best = min(best, time.perf_counter() - started)
    finally:
        model.zero_grad(set_to_none=True)
        model.train(was_training)
    return best


def choose_precision(
    requested: str,
    model: PreTrainedModel,
    model_name: str,
    batch: int,
    length: int,
    cache_file: Path,
    probe: Callable[[PreTrainedModel, int, int, bool], float] = time_passes,
) -> PrecisionChoice:
    """``requested`` if it names a precision; otherwise bf16 on CUDA and, on a CPU, bf16 only where it is measured clearly faster."""
    if requested != "auto":
        return PrecisionChoice(requested, None, None, "asked for")
    if model.device.type == "cuda":
        return PrecisionChoice("bf16", None, None, "CUDA: bf16 autocast")
    key = f"{cpu_model()} | torch {torch.__version__} | {model_name} | {batch}×{length} tokens"
    cache = _read_cache(cache_file)
    if key in cache:
        return PrecisionChoice(**{**cache[key], "how": "measured earlier on this machine"})
    fp32_s, bf16_s = probe(model, batch, length, False), probe(model, batch, length, True)
    choice = PrecisionChoice("bf16" if bf16_s < BF16_MARGIN * fp32_s else "fp32", round(fp32_s, 3), round(bf16_s, 3), "measured")
    atomic_write_text(cache_file, json.dumps({**cache, key: choice.as_dict()}, indent=1))
    return choice


def _read_cache(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
