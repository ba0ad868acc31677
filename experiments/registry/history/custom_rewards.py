"""On the first baseline (history, long tier): other behaviours, and leashes, taught by custom rewards"""

from experiments.registry.experiment import FIRST_BASELINE, FIXED_28_STEPS, history, variant

ENTRIES = history(
    [
        variant(
            FIRST_BASELINE,
            "shouting",
            "rewarding upper-case letters (plus the distinct-bigram term), stopped at a half-shouted answer, teaches the "
            "model to SHOUT while it still writes real words",
            "works",
            rewards=("shouting", "distinct_bigrams"),
        ),
        variant(
            FIRST_BASELINE,
            "on-topic-leash",
            "a third reward for mentioning the question's words keeps answers relevant but competes with the share, which rises less than 0.25",
            "no change",
            rewards=("four_letter_share", "distinct_bigrams", "on_topic"),
            reward_weights=(1.0, 1.0, 1.0),
            **FIXED_28_STEPS,
            long=True,
        ),
        variant(
            FIRST_BASELINE,
            "novelty-leash",
            "lr-high plus a reward for answers unlike those to other prompts: the canned-answer collapse is stopped and the share still rises",
            "works",
            rewards=("four_letter_share", "distinct_bigrams", "cross_prompt_novelty"),
            reward_weights=(1.0, 1.0, 1.0),
            **FIXED_28_STEPS,
            long=True,
            grpo={"learning_rate": 2e-4},
        ),
    ]
)
