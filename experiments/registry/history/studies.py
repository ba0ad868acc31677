"""Declared searches: each study of ``python -m experiments.tune`` as data, with its hypothesis, before its first trial.

A study's name is enough to run or continue it: ``python -m experiments.tune vocab-keep --trials 2`` reads its base,
seeds, steps, levers and development prompts from here, and the command line may add options after them (the last
value of an option wins, and a later ``--lever`` respecifies an earlier one). A declaration never changes once its
first trial ran; a new idea is a new study. The entries the studies start from live in their lesson group's module,
the content studies' declarations in studies_content.py, and the reader-trained study's in studies_reader.py.
"""

from __future__ import annotations

from experiments.registry.declared_study import FEASIBLE, REFUTED, Study
from experiments.registry.history.studies_content import CONTENT_STUDIES
from experiments.registry.history.studies_reader import READER_STUDIES

STUDIES: dict[str, Study] = {
    study.name: study
    for study in (
        Study(
            "vocab",
            "rare-in-batch-alone-seed1",
            (
                "learning_rate",
                "beta",
                "scale_rewards",
                "top_entropy_quantile",
                "multi_objective_aggregation",
                "prompts_per_step",
            ),
            ("learning_rate=5e-5:3e-4", "prompts_per_step=2:4"),
            "rare-in-batch-alone came closest (held-out clean 74%/69%, loops 10%/5%), but its 'they don't' frame held "
            "about half its answers and it needed 87-96 steps. A setting that spreads the update over more questions "
            "(prompts a step), trains only where the model is unsure (top_entropy_quantile), or stops one reward's "
            "scale from setting every advantage (normalize_then_sum, scale_rewards) lets the share arrive within 60 "
            f"steps with the frame under 30%, on both hard seeds: some trial is feasible ({FEASIBLE}). {REFUTED}",
            "2026-12-06, before its first trial (a first start with 4 development prompts from the base's own 18 was "
            "withdrawn after trial 0: one answer decided each constraint)",
        ),
        Study(
            "vocab-frame",
            "rare-in-batch-fresh-seed1",
            (
                "learning_rate",
                "beta",
                "temperature",
                "weight_fresh_phrases",
                "weight_distinct_bigrams",
                "prompts_per_step",
            ),
            (
                "learning_rate=1e-4:3e-4",
                "beta=0.03:0.15",
                "temperature=0.6:1.0",
                "weight_fresh_phrases=0:2",
                "prompts_per_step=2:4",
            ),
            "study vocab showed where the share arrives (lr about 2.5e-4, β under 0.1) and what it costs there (a "
            "frame shared by half the answers, perplexity ×2). A reward against phrases that answers to different "
            "questions share (fresh_phrases) removes the frame, and cooler training samples (temperature under 1) show "
            "the training the answers greedy decoding will give: some trial brings the share within 60 steps, feasible "
            f"({FEASIBLE}), on both hard seeds. {REFUTED}",
            "2026-12-06, after study vocab's first nine trials",
            enqueue=("rare-in-batch-fresh-seed1",),
        ),
        Study(
            "vocab-keep",
            "rare-in-batch-frozen-seed1",
            ("frozen_fraction", "learning_rate", "beta", "top_entropy_quantile", "temperature", "prompts_per_step"),
            (
                "frozen_fraction=0.25,0.5,0.75",
                "learning_rate=1.5e-4:6e-4",
                "beta=0.03:0.12",
                "top_entropy_quantile=0.5:1.0",
                "temperature=0.7:1.0",
                "prompts_per_step=2:4",
            ),
            "the share arrives where the whole model moves fast, and so does perplexity. Frozen lower blocks (a quarter "
            "to three quarters of them, with the embeddings) keep the language the reference text reads, while a "
            "learning rate up to 6e-4 moves the upper blocks far enough for the share; top-entropy training against "
            f"loops and cooler samples as in vocab-frame: some trial is feasible ({FEASIBLE}), on both hard seeds. "
            f"{REFUTED}",
            "2026-12-06, after vocab's first 10 and vocab-frame's first 3 trials",
            enqueue=("rare-in-batch-frozen-seed1",),
        ),
        *CONTENT_STUDIES,
        *READER_STUDIES,
    )
}


def declared_in(name: str) -> str:
    """The file that declares a study, for the tuner's first line.

    >>> declared_in("vocab"), declared_in("vocab-content")
    ('experiments/registry/history/studies.py', 'experiments/registry/history/studies_content.py')
    """
    if any(study.name == name for study in READER_STUDIES):
        return "experiments/registry/history/studies_reader.py"
    content = any(study.name == name for study in CONTENT_STUDIES)
    return f"experiments/registry/history/{'studies_content' if content else 'studies'}.py"
