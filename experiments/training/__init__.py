"""Training: TRL's GRPOTrainer (trainer), the callback that records every step (recorder), the greedy probe that reads
what a reader will see (probe), and the rules that end a run (stop_rules)."""

from experiments.training.probe import PROBE_EVERY, PROBE_PROMPTS, GreedyProbe, probe_prompts
from experiments.training.recorder import MetricsRecorder, question_text, read_metrics, shared_openings
from experiments.training.stop_rules import (
    BEHAVIOUR_LEVEL, BEHAVIOUR_WINDOW, COLLAPSE_ENTROPY_FRACTION, ProbeReading, StopReason, StopRules,
    collapse_signal,
)
from experiments.training.trainer import build_trainer, lora_config

__all__ = [
    "BEHAVIOUR_LEVEL", "BEHAVIOUR_WINDOW", "COLLAPSE_ENTROPY_FRACTION", "PROBE_EVERY", "PROBE_PROMPTS",
    "GreedyProbe", "MetricsRecorder", "ProbeReading", "StopReason", "StopRules", "build_trainer", "collapse_signal",
    "lora_config", "probe_prompts", "question_text", "read_metrics", "shared_openings",
]
