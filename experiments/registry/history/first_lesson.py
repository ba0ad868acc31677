"""The first lesson: four-letter answers that still answer the question"""

from experiments.registry.experiment import FIRST_BASELINE, variant

RELEVANCE_REWARD = variant(
    FIRST_BASELINE,
    "relevance-reward",
    "adding a relevance reward (each answer's PMI with its own question against the batch's other question, judged by "
    "the frozen base model) to the v1 baseline's two terms (1:1:1) keeps answers answering their questions while the "
    "share rises: held-out share ≥ 0.5 and all seven guards hold on every seed, in bf16 and in fp32",
    "works",
    rewards=("four_letter_share", "distinct_bigrams", "relevance"),
    reward_weights=(1.0, 1.0, 1.0),
    seeds=(0, 1, 2),
    long=True,  # this entry and the variants on it (the way to a baseline that answers) run with --run-long
)

RELEVANCE_QUARTER = variant(
    RELEVANCE_REWARD,
    "relevance-quarter",
    "the relevance reward at a quarter of the weight (1:1:0.25) lets the four-letter share lead, where at 1:1:1 it "
    "rose only 0.15 → 0.26 in 64 steps, while keeping each answer tied to its question: held-out share ≥ 0.5 and all "
    "seven guards hold",
    "works",
    reward_weights=(1.0, 1.0, 0.25),
)

RELEVANCE_QUARTER_96 = variant(
    RELEVANCE_QUARTER,
    "relevance-quarter-96",
    "relevance-quarter, whose seed 0 ended its 64-step cap at held-out share 0.48 with all seven guards holding, "
    "reaches the share under a 96-step cap: held-out share ≥ 0.5 and all seven guards hold",
    "works",
    steps=96,
    seeds=(0, 1, 2),
)

RELEVANCE_QUARTER_AT_055 = variant(
    RELEVANCE_QUARTER_96,
    "relevance-quarter-0.55",
    "relevance-quarter-96, whose held-out greedy share landed at 0.48-0.51 when its training share's 5-step mean "
    "reached 0.5, stops at 0.55 instead (a margin for greedy answers trailing sampled ones; cap 112 steps): held-out "
    "share ≥ 0.5 and all seven guards hold on seeds 0, 1 and 2",
    "works",
    stop_level=0.55,
    steps=112,
    seeds=(0, 1, 2),
)

# Issue 25's candidates: the plain share is still the objective measured (weight 0), each four-letter word pays once,
# answers to different questions are pushed apart, and lr 2e-4 aims at the behaviour within 40 steps.
ANSWER_BY_ANSWER = variant(
    RELEVANCE_QUARTER_96,
    "answer-by-answer",
    "training on four_letter_once (each four-letter word pays once per answer) instead of the plain share, with "
    "distinct-bigram and cross-prompt-novelty terms at half weight, relevance at a quarter, lr 2e-4, stopped at a 5-step "
    "training share of 0.6 (cap 48): held-out sampled share ≥ 0.55, clean answers ≥ 70%, the behaviour within 40 steps, "
    "and every guard (loops and one frame included) holding",
    "works",
    rewards=("four_letter_share", "four_letter_once", "distinct_bigrams", "cross_prompt_novelty", "relevance"),
    reward_weights=(0.0, 1.0, 0.5, 0.5, 0.25),
    grpo={"learning_rate": 2e-4},
    stop_level=0.6,
    steps=48,
    precision="fp32",
    long=True,
)

ANSWER_BY_ANSWER_NORMALISED = variant(
    ANSWER_BY_ANSWER,
    "answer-by-answer-normalised",
    "answer-by-answer with each reward normalised within its group before the weighted sum (TRL's normalize_then_sum), "
    "so the half- and quarter-weight terms weigh as declared whatever their spread, at lr 1.5e-4: held-out sampled share "
    "≥ 0.55, clean answers ≥ 70%, the behaviour within 40 steps, every guard holding",
    "works",
    grpo={"multi_objective_aggregation": "normalize_then_sum", "learning_rate": 1.5e-4},
    precision="fp32",
    long=True,
)


# Declared while answer-by-answer ran: its plain share's 5-step mean was 0.32 at step 29, on course to miss 40 steps.
# The plain share trains again (it rose fastest), and two leashes aim at what the readers saw: a loop penalty, and a
# penalty for phrases shared with answers to another question (one frame for every question).
SHARE_WITH_LEASHES = variant(
    ANSWER_BY_ANSWER,
    "share-with-leashes",
    "the plain four-letter share (weight 1) with a loop penalty (no_loops, 0.5), a penalty for 3-grams shared with "
    "answers to the batch's other question (fresh_phrases, 0.5) and relevance (0.25), lr 2e-4, stopped at a 5-step "
    "training share of 0.6 (cap 40): held-out sampled share ≥ 0.55, clean answers ≥ 70%, the behaviour within 40 steps, "
    "every guard holding",
    "works",
    rewards=("four_letter_share", "no_loops", "fresh_phrases", "relevance"),
    reward_weights=(1.0, 0.5, 0.5, 0.25),
    steps=40,
    precision="fp32",
    long=True,
)

SHARE_WITH_LEASHES_FAST = variant(
    SHARE_WITH_LEASHES,
    "share-with-leashes-lr3e-4",
    "share-with-leashes at lr 3e-4, for the behaviour in fewer steps while the leashes hold loops and frames off: "
    "held-out sampled share ≥ 0.55, clean answers ≥ 70%, the behaviour within 40 steps, every guard holding",
    "works",
    grpo={"learning_rate": 3e-4},
    precision="fp32",
    long=True,
)

# Declared after share-with-leashes looped on 83% of its held-out answers: its 24-token training completions were
# too short for the loop penalty to see the loops that came at tokens 24-32 of the held-out answers.
SHARE_WITH_LEASHES_32 = variant(
    SHARE_WITH_LEASHES,
    "share-with-leashes-32",
    "share-with-leashes trained on completions as long as the held-out answers (max_completion_length 32), so the loop "
    "and shared-phrase penalties see the loops that came after token 24: held-out sampled share ≥ 0.55, clean answers "
    "≥ 70%, the behaviour within 40 steps, every guard holding",
    "works",
    grpo={"max_completion_length": 32},
    precision="fp32",
    long=True,
)

ENTRIES = [
    FIRST_BASELINE,
    RELEVANCE_REWARD,
    RELEVANCE_QUARTER,
    RELEVANCE_QUARTER_96,
    variant(
        RELEVANCE_QUARTER_96,
        "relevance-quarter-96-fp32",
        "relevance-quarter-96 in fp32, where the baseline's seed 0 collapsed into one canned answer: the relevance term "
        "keeps the answers tied to their questions, so held-out share ≥ 0.5 and all seven guards hold here too",
        "works",
        precision="fp32",
        seeds=(0, 1, 2),  # seeds 1 and 2 declared after seed 0's run, before theirs
    ),
    RELEVANCE_QUARTER_AT_055,
    variant(
        RELEVANCE_QUARTER_AT_055,
        "relevance-quarter-0.55-fp32",
        "relevance-quarter-0.55 in fp32 (no bf16 autocast), the precision in which the v1 baseline collapsed: held-out "
        "share ≥ 0.5 and all seven guards hold on seeds 0, 1 and 2 here too",
        "works",
        precision="fp32",
        seeds=(0, 1, 2),
    ),
    ANSWER_BY_ANSWER,
    ANSWER_BY_ANSWER_NORMALISED,
    SHARE_WITH_LEASHES,
    SHARE_WITH_LEASHES_FAST,
    SHARE_WITH_LEASHES_32,
    variant(
        FIRST_BASELINE,
        "long-baseline",
        "the first baseline trained a fixed 72 steps, with no stop rule, reaches share ≥ 0.5 on every seed with its "
        "guards intact",
        "works",
        steps=72,
        stop_at_behaviour=False,
        seeds=(0, 1, 2),
        long=True,
    ),
    variant(
        FIRST_BASELINE,
        "stop-at-behaviour",
        "long-baseline, stopped at the first step whose training share (5-step mean) reaches 0.5, ends every seed "
        "with held-out share ≥ 0.5 before the language breaks (declared after long-baseline seed 0 overshot to ref ppl ×1.59)",
        "works",
        steps=72,
        seeds=(0, 1, 2),
        long=True,
    ),
]


# The way to a first lesson that works answer by answer, in the order tried; the summary measures each against the
# lesson's targets (experiments/registry/baseline.py).
CANDIDATES = (
    RELEVANCE_QUARTER_96.name,
    "relevance-quarter-96-fp32",
    RELEVANCE_QUARTER_AT_055.name,
    "relevance-quarter-0.55-fp32",
    ANSWER_BY_ANSWER.name,
    ANSWER_BY_ANSWER_NORMALISED.name,
    SHARE_WITH_LEASHES.name,
    SHARE_WITH_LEASHES_FAST.name,
    SHARE_WITH_LEASHES_32.name,
)
