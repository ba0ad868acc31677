"""Before/after evaluation on held-out prompts: the behaviour, and guards against a broken model.

Training reward alone cannot tell "Cows moan, bulls roar" from "They have feet! They
have feet!". So every run is judged on prompts it never saw, by the objective and by
guards that a collapsed model fails: reference perplexity, repetition, real English
words and answer length. The same decoding settings are used before and after.
"""

from __future__ import annotations

import logging
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, cast

import torch
from tqdm.auto import tqdm
from transformers import PreTrainedModel, PreTrainedTokenizerBase, pipeline, set_seed

from experiments.cli import ModelError
from experiments.evaluation.answers import (
    answer_measures,
    distinct_2,
    mean_words,
    real_word_share,
    repeats_trigram_share,
    template_share,
)
from experiments.evaluation.measurements import Measurements, mean_of
from experiments.evaluation.models import context_length
from experiments.evaluation.relevance import RelevanceJudge, heldout_relevance
from text_measures import completion_text

log = logging.getLogger(__name__)

EVALUATION_VERSION = 5  # bump when evaluate() measures something new, so cached "before" evaluations are redone


@dataclass(frozen=True)
class EvalSettings:
    """Decoding settings shared by the before and after evaluations of a run."""

    samples_per_prompt: int = 4
    max_new_tokens: int = 32
    temperature: float = 1.0
    top_p: float = 1.0
    batch_size: int = 32
    seed: int = 1234
    bf16: bool = False  # the run's chosen precision (experiments.precision); never assumed

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def generate(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    prompts: Sequence[Any],
    settings: EvalSettings,
    sample: bool,
    label: str | None = None,
) -> list[list[str]]:
    """Completions per prompt via transformers' text-generation pipeline (chat template applied for chats).

    With ``label``, a progress bar counts the prompts: a sampled evaluation takes minutes on a slow CPU.
    """
    generator = pipeline(
        "text-generation", model=model, tokenizer=cast(Any, tokenizer), device=model.device
    )  # any tokenizer class
    decoding: dict[str, Any] = {"do_sample": sample, "max_new_tokens": settings.max_new_tokens}
    if sample:  # greedy draws nothing, so it leaves every random state (a training run's included) as it was
        set_seed(settings.seed)
        decoding.update(
            temperature=settings.temperature,
            top_p=settings.top_p,
            top_k=0,
            num_return_sequences=settings.samples_per_prompt,
        )
    else:
        decoding.update(temperature=None, top_p=None, top_k=None)
    model.eval()
    prompts, outputs = list(prompts), []
    chunk = (
        settings.batch_size
    )  # one pipeline batch per call: the same batches, and so the same draws, as a single call
    with tqdm(total=len(prompts), desc=label, unit="prompt", disable=label is None, leave=False) as bar:
        with torch.inference_mode(), _autocast(model, settings):
            for start in range(0, len(prompts), chunk):
                part = prompts[start : start + chunk]
                outputs += generator(
                    part,
                    batch_size=settings.batch_size,
                    return_full_text=False,
                    pad_token_id=tokenizer.pad_token_id,
                    **decoding,
                )
                bar.update(len(part))
    return [[completion_text(item["generated_text"]).strip() for item in per_prompt] for per_prompt in outputs]


def _autocast(model: PreTrainedModel, settings: EvalSettings):
    """bf16 autocast where the run chose bf16 (as in training), plain fp32 otherwise."""
    return torch.autocast(model.device.type, dtype=torch.bfloat16, enabled=settings.bf16)


def reference_perplexity(
    model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, text: str, settings: EvalSettings, window: int = 256
) -> float:
    """Perplexity of plain English prose: it rises when training damages the language model underneath."""
    ids = tokenizer(text, return_tensors="pt", add_special_tokens=False).input_ids[0]
    window = min(window, context_length(model) or window)
    total_nll, total_tokens = 0.0, 0
    model.eval()
    with torch.inference_mode(), _autocast(model, settings):
        for start in range(0, len(ids) - 1, window):
            chunk = ids[start : start + window + 1].unsqueeze(0).to(model.device)
            if chunk.shape[1] < 2:
                break
            logits = model(chunk[:, :-1]).logits.float()
            nll = torch.nn.functional.cross_entropy(logits[0], chunk[0, 1:], reduction="sum")
            total_nll += nll.item()
            total_tokens += chunk.shape[1] - 1
    if not total_tokens:
        raise ModelError(
            f"the tokenizer turns {len(text)} characters of reference prose into {len(ids)} tokens: it is no working "
            "tokenizer (a model folder without its tokenizer files?)"
        )
    return perplexity(total_nll / total_tokens)


def perplexity(mean_nll: float) -> float:
    """exp of a mean loss per token; beyond a float's range (a loss above 709 nats, as after an lr of 1.0) it is the
    largest float, a lower bound that fails the reference-perplexity guard like any other rise, instead of an error
    that loses the run.

    >>> perplexity(0.0), perplexity(1e4) == sys.float_info.max
    (1.0, True)
    """
    try:
        return math.exp(mean_nll)
    except OverflowError:
        return sys.float_info.max


@dataclass
class Evaluation:
    """One model's held-out measurements, and the answers they were computed from."""

    measurements: Measurements
    greedy: list[str]
    sampled: list[list[str]]


@dataclass(frozen=True)
class EvalTask:
    """What both held-out evaluations of a run read: the prompts (as the model takes them), the reference prose, the
    objective, the decoding settings, and the judge of relevance (the frozen model before training)."""

    prompts: Sequence[Any]
    reference_text: str
    objective: Callable[..., list[float]]
    settings: EvalSettings
    judge: RelevanceJudge


def evaluate(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, task: EvalTask) -> Evaluation:
    """Behaviour and guard metrics of one model, plus the completions they were computed from.

    Relevance is judged by ``task.judge``, the frozen model before training, on the greedy answers.
    """
    sampled, greedy = answers_of(model, tokenizer, task)
    return Evaluation(measured(model, tokenizer, task, sampled, greedy), greedy, sampled)


def answers_of(
    model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, task: EvalTask
) -> tuple[list[list[str]], list[str]]:
    """The sampled answers (``samples_per_prompt`` per held-out prompt) and the one greedy answer to each."""
    prompts, settings = task.prompts, task.settings
    precision = "bf16" if settings.bf16 else "fp32"
    log.info(
        f"  sampling {settings.samples_per_prompt} answers to each of {len(prompts)} held-out prompts ({precision})"
    )
    sampled = generate(model, tokenizer, prompts, settings, sample=True, label="sampled answers")
    log.info(f"  greedy answers to {len(prompts)} held-out prompts")
    greedy = [
        per_prompt[0]
        for per_prompt in generate(model, tokenizer, prompts, settings, sample=False, label="greedy answers")
    ]
    return sampled, greedy


def measured(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    task: EvalTask,
    sampled: list[list[str]],
    greedy: list[str],
) -> Measurements:
    """Every measure: share, distinct-2, repetition, real words and length on the sampled answers; relevance, template
    and the per-answer measures on the greedy ones; the reference perplexity on the reference prose."""
    objective, flat = task.objective, [text for per_prompt in sampled for text in per_prompt]
    asked = [prompt for prompt, per_prompt in zip(task.prompts, sampled) for _ in per_prompt]
    return Measurements(
        share=mean_of(objective(prompts=asked, completions=flat)) or 0.0,
        share_greedy=mean_of(objective(prompts=list(task.prompts), completions=greedy)) or 0.0,
        ref_ppl=_logged(
            "  reference perplexity", reference_perplexity, model, tokenizer, task.reference_text, task.settings
        ),
        distinct2=distinct_2(flat),
        repeat3=repeats_trigram_share(flat),
        real_words=real_word_share(flat),
        mean_words=mean_words(flat),
        relevance=_logged("  relevance, judged by the base model", heldout_relevance, task.judge, task.prompts, greedy),
        template=template_share(greedy),
        **answer_measures(greedy, objective, list(task.prompts)),
    )


def _logged(message: str, function: Callable[..., Any], *arguments: Any) -> Any:
    log.info(message)
    return function(*arguments)
