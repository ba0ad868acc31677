"""The first lesson, trained on what the reader sees"""

from experiments.registry.experiment import variant
from experiments.registry.first_lesson import RELEVANCE_QUARTER_96

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

# Declared while cool-samples and gated-share ran (step 27: greedy probe share 0.31 and 0.37, training share 0.36
# and 0.31): at temperature 0.7 TRL's KL read 0.6-2.5 from step 2 on, against 0.06-0.21 at temperature 1.0, so β 0.1
# pulls several times harder than in the runs it was chosen for.
COOL_LOOSE = variant(
    COOL_SAMPLES,
    "cool-samples-beta-0.02",
    "cool-samples with β 0.02: at temperature 0.7 the KL TRL reads is about five times what it reads at 1.0, and β 0.1 "
    "held the share near 0.3 for 25 steps; a fifth of the leash lets the greedy probe arrive within 40 steps while the "
    "cooler samples keep loops and one frame off: held-out greedy share ≥ 0.55, clean ≥ 70%, loops ≤ 5%, frame ≤ 30%, "
    "every guard holding",
    "works",
    grpo={"beta": 0.02},
    seeds=(0,),
)

GATED_LOOSE = variant(
    GATED_SHARE,
    "gated-share-beta-0.02",
    "gated-share with β 0.02, for the same reason as cool-samples-beta-0.02: held-out greedy share ≥ 0.55, clean ≥ 70%, "
    "loops ≤ 5%, frame ≤ 30%, every guard holding",
    "works",
    grpo={"beta": 0.02},
    seeds=(0,),
)

# The way to a first lesson trained on what the reader sees, in the order declared.
CANDIDATES = (COOL_SAMPLES.name, GATED_SHARE.name, GATED_SHARE_HOT.name, COOL_LOOSE.name, GATED_LOOSE.name)

ENTRIES = [COOL_SAMPLES, GATED_SHARE, GATED_SHARE_HOT, COOL_LOOSE, GATED_LOOSE]
