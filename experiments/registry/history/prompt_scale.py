"""On the first baseline (history, long tier): prompt scale: hundreds of generated prompts against eighteen hand-written ones"""

from experiments.registry.experiment import FIRST_BASELINE, history, variant

ENTRIES = history(
    [
        variant(
            FIRST_BASELINE,
            "first-baseline-large-prompts",
            "training on 300+ generated prompts generalises to held-out prompts at least as well as 18 hand-written ones",
            "works",
            train_prompts="prompts/silly_large.txt",
        ),
    ]
)
