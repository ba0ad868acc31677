"""Lessons on the baseline: one parameter at a time, speed, prompt scale, breakages and custom rewards"""

from experiments.registry.baseline import BASELINE
from experiments.registry.experiment import variant

# Each entry changes one thing of `baseline` (experiments/registry/baseline.py: share, distinct bigrams and
# relevance at 1:1:0.25, lr 1e-4, β 0.1, 24 tokens at temperature 1.0, stopped at a training share of 0.5, cap 96,
# whose own runs are declared broken by loops or frame) and predicts the direction of its effect against it.
# Declared before any of their runs (issue 32). ``caught_by`` encodes the guards a hypothesis names ("broken by
# ref_ppl"), added after broken-no-leash's run showed a verdict can hold while the named guard does not fail; the
# texts are unchanged.

COMPARISONS = [
    variant(
        BASELINE,
        "lr-2e-4",
        "twice the learning rate (2e-4): the training share reaches 0.5 in fewer steps than the baseline (about half), "
        "and the greedy answers loop more and answer their questions less (loops up, relevance down): broken",
        "broken",
        grpo={"learning_rate": 2e-4},
    ),
    variant(
        BASELINE,
        "leash-0.04",
        "a looser KL leash (β 0.04): the share arrives in fewer steps than the baseline with a higher KL at the stop, "
        "and no fewer loops: broken",
        "broken",
        grpo={"beta": 0.04},
        seeds=(0, 1, 2),  # seeds 1 and 2 added after seed 0 looped in 2% against the baseline's 26%
    ),
    variant(
        BASELINE,
        "completions-32",
        "training completions as long as the held-out answers (32 tokens): the share arrives in about as many steps, "
        "and the held-out greedy answers loop less than the baseline's, since training now sees their last 8 tokens: "
        "still broken by one frame",
        "broken",
        caught_by=("frame",),
        grpo={"max_completion_length": 32},
    ),
    variant(
        BASELINE,
        "accumulation-2",
        "two generation batches per optimizer step (gradient_accumulation_steps 2, 32 completions a step): a less noisy "
        "gradient reaches the share in fewer optimizer steps than the baseline, each step twice as long: broken as the "
        "baseline",
        "broken",
        grpo={"gradient_accumulation_steps": 2},
    ),
    variant(
        BASELINE,
        "epsilon-0.05",
        "a tighter clip (ε 0.05) with one optimizer pass per generation: the policy ratio is exactly 1, so nothing is "
        "clipped and the curves are the baseline's: broken as the baseline",
        "broken",
        grpo={"epsilon": 0.05},
    ),
    variant(
        BASELINE,
        "temperature-0.7",
        "sampling at temperature 0.7: training samples carry the greedy mode's habits, so the held-out greedy answers loop "
        "less than the baseline's, while the tempered gradient (1/0.7 larger) raises the reference perplexity: broken",
        "broken",
        grpo={"temperature": 0.7},
    ),
]

SPEED_LEVERS = [
    variant(
        BASELINE,
        "lora-16",
        "LoRA adapters (rank 16, α 32, every linear layer) at lr 1e-3 instead of full fine-tuning: a cheaper step than "
        "the baseline's, measured in the same session, and the share within the cap: broken as the baseline",
        "broken",
        lora_rank=16,
        grpo={"learning_rate": 1e-3},
    ),
    variant(
        BASELINE,
        "frozen-lower-half",
        "the embeddings and the lower half of the blocks frozen: a step about a third cheaper than the baseline's, "
        "measured in the same session, learning about as fast per step: broken as the baseline",
        "broken",
        frozen_fraction=0.5,
    ),
]

PROMPT_SCALE = [
    variant(
        BASELINE,
        "large-prompts",
        "hundreds of LLM-made prompts (prompts/silly_large.txt) instead of eighteen hand-written ones: no question "
        "repeats within the run, so fewer answers share one frame than the baseline's; the share arrives in about as "
        "many steps: broken by loops",
        "broken",
        caught_by=("loops",),
        train_prompts="prompts/silly_large.txt",
    ),
]

# Each breakage removes one mechanism of GRPO and names the guard that must catch it.
BREAKAGES = [
    variant(
        BASELINE,
        "broken-no-leash",
        "the KL leash removed (β 0): nothing pulls the policy back to the base model, so the reference perplexity "
        "guard catches it (× more than 1.5): broken by ref_ppl",
        "broken",
        caught_by=("ref_ppl",),
        grpo={"beta": 0.0},
    ),
    variant(
        BASELINE,
        "broken-pairs",
        "the group's relative advantage nearly removed (num_generations 2: each answer is compared with one other, 8 "
        "questions a step): advantages are ±1 noise, one canned answer wins across questions, and the template guard "
        "catches it: broken by template",
        "broken",
        caught_by=("template",),
        grpo={"num_generations": 2},
    ),
    variant(
        BASELINE,
        "broken-no-clip",
        "clipping removed (ε 100) while each batch is reused for 4 optimizer passes (num_iterations 4): the policy "
        "runs away from the answers it sampled, and the reference perplexity guard catches it: broken by ref_ppl",
        "broken",
        caught_by=("ref_ppl",),
        grpo={"epsilon": 100.0, "num_iterations": 4},
    ),
]

# Other behaviours, each with its own objective first (the share the verdict reads) and its own targets.
CUSTOM_REWARDS = [
    variant(
        BASELINE,
        "shout",
        "the share of upper-case letters instead of the four-letter share, with distinct bigrams and relevance kept: the "
        "upper-case share rises by ≥ 0.25 on held-out answers with every guard but loops and frame holding: broken by "
        "loops or frame, as the baseline",
        "broken",
        caught_by=("loops", "frame"),
        rewards=("shouting", "distinct_bigrams", "relevance"),
    ),
    variant(
        BASELINE,
        "lipogram-e",
        "the share of words without the letter e instead of the four-letter share: a rise of ≥ 0.25 is out of reach "
        "from a base share near 0.6 (the held-out answers already avoid e in most words): no change",
        "no change",
        rewards=("lipogram_e", "distinct_bigrams", "relevance"),
    ),
    variant(
        BASELINE,
        "four-letter-and-short",
        "two objectives with weights: the four-letter share (1) and answers of about eight words (target_length, 0.5), "
        "with distinct bigrams and relevance: the share rises as in the baseline and answers shorten to under half "
        "their length, which the length guard catches: broken by length",
        "broken",
        caught_by=("length",),
        rewards=("four_letter_share", "target_length", "distinct_bigrams", "relevance"),
        reward_weights=(1.0, 0.5, 1.0, 0.25),
    ),
]

LEVER_RUNS: dict[str, str] = {"project": BASELINE.name, "lora": "lora-16", "frozen_half": "frozen-lower-half"}

ENTRIES = [*COMPARISONS, *SPEED_LEVERS, *PROMPT_SCALE, *BREAKAGES, *CUSTOM_REWARDS]
