"""Evaluation: a model loaded (models, from its cached checkpoint: checkpoints), its held-out answers before and after
training (evaluate), read one by one (answers), typed (measurements), scored by the relevance judge (relevance), and
judged against thresholds declared before any run (verdicts)."""
