"""The recorder's time to behaviour, and the stop it can trigger, on hand-fed logs (no model)."""

import pytest
from transformers import TrainerControl, TrainerState

from experiments.training.recorder import MetricsRecorder
from experiments.training.stop_rules import BEHAVIOUR_WINDOW, StopRules

pytestmark = pytest.mark.fast
KEY = "rewards/four_letter_share/mean"


def feed(recorder: MetricsRecorder, shares: list[float]) -> list[bool]:
    """The stop flag after each logged step."""
    state, flags = TrainerState(max_steps=100), []
    recorder.on_train_begin(None, state, TrainerControl())
    for step, share in enumerate(shares, start=1):
        state.global_step = step
        control = TrainerControl()
        recorder.on_log(None, state, control, logs={KEY: share, "reward": share})
        flags.append(control.should_training_stop)
    return flags


def test_behaviour_needs_a_full_window_at_the_level():
    recorder = MetricsRecorder(None, "four_letter_share")
    feed(recorder, [0.9] * (BEHAVIOUR_WINDOW - 1))
    assert recorder.time_to_behaviour_s is None, "four steps are not a 5-step average"
    recorder = MetricsRecorder(None, "four_letter_share")
    feed(recorder, [0.1, 0.2, 0.3, 0.4, 0.49, 0.9])
    assert recorder.time_to_behaviour_s is None, "the average of the last five is 0.46"


def test_stop_at_behaviour_ends_training_at_the_first_step_that_reaches_it():
    recorder = MetricsRecorder(None, "four_letter_share", StopRules(enabled=True))
    flags = feed(recorder, [0.4, 0.5, 0.5, 0.5, 0.5, 0.6, 0.7])
    assert flags == [False, False, False, False, False, True, False]
    assert recorder.time_to_behaviour_s is not None


def test_without_the_flag_training_runs_on():
    recorder = MetricsRecorder(None, "four_letter_share")
    assert not any(feed(recorder, [0.8] * 8))
    assert recorder.time_to_behaviour_s is not None


def test_a_stop_already_decided_is_kept_when_the_behaviour_arrives_on_the_last_step():
    """The trainer sets should_training_stop at max_steps before on_log; the recorder must not undo it."""
    recorder = MetricsRecorder(None, "four_letter_share")
    state = TrainerState(max_steps=BEHAVIOUR_WINDOW)
    recorder.on_train_begin(None, state, TrainerControl())
    for step in range(1, BEHAVIOUR_WINDOW + 1):
        state.global_step = step
        control = TrainerControl(should_training_stop=step == BEHAVIOUR_WINDOW)
        recorder.on_log(None, state, control, logs={KEY: 0.9, "reward": 0.9})
    assert recorder.time_to_behaviour_s is not None and control.should_training_stop


def test_a_batch_whose_answers_share_one_opening_across_questions_is_a_collapse_even_at_the_behaviour():
    """The fp32 collapse ("I'm more than happy to help with that!") arrived with the share, entropy 1.06: the stop must say so."""

    class Batch:
        @staticmethod
        def last_batch():
            return {"prompt": ["ox?"] * 8 + ["cat?"] * 8, "completion": ["I'm more than happy to help with that!"] * 16}

    recorder = MetricsRecorder(None, "four_letter_share", StopRules(enabled=True), batches=Batch())
    flags = feed(recorder, [0.6] * BEHAVIOUR_WINDOW)
    assert flags[-1] and recorder.stop_reason == "collapse"


def test_answers_sharing_an_opening_within_one_question_are_no_collapse():
    class Batch:
        @staticmethod
        def last_batch():
            return {
                "prompt": ["ox?"] * 8 + ["cat?"] * 8,
                "completion": ["The ox sings low."] * 8 + ["Cats purr and nap."] * 8,
            }

    recorder = MetricsRecorder(None, "four_letter_share", StopRules(enabled=True), batches=Batch())
    flags = feed(recorder, [0.6] * BEHAVIOUR_WINDOW)
    assert flags[-1] and recorder.stop_reason == "behaviour"


def test_the_stop_level_can_be_raised_while_the_time_to_behaviour_is_still_read_at_one_half():
    recorder = MetricsRecorder(None, "four_letter_share", StopRules(enabled=True, level=0.55))
    flags = feed(recorder, [0.5] * BEHAVIOUR_WINDOW + [0.6] * 3)
    assert recorder.time_to_behaviour_s is not None and flags.index(True) == BEHAVIOUR_WINDOW + 2


def tiny_llama(folder):
    """A random two-layer Llama (rotary positions) with tiny-gpt2's tokenizer, saved as a model folder."""
    from transformers import LlamaConfig, LlamaForCausalLM

    from experiments.evaluation.models import TINY_GPT2, resolve_model

    _, tokenizer = resolve_model(TINY_GPT2)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=256,
    )
    LlamaForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)


@pytest.mark.parametrize("model, reused", [("llama", True), ("tiny-gpt2", False)])
def test_the_relevance_judge_reuses_the_reference_log_probs_where_they_are_its_own(
    monkeypatch, tmp_path, model, reused
):
    """With β > 0 TRL has already scored each answer under its own question with the base model: on a model with rotary
    positions the judge reads those numbers instead of computing them again, and they agree with its own to 1e-3 nats
    per token. GPT-2's absolute positions move under TRL's left padding, so there the judge computes them itself."""
    import dataclasses

    import experiments.evaluation.relevance as relevance
    from experiments.registry import REGISTRY
    from experiments.training.stages import quiet_trainer

    compared, calls = [], []
    original = relevance.RelevanceJudge.pmi

    def spy(self, questions, answers, others, own=None, progress=False):
        calls.append(own is not None)
        if own is not None:
            compared.extend(zip(own, self.answer_log_probs(questions, answers)))
        return original(self, questions, answers, others, own, progress)

    monkeypatch.setattr(relevance.RelevanceJudge, "pmi", spy)
    config = dataclasses.replace(
        REGISTRY["smoke"],
        model=tiny_llama(tmp_path / "llama") if model == "llama" else model,
        rewards=("four_letter_share", "relevance"),
        reward_weights=(1.0, 0.25),
        steps=2,
        grpo={**REGISTRY["smoke"].grpo, "beta": 0.1, "per_device_train_batch_size": 8},
    )
    quiet_trainer(config)[0].train()
    assert calls == [reused, reused]
    mismatched = [(a, b) for a, b in compared if a is None or b is None or abs(a - b) >= 1e-3]
    assert not mismatched, mismatched


def test_the_judge_scores_answers_exactly_as_a_full_forward_pass_would():
    """The judge runs the output head only on positions that predict answer tokens; the scores must not move."""
    import torch

    from experiments.evaluation.models import TINY_GPT2, resolve_model
    from experiments.evaluation.relevance import RelevanceJudge

    model, tokenizer = resolve_model(TINY_GPT2)
    questions = ["What does the ox sing?", "Why do clouds wear big purple hats at night?", "Why?"]
    answers = ["Oxen sing low songs.", "They keep the rain off, and they like them.", "Moo."]
    scored = RelevanceJudge(model, tokenizer, bf16=False).answer_log_probs(questions, answers)
    for question, answer, score in zip(questions, answers, scored):
        context, tokens = tokenizer(question).input_ids, tokenizer(answer).input_ids
        with torch.inference_mode():
            logits = model(input_ids=torch.tensor([context + tokens])).logits[0].float()
        full = (
            torch.log_softmax(logits[len(context) - 1 : -1], -1)
            .gather(-1, torch.tensor(tokens).unsqueeze(-1))
            .mean()
            .item()
        )
        assert abs(score - full) < 1e-5
