"""Language Kindergarten: re-educating a pretrained language model with GRPO, as behavioural experiments."""
