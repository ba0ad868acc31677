"""The first lesson, trained on what the reader sees"""

from experiments.registry.baseline import BASELINE
from experiments.registry.experiment import variant
from experiments.registry.history.first_lesson import RELEVANCE_QUARTER_96

# Issue 31's targets, on held-out *greedy* answers, for every run of the baseline family (declared before any run):
# share ≥ 0.55, clean ≥ 70%, loops ≤ 5%, frame ≤ 30%, every guard holding, the behaviour within 40 steps.
# Every candidate arrives by the greedy probe (share 0.55 with no probe answer looping and no 3-gram in more than 30%
# of them), is ended by the probe's fail-fast rule when its greedy answers loop, and is capped at the 40 steps the
# targets allow. Training length equals the held-out answers' (32 tokens), and lr 2e-4 is the rate at which the
# plain share arrived within 40 steps (share-with-leashes, step 33).
COOL_SAMPLES = variant(
    RELEVANCE_QUARTER_96,
    "cool-samples",
    "relevance-quarter-96's rewards (share 1, distinct bigrams 1, relevance 0.25) sampled at temperature 0.7, so that "
    "training samples carry the greedy mode's habits, on 32-token completions at lr 2e-4, arriving by the greedy probe "
    "(cap 40): held-out greedy share ≥ 0.55, clean ≥ 70%, loops ≤ 5%, frame ≤ 30%, every guard holding",
    "works",
    grpo={"temperature": 0.7, "max_completion_length": 32, "learning_rate": 2e-4},
    arrival="probe",
    stop_level=0.55,
    steps=40,
    seeds=(0,),
)

GATED_SHARE = variant(
    COOL_SAMPLES,
    "gated-share",
    "cool-samples training on a gated share instead of share plus distinct bigrams: the four-letter share times one "
    "minus the share of repeated 3-grams (a phrase's second occurrence already costs), zero for a loop "
    "(four_letter_unrepeated, 1), a penalty for 3-grams shared with the other question's answers (fresh_phrases, 0.5) "
    "and a relevance that pays nothing for restating the question (relevance_no_echo, 0.25); the plain share is "
    "measured at weight 0: held-out greedy share ≥ 0.55, clean ≥ 70%, loops ≤ 5%, frame ≤ 30%, every guard holding",
    "works",
    rewards=("four_letter_share", "four_letter_unrepeated", "fresh_phrases", "relevance_no_echo"),
    reward_weights=(0.0, 1.0, 0.5, 0.25),
    seeds=(0,),
)

GATED_SHARE_HOT = variant(
    GATED_SHARE,
    "gated-share-t1",
    "gated-share sampled at TRL's temperature 1.0: the gate and the shared-phrase penalty alone, without cooler samples, "
    "keep the greedy answers from looping and from one frame: held-out greedy share ≥ 0.55, clean ≥ 70%, loops ≤ 5%, "
    "frame ≤ 30%, every guard holding",
    "works",
    grpo={"temperature": 1.0},
    seeds=(0,),
)

# cool-samples and gated-share (temperature 0.7) ended their 40 steps with the greedy probe at 0.45 and 0.49 and
# reference perplexity ×1.62 and ×1.55: at 0.7 the policy gradient of a tempered log-probability is 1/0.7 times larger,
# so lr 2e-4 acted like 2.9e-4, and still too slowly. Two entries with a looser leash (β 0.02, declared for the KL that
# temperature 0.7 inflates) were withdrawn after 5 steps, before any result: a looser leash cannot mend a perplexity
# that broke under the tighter one. Cooler samples without the larger gradient: TRL's temperature 1.0, with the
# sampling nucleus cut to top_p 0.9, so the long tail that hides the greedy mode's habits is not sampled.
TOP_P_SAMPLES = variant(
    COOL_SAMPLES,
    "top-p-samples",
    "cool-samples at TRL's temperature 1.0 with top_p 0.9: samples drawn from the nucleus carry the greedy mode's habits "
    "without temperature 0.7's larger gradient, so the greedy probe arrives within 40 steps and the language holds: "
    "held-out greedy share ≥ 0.55, clean ≥ 70%, loops ≤ 5%, frame ≤ 30%, every guard holding",
    "works",
    grpo={"temperature": 1.0, "top_p": 0.9},
    seeds=(0,),
)

GATED_TOP_P = variant(
    GATED_SHARE,
    "gated-top-p",
    "gated-share at TRL's temperature 1.0 with top_p 0.9: the gated share, the shared-phrase penalty and the echo-free "
    "relevance on samples from the nucleus: held-out greedy share ≥ 0.55, clean ≥ 70%, loops ≤ 5%, frame ≤ 30%, "
    "every guard holding",
    "works",
    grpo={"temperature": 1.0, "top_p": 0.9},
    seeds=(0,),
)

# Declared after top-p-samples and gated-top-p reached step 30: the first learned to restate each question ("What games
# do pebbles play at school?"), which the plain relevance reward pays; the second's greedy probe reached share 0.55 at
# step 30 with one frame in 7 of 8 answers ("That's just not just … They have more than just …"). Nucleus samples
# all carried the frame, so an added penalty that hits every answer of a group alike moved no advantage.
CLEAN_SHARE = variant(
    GATED_SHARE_HOT,
    "clean-share",
    "training on what a reader calls a clean answer, per answer and multiplied, not added: the gated four-letter share "
    "times the share of its 3-grams not found in the other question's answers (four_letter_clean, 1), with the "
    "echo-free relevance (0.25), sampled at TRL's temperature 1.0 so a group holds answers with and without a frame: "
    "held-out greedy share ≥ 0.55, clean ≥ 70%, loops ≤ 5%, frame ≤ 30%, every guard holding",
    "works",
    rewards=("four_letter_share", "four_letter_clean", "relevance_no_echo"),
    reward_weights=(0.0, 1.0, 0.25),
    seeds=(0,),
)

# The way to a first lesson trained on what the reader sees, in the order declared.
CANDIDATES = (
    COOL_SAMPLES.name,
    GATED_SHARE.name,
    GATED_SHARE_HOT.name,
    TOP_P_SAMPLES.name,
    GATED_TOP_P.name,
    CLEAN_SHARE.name,
)

# Declared after the speed lever frozen-lower-half's seed 0 met the first lesson's answer targets (held-out greedy
# share 0.60, clean 76%, loops 5%, frame 19%, every guard holding), though in 90 steps rather than 40, against its own
# declared "broken as the baseline".
# One seed is not a configuration that works: these runs test it on every seed, in bf16 and in fp32.
FROZEN_HALF = variant(
    BASELINE,
    "baseline-frozen-half",
    "the baseline with the embeddings and the lower half of the blocks frozen (frozen-lower-half's configuration, "
    "whose seed 0 met the answer targets in 90 steps): the updates reach only the upper blocks, so the lower layers' "
    "language stays and the greedy answers neither loop nor share one frame: held-out greedy share ≥ 0.55, clean ≥ "
    "70%, loops ≤ 5%, frame ≤ 30%, every guard holding on every seed, within the 96-step cap (not within 40 steps)",
    "works",
    frozen_fraction=0.5,
    seeds=(0, 1, 2),
    long=True,  # refuted on seeds 1 and 2 and in fp32: history, beside issue 31's candidates
)

FROZEN_HALF_FP32 = variant(
    FROZEN_HALF,
    "baseline-frozen-half-fp32",
    "baseline-frozen-half in fp32 (the baseline's trajectories depend on numerics): works on every seed as in bf16",
    "works",
    precision="fp32",
    seeds=(0, 1, 2),
)

# Runs that must be made on today's training numerics (tests/test_numerics.py).
CURRENT = (
    TOP_P_SAMPLES.name,
    GATED_TOP_P.name,
    GATED_SHARE_HOT.name,
    CLEAN_SHARE.name,
    FROZEN_HALF.name,
    FROZEN_HALF_FP32.name,
)

ENTRIES = [
    COOL_SAMPLES,
    GATED_SHARE,
    GATED_SHARE_HOT,
    TOP_P_SAMPLES,
    GATED_TOP_P,
    CLEAN_SHARE,
    FROZEN_HALF,
    FROZEN_HALF_FP32,
]

# The families the history's findings open with: the first baseline (the lesson in failure), the best configuration's
# earlier runs and the frozen-half candidate, each in bf16 and in fp32.
HEADLINE = tuple(
    name + suffix
    for name in ("first-baseline", RELEVANCE_QUARTER_96.name, FROZEN_HALF.name)
    for suffix in ("", "-fp32")
)
