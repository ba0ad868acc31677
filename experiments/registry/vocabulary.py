"""Four-letter vocabulary, not filler: screening rewards that pay for content words (issue 39)"""

from experiments.registry.experiment import variant
from experiments.registry.greedy_eyes import BASELINE

# The baseline's share is bought with glue: more than four in five of its four-letter words are they, have, don't,
# just, can't and that, and the glue is what loops and frames every answer. Each entry here adds a reward that pays
# for content four-letter words (rewards.is_content_word: wordfreq Zipf below 5.7), keeps the plain share as the
# measured objective, and is screened on the hard seeds 1 and 2 (seed 0 was the lucky seed for two earlier leads),
# two lanes of one torch thread each, judged by the worse seed against the first lesson's targets: held-out greedy
# share ≥ 0.55, clean ≥ 70%, loops ≤ 5%, frame ≤ 30%, every guard holding. Each hypothesis is committed before its run.
SCREEN_SEEDS = (1, 2)

CONTENT_WORDS = variant(
    BASELINE,
    "content-words",
    "the baseline (four-letter share, distinct bigrams, relevance at 1:1:0.25) plus a reward for distinct content "
    "four-letter words the question does not hold (content_four_letter_words, weight 1): in each group the sample with "
    "more content words wins instead of the one with more glue, so the greedy answers carry more content words than "
    "the baseline's, loop less and share no frame: held-out greedy share ≥ 0.55, clean ≥ 70%, loops ≤ 5%, frame ≤ 30%, "
    "every guard holding, on seeds 1 and 2",
    "works",
    rewards=("four_letter_share", "distinct_bigrams", "relevance", "content_four_letter_words"),
    reward_weights=(1.0, 1.0, 0.25, 1.0),
    seeds=SCREEN_SEEDS,
    long=True,
)

# Declared while content-words trained: by step 45-50 its training share's 5-step mean stood at 0.24-0.25 on both
# seeds (the baseline's arrives at 0.5 in about 42 steps) and its greedy probe at 0.26-0.34. Content words are rarer
# tokens than glue, so a reward weighted as much as the share sets the direction of every group and the share waits.
CONTENT_WORDS_LIGHT = variant(
    CONTENT_WORDS,
    "content-words-light",
    "content-words with the content reward at a third of the share's weight (0.35): the share sets the pace as in the "
    "baseline, and where two samples of a group hold as many four-letter words, the one with content words instead of "
    "glue wins, so the greedy answers carry more content words than the baseline's, loop less and share no frame: "
    "held-out greedy share ≥ 0.55, clean ≥ 70%, loops ≤ 5%, frame ≤ 30%, every guard holding, on seeds 1 and 2",
    "works",
    reward_weights=(1.0, 1.0, 0.25, 0.35),
    seeds=SCREEN_SEEDS,
    long=True,
)

RARE_IN_BATCH = variant(
    CONTENT_WORDS,
    "rare-in-batch",
    "the baseline with the four-letter share paid by rarity in the batch instead of the content reward "
    "(four_letter_rare_in_batch, weight 1, beside the plain share, distinct bigrams and relevance at 1:1:0.25): a "
    "four-letter word every answer of the batch holds pays nothing and one no other answer holds pays fully, so a "
    "shared frame or glue word stops paying as soon as it spreads: held-out greedy share ≥ 0.55, clean ≥ 70%, loops ≤ "
    "5%, frame ≤ 30%, every guard holding, on seeds 1 and 2",
    "works",
    rewards=("four_letter_share", "distinct_bigrams", "relevance", "four_letter_rare_in_batch"),
    reward_weights=(1.0, 1.0, 0.25, 1.0),
    seeds=SCREEN_SEEDS,
    long=True,
)

# Declared after content-words-light's seed 1 and rare-in-batch's seed 1 were stopped by the probe's fail-fast (steps
# 50 and 40: "They just don't care. They just don't care."): each kept the plain share at weight 1, and the plain share
# pays the glue whatever the other reward pays. Here the plain share is measured at weight 0 and trains nothing.
RARE_IN_BATCH_ALONE = variant(
    RARE_IN_BATCH,
    "rare-in-batch-alone",
    "rare-in-batch with the plain four-letter share measured at weight 0 (four_letter_rare_in_batch, distinct bigrams "
    "and relevance at 1:1:0.25): no reward pays a four-letter word that every answer of the batch holds, so the glue "
    "and the frames stop paying; the share still rises, through four-letter words the other answers do not hold: "
    "held-out greedy share ≥ 0.55, clean ≥ 70%, loops ≤ 5%, frame ≤ 30%, every guard holding, on seeds 1 and 2",
    "works",
    reward_weights=(0.0, 1.0, 0.25, 1.0),
    seeds=SCREEN_SEEDS,
    long=True,
)

# Study vocab's trial #1, the closest of its first trials: the settings the later studies start from.
VOCAB_TRIAL_1 = {
    "learning_rate": 2.5e-4,
    "beta": 0.075,
    "scale_rewards": "none",
    "top_entropy_quantile": 0.65,
    "multi_objective_aggregation": "normalize_then_sum",
    "per_device_train_batch_size": 32,  # 4 prompts × 8 completions
}

# Declared after study `vocab`'s first nine trials (below), before any run of it: the study's closest trial (#1: lr
# 2.5e-4, β 0.075, scale_rewards none, top-entropy 0.65, normalize_then_sum, 4 prompts a step) brought the share on both
# hard seeds (development share 0.66 / 0.58, clean 65% / 72%) but one frame held 57% of seed 1's answers ("they just
# walk, they don't have time to talk") and reference perplexity doubled. No reward of rare-in-batch-alone sees a phrase
# that answers to different questions share; fresh_phrases does, and with normalize_then_sum it weighs in each group
# as much as the others whatever its scale.
RARE_IN_BATCH_FRESH = variant(
    RARE_IN_BATCH_ALONE,
    "rare-in-batch-fresh",
    "study vocab's trial #1 (rare-in-batch-alone at lr 2.5e-4, β 0.075, scale_rewards none, top-entropy 0.65, "
    "normalize_then_sum, 4 prompts a step) plus fresh_phrases at weight 1 (one minus the share of an answer's 3-grams "
    "that answers to other questions of the batch hold): in each group the sample without the shared frame wins, so "
    "the share still arrives and the frame falls under 30%: held-out greedy share ≥ 0.55, clean ≥ 70%, loops ≤ 5%, "
    "frame ≤ 30%, every guard holding, on seeds 1 and 2",
    "works",
    rewards=("four_letter_share", "distinct_bigrams", "relevance", "four_letter_rare_in_batch", "fresh_phrases"),
    reward_weights=(0.0, 1.0, 0.25, 1.0, 1.0),
    grpo=VOCAB_TRIAL_1,
    seeds=SCREEN_SEEDS,
    long=True,
)

# Declared after study vocab's first 10 and vocab-frame's first 3 trials, before any run of it: wherever the share
# arrived within 60 steps (learning rate about 2.5e-4, β under 0.1), reference perplexity rose to ×1.5-2.0, and the
# learning rate's rank correlation with perplexity was +0.9. Of the earlier lessons, frozen-lower-half (embeddings and
# the lower half of the blocks frozen) held every guard on seed 0, perplexity among them, and trained 16% faster a step.
RARE_IN_BATCH_FROZEN = variant(
    RARE_IN_BATCH_ALONE,
    "rare-in-batch-frozen",
    "study vocab's trial #1 (rare-in-batch-alone at lr 2.5e-4, β 0.075, scale_rewards none, top-entropy 0.65, "
    "normalize_then_sum, 4 prompts a step) with the embeddings and the lower half of the blocks frozen: the upper "
    "blocks learn the four-letter words while the lower ones keep the language, so the share still arrives and "
    "reference perplexity stays under ×1.5: held-out greedy share ≥ 0.55, clean ≥ 70%, loops ≤ 5%, frame ≤ 30%, every "
    "guard holding, on seeds 1 and 2",
    "works",
    grpo=VOCAB_TRIAL_1,
    frozen_fraction=0.5,
    seeds=SCREEN_SEEDS,
    long=True,
)

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

ENTRIES = [
    CONTENT_WORDS,
    CONTENT_WORDS_LIGHT,
    RARE_IN_BATCH,
    RARE_IN_BATCH_ALONE,
    RARE_IN_BATCH_FRESH,
    RARE_IN_BATCH_FROZEN,
    RARE_IN_BATCH_CONTENT,
    RARE_IN_BATCH_CONTENT_FRESH,
    RARE_IN_BATCH_CONTENT_FRESH_SHARE,
    RARE_IN_BATCH_CONTENT_FRAME,
    RARE_IN_BATCH_CONTENT_FRAME_WIDE,
]

# The studies that search around these entries (vocab, vocab-frame, vocab-keep, vocab-content, vocab-content-fresh,
# vocab-content-share, vocab-content-frame, vocab-content-wide) are declared, with their commands and hypotheses, in experiments/registry/studies.py.
