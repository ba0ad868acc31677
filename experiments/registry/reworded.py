"""Hypotheses reworded after their committed runs, by entry name, with the text those runs were judged under.

A run is found by its name; when its entry's hypothesis reads otherwise than the committed row, the
change must be declared here (test_a_reworded_hypothesis_is_declared), so a rewording is never silent.
Timings, explorations and commit ids moved from these hypotheses to docs/notes.md.
"""

REWORDED: dict[str, str] = {
    "smoke": ("3 steps on a random tiny GPT-2 run the whole pipeline in seconds and change nothing measurable"),
    "long-baseline": (
        "the baseline trained 72 steps instead of 28 reaches share ≥ 0.5 on every seed with its guards intact"
        " (72 was tried first on seed 1, the weakest seed at 28 steps, and gave 0.68)"
    ),
    "beta-0.04": (
        "a looser KL leash (β 0.04, the prototype's) lets the share arrive in about a third fewer steps than "
        "β 0.1, and the stop rule still ends each seed before the loops that β 0 reaches: sooner than the "
        "baseline on every seed, and works (explored first: seed 1 at step 36, 370 s against 546 s, works)"
    ),
    "frozen-half": (
        "freezing the embeddings and the lower half of the blocks (15 of 30) makes a step about a third "
        "cheaper (7.1 s against 10.5 s in a profile) and learns about as fast per step, so the share arrives "
        "within 300 s and the run works"
    ),
    "reuse-generations": (
        "reusing each batch of completions for 2 optimizer steps (num_iterations 2, so ε 0.2 now clips) makes"
        " a step about a third cheaper (7.7 s against 11.3 s in the benchmark), so the share arrives within "
        "300 s on every seed and the stop still leaves the guards intact"
    ),
    "frozen-half-lr-1.5e-4": (
        "lower half frozen at lr 1.5e-4, declared as the baseline in 506fdc8: held-out share up by ≥ 0.25 "
        "with the language intact on every seed; explored first, seed 2 got there at step 38 (about 280 s), "
        "seed 1 was at 0.36 by step 38 (308 s)"
    ),
    "empty-system-prompt": (
        "SmolLM2's template adds a 20-token default system line to every 16-token question; an empty one cuts"
        " a step by a quarter (8.3 s against 11.2 s over 7 steps of seed 0) without changing what is learned "
        "per step, so the share arrives about a quarter sooner and the run works (explored first: seed 1 "
        "reached it at 523 s, works)"
    ),
    "cheap-steps": (
        "generating two steps' completions at once (steps_per_generation 2: 32 completions, each trained on "
        "once, the second half one step stale and clipped by ε 0.2), frozen embeddings and a static KV cache "
        "make a step about 40% cheaper while each step learns about as much, so the share arrives sooner than"
        " the baseline's on every seed (337, 546, 592 s), within 300 s on seed 0, and the run works"
    ),
}
