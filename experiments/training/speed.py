"""What a GRPO step costs: the matmul peak it is measured against, its FLOPs, and its seconds per phase."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import torch
from transformers import TrainerCallback

from experiments.evaluation.models import transformer_blocks
from experiments.evaluation.relevance import RelevanceReward
from experiments.registry.experiment import Experiment
from experiments.training.stages import quiet_trainer
from rewards import FreshInMemory


def matmul_peak_flops(dtype: torch.dtype, size: int = 2048, repeats: int = 5, device: str = "cpu") -> float:
    """Achievable dense matmul FLOP/s of this CPU or GPU: the roofline MFU is measured against."""
    a, b = torch.randn(size, size, dtype=dtype, device=device), torch.randn(size, size, dtype=dtype, device=device)
    torch.matmul(a, b)
    synchronize = torch.cuda.synchronize if device == "cuda" else lambda: None
    synchronize()
    started = time.perf_counter()
    for _ in range(repeats):
        torch.matmul(a, b)
    synchronize()
    return 2 * size**3 * repeats / (time.perf_counter() - started)


def mean_prompt_tokens(tokenizer, prompts) -> float:
    """Prompt length as the model sees it: SmolLM2's chat template adds a system line to every question."""
    texts = [tokenizer.apply_chat_template(p, add_generation_prompt=True, tokenize=False) for p in prompts]
    return sum(len(tokenizer(t, add_special_tokens=False).input_ids) for t in texts) / len(texts)


def step_flops(model, generated: float, prompt_tokens: float, with_reference: bool) -> float:
    """Matmul FLOPs of one GRPO step: generation, the reference and policy forwards, and the backward that freezing shortens.

    The output head runs on completion tokens only (TRL keeps just their logits); the
    backward reaches down to the lowest trainable block and computes weight gradients
    only where parameters train.
    """
    blocks = transformer_blocks(model)
    per_block = sum(p.numel() for p in blocks[0].parameters())
    head = model.get_output_embeddings().weight.numel()
    tokens = generated + prompt_tokens
    trainable = [any(p.requires_grad for p in block.parameters()) for block in blocks]
    reached = len(blocks) - trainable.index(True) if any(trainable) else 0
    forward = 2 * per_block * len(blocks) * tokens + 2 * head * generated
    backward = 2 * per_block * reached * tokens + 2 * per_block * sum(trainable) * tokens + 2 * head * generated
    if model.get_output_embeddings().weight.requires_grad:
        backward += 2 * head * generated
    generation = 2 * (per_block * len(blocks) + head) * generated
    return generation + forward * (2 if with_reference else 1) + backward


class PhaseTimer(TrainerCallback):
    """Seconds per phase of each GRPO step: generation (the samples), greedy members, the reference forward, the
    relevance judge, the rewards with memory, the other rewards, and the rest (the policy's forward and backward, and
    the optimizer), read off the trainer's own methods."""

    PHASES = (
        "generation",
        "greedy_members",
        "reference",
        "judge",
        "memory_rewards",
        "other_rewards",
        "policy_and_optimizer",
    )

    def __init__(self) -> None:
        self.steps: list[dict[str, float]] = []
        self.current: dict[str, float] = {}
        self.started = 0.0
        self.trainer: Any = None
        self.members_before = 0.0

    def attach(self, trainer) -> None:
        trainer._generate = self._timed("generation", trainer._generate)
        logps = trainer._get_per_token_logps_and_entropies

        def per_token_logps(model, *args, **kwargs):
            if model is not trainer.ref_model:
                return logps(model, *args, **kwargs)
            return self._timed("reference", logps)(model, *args, **kwargs)

        trainer._get_per_token_logps_and_entropies = per_token_logps
        for wrapper in trainer.reward_funcs:
            function = getattr(wrapper, "function", None)
            judged = isinstance(function, RelevanceReward)
            remembers = isinstance(function, FreshInMemory)
            phase = "judge" if judged else "memory_rewards" if remembers else "other_rewards"
            wrapper.function = self._timed(phase, wrapper.function)
        self.trainer = trainer
        trainer.add_callback(self)

    def _timed(self, phase: str, function):
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.current[phase] = self.current.get(phase, 0.0) + time.perf_counter() - started

        return timed

    def on_step_begin(self, args, state, control, **kwargs):
        self.current, self.started = {}, time.perf_counter()
        self.members_before = getattr(self.trainer, "member_decode_s", 0.0)

    def on_step_end(self, args, state, control, **kwargs):
        total = time.perf_counter() - self.started
        members = getattr(self.trainer, "member_decode_s", 0.0)  # greedy members' decoding, within the generation
        self.current["greedy_members"] = members - self.members_before
        self.current["generation"] = self.current.get("generation", 0.0) - self.current["greedy_members"]
        phases = {phase: self.current.get(phase, 0.0) for phase in self.PHASES[:-1]}
        phases["policy_and_optimizer"] = total - sum(phases.values())
        self.steps.append({**phases, "step": total})


def step_breakdown(entry: Experiment, reuse_reference: bool = True, steps: int = 4) -> dict[str, float]:
    """Mean seconds per phase over steps 2.. of ``entry`` (step 1 warms up)."""
    timer = PhaseTimer()
    trainer, _ = quiet_trainer(replace(entry, steps=steps), reuse_reference=reuse_reference)
    timer.attach(trainer)
    trainer.train()
    timed = timer.steps[1:]
    return {key: sum(step[key] for step in timed) / len(timed) for key in timed[0]}


def reader_breakdown(entry: Experiment, steps: int) -> dict:
    """An entry with greedy members or a reward with memory (issue 52), step by phase: as declared, without its greedy
    members, and without the memory (``four_letter_floor`` for ``four_letter_floor_fresh``, ``fresh_phrases`` for the
    others): three timings in one run on one machine, and what the two mechanisms cost together."""
    plain = {"four_letter_floor_fresh": "four_letter_floor", "fresh_in_memory": "fresh_phrases"}
    plain["fresh_pairs_in_memory"] = "fresh_phrases"
    timings = {
        "as_declared": step_breakdown(entry, True, steps),
        "without_greedy_members": step_breakdown(replace(entry, greedy_members=0), True, steps),
        "without_memory": step_breakdown(
            replace(entry, rewards=tuple(plain.get(name, name) for name in entry.rewards)), True, steps
        ),
    }
    step = timings["as_declared"]["step"]
    both = timings["as_declared"]["greedy_members"] + timings["as_declared"]["memory_rewards"]
    return {
        "entry": entry.name,
        "timed_steps": steps - 1,
        "seconds_per_phase": timings,
        "share_of_step": {phase: seconds / step for phase, seconds in timings["as_declared"].items()},
        "greedy_members_and_memory_share_of_step": both / step,
        "step_ratio_vs_as_declared": {label: t["step"] / step for label, t in timings.items()},
    }
