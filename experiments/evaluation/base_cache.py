"""The untrained model's evaluation, cached by what the model is (its weights, configuration and tokenizer), not by its
name or path: every run of the same model, objective and decoding starts from the same "before"."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path

import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from experiments.evaluation import evaluate as evaluation
from experiments.evaluation.evaluate import EVALUATION_VERSION, EvalTask, Evaluation
from experiments.evaluation.measurements import Measurements
from experiments.files import atomic_write_text


def content_fingerprint(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase) -> str:
    """A hash of what a model computes with: every weight and buffer (name, type, shape, bytes), its configuration but
    the path it was loaded from, and its tokenizer's vocabulary and chat template. Another model saved into the same
    folder has another fingerprint; the same weights under another name have the same one."""
    digest = hashlib.sha256()
    for name, tensor in model.state_dict().items():
        flat = tensor.detach().cpu().reshape(-1).contiguous()
        digest.update(f"{name}:{flat.dtype}:{tuple(flat.shape)}".encode())
        digest.update(flat.view(torch.uint8).numpy().tobytes() if flat.numel() else b"")
    config = {k: v for k, v in model.config.to_dict().items() if k not in ("_name_or_path", "transformers_version")}
    digest.update(json.dumps(config, sort_keys=True, default=str).encode())
    digest.update(json.dumps(tokenizer.get_vocab(), sort_keys=True).encode())
    digest.update(str(getattr(tokenizer, "chat_template", None)).encode())
    return digest.hexdigest()


def cached_base_evaluation(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    task: EvalTask,
    runs_dir: Path,
    write: bool,
) -> Evaluation:
    """The untrained model's evaluation, computed once per model, objective and decoding settings (``write``: the main
    process keeps it in runs_dir/base-evaluations).

    Every configuration of the same model starts from the same weights and seed, so its
    "before" is identical; caching it saves a minute per run on CPU. The key is the model's content
    (``content_fingerprint``), not its name or path: a folder that now holds another model is evaluated afresh.
    """
    key_source = json.dumps(
        [
            EVALUATION_VERSION,
            content_fingerprint(model, tokenizer),
            model.device.type,
            task.objective.__name__,
            task.settings.as_dict(),
            list(map(str, task.prompts)),
            task.reference_text,
        ],
        sort_keys=True,
    )
    path = runs_dir / "base-evaluations" / f"{hashlib.sha256(key_source.encode()).hexdigest()[:16]}.json"
    if path.exists():
        cached = json.loads(path.read_text(encoding="utf-8"))
        return Evaluation(Measurements.from_dict(cached["measurements"]), cached["greedy"], cached["sampled"])
    before = evaluation.evaluate(model, tokenizer, task)
    if write:
        atomic_write_text(path, json.dumps(asdict(before)))
    return before
