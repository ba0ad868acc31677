"""The model resolver: offline models, the GPT-2 path, and a cache that survives interruption and damage."""

import os
import subprocess
import sys

import pytest

from experiments.cli import ModelError
from experiments.evaluation.checkpoints import MANIFEST, cached_checkpoint, checkpoint_problem
from experiments.evaluation.models import TINY_GPT2, freeze_lower_layers, resolve_model, tiny_gpt2

pytestmark = pytest.mark.fast


def test_tiny_gpt2_takes_the_gpt2_path(tmp_path):
    model, tokenizer = resolve_model(TINY_GPT2, cache_dir=tmp_path)
    assert model.config.model_type == "gpt2"
    assert tokenizer.chat_template is None
    assert tokenizer.pad_token == tokenizer.eos_token
    assert tokenizer.padding_side == "left"
    assert model.name_or_path == str(tmp_path / TINY_GPT2)


def test_freezing_lower_layers_leaves_only_the_top_blocks_trainable(tmp_path):
    model, _ = resolve_model(TINY_GPT2, cache_dir=tmp_path)
    assert freeze_lower_layers(model, 0.5) == 1
    trainable = {name for name, parameter in model.named_parameters() if parameter.requires_grad}
    assert trainable and all(name.startswith(("transformer.h.1.", "transformer.ln_f.")) for name in trainable)
    assert not model.lm_head.weight.requires_grad  # tied to the frozen token embeddings


def test_freezing_every_block_is_refused(tmp_path):
    model, _ = resolve_model(TINY_GPT2, cache_dir=tmp_path)
    with pytest.raises(ModelError, match="frozen_fraction=0.9 freezes 2 of the 2 blocks; at least one must train"):
        freeze_lower_layers(model, 0.9)


def test_an_unreachable_hub_id_names_the_embedded_default():
    script = "from experiments.evaluation.models import resolve_model\nresolve_model('gpt2-not-cached-here')"
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    assert result.returncode != 0
    assert "ModelError" in result.stderr and "smollm2-135m" in result.stderr


def test_a_build_killed_halfway_leaves_no_cache_that_looks_complete(tmp_path):
    def dies_while_building():
        raise KeyboardInterrupt

    target = tmp_path / "model"
    with pytest.raises(KeyboardInterrupt):
        cached_checkpoint(target, dies_while_building)
    assert not target.exists()
    assert checkpoint_problem(target) == "not converted yet"


def test_a_half_written_cache_is_detected_and_rebuilt(tmp_path):
    target = tmp_path / "model"
    target.mkdir()
    (target / "config.json").write_text("{}")
    assert "interrupted" in checkpoint_problem(target)
    cached_checkpoint(target, tiny_gpt2)
    assert checkpoint_problem(target) is None


def test_a_corrupted_cache_is_detected_and_rebuilt(tmp_path, capsys):
    target = cached_checkpoint(tmp_path / "model", tiny_gpt2)
    with open(target / "model.safetensors", "r+b") as stream:
        stream.truncate(100)
    assert "corrupted" in checkpoint_problem(target)
    cached_checkpoint(target, tiny_gpt2)
    assert "rebuilding" in capsys.readouterr().out
    assert checkpoint_problem(target) is None


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_a_read_only_cache_gives_a_clear_error(tmp_path):
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(ModelError, match=r"not writable.*LK_CACHE_DIR"):
            cached_checkpoint(tmp_path / "model", tiny_gpt2)
    finally:
        tmp_path.chmod(0o700)


def test_a_read_only_cache_gives_a_clear_error_even_as_root(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    with pytest.raises(ModelError, match=r"model cache .* is not writable.*set LK_CACHE_DIR"):
        cached_checkpoint(tmp_path / "model", tiny_gpt2)


def test_the_manifest_lists_every_checkpoint_file(tmp_path):
    target = cached_checkpoint(tmp_path / "model", tiny_gpt2)
    listed = (target / MANIFEST).read_text()
    assert "model.safetensors" in listed and "tokenizer.json" in listed
