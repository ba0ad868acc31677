"""The first lesson's baseline, in bf16 and in fp32, and the plumbing run smoke"""

from dataclasses import dataclass

from experiments.evaluation.models import TINY_GPT2
from experiments.registry.experiment import FIRST_BASELINE, variant
from experiments.registry.history.first_lesson import RELEVANCE_QUARTER_96


@dataclass(frozen=True)
class LessonTargets:
    """What a first lesson that works answer by answer must show on every run, on held-out *greedy* answers (issue 31,
    declared before its runs; issue 25 had declared the share on sampled answers, and no frame target)."""

    min_share: float = 0.55  # held-out share on greedy answers
    min_clean: float = 0.70  # clean held-out greedy answers
    max_loops: float = 0.05  # held-out greedy answers that loop
    max_frame: float = 0.30  # held-out greedy answers holding the commonest word 3-gram
    # the step the run's arrival rule held (training share 0.5, or the greedy probe): 40 until issue 52, whose targets
    # (declared before its runs) allow 150, with 60 as the goal
    max_steps_to_behaviour: int = 150


TARGETS = LessonTargets()

# No candidate met the targets (each shortfall is in summary.md). By issue 31's fallback the baseline is the best
# configuration found by clean answers: relevance-quarter-96, whose fp32 runs held 69%, 64% and 71% clean answers
# (mean 68%; relevance-quarter-0.55-fp32 66%, clean-share 50%, every issue-31 candidate ≤ 50%). It keeps its own
# arrival (the training share's 5-step mean at 0.5): its answers share one frame in 45-69%, so the probe's arrival
# would hold it to its cap; the greedy probe's fail-fast and the relative collapse rule watch it as every run.
BASELINE = variant(
    RELEVANCE_QUARTER_96,
    "baseline",
    "the best configuration found by clean answers (relevance-quarter-96: the four-letter share, distinct bigrams and "
    "relevance at 1:1:0.25, lr 1e-4, β 0.1, 24-token completions at temperature 1.0, stopped when the training share's "
    "5-step mean reaches 0.5, cap 96), rerun under the greedy probe's stop rules: the share rises by ≥ 0.25 with "
    "reference perplexity, distinct-2, real words and relevance holding, but the greedy answers still loop (more than "
    "5%) or share one frame (more than 30%) on most seeds, as its six earlier runs did: broken by loops or frame",
    "broken",
    caught_by=("loops", "frame"),
    long=False,
    seeds=(0, 1, 2),
)

BASELINE_FP32 = variant(
    BASELINE,
    "baseline-fp32",
    "the baseline in fp32 (its bf16 sibling's trajectory depends on numerics): as the baseline, broken by loops or "
    "frame on most seeds, with clean answers near the 68% its earlier fp32 runs held",
    "broken",
    caught_by=("loops", "frame"),
    precision="fp32",
    seeds=(0, 1, 2),
)

# The registry's plumbing entry: the whole pipeline on a random tiny model, no lesson.
SMOKE = variant(
    FIRST_BASELINE,
    "smoke",
    "3 steps on a random tiny GPT-2 run the whole pipeline in seconds: every file written, the record complete, "
    "a verdict given (plumbing, not behaviour: a random model predicts none)",
    "no change",
    model=TINY_GPT2,
    steps=3,
    eval_prompts=4,
    eval_samples=2,
    eval_max_new_tokens=12,
    precision="fp32",  # a two-layer model times the same either way: no measurement can choose, so it is fixed
    grpo={"max_completion_length": 8, "num_generations": 4, "per_device_train_batch_size": 4},
)

# Runs that must be made on today's training numerics (tests/test_numerics.py).
CURRENT = (BASELINE.name, BASELINE_FP32.name)

ENTRIES = [SMOKE, BASELINE, BASELINE_FP32]
