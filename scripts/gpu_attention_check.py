"""Two GRPO steps of the baseline on a CUDA GPU per attention kernel: does the first update leave the weights finite?

``python scripts/gpu_attention_check.py eager sdpa`` printed, on one H200 (2026-11-26),
``eager ok`` with grad_norm 4.2 then 5.0, and ``sdpa FAILED`` with grad_norm NaN at step 1:
the reason the GPU lessons set ``attn_implementation="eager"``. A CUDA error ends the
process, so the kernel expected to fail goes last.
"""

import sys
from dataclasses import replace

from experiments.registry import BASELINE, GPU
from experiments.training.stages import quiet_trainer

for attn in sys.argv[1:]:
    exp = replace(BASELINE, grpo={**BASELINE.grpo, **GPU}, steps=2, attn_implementation=attn)
    trainer, rec = quiet_trainer(exp, bf16=True)
    try:
        trainer.train()
        print(attn, "ok", [(r.get("grad_norm"), r.get("step_time")) for r in rec.history], flush=True)
    except Exception as e:
        print(
            attn,
            "FAILED",
            type(e).__name__,
            [(r.get("grad_norm"), r.get("step_time")) for r in rec.history],
            flush=True,
        )
        break
