"""On the first baseline (history, long tier): breaking GRPO on purpose: the reward's shape, the KL leash, clipping, the group"""

from experiments.registry.experiment import FIRST_BASELINE, FIXED_28_STEPS, history, variant

ENTRIES = history(
    [
        variant(
            FIRST_BASELINE,
            "four-letter-only",
            "without the distinct-bigram term the model reaches the share with loops, so a guard fails even at the stop",
            "broken",
            rewards=("four_letter_share",),
            reward_weights=None,
        ),
        variant(
            FIRST_BASELINE,
            "broken-beta-huge",
            "an over-amplified KL leash (β 20) pins the policy to the base model, so the share does not move in 28 steps",
            "no change",
            steps=28,
            grpo={"beta": 20.0},
        ),
        variant(
            FIRST_BASELINE,
            "broken-no-clip-multipass",
            "with clipping disabled (ε 100), 4 passes per batch at lr 3e-4 and no stop rule, the policy collapses within 28 steps",
            "broken",
            **FIXED_28_STEPS,
            grpo={"epsilon": 100.0, "num_iterations": 4, "learning_rate": 3e-4},
        ),
        variant(
            FIRST_BASELINE,
            "broken-groups-of-2",
            "groups of 2 give each completion a ±1 advantage from one comparison: too noisy to move the share in 28 steps",
            "no change",
            steps=28,
            grpo={"num_generations": 2},
        ),
    ]
)
