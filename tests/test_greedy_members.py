"""Greedy members (issue 52): completion 0 of each group is the policy's greedy answer, the others are samples."""

import dataclasses

import pytest
import torch

from experiments.registry import REGISTRY
from experiments.training.trainer import greedy_reward_gap, member_roles

pytestmark = pytest.mark.fast


def greedy_trainer(greedy_members: int, steps: int = 1):
    from experiments.training.stages import quiet_trainer

    entry = dataclasses.replace(
        REGISTRY["smoke"],
        steps=steps,
        greedy_members=greedy_members,
        cold_temperature=0.3,
        grpo={**REGISTRY["smoke"].grpo, "per_device_train_batch_size": 8, "max_completion_length": 8},
    )
    return quiet_trainer(entry)


def greedy_reference(trainer, prompt_ids: list[int]) -> list[int]:
    """The policy's greedy answer to one unpadded prompt, by transformers' own generate, cut after its first EOS."""
    ids = torch.tensor([prompt_ids])
    with torch.no_grad():
        greedy = trainer.model.generate(
            ids,
            attention_mask=torch.ones_like(ids),
            do_sample=False,
            max_new_tokens=8,
            pad_token_id=trainer.processing_class.pad_token_id,
            eos_token_id=trainer.eos_token_ids,
        )[0, ids.shape[1] :].tolist()
    return greedy[: next((i + 1 for i, t in enumerate(greedy) if t in trainer.eos_token_ids), len(greedy))]


def test_completion_0_of_each_group_is_the_greedy_answer_and_the_others_are_samples():
    trainer, _ = greedy_trainer(1)
    tokenizer = trainer.processing_class
    prompts = ["What does the ox sing?", "Why do clouds wear hats?"]
    prompt_ids = [tokenizer(p).input_ids for p in prompts for _ in range(4)]  # 2 groups of 4, as TRL repeats them
    torch.manual_seed(0)
    completions, logprobs = trainer._generate_single_turn(prompt_ids, None, {}, 4)
    assert logprobs is None and len(completions) == 8
    for group, prompt in enumerate(prompts):
        greedy = greedy_reference(trainer, tokenizer(prompt).input_ids)
        assert completions[group * 4] == greedy, f"group {group}: member 0 is not the greedy answer"
    samples = [tuple(c) for i, c in enumerate(completions) if i % 4]
    assert len(set(samples)) > 1, "the other members must be samples, not copies of the greedy answer"


def test_without_greedy_members_every_completion_is_a_sample():
    trainer, _ = greedy_trainer(0)
    assert trainer.greedy_members == 0
    prompt_ids = [trainer.processing_class("What does the ox sing?").input_ids] * 4
    torch.manual_seed(0)
    completions, _ = trainer._generate_single_turn(prompt_ids, None, {}, 4)
    assert len({tuple(c) for c in completions}) > 1


def test_roles_follow_the_global_position_under_several_processes():
    # process 1 of 2, 4 completions each, groups of 4: its slice is the second group
    assert member_roles(4, 4, 4, 1) == ["greedy", "sample", "sample", "sample"]
    # groups of 8 split over two slices of 4: the second slice holds no greedy member
    assert member_roles(4, 4, 8, 2) == ["sample"] * 4
    assert member_roles(0, 4, 8, 2) == ["greedy", "cold", "sample", "sample"]


def test_the_greedy_reward_gap_is_logged_every_step():
    trainer, recorder = greedy_trainer(1, steps=2)
    trainer.train()
    gaps = [record.get("greedy/reward_gap") for record in recorder.history if "reward" in record]
    assert len(gaps) == 2 and all(isinstance(gap, float) for gap in gaps)


def test_the_gap_reads_whole_groups_from_the_end_of_the_kept_batch():
    logs = {"rewards": {"share": [9.0, 1.0, 0.0, 0.0, 0.5]}}  # a cut first group, then (1, 0) and (0, 0.5)
    assert greedy_reward_gap(logs, [1.0], 2) == pytest.approx((0.5 - 0.25) / 2)


@pytest.mark.train
@pytest.mark.fast
def test_smoke_greedy_members_are_greedy_on_every_process():
    """Under ``accelerate launch`` (make test runs ``-k smoke`` with 1 and 2 processes) each process decodes its slice
    of the batch: the members whose *global* position opens a group are the greedy answers to their prompts."""
    from accelerate import PartialState

    trainer, _ = greedy_trainer(1)
    state = PartialState()
    batch = next(iter(trainer.get_train_dataloader()))
    prompt_ids, _, _ = trainer._tokenize_prompts([row["prompt"] for row in batch])
    completions, _ = trainer._generate_single_turn(prompt_ids, None, {}, 4)
    offset = state.process_index * len(prompt_ids)
    greedy_positions = [i for i in range(len(prompt_ids)) if (offset + i) % 4 == 0]
    assert greedy_positions, "every slice of 8 completions holds two groups of 4"
    for position in greedy_positions:
        greedy = greedy_reference(trainer, prompt_ids[position])
        assert completions[position] == greedy, f"process {state.process_index}, position {position}"


def test_the_development_reading_hands_the_objective_its_prompts(tmp_path, monkeypatch):
    """The tuner's development reading scores answers as training does: a reward that reads its prompts gets them
    (issue 54 item 7: it was passed prompts=None)."""
    import rewards
    from experiments.evaluation.models import TINY_GPT2, resolve_model
    from experiments.tune.seed_run import dev_reading

    seen: list = []

    def reads_prompts(prompts, completions, **kwargs):
        seen.append(prompts)
        return [1.0 if prompt else 0.0 for prompt in prompts]

    monkeypatch.setitem(rewards.REWARDS, "reads_prompts", reads_prompts)
    model, tokenizer = resolve_model(TINY_GPT2)
    model.save_pretrained(tmp_path / "model")
    tokenizer.save_pretrained(tmp_path / "model")
    (tmp_path / "dev.txt").write_text("What does the ox sing?\nWhy do clouds wear hats?\n", encoding="utf-8")
    entry = dataclasses.replace(REGISTRY["smoke"], rewards=("reads_prompts",), reward_weights=(1.0,))
    figures = dev_reading(entry, tmp_path / "model", tmp_path / "dev.txt", bf16=False)
    assert figures["share"] == 1.0 and all(prompts is not None and all(prompts) for prompts in seen)
