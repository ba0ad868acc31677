"""Train what the reader reads: a greedy answer in every group, rewards with memory, the best probe reading kept"""

from experiments.registry.baseline import SMOKE
from experiments.registry.experiment import BASELINE_GRPO_CHANGES, FIRST_BASELINE, variant
from experiments.registry.history.vocabulary import SCREEN_SEEDS

# Sixty screening trials of dials on one design found no configuration that meets the first lesson's targets on both
# hard seeds. Three checks outside the suite (../shared/README.md, 2026-12-07) changed the design instead:
#
# - **a greedy member**: one completion of each group is the policy's greedy answer, so training scores the answer the
#   reader reads (0-4% of samples loop while 7-83% of greedy answers do). Seed 1's probe stayed free of loops from step 20
#   to 60 with it, and 4 of 8 answers looped at step 10 without it;
# - **a floor and a memory**: the type-once share over at least 12 words (no pay for brevity), times the share of the
#   answer's 3-grams *not* found in the last 256 answers to other questions (a frame is charged as soon as it spreads).
#   On 40 hidden questions: share 0.51 / 0.52, loops 0% / 0%, frame 35% / 35%, clean 42% / 40% on seeds 1 / 2;
# - **relevance without echo** (``relevance_no_echo``) at 0.25 beside it, 100 steps: share 0.43, frame 30%, clean 35%,
#   with answers that answer ("Just like your phone, every cloud has a boot inside it.").
#
# The entries below put those runs into the suite as the study ``reader-trained`` starts from (studies_reader.py).

# The third run outside the suite, as the suite trains it: SmolLM2 with its embeddings and lower 15 of 30 blocks frozen,
# 2 prompts × 8 completions at temperature 1.0, 32 tokens, lr 2e-4, β 0.04, one greedy member a group, rewarded by the
# floor share times freshness against a 256-answer 3-gram memory. The plain share is measured at weight 0 (the
# objective every table reads) and relevance without echo rides at weight 0, so the study can turn it up.
GREEDY_FLOOR_MEMORY = variant(
    FIRST_BASELINE,
    "greedy-floor-memory",
    "the third check outside the suite, in the suite: one greedy member a group and the floor share times freshness "
    "against a 256-answer memory (lr 2e-4, β 0.04, lower half frozen, temperature 1.0, 32 tokens, 60 steps) keep the "
    "greedy answers free of loops and one frame, as outside the suite (loops 0%, frame 35% on 40 hidden questions), "
    "while the share arrives: held-out greedy share ≥ 0.55, clean ≥ 70%, loops ≤ 5%, frame ≤ 30%, every guard holding, "
    "on seeds 1 and 2",
    "works",
    train_prompts="prompts/silly_large.txt",
    rewards=("four_letter_share", "four_letter_floor_fresh", "relevance_no_echo"),
    reward_weights=(0.0, 1.0, 0.0),
    grpo={
        **{key: value for key, (value, _why) in BASELINE_GRPO_CHANGES.items()},
        "learning_rate": 2e-4,
        "beta": 0.04,
        "temperature": 1.0,
        "max_completion_length": 32,
        "per_device_train_batch_size": 16,  # 2 prompts × 8 completions
    },
    frozen_fraction=0.5,
    greedy_members=1,
    steps=60,
    arrival="probe",  # stop where the greedy probe meets the share with loops and frame within the guards
    stop_level=0.55,
    seeds=SCREEN_SEEDS,
    long=True,
)

# The sixth check outside the suite: the same with relevance without echo at 0.25, the nearest any run came to the
# targets with answers that answer (share 0.43, frame 30%, clean 35% on 40 hidden questions, seed 1, 100 steps).
GREEDY_FLOOR_MEMORY_RELEVANCE = variant(
    GREEDY_FLOOR_MEMORY,
    "greedy-floor-memory-relevance",
    "greedy-floor-memory with relevance without echo at 0.25: answers that answer their question, in four-letter "
    "words, without loops or one frame: held-out greedy share ≥ 0.55, clean ≥ 70%, loops ≤ 5%, frame ≤ 30%, every "
    "guard holding, on seeds 1 and 2",
    "works",
    reward_weights=(0.0, 1.0, 0.25),
    seeds=SCREEN_SEEDS,
    long=True,
)

# Declared after study reader-trained's trial #1 (greedy-floor-memory-relevance at its lever values, trained on the
# study's training split) met the first lesson's targets on both hard seeds, on held-out greedy answers (share 0.57 /
# 0.58, clean 83% / 81%, loops 0% / 2%, frame 17% / 24%, every guard holding), before any run of these: the issue's
# confirmation, the same entry on its whole prompt file, on 3 seeds in bf16 (this CPU has it natively) and in fp32.
READER_CANDIDATE = variant(
    GREEDY_FLOOR_MEMORY_RELEVANCE,
    "reader-candidate",
    "greedy-floor-memory-relevance (one greedy member a group; the floor share times freshness against a 256-answer "
    "memory, relevance without echo at 0.25; lr 2e-4, β 0.04, lower half frozen, temperature 1.0, 32 tokens, 60 steps) "
    "meets the first lesson's targets on every seed, as it did on the study's two: held-out greedy share ≥ 0.55, clean "
    "≥ 70%, loops ≤ 5%, frame ≤ 30%, every guard holding, within 60 steps, on seeds 0, 1 and 2",
    "works",
    seeds=(0, 1, 2),
    long=True,
)
READER_CANDIDATE_FP32 = variant(
    READER_CANDIDATE,
    "reader-candidate-fp32",
    "reader-candidate in fp32 (its bf16 sibling's trajectory depends on numerics): as in bf16, held-out greedy share "
    "≥ 0.55, clean ≥ 70%, loops ≤ 5%, frame ≤ 30%, every guard holding, within 60 steps, on seeds 0, 1 and 2",
    "works",
    precision="fp32",
    seeds=(0, 1, 2),
    long=True,
)

# Declared after the confirmation refuted reader-candidate (bf16 seed 0 broken by one opening, "They don't just …",
# frame 33% with the template guard failing; seed 1 by reference perplexity ×1.58; fp32 seed 2 by relevance, loops
# and frame), before any run of it: the same configuration with its reward charged for an opening that other
# questions' answers share (four_letter_floor_fresh_opening), the base of study reader-openings, screened on seeds
# 0 and 1, the two the confirmation broke in bf16.
GREEDY_FLOOR_OPENING = variant(
    GREEDY_FLOOR_MEMORY_RELEVANCE,
    "greedy-floor-opening",
    "reader-candidate's configuration with its reward charged, beyond the 3-gram memory, by the share of the last 256 "
    "answers to other questions that opened with the same three words: no canned opening spreads, so on seeds 0 and "
    "1 (where the confirmation broke by one opening and by perplexity) held-out greedy share ≥ 0.55, clean ≥ 70%, "
    "loops ≤ 5%, frame ≤ 30%, every guard holding, within 60 steps",
    "works",
    rewards=("four_letter_share", "four_letter_floor_fresh_opening", "relevance_no_echo"),
    reward_weights=(0.0, 1.0, 0.25),
    seeds=(0, 1),
    long=True,
)

# The plumbing of all three mechanisms on the tiny model, run by the fast tier and twice under accelerate (make test's
# ``-k smoke``, one process and two): greedy members, a reward with memory, the best probe reading kept.
SMOKE_READER = variant(
    SMOKE,
    "smoke-reader",
    "4 steps on a random tiny GPT-2 with one greedy member a group, the floor share with memory and keep=best run "
    "the whole pipeline (plumbing, not behaviour: a random model predicts none)",
    "no change",
    rewards=("four_letter_share", "four_letter_floor_fresh"),
    reward_weights=(0.0, 1.0),
    greedy_members=1,
    keep="best",
    probe_every=2,
    steps=4,
)

ENTRIES = [
    SMOKE_READER,
    GREEDY_FLOOR_MEMORY,
    GREEDY_FLOOR_MEMORY_RELEVANCE,
    READER_CANDIDATE,
    READER_CANDIDATE_FP32,
    GREEDY_FLOOR_OPENING,
]
