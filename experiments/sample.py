"""Read a trained model's answers by eye: ``python -m experiments.sample runs/baseline/model "What does the ox sing?"``."""

from __future__ import annotations

import argparse

from experiments.evaluation import EvalSettings, generate
from experiments.models import resolve_model


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("model", help="a saved model folder (runs/<config>/model), a hub id, tiny-gpt2 or smollm2-135m")
    parser.add_argument("prompts", nargs="+", help="one or more questions")
    parser.add_argument("--samples", type=int, default=3, help="sampled answers per prompt, besides the greedy one")
    parser.add_argument("--max-new-tokens", type=int, default=48)
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args(argv)

    model, tokenizer = resolve_model(options.model)
    chat = tokenizer.chat_template is not None
    prompts = [[{"role": "user", "content": p}] if chat else p for p in options.prompts]
    settings = EvalSettings(samples_per_prompt=options.samples, max_new_tokens=options.max_new_tokens, seed=options.seed)
    greedy = generate(model, tokenizer, prompts, settings, sample=False)
    sampled = generate(model, tokenizer, prompts, settings, sample=True) if options.samples else [[]] * len(prompts)
    for question, best, others in zip(options.prompts, greedy, sampled):
        print(f"\n> {question}\n  greedy:  {best[0]}")
        for text in others:
            print(f"  sampled: {text}")


if __name__ == "__main__":
    main()
