"""Evaluation: held-out answers before and after training (evaluate), read one by one (answers), typed (measurements),
and judged against thresholds declared before any run (verdicts)."""
