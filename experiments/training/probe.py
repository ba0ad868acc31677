"""Greedy eyes during training: every few steps, greedy answers to a fixed set of training prompts, read as a reader would.

GRPO learns from sampled completions, but the reader (samples.md, the held-out guards) sees
greedy answers, and the two part ways: at temperature 1.0 a run's samples almost never loop
while its greedy answers slide into "They don't have feet. They just have days. They don't …".
The probe decodes the way the held-out evaluation does, at its answer length, and measures
with the same functions (``answers.answer_measures`` and the objective), so a run that starts
to loop is seen, and stopped, at the step it happens instead of after the run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from experiments.evaluation.answers import answer_measures
from experiments.evaluation.evaluate import EvalSettings, generate
from experiments.training.stop_rules import ProbeReading

PROBE_PROMPTS = 8
PROBE_EVERY = 5


def probe_prompts(pool: Sequence[Any], count: int = PROBE_PROMPTS) -> list[Any]:
    """``count`` prompts spread evenly over the training pool, the same ones every probe of every run.

    >>> probe_prompts(list(range(20)), 4)
    [0, 5, 10, 15]
    """
    count = min(count, len(pool))
    return [pool[index * len(pool) // count] for index in range(count)]


class GreedyProbe:
    """Greedy answers to ``prompts`` at the held-out answer length, measured; called by the recorder every ``every`` steps."""

    def __init__(
        self,
        prompts: Sequence[Any],
        tokenizer: PreTrainedTokenizerBase,
        objective: Callable[..., list[float]],
        settings: EvalSettings,
        every: int = PROBE_EVERY,
    ):
        self.prompts = list(prompts)
        self.tokenizer = tokenizer
        self.objective = objective
        self.settings = settings
        self.every = every

    def due(self, step: int) -> bool:
        return self.every > 0 and step > 0 and step % self.every == 0

    def read(self, model: PreTrainedModel, step: int) -> ProbeReading:
        """Greedy answers of the policy as it is now, measured; the policy is handed back in the mode it was in.

        Greedy decoding needs no random numbers, but the pipeline's DataLoader draws a seed from torch's generator:
        its state is put back, so the trainer's sampling goes on exactly as without a probe.
        """
        started = time.perf_counter()
        was_training = model.training
        with torch.random.fork_rng(devices=[]):
            answers = [
                per_prompt[0]
                for per_prompt in generate(model, self.tokenizer, self.prompts, self.settings, sample=False)
            ]
        model.train(was_training)
        measured = answer_measures(answers, self.objective, self.prompts)
        shares = self.objective(prompts=list(self.prompts), completions=answers)
        return ProbeReading(
            step=step,
            share=sum(shares) / len(shares) if shares else 0.0,
            loops=measured["loops"],
            frame=measured["frame"],
            frame_phrase=measured["frame_phrase"],
            clean=measured["clean"],
            content=measured["content"],
            vocabulary=measured["vocabulary"],
            answers=tuple(answers),
            seconds=round(time.perf_counter() - started, 2),
        )
