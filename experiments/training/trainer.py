"""TRL's GRPOTrainer as a run uses it: isolated rewards, the recorder's progress line instead of TRL's dicts, LoRA by rank."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from datasets import Dataset
from transformers import PreTrainedModel, PreTrainedTokenizerBase
from transformers.trainer_callback import PrinterCallback, ProgressCallback
from trl import GRPOConfig, GRPOTrainer

from experiments.relevance import ReferenceKeepingTrainer, RelevanceReward, rotary_positions
from experiments.training.recorder import MetricsRecorder
from experiments.validation import IsolatedReward


def build_trainer(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    dataset: Dataset,
    reward_functions: Sequence[Callable[..., list[float]]],
    arguments: GRPOConfig,
    recorder: MetricsRecorder,
    lora_rank: int | None = None,
    progress_bar: bool = False,
) -> GRPOTrainer:
    """TRL's trainer, with its raw per-step dict printing replaced by the recorder's one-line progress (or a bar).

    ``lora_rank`` trains peft's LoRA adapters on every linear layer (α = 2 × rank), through TRL's ``peft_config``.
    """
    trainer = ReferenceKeepingTrainer(
        model=model,
        reward_funcs=[IsolatedReward(function) for function in reward_functions],
        args=arguments,
        train_dataset=dataset,
        processing_class=tokenizer,
        callbacks=[recorder],
        peft_config=lora_config(lora_rank) if lora_rank else None,
    )
    recorder.trainer = trainer
    if trainer.ref_model is not None and arguments.temperature == 1.0 and rotary_positions(model):
        for function in reward_functions:
            if isinstance(function, RelevanceReward) and function.reuse_reference:
                function.reference = trainer.reference_answer_log_probs
    trainer.remove_callback(PrinterCallback)
    trainer.remove_callback(ProgressCallback)
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


