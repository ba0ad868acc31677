"""Four-letter content words without a shared frame: the content studies' bases (issue 39)"""

from experiments.registry.experiment import variant
from experiments.registry.history.vocabulary import RARE_IN_BATCH_FROZEN, SCREEN_SEEDS, VOCAB_TRIAL_1

# Each entry here starts from rare-in-batch-frozen (experiments/registry/history/vocabulary.py) and adds a reward that pays
# the content share itself (four-letter words with wordfreq Zipf below 5.7, per word of the answer), screened on the
# hard seeds 1 and 2 against the first lesson's targets and the content share ≥ 0.25.

# Declared after vocab-keep's first three trials, before any run of it: freezing the lower half held perplexity
# (×1.19-1.61 where the unfrozen trials reached ×1.9-3.1), but the content share stayed at 0.06-0.12 in every trial of
# every study, far from the 0.25. No reward of those trials pays a content word more than a glue word for
# long: content_four_letter_words stops paying at four word types. content_share_once pays each new content word type
# and charges every other word. Two prompts a step: vocab-keep's best value (#1) came from two, at half the time a step.
RARE_IN_BATCH_CONTENT = variant(
    RARE_IN_BATCH_FROZEN,
    "rare-in-batch-content",
    "rare-in-batch-frozen at two prompts a step plus content_share_once at weight 1 (distinct content four-letter words "
    "the question does not hold, per word of the answer): in each group the sample with more content words and less "
    "glue wins, so the content share rises past every earlier trial's 0.12 while the share arrives and perplexity "
    "holds: held-out greedy share ≥ 0.55, content share ≥ 0.25, clean ≥ 70%, loops ≤ 5%, frame ≤ 30%, every guard "
    "holding, on seeds 1 and 2",
    "works",
    rewards=("four_letter_share", "distinct_bigrams", "relevance", "four_letter_rare_in_batch", "content_share_once"),
    reward_weights=(0.0, 1.0, 0.25, 1.0, 1.0),
    grpo={**VOCAB_TRIAL_1, "per_device_train_batch_size": 16},  # 2 prompts × 8 completions
    seeds=SCREEN_SEEDS,
    long=True,
)

# Declared after vocab-content's first two trials, before any run of it: at weight 3 (#1) content_share_once bought a
# content share of 0.43 / 0.42, with one content-dense answer for every question ("Lena is a type of food item that
# resembles a tiny, dark, skin-like body part with four legs"): frame 95% / 100%, 30 / 14 distinct four-letter words.
# At weight 1 (#0) seed 2's greedy answers looped by step 30. A per-answer reward cannot see the template; a comparison
# with the answers to the batch's other questions can.
RARE_IN_BATCH_CONTENT_FRESH = variant(
    RARE_IN_BATCH_CONTENT,
    "rare-in-batch-content-fresh",
    "rare-in-batch-content with content_fresh_share in place of content_share_once (each content four-letter word "
    "paid by how few answers to the batch's other questions hold it): a content-dense template that answers every "
    "question earns nothing, so the content share rises with words that fit each question, without one frame: "
    "held-out greedy share ≥ 0.55, content share ≥ 0.25, clean ≥ 70%, loops ≤ 5%, frame ≤ 30%, every guard holding, "
    "on seeds 1 and 2",
    "works",
    rewards=("four_letter_share", "distinct_bigrams", "relevance", "four_letter_rare_in_batch", "content_fresh_share"),
    seeds=SCREEN_SEEDS,
    long=True,
)

# Declared after vocab-content-fresh's first two trials and while its third trained, before any run of it: #1 (weight
# 0.77, lr 2.35e-4, β 0.072) raised the content share (0.20 / 0.14) with no frame and no loops on both seeds, but the
# four-letter share stayed at 0.43 / 0.38. Every earlier base measures the plain share at weight 0, because alone it
# paid the glue. Beside content_fresh_share, which divides by every word of the answer, a glue word now costs the
# content reward what it earns the share, and a content four-letter word earns both.
RARE_IN_BATCH_CONTENT_FRESH_SHARE = variant(
    RARE_IN_BATCH_CONTENT_FRESH,
    "rare-in-batch-content-fresh-share",
    "rare-in-batch-content-fresh with the plain four-letter share paid again, at half the weight of the others (0.5): "
    "in each group the sample with more four-letter words wins when they are content words the other questions' "
    "answers do not hold, so the share arrives where content_fresh_share alone left it at 0.38-0.43, and the content "
    "share, the frame and the loops stay where it kept them: held-out greedy share ≥ 0.55, content share ≥ 0.25, clean "
    "≥ 70%, loops ≤ 5%, frame ≤ 30%, every guard holding, on seeds 1 and 2",
    "works",
    reward_weights=(0.5, 1.0, 0.25, 1.0, 1.0),
    seeds=SCREEN_SEEDS,
    long=True,
)

# Declared after vocab-content-share's first five trials, before any run of it: wherever the share came (#2: lr 3.7e-4,
# dev share 0.55 / 0.49) a frame that answers to different questions share came with it ("a myth from the film
# \"Dad's Dish\"", frame 70%), and where the plain share weighed more than 1, seed 1 collapsed onto "This classic joke
# goes that" by step 19 (#3) or looped (#4). content_fresh_share sees shared content words, not shared glue phrases;
# fresh_phrases (one minus the share of an answer's 3-grams that answers to other questions hold) sees those.
RARE_IN_BATCH_CONTENT_FRAME = variant(
    RARE_IN_BATCH_CONTENT_FRESH_SHARE,
    "rare-in-batch-content-frame",
    "rare-in-batch-content-fresh-share plus fresh_phrases at weight 1: the shared frame that comes with the share stops "
    "paying in every group, so the share, the content share and the frame targets are met together: held-out greedy "
    "share ≥ 0.55, content share ≥ 0.25, clean ≥ 70%, loops ≤ 5%, frame ≤ 30%, every guard holding, on seeds 1 and 2",
    "works",
    rewards=(
        "four_letter_share",
        "distinct_bigrams",
        "relevance",
        "four_letter_rare_in_batch",
        "content_fresh_share",
        "fresh_phrases",
    ),
    reward_weights=(0.5, 1.0, 0.25, 1.0, 1.0, 1.0),
    seeds=SCREEN_SEEDS,
    long=True,
)

# Declared after 30 trials had run to an end: of the 16 at two prompts a step, 8 were settled by a looping seed and 1
# by a collapse; of the 14 at three or four, 1 looped (results/tune/levers.md, how the trials ended).
RARE_IN_BATCH_CONTENT_FRAME_WIDE = variant(
    RARE_IN_BATCH_CONTENT_FRAME,
    "rare-in-batch-content-frame-wide",
    "rare-in-batch-content-frame at four prompts a step, as study vocab's trial #1: a step's update averages twice the "
    "questions, so no early loop wins it, while fresh_phrases and content_fresh_share keep the frame and the content: "
    "held-out greedy share ≥ 0.55, content share ≥ 0.25, clean ≥ 70%, loops ≤ 5%, frame ≤ 30%, every guard holding, "
    "on seeds 1 and 2",
    "works",
    grpo=VOCAB_TRIAL_1,  # 4 prompts × 8 completions
    seeds=SCREEN_SEEDS,
    long=True,
)

# Declared after 31 trials had run to an end, while vocab-content-wide's second trained, before any run of it: of the
# content studies' trials sampled under temperature 0.8, three of four reached the step cap (the fourth collapsed, with
# the plain share weighted 1.14); of the ten at 0.85 or more, one did, and nine were settled by a seed's greedy loops.
# Without a content reward, 12 of 16 trials at 0.85 or more reached the cap (1 looped, 3 were pruned). Cool samples are
# closer to the greedy answers the reader reads, so distinct_bigrams and fresh_phrases see the loops and frames to come.
RARE_IN_BATCH_CONTENT_COOL = variant(
    RARE_IN_BATCH_CONTENT_FRAME,
    "rare-in-batch-content-cool",
    "rare-in-batch-content-frame with training completions sampled at temperature 0.7 instead of 1.0: the content "
    "rewards no longer pull the greedy answers into loops before the cap, and fresh_phrases sees in the samples the "
    "frame the greedy answers would share, so the share, the content share and the frame targets are met together: "
    "held-out greedy share ≥ 0.55, content share ≥ 0.25, clean ≥ 70%, loops ≤ 5%, frame ≤ 30%, every guard holding, "
    "on seeds 1 and 2",
    "works",
    grpo={"temperature": 0.7},
    seeds=SCREEN_SEEDS,
    long=True,
)

# Declared after vocab-content-cool's first six trials, before any run of it: its base (#0) was the one content trial
# with loops and frame within target on both seeds (loops 3% / 5%, frame 28% / 17%), but its dev share stayed at
# 0.37 / 0.38, and each of its trials at a learning rate of 2.8e-4 or more looped before the cap. Under
# normalize_then_sum each reward's weight is its share of the advantage: the two rewards that pay four-letter words
# (the plain share 0.5, rare-in-batch 1) held 1.5 of 4.75. Here they hold 3 of 6.25, at the base's learning rate.
RARE_IN_BATCH_CONTENT_COOL_SHARE = variant(
    RARE_IN_BATCH_CONTENT_COOL,
    "rare-in-batch-content-cool-share",
    "rare-in-batch-content-cool with the plain share at weight 1 and four_letter_rare_in_batch at 2 (twice the base's): "
    "the share arrives through the advantage's mix instead of a larger step, so the loops and the frame stay where "
    "the cool samples and fresh_phrases held them: held-out greedy share ≥ 0.55, content share ≥ 0.25, clean ≥ 70%, "
    "loops ≤ 5%, frame ≤ 30%, every guard holding, on seeds 1 and 2",
    "works",
    reward_weights=(1.0, 1.0, 0.25, 2.0, 1.0, 1.0),
    seeds=SCREEN_SEEDS,
    long=True,
)

# Declared after vocab-content-cool-share's first three trials, before any run of it: with the share's rewards weighed
# 1 and 2, the share came by steps 15-31 and so did one pattern: seed 2 looped by step 15 (#0, "a tiny little …"),
# one frame held 80% of seed 2's answers (#1, "This is a classic joke that goes back to …"), and seed 1 collapsed by
# step 12 (#2, "A classic joke that goes back to the 1980s …"). An entropy bonus in the loss (TRL's entropy_coef,
# the mean per-token entropy of the trained tokens) pushes every step against such a collapse; no study searched it.
RARE_IN_BATCH_CONTENT_ENTROPY = variant(
    RARE_IN_BATCH_CONTENT_COOL_SHARE,
    "rare-in-batch-content-entropy",
    "rare-in-batch-content-cool-share plus an entropy bonus (entropy_coef 0.05): the share arrives as it did there, "
    "by steps 15-31, while the bonus keeps each position's distribution from narrowing onto one frame or loop: "
    "held-out greedy share ≥ 0.55, content share ≥ 0.25, clean ≥ 70%, loops ≤ 5%, frame ≤ 30%, every guard holding, "
    "on seeds 1 and 2",
    "works",
    grpo={"entropy_coef": 0.05},
    seeds=SCREEN_SEEDS,
    long=True,
)

# Declared after 51 trials had run to an end, while vocab-content-cool-share's #5 trained, before any run of it: every
# trial settled early by loops, a collapse or a frame (28) ran with normalize_then_sum, which every base since vocab #1
# inherits. TRL 1.16 then scales each reward by its own spread in the group (plus 1e-4) before the weights, so a reward
# whose eight samples barely differ (the plain share among cool samples, fresh_phrases where one sample shares a phrase)
# adds a full unit of advantage from small differences, and scale_rewards is not read at all. sum_then_normalize weighs
# the rewards first and scales their sum once, so a reward moves the advantage as much as its samples differ. The trials
# that ran with it never looped early, but their share stayed at 0.28-0.30, at lower learning rates and without the cool
# base's rewards.
RARE_IN_BATCH_CONTENT_COOL_SUM = variant(
    RARE_IN_BATCH_CONTENT_COOL_SHARE,
    "rare-in-batch-content-cool-sum",
    "rare-in-batch-content-cool-share with sum_then_normalize (each group's weighted sum scaled by its spread, "
    "scale_rewards group) in place of normalize_then_sum: the share's rewards pay in proportion to how much the "
    "samples differ in them, so the share arrives at their weights without the amplified noise that ended every early "
    "trial in loops: held-out greedy share ≥ 0.55, content share ≥ 0.25, clean ≥ 70%, loops ≤ 5%, frame ≤ 30%, every "
    "guard holding, on seeds 1 and 2",
    "works",
    grpo={"multi_objective_aggregation": "sum_then_normalize", "scale_rewards": "group"},
    seeds=SCREEN_SEEDS,
    long=True,
)

# Declared after 53 trials had run to an end, while vocab-content-sum's #1 trained, before any run of it: training
# samples at 0.6-1.0 rarely loop (0-4% at 1.0), while the greedy answers the reader reads loop in most trials soon after
# the share comes, so distinct_bigrams and fresh_phrases charge few of the loops to come. vocab-content-sum's base
# looped at step 15, the step cool-share's base looped at, so the aggregation is not what lets the loops through.
# Samples at 0.35-0.55 are close to the greedy answers: some of a group's samples loop and the others do not, and the
# group's advantage turns against the loop before the greedy answers take it. Twelve completions a group keep a spread
# among such similar samples.
RARE_IN_BATCH_CONTENT_COLD = variant(
    RARE_IN_BATCH_CONTENT_COOL_SHARE,
    "rare-in-batch-content-cold",
    "rare-in-batch-content-cool-share with training completions sampled at temperature 0.45 and twelve a group: the "
    "samples show the loops and frames the greedy answers would have, so the rewards against them charge them while "
    "the share's weights bring the share: held-out greedy share ≥ 0.55, content share ≥ 0.25, clean ≥ 70%, loops "
    "≤ 5%, frame ≤ 30%, every guard holding, on seeds 1 and 2",
    "works",
    grpo={"temperature": 0.45, "num_generations": 12, "per_device_train_batch_size": 24},  # 2 prompts × 12
    seeds=SCREEN_SEEDS,
    long=True,
)

ENTRIES = [
    RARE_IN_BATCH_CONTENT,
    RARE_IN_BATCH_CONTENT_FRESH,
    RARE_IN_BATCH_CONTENT_FRESH_SHARE,
    RARE_IN_BATCH_CONTENT_FRAME,
    RARE_IN_BATCH_CONTENT_FRAME_WIDE,
    RARE_IN_BATCH_CONTENT_COOL,
    RARE_IN_BATCH_CONTENT_COOL_SHARE,
    RARE_IN_BATCH_CONTENT_ENTROPY,
    RARE_IN_BATCH_CONTENT_COOL_SUM,
    RARE_IN_BATCH_CONTENT_COLD,
]

# The studies that search around these entries (vocab-content, vocab-content-fresh, vocab-content-share,
# vocab-content-frame, vocab-content-wide, vocab-content-cool, vocab-content-cool-share, vocab-content-entropy,
# vocab-content-sum, vocab-content-cold) are declared, with their commands and hypotheses, in
# experiments/registry/history/studies_content.py.
