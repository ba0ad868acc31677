"""TRL's GRPOTrainer as a run uses it: isolated rewards, the reference log-probabilities kept for the relevance judge,
the recorder's progress line instead of TRL's dicts, LoRA by rank."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Sequence
from typing import Any

import torch
from datasets import Dataset
from transformers import PreTrainedModel, PreTrainedTokenizerBase
from transformers.trainer_callback import PrinterCallback, ProgressCallback
from trl import GRPOConfig, GRPOTrainer

from experiments.training.greedy_members import Role, generation_config_of, greedy_reward_gap, member_roles
from experiments.training.recorder import MetricsRecorder
from experiments.training.reward_checks import IsolatedReward


class ReferenceKeeper:
    """The reference model's log-probabilities of the batch being scored, kept by the trainer for the relevance judge.

    TRL computes them (for the KL term) just before it calls the rewards; the judge needs the same numbers for each
    answer under its own question, so it reads them here instead of running the same model over the same tokens again.
    """

    def __init__(self) -> None:
        self._kept: tuple[torch.Tensor, torch.Tensor] | None = None

    def keep(self, tokens: torch.Tensor, log_probs: torch.Tensor) -> None:
        self._kept = (tokens, log_probs)

    def answer_log_probs(self, completion_ids: Sequence[list[int]]) -> list[float | None] | None:
        """Mean reference log-probability per token of each completion under its own prompt; None unless the kept
        batch holds exactly these completions (then the judge computes them itself)."""
        if self._kept is None:
            return None
        tokens, log_probs = self._kept
        if tokens.shape[0] != len(completion_ids):
            return None
        scores: list[float | None] = []
        for row, ids in enumerate(completion_ids):
            if len(ids) > tokens.shape[1] or tokens[row, : len(ids)].tolist() != list(ids):
                return None
            scores.append(log_probs[row, : len(ids)].mean().item() if ids else None)
        return scores


def rotary_positions(model: PreTrainedModel) -> bool:
    """Whether the model encodes positions by rotation (RoPE: SmolLM2, Qwen2, Llama).

    Only then are TRL's reference log-probabilities, computed on left-padded prompts, the judge's own: a rotation sees
    relative positions, which padding does not shift, while GPT-2's absolute position embeddings do (0.06-0.14
    nats/token apart, measured).
    """
    config = model.config
    return bool(getattr(config, "rope_parameters", None) or getattr(config, "rope_theta", None))


def reference_is_the_judges(model: PreTrainedModel, grpo_config: GRPOConfig, lora_rank: int | None) -> bool:
    """Whether TRL's reference log-probabilities are the judge's own numbers, so the judge may reuse them: TRL keeps a
    reference model only with a KL term and without LoRA, tempers it at a temperature other than 1.0, and only rotary
    positions leave it unshifted by left padding."""
    return bool(grpo_config.beta) and not lora_rank and grpo_config.temperature == 1.0 and rotary_positions(model)


class ProjectTrainer(GRPOTrainer):
    """TRL's GRPOTrainer, handing the reference model's log-probabilities to ``keeper`` and its last batch to whoever
    asks (the recorder), with ``greedy_members`` of each group decoded as the reader reads (see ``_generate_single_turn``).
    """

    def __init__(
        self,
        *args: Any,
        keeper: ReferenceKeeper,
        greedy_members: int = 0,
        cold_temperature: float = 0.3,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.keeper = keeper
        self.greedy_members = greedy_members
        self.cold_temperature = cold_temperature
        self.member_decode_s = 0.0  # seconds spent decoding greedy and cold members (the benchmark's phase)

    def _generate_single_turn(self, prompt_ids, images, multimodal_fields, num_generations, has_tool_images=False):
        """TRL's generation, with the first member of each group replaced by the policy's greedy answer to its prompt
        and the next ``greedy_members - 1`` by samples at ``cold_temperature``: training then scores the answer the
        reader reads, so a loop the greedy answer takes is charged at the step it appears (0-4% of samples loop
        while 7-83% of greedy answers do).

        Why an override and not TRL's public ``rollout_func``: a rollout function receives the prompts once (no
        repetition), must template chats and return log-probabilities itself, and replaces TRL's own sampling, so the
        rest of each group would be sampled by our code, not TRL's. Here TRL's own regular path decodes every member,
        each role under its generation config (same length cap, stop tokens, padding and EOS cut), and the global
        position of each completion (process index × slice) says its role, so it holds under ``accelerate launch``.
        """
        if not self.greedy_members or self.use_vllm or self.use_transformers_continuous_batching or images:
            return super()._generate_single_turn(
                prompt_ids, images, multimodal_fields, num_generations, has_tool_images
            )
        offset = self.accelerator.process_index * len(prompt_ids)
        roles = member_roles(offset, len(prompt_ids), num_generations, self.greedy_members)
        completion_ids: list[list[int] | None] = [None] * len(prompt_ids)
        for role, config in self._role_configs().items():
            picked = [index for index, own in enumerate(roles) if own == role]
            if not picked:
                continue
            started = time.perf_counter()
            with generation_config_of(self, config):
                decoded, _ = super()._generate_single_turn(
                    [prompt_ids[index] for index in picked], images, multimodal_fields, num_generations
                )
            if role != "sample":
                self.member_decode_s += time.perf_counter() - started
            for index, ids in zip(picked, decoded):
                completion_ids[index] = ids
        return completion_ids, None  # logprobs: None, as TRL's own regular path returns

    def _role_configs(self) -> dict[Role, Any]:
        """The generation config of each role: TRL's own for samples, greedy, and TRL's at the cold temperature."""
        greedy = copy.deepcopy(self.generation_config)
        greedy.do_sample = False
        greedy.temperature, greedy.top_p, greedy.top_k, greedy.min_p = 1.0, 1.0, None, None
        cold = copy.deepcopy(self.generation_config)
        cold.temperature = self.cold_temperature
        return {"sample": self.generation_config, "greedy": greedy, "cold": cold}

    def _generate_and_score_completions(self, inputs):
        """TRL's scoring, then the greedy member's reward minus its group's mean, logged as ``greedy/reward_gap``: when
        it is negative the model's mode is worse than its samples."""
        output = super()._generate_and_score_completions(inputs)
        if self.greedy_members and self.model.training:
            gap = greedy_reward_gap(self._logs, list(self.reward_weights.tolist()), self.num_generations)
            if gap is not None:
                self._metrics["train"]["greedy/reward_gap"].append(gap)
        return output

    def _get_per_token_logps_and_entropies(self, model, input_ids, attention_mask, logits_to_keep, *args, **kwargs):
        result = super()._get_per_token_logps_and_entropies(
            model, input_ids, attention_mask, logits_to_keep, *args, **kwargs
        )
        if model is self.ref_model and model is not None:
            self.keeper.keep(input_ids[:, -logits_to_keep:].detach(), result[0].detach().float())
        return result

    def last_batch(self) -> dict[str, Any] | None:
        """The last batch's prompts, completions, rewards per function and advantages, or None before the first.

        The one place that reads TRL's private buffer (``GRPOTrainer._logs``, what its log_completions prints):
        TRL hands a callback no batch, and the advantages are nowhere public.
        """
        logs = getattr(self, "_logs", None)
        return logs if logs and logs.get("completion") else None


def build_trainer(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    dataset: Dataset,
    reward_functions: Sequence[Callable[..., list[float]]],
    grpo_config: GRPOConfig,
    keeper: ReferenceKeeper,
    lora_rank: int | None = None,
    greedy_members: int = 0,
    cold_temperature: float = 0.3,
) -> ProjectTrainer:
    """TRL's trainer, with its raw per-step dict printing removed (the recorder prints one line instead).

    ``lora_rank`` trains peft's LoRA adapters on every linear layer (α = 2 × rank), through TRL's ``peft_config``;
    ``greedy_members`` decodes that many members of each group as the reader reads (``ProjectTrainer``).
    """
    trainer = ProjectTrainer(
        model=model,
        reward_funcs=[IsolatedReward(function) for function in reward_functions],
        args=grpo_config,
        train_dataset=dataset,
        processing_class=tokenizer,
        peft_config=lora_config(lora_rank) if lora_rank else None,
        keeper=keeper,
        greedy_members=greedy_members,
        cold_temperature=cold_temperature,
    )
    trainer.remove_callback(PrinterCallback)
    trainer.remove_callback(ProgressCallback)
    return trainer


def with_recorder(trainer: ProjectTrainer, recorder: MetricsRecorder, progress_bar: bool = False) -> ProjectTrainer:
    """The trainer with the recorder (which reads its batches) among its callbacks, and a bar where asked for."""
    trainer.add_callback(recorder)
    if progress_bar:
        trainer.add_callback(BarOnly)
    return trainer


class BarOnly(ProgressCallback):
    """transformers' progress bar without the raw dict it prints at every log; the recorder prints one line instead."""

    def on_log(self, args, state, control, logs=None, **kwargs):
        return None


def lora_config(rank: int):
    from peft import LoraConfig

    return LoraConfig(r=rank, lora_alpha=2 * rank, lora_dropout=0.0, target_modules="all-linear", task_type="CAUSAL_LM")
