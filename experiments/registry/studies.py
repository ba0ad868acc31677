"""Declared searches: each study of ``python -m experiments.tune`` as data, with its hypothesis, before its first trial.

A study's name is enough to run or continue it: ``python -m experiments.tune vocab-keep --trials 2`` reads its base,
seeds, steps, levers and development prompts from here, and the command line may add options after them (the last
value of an option wins, and a later ``--lever`` respecifies an earlier one). A declaration never changes once its
first trial ran; a new idea is a new study. The entries the studies start from live in their lesson group's module.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Study:
    """One declared search: what it varies around which entry, and what it expects to find."""

    name: str
    base: str
    only: tuple[str, ...]  # the levers it searches; every other lever keeps the base's value
    levers: tuple[str, ...]  # ``NAME=LOW:HIGH`` or ``NAME=a,b,c``: each searched lever's range where not the default
    hypothesis: str  # what it expects, and what refutes it
    declared: str  # when, and after which trials
    enqueue: tuple[str, ...] = ()  # known entries tried first
    seeds: str = "1,2"  # the hard seeds: seed 0 was the lucky seed for two earlier leads
    steps: int = 60
    dev_prompts: str = "prompts/silly_large.txt"  # never prompts/heldout.txt

    def arguments(self) -> list[str]:
        """The study's options as the tuner's command line reads them, after the study's name.

        >>> Study("s", "smoke", ("beta",), ("beta=0:0.1",), "h", "d").arguments()
        ['--base', 'smoke', '--seeds', '1,2', '--steps', '60', '--only', 'beta', '--dev_prompts', 'prompts/silly_large.txt', '--lever', 'beta=0:0.1']
        """
        words = ["--base", self.base, "--seeds", self.seeds, "--steps", str(self.steps), "--only", ",".join(self.only)]
        words += ["--dev_prompts", self.dev_prompts] if self.dev_prompts else []
        words += ["--enqueue", ",".join(self.enqueue)] if self.enqueue else []
        return words + [word for spec in self.levers for word in ("--lever", spec)]

    def command(self) -> str:
        """The whole command, for a reader: ``python -m experiments.tune NAME …``."""
        return " ".join(["python -m experiments.tune", self.name, *self.arguments()])


REFUTED = "Refuted if no trial of the study is feasible on its worse seed."
FEASIBLE = "dev share ≥ 0.55, loops ≤ 5%, frame ≤ 30%, reference perplexity ≤ 1.5× on the development prompts"

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
    )
}
