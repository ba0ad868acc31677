"""Does an answer still answer its own question? Pointwise mutual information, judged by the frozen base model.

relevance(a, q) = mean over a's tokens of log p(a | q) − mean over other questions q' of log p(a | q').
An answer that fits any question ("I'm more than happy to help with that!") scores about 0;
an answer that only makes sense after its own question scores well above. The judge is
the model before training, so a policy cannot learn to fool it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

import torch
from tqdm.auto import tqdm
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from experiments.evaluation.models import context_length
from text_measures import completion_text, echo_share

# Mean reference log-probability per token of each completion under its own prompt, or None (the judge computes them).
ReferenceSource = Callable[[Sequence[list[int]]], "list[float | None] | None"]

OTHER_QUESTIONS = 8  # held-out evaluation: each answer is also scored after this many other questions


class RelevanceJudge:
    """The frozen base model scoring answers after questions; questions are chat messages or plain strings."""

    def __init__(self, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, bf16: bool, batch_size: int = 32):
        self.model, self.tokenizer, self.bf16, self.batch_size = (
            model.eval().requires_grad_(False),
            tokenizer,
            bf16,
            batch_size,
        )

    @property
    def context_limit(self) -> int:
        """Tokens the model reads at once; unbounded if it says none."""
        return context_length(self.model) or 10**9

    @staticmethod
    def context_text(tokenizer: PreTrainedTokenizerBase, question: Any) -> str:
        """A question as the policy saw it: through the chat template for chat messages, as is for plain text."""
        if isinstance(question, str) or tokenizer.chat_template is None:
            return question if isinstance(question, str) else completion_text(question)
        return str(tokenizer.apply_chat_template(list(question), add_generation_prompt=True, tokenize=False))

    def answer_log_probs(
        self, questions: Sequence[Any], answers: Sequence[str] | Sequence[list[int]], progress: bool = False
    ) -> list[float | None]:
        """Mean log-probability per answer token after each question; None for an answer with no tokens.

        Answers are texts, or token ids as the policy generated them (what TRL passes as ``completion_ids``).
        ``progress`` shows a bar: the held-out evaluation makes hundreds of passes; a training step wants none.
        """
        contexts: dict[str, list[int]] = {}
        pairs = []
        for question, answer in zip(questions, answers):
            text = self.context_text(self.tokenizer, question)
            if text not in contexts:
                contexts[text] = self.tokenizer(text, add_special_tokens=False).input_ids
            tokens: list[int] = (
                self.tokenizer(answer, add_special_tokens=False).input_ids
                if isinstance(answer, str)
                else list(cast(list[int], answer))
            )
            # A decoded answer can tokenize longer than it was generated: cut it where the model's context ends.
            pairs.append((contexts[text], tokens[: max(0, self.context_limit - len(contexts[text]))]))
        scores: list[float | None] = []
        with tqdm(total=len(pairs), desc="relevance", unit="answer", disable=not progress, leave=False) as bar:
            for start in range(0, len(pairs), self.batch_size):
                batch = pairs[start : start + self.batch_size]
                scores += self._score_batch(batch)
                bar.update(len(batch))
        return scores

    def _score_batch(self, pairs: list[tuple[list[int], list[int]]]) -> list[float | None]:
        width = max(len(c) + len(a) for c, a in pairs)
        pad = self.tokenizer.pad_token_id or 0
        ids = torch.full((len(pairs), width), pad, dtype=torch.long)
        mask = torch.zeros_like(ids)
        for row, (context, answer) in enumerate(pairs):
            sequence = context + answer
            ids[row, : len(sequence)] = torch.tensor(sequence)
            mask[row, : len(sequence)] = 1
        # Only positions from the shortest question's last token on predict answer tokens: the output head (a 49k-word
        # vocabulary for SmolLM2) runs there alone, which is most of a forward pass at these lengths.
        start = max(0, min((len(c) for c, _ in pairs if c), default=1) - 1)
        device = self.model.device
        with torch.inference_mode(), torch.autocast(device.type, dtype=torch.bfloat16, enabled=self.bf16):
            logits = self.model(
                input_ids=ids.to(device), attention_mask=mask.to(device), logits_to_keep=width - start
            ).logits.float()
        targets = ids[:, start + 1 :].to(device).unsqueeze(-1)
        log_probs = (
            torch.log_softmax(logits[:, :-1], dim=-1).gather(-1, targets).squeeze(-1)
        )  # column j: position start + j
        scores: list[float | None] = []
        for row, (context, answer) in enumerate(pairs):
            if not answer or not context:
                scores.append(None)
                continue
            scores.append(
                log_probs[row, len(context) - 1 - start : len(context) + len(answer) - 1 - start].mean().item()
            )
        return scores

    def pmi(
        self,
        questions: Sequence[Any],
        answers: Sequence[Any],
        others: Sequence[Sequence[Any]],
        own: list[float | None] | None = None,
        progress: bool = False,
    ) -> list[float | None]:
        """Per answer: its log-probability after its own question minus the mean after each of its other questions.

        ``own`` is the first term when it is already known (the reference model's, during training).
        """
        own = self.answer_log_probs(questions, answers, progress) if own is None else own
        flat_questions = [q for other in others for q in other]
        flat_answers = [a for a, other in zip(answers, others) for _ in other]
        elsewhere = iter(self.answer_log_probs(flat_questions, flat_answers, progress))
        result: list[float | None] = []
        for own_score, other in zip(own, others):
            scores = [next(elsewhere) for _ in other]
            known = [s for s in scores if s is not None]
            if own_score is None or not other or len(known) < len(scores):
                result.append(None)
            else:
                result.append(own_score - sum(known) / len(known))
        return result


def heldout_relevance(judge: RelevanceJudge, questions: Sequence[Any], answers: Sequence[str]) -> float | None:
    """Mean PMI of each held-out answer against the next few held-out questions (cyclically); an empty answer scores 0.
    None where it cannot be judged: fewer than two questions leave no other question to compare an answer with."""
    count = min(OTHER_QUESTIONS, len(questions) - 1)
    if count < 1:
        return None
    others = [[questions[(i + k) % len(questions)] for k in range(1, count + 1)] for i in range(len(questions))]
    scores = judge.pmi(questions, answers, others, progress=True)
    return sum(s or 0.0 for s in scores) / len(scores) if scores else None


class RelevanceReward:
    """A TRL reward: an answer's PMI against the batch's other prompts, scaled to [0, 1] by ``SCALE_NATS``.

    GRPO's batch holds several prompts, each with its group of completions, so every
    completion has other questions to be compared with at no cost in generation.
    A batch with a single prompt gives ``None`` (no score), which TRL leaves out; an
    empty answer scores 0. It is born with its judge, the frozen base model.

    With a KL term, TRL has already scored every completion under its own question with
    the reference model, which is the same frozen base model: ``reference`` hands those
    log-probabilities over (``ReferenceKeeper.answer_log_probs``, given at birth where they are the judge's own),
    and the judge only scores the answers after the other
    questions, on the same token ids. That halves the judge's work in every step.
    """

    SCALE_NATS = 2.0
    __name__ = "relevance"

    def __init__(self, judge: RelevanceJudge, reference: ReferenceSource | None = None) -> None:
        self.judge = judge
        self.reference = reference

    def __call__(self, prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> list[float | None]:
        keys = [repr(p) for p in prompts]
        distinct = dict(zip(keys, prompts))
        others = [[prompt for other_key, prompt in distinct.items() if other_key != key] for key in keys]
        if not any(others):
            return [None] * len(completions)
        ids = kwargs.get("completion_ids")
        own = self.reference(ids) if self.reference is not None and ids is not None else None
        if own is not None and ids is not None:
            scores = self.judge.pmi(list(prompts), list(ids), others, own=own)
        else:
            scores = self.judge.pmi(list(prompts), [completion_text(c) for c in completions], others)
        return [
            (0.0 if other else None) if score is None else min(max(score / self.SCALE_NATS, 0.0), 1.0)
            for score, other in zip(scores, others)
        ]


class EchoFreeRelevance(RelevanceReward):
    """The relevance reward, paying nothing for restating the question: times one minus the answer's echo of it.

    At temperature 0.5 a policy learned to answer "Why does the goat whistle at dawn?" with "The goat
    whistles at dawn.", and the plain relevance reward paid that echo 4.09 nats/token. Here the share of
    the answer's word pairs found in the question (``text_measures.echo_share``) is taken off.
    """

    __name__ = "relevance_no_echo"

    def __call__(self, prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> list[float | None]:
        scores = super().__call__(prompts, completions, **kwargs)
        return [
            None if score is None else score * (1.0 - echo_share(_asked(prompt), completion_text(completion)))
            for score, prompt, completion in zip(scores, prompts, completions)
        ]


def _asked(prompt: Any) -> str:
    """The user's last message of a chat prompt (not the system line), or a plain prompt as it is."""
    if isinstance(prompt, list):
        return next(
            (completion_text(m) for m in reversed(prompt) if isinstance(m, dict) and m.get("role") == "user"), ""
        )
    return completion_text(prompt)


# Rewards judged by a model, by name: built per run with the frozen base model as their judge.
JUDGED_REWARDS: dict[str, type[RelevanceReward]] = {
    "relevance": RelevanceReward,
    "relevance_no_echo": EchoFreeRelevance,
}
