"""Training, from an entry to a trained model: its checks (checks, reward_checks), prompts, model and precision-free
assembly (prompts, models, assembly), the relevance judge (relevance), TRL's trainer (trainer), the callback that
records every step (recorder), the greedy probe (probe) and the rules that end a run (stop_rules).

Empty on purpose: importing one submodule runs this file, so it imports none of them.
"""
