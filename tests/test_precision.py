"""Precision is measured on the machine that trains, cached per machine, and asked-for precisions are obeyed."""

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from experiments.precision import choose_precision

pytestmark = pytest.mark.fast
ROOT = Path(__file__).resolve().parent.parent
CPU_MODEL = SimpleNamespace(device=SimpleNamespace(type="cpu"))


def probe_with(fp32_s: float, bf16_s: float, calls: list):
    def probe(model, batch, length, bf16):
        calls.append((batch, length, bf16))
        return bf16_s if bf16 else fp32_s

    return probe


@pytest.mark.parametrize(
    "fp32_s, bf16_s, chosen", [(6.0, 3.4, "bf16"), (16.0, 105.0, "fp32"), (1.0, 0.95, "fp32")], ids=["native-bf16", "emulated-bf16", "too-close"]
)
def test_auto_trains_in_the_faster_precision_and_remembers_it(tmp_path, fp32_s, bf16_s, chosen):
    calls: list = []
    first = choose_precision("auto", CPU_MODEL, "smollm2-135m", 16, 64, tmp_path / "probes.json", probe_with(fp32_s, bf16_s, calls))
    assert (first.precision, first.fp32_s, first.bf16_s, first.how) == (chosen, fp32_s, bf16_s, "measured")
    assert calls == [(16, 64, False), (16, 64, True)]
    again = choose_precision("auto", CPU_MODEL, "smollm2-135m", 16, 64, tmp_path / "probes.json", probe_with(1.0, 1.0, calls))
    assert (again.precision, again.fp32_s, again.how) == (chosen, fp32_s, "measured earlier on this machine")
    assert len(calls) == 2, "the cached answer must not be measured again"
    other_shape = choose_precision("auto", CPU_MODEL, "smollm2-135m", 64, 64, tmp_path / "probes.json", probe_with(1.0, 2.0, calls))
    assert other_shape.precision == "fp32" and len(calls) == 4


@pytest.mark.parametrize("asked", ["fp32", "bf16"])
def test_an_asked_for_precision_is_used_without_measuring(tmp_path, asked):
    choice = choose_precision(asked, CPU_MODEL, "tiny-gpt2", 4, 16, tmp_path / "probes.json", lambda *a: pytest.fail("measured"))
    assert (choice.precision, choice.how) == (asked, "asked for")


def test_cuda_keeps_bf16_without_measuring(tmp_path):
    gpu_model = SimpleNamespace(device=SimpleNamespace(type="cuda"))
    choice = choose_precision("auto", gpu_model, "smollm2-135m", 16, 64, tmp_path / "probes.json", lambda *a: pytest.fail("measured"))
    assert choice.precision == "bf16" and choice.how.startswith("CUDA")


def test_a_quick_look_never_touches_committed_results():
    """Fewer steps than the registry declares: the run goes to runs/quick-looks and results/ stays as committed."""
    status = ["git", "status", "--porcelain", "--untracked-files=all", "results"]
    before = subprocess.run(status, cwd=ROOT, capture_output=True, text=True).stdout
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-m", "train", "--run-slow", "-k", "smoke", "--steps=2",
         "tests/test_experiments.py"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert "results go to" in run.stdout and "quick-looks" in run.stdout, run.stdout[-3000:]
    assert subprocess.run(status, cwd=ROOT, capture_output=True, text=True).stdout == before
