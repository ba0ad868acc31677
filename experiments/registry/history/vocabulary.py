"""Four-letter vocabulary, not filler: screening rewards that pay for content words (issue 39)"""

from experiments.registry.baseline import BASELINE
from experiments.registry.experiment import variant

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

ENTRIES = [
    CONTENT_WORDS,
    CONTENT_WORDS_LIGHT,
    RARE_IN_BATCH,
    RARE_IN_BATCH_ALONE,
    RARE_IN_BATCH_FRESH,
    RARE_IN_BATCH_FROZEN,
]

# The studies that search around these entries (vocab, vocab-frame, vocab-keep) are declared, with their commands and
# hypotheses, in experiments/registry/history/studies.py; the content studies' bases, which start from rare-in-batch-frozen,
# are in experiments/registry/history/vocabulary_content.py.
