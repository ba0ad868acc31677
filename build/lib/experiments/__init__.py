"""Language Kindergarten: re-educating a pretrained language model with GRPO, as behavioural experiments."""

from experiments.prompts import PromptFileError, load_prompts

__all__ = ["PromptFileError", "load_prompts"]
