"""Training, from an entry to a trained model: its checks (preflight, checks, reward_checks), prompts and
precision-free assembly (prompts, assembly; the model loader and the relevance judge it uses live in evaluation/),
TRL's trainer (trainer), the callback that records every step (recorder), the greedy probe (probe) and the rules that
end a run (stop_rules).

Empty on purpose: importing one submodule runs this file, so it imports none of them.
"""
