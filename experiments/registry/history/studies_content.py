"""The content studies' declarations (issue 39): searches around the entries of vocabulary_content.py, each with its
hypothesis, before its first trial. ``STUDIES`` in studies.py holds them beside the earlier studies."""

from __future__ import annotations

from experiments.registry.declared_study import FEASIBLE, REFUTED, Study

# The content studies search the same levers over the same ranges beside their content reward's weight, so that
# vocab-content-fresh reads against vocab-content one reward apart.
CONTENT_STUDY_LEVERS = ("learning_rate", "beta", "temperature", "prompts_per_step")
CONTENT_STUDY_RANGES = ("learning_rate=1.5e-4:4e-4", "beta=0.04:0.12", "temperature=0.7:1.0", "prompts_per_step=2:3")

# vocab-content-wide searches vocab-content-frame's reward weights, learning rate and β over the same ranges, beside
# prompts a step instead of temperature, so that it reads against vocab-content-frame one lever apart.
FRAME_STUDY_LEVERS = (
    "weight_fresh_phrases",
    "weight_four_letter_share",
    "weight_content_fresh_share",
    "learning_rate",
    "beta",
)
FRAME_STUDY_RANGES = (
    "weight_fresh_phrases=0.5:2",
    "weight_four_letter_share=0:1",
    "weight_content_fresh_share=0.5:2",
    "learning_rate=2e-4:4e-4",
    "beta=0.04:0.1",
)

# vocab-content-entropy, vocab-content-sum and vocab-content-cold search vocab-content-cool-share's two share weights
# over the same ranges, beside the one lever each adds (the entropy bonus, the advantage's scaling, the sampling
# temperature), so that each reads against vocab-content-cool-share one lever apart.
SHARE_WEIGHT_LEVERS = ("weight_four_letter_share", "weight_four_letter_rare_in_batch")
SHARE_WEIGHT_RANGES = ("weight_four_letter_share=0.5:1.5", "weight_four_letter_rare_in_batch=1:2.5")

CONTENT_STUDIES: tuple[Study, ...] = (
    Study(
        "vocab-content",
        "rare-in-batch-content-seed1",
        ("weight_content_share_once", *CONTENT_STUDY_LEVERS),
        ("weight_content_share_once=0.5:3", *CONTENT_STUDY_RANGES),
        "the glue is paid because no reward prefers a content four-letter word to a glue one past a few words. With "
        "the content share itself as a reward (each content word type once, every word in the denominator) beside "
        "rare-in-batch on the frozen base, the content share on the development prompts rises above 0.12 (the best "
        f"of every earlier trial) on the worse seed, and some trial is feasible ({FEASIBLE}) with a content share "
        "≥ 0.25. Refuted if no trial's worse seed has a content share above 0.12; the issue's content target unmet "
        "if no feasible trial reaches 0.25.",
        "2026-12-06, after vocab's 10, vocab-frame's 3 and vocab-keep's first 3 trials",
        enqueue=("rare-in-batch-content-seed1",),
    ),
    Study(
        "vocab-content-fresh",
        "rare-in-batch-content-fresh-seed1",
        ("weight_content_fresh_share", *CONTENT_STUDY_LEVERS),
        ("weight_content_fresh_share=0.5:3", *CONTENT_STUDY_RANGES),
        "the content share can be bought (vocab-content #1: 0.43 / 0.42), but a per-answer content reward buys it "
        "with one template for every question. Paying each content word by how few answers to other questions hold "
        "it leaves the template unpaid, so the content share rises above 0.12 with the frame ≤ 30% on the worse "
        f"seed, and some trial is feasible ({FEASIBLE}) with a content share ≥ 0.25. Refuted if no trial's worse "
        "seed has a content share above 0.12 with its frame ≤ 30%; the issue's content target unmet if no feasible "
        "trial reaches 0.25.",
        "2026-12-06, after vocab-content's first two trials",
        enqueue=("rare-in-batch-content-fresh-seed1",),
    ),
    Study(
        "vocab-content-share",
        "rare-in-batch-content-fresh-share-seed1",
        (
            "weight_four_letter_share",
            "weight_content_fresh_share",
            "learning_rate",
            "beta",
            "temperature",
            "frozen_fraction",
        ),
        (
            "weight_four_letter_share=0.25:1.5",
            "weight_content_fresh_share=0.5:2",
            "learning_rate=1.5e-4:4e-4",
            "beta=0.04:0.12",
            "temperature=0.7:1.0",
            "frozen_fraction=0.25,0.5",
        ),
        "vocab-content-fresh #1 kept the content share up (0.20 / 0.14) with no frame and no loops, but the share "
        "stayed at 0.43 / 0.38: no reward of it pays a four-letter word the batch's other answers share. The plain "
        "share paid again beside content_fresh_share (which charges every glue word) brings the share without "
        "bringing the glue back, and a quarter of the blocks unfrozen instead of half lets it arrive sooner: some "
        f"trial is feasible ({FEASIBLE}) with a content share ≥ 0.25 on the worse seed. {REFUTED} The issue's "
        "content target is unmet if no feasible trial reaches 0.25. Two prompts a step, the faster trial.",
        "2026-12-06, after vocab-content-fresh's first two trials, while its third trained",
        enqueue=("rare-in-batch-content-fresh-share-seed1",),
    ),
    Study(
        "vocab-content-frame",
        "rare-in-batch-content-frame-seed1",
        (*FRAME_STUDY_LEVERS, "temperature"),
        (*FRAME_STUDY_RANGES, "temperature=0.7:1.0"),
        "in vocab-content-share the share came only with a frame that answers to different questions share (#2: "
        "dev share 0.55 / 0.49, frame 70% / 35%, 'a myth from the film \"Dad's Dish\"'), or with a collapse onto "
        "one opening (#3) or loops (#4) where the plain share weighed more than 1. fresh_phrases charges each "
        "answer for the 3-grams the other questions' answers hold, so the frame stops paying while the share and "
        "content rewards still do, at the learning rates where the share came (2e-4 to 4e-4): some trial is feasible "
        f"({FEASIBLE}) with a content share ≥ 0.25 on the worse seed. {REFUTED} The issue's content target is unmet "
        "if no feasible trial reaches 0.25. The frozen half and two prompts a step of its base.",
        "2026-12-06, after vocab-content-share's first five trials",
        enqueue=("rare-in-batch-content-frame-seed1",),
    ),
    Study(
        "vocab-content-wide",
        "rare-in-batch-content-frame-wide-seed1",
        ("prompts_per_step", *FRAME_STUDY_LEVERS),
        ("prompts_per_step=3:4", *FRAME_STUDY_RANGES),
        "of the 16 trials run to an end at two prompts a step, 9 were settled early by a seed that looped or "
        "collapsed, against 1 of 14 at three or four (every content study ran at two, and vocab-content-frame's "
        "first two trials looped by step 10). With three or four prompts a step the content studies' rewards train "
        f"to the cap without early loops, and some trial is feasible ({FEASIBLE}) with a content share ≥ 0.25 on "
        f"the worse seed. {REFUTED} Refuted too, on its first half, if as many of its trials loop early as at two "
        "prompts (half or more).",
        "2026-12-06, after 30 trials of six studies, vocab-content-frame's first two among them",
        enqueue=("rare-in-batch-content-frame-wide-seed1",),
    ),
    Study(
        "vocab-content-cool",
        "rare-in-batch-content-cool-seed1",
        (*FRAME_STUDY_LEVERS, "temperature"),
        (*FRAME_STUDY_RANGES, "temperature=0.55:0.8"),
        "in the content studies, training samples under temperature 0.8 reached the step cap in three trials of "
        "four (the fourth collapsed), and samples at 0.85 or more in one of ten: nine were settled by a seed's "
        "greedy loops. "
        "vocab-content-frame's rewards on cool samples (0.55 to 0.8), where fresh_phrases and distinct_bigrams see "
        "the loops and frames the greedy answers will have, train to the cap and some trial is feasible "
        f"({FEASIBLE}) with a content share ≥ 0.25 on the worse seed. {REFUTED} Refuted too, on its first four "
        "trials, if two or more are settled early by a seed's loops or collapse.",
        "2026-12-06, after 31 trials of eight studies, while vocab-content-wide's second trained",
        enqueue=("rare-in-batch-content-cool-seed1",),
    ),
    Study(
        "vocab-content-cool-share",
        "rare-in-batch-content-cool-share-seed1",
        (*SHARE_WEIGHT_LEVERS, "top_entropy_quantile", "temperature"),
        (*SHARE_WEIGHT_RANGES, "top_entropy_quantile=0.4:0.9", "temperature=0.6:0.75"),
        "vocab-content-cool's base reached the cap with loops and frame within target on both seeds (3% / 5%, 28% / "
        "17%) and a dev share of 0.37 / 0.38, and every one of its trials at a learning rate of 2.8e-4 or more looped "
        "early. At its learning rate (2.5e-4) and β (0.075), a larger weight on the rewards that pay four-letter "
        "words (the plain share, rare-in-batch) and training on the high-entropy tokens only (top_entropy_quantile, "
        "which ran with the share, +0.35, and against loops, -0.38, over 20 complete trials) bring the share without "
        f"the loops: some trial is feasible ({FEASIBLE}) with a content share ≥ 0.25 on the worse seed. {REFUTED} "
        "Refuted too, on its first four trials, if two or more are settled early by a seed's loops or collapse, or if "
        "none reaches the cap with a worse seed's dev share above 0.45.",
        "2026-12-06, after 39 trials of nine studies, vocab-content-cool's six among them",
        enqueue=("rare-in-batch-content-cool-share-seed1",),
    ),
    Study(
        "vocab-content-entropy",
        "rare-in-batch-content-entropy-seed1",
        ("entropy_coef", *SHARE_WEIGHT_LEVERS, "temperature"),
        ("entropy_coef=0.01:0.2", *SHARE_WEIGHT_RANGES, "temperature=0.6:0.8"),
        "in vocab-content-cool-share the weights that pay four-letter words brought the share by steps 15-31, and a "
        "loop, a collapse or one frame with it in each of its first three trials; its clause refuted it. An entropy "
        "bonus (entropy_coef 0.01-0.2, never searched before) keeps the policy from narrowing onto one pattern while "
        f"those weights pay the share: some trial is feasible ({FEASIBLE}) with a content share ≥ 0.25 on the worse "
        f"seed. {REFUTED} Refuted too, on its first four trials, if two or more are settled early by a seed's loops, "
        "collapse or frame.",
        "2026-12-06, after 43 trials of ten studies, vocab-content-cool-share's first three among them",
        enqueue=("rare-in-batch-content-entropy-seed1",),
    ),
    Study(
        "vocab-content-sum",
        "rare-in-batch-content-cool-sum-seed1",
        ("scale_rewards", *SHARE_WEIGHT_LEVERS, "learning_rate"),
        (*SHARE_WEIGHT_RANGES, "learning_rate=2e-4:4e-4"),
        "all 28 trials settled early by loops, a collapse or a frame ran with normalize_then_sum, under which TRL "
        "scales each reward by its own spread in the group and never reads scale_rewards; the 6 trials with "
        "sum_then_normalize never looped early, but their share stayed at 0.28-0.30. With the cool-share base's "
        "weights and sum_then_normalize (scale_rewards group, batch or none searched), the share arrives without "
        f"the loops: some trial is feasible ({FEASIBLE}) with a content share ≥ 0.25 on the worse seed. {REFUTED} "
        "Refuted too, on its first four trials, if two or more are settled early by a seed's "
        "loops, collapse or frame (the aggregation does not stop them), or if none reaches the cap with a worse "
        "seed's dev share above 0.45 (the low share, not the aggregation, kept the earlier trials from looping).",
        "2026-12-07, after 51 trials of eleven studies, while vocab-content-cool-share's #5 trained",
        enqueue=("rare-in-batch-content-cool-sum-seed1",),
    ),
    Study(
        "vocab-content-cold",
        "rare-in-batch-content-cold-seed1",
        ("temperature", "num_generations", *SHARE_WEIGHT_LEVERS),
        ("temperature=0.35:0.55", "num_generations=8,12", *SHARE_WEIGHT_RANGES),
        "in every study the greedy answers looped or took one frame soon after the share came, while training samples "
        "at 0.6-1.0 rarely loop, so the rewards against loops and frames charged few of them; vocab-content-sum's "
        "base looped at the step cool-share's did, whatever the aggregation. Training samples at 0.35-0.55, close to "
        "the greedy answers, with twelve or eight a group, let distinct_bigrams and fresh_phrases turn each group "
        "against a loop before the greedy answers take it, while the cool-share base's weights bring the share: "
        f"some trial is feasible ({FEASIBLE}) with a content share ≥ 0.25 on the worse seed. {REFUTED} Refuted too, "
        "on its first four trials, if two or more are settled early by a seed's loops, collapse or frame.",
        "2026-12-07, after 53 trials of twelve studies, while vocab-content-sum's #1 trained",
        enqueue=("rare-in-batch-content-cold-seed1",),
    ),
)
