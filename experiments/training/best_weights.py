"""keep="best" (issue 52): the weights at the best probe reading, kept while training goes on and put back at its end."""

from __future__ import annotations

from typing import Any

from experiments.training.stop_rules import ProbeReading, reading_rank


class BestWeights:
    """The trainable weights at the probe reading that best meets the targets (``reading_rank``), kept in memory.

    Runs often passed through a good state a probe or two before breaking, and the reader judges the last; practice
    keeps the checkpoint at the best validation reading. The probe reads *training* prompts, never development or
    held-out ones, so choosing by it leaves the held-out evaluation honest. Only weights that train are copied.
    """

    def __init__(self) -> None:
        self.step: int | None = None
        self.rank: tuple[int, float, float] | None = None
        self.weights: dict[str, Any] = {}

    def offer(self, model: Any, reading: ProbeReading) -> bool:
        """Keep the model's weights if this reading ranks above the best so far; whether it did."""
        rank = reading_rank(reading)
        if self.rank is not None and rank <= self.rank:
            return False
        self.step, self.rank = reading.step, rank
        self.weights = {name: param.detach().clone() for name, param in model.named_parameters() if param.requires_grad}
        return True

    def restore(self, model: Any) -> None:
        """Put the kept weights back into the model (the last step's are dropped)."""
        import torch

        with torch.no_grad():
            for name, param in model.named_parameters():
                if name in self.weights:
                    param.copy_(self.weights[name])
