"""Read a trained model's answers by eye: ``python -m experiments.sample runs/baseline/model "What does the ox sing?"``."""

from __future__ import annotations

import logging
from pathlib import Path

from experiments.cli import ConfigError, SampleOptions, one_line_errors, parse
from experiments.evaluation.answers import vocabulary_measures
from experiments.evaluation.evaluate import EvalSettings, generate
from experiments.evaluation.models import context_length, resolve_model
from experiments.evaluation.relevance import RelevanceJudge
from experiments.files import check_writable_folder
from experiments.precision import PRECISIONS, choose_precision
from experiments.training.checks import SEED_LIMIT, check_count
from text_measures import four_letter_fraction

log = logging.getLogger("experiments.sample")  # not __name__: run as __main__ by python -m


def check_question_lengths(model, tokenizer, prompts, max_new_tokens: int) -> None:
    """Refuse a question that cannot fit in the model's context with its answer, naming which one."""
    context = context_length(model)
    if not context:
        return
    for number, prompt in enumerate(prompts, start=1):
        tokens = len(tokenizer(RelevanceJudge.context_text(tokenizer, prompt), add_special_tokens=False).input_ids)
        if tokens + max_new_tokens > context:
            raise ConfigError(
                f"question {number} is {tokens} tokens; with --max_new_tokens {max_new_tokens} it exceeds the model's "
                f"context of {context} tokens: shorten it"
            )


def check_options(options: SampleOptions, questions: list[str]) -> None:
    """Every count, the seed, the precision, the questions and the runs folder, checked before a model loads."""
    check_count("sample", "--samples", options.samples, low=0)
    check_count("sample", "--max_new_tokens", options.max_new_tokens)
    check_count("sample", "--seed", options.seed, 0, SEED_LIMIT)
    if options.precision not in PRECISIONS:
        raise ConfigError(f"sample: --precision must be one of {PRECISIONS}, got {options.precision!r}")
    empty = [number for number, question in enumerate(questions, start=1) if not question.strip()]
    if empty:
        raise ConfigError(f"sample: question {empty[0]} is empty; ask something")
    check_writable_folder(Path(options.runs_dir), "runs folder", "pass --runs_dir with a writable folder")


def vocabulary_line(label: str, answers: list[str]) -> str:
    """What greedy answers' four-letter share is made of: content words or glue, and how many distinct words.

    >>> vocabulary_line("after", ["They don't have legs, they have eyes", "Moon cows sing"])
    'after:  four-letter share 1.00, content four-letter words 50% of words, four-letter vocabulary 8'
    """
    words_in = vocabulary_measures(answers)
    share = four_letter_fraction(" ".join(answers))
    return (
        f"{label + ':':7} four-letter share {share:.2f}, content four-letter words {words_in['content']:.0%} of words, "
        f"four-letter vocabulary {words_in['vocabulary']}"
    )


def main(argv: list[str] | None = None) -> None:
    options, positional = parse(SampleOptions, argv, SampleOptions.__doc__)
    with one_line_errors():
        if len(positional) < 2:
            raise ConfigError(
                "give a model (a saved folder such as runs/baseline/model, a hub id, tiny-gpt2 or smollm2-135m) and one or more questions"
            )
        check_options(options, positional[1:])
        model, tokenizer = resolve_model(positional[0])
        before = resolve_model(options.before) if options.before else None
    questions = positional[1:]
    chat = tokenizer.chat_template is not None
    prompts = [[{"role": "user", "content": q}] if chat else q for q in questions]
    with one_line_errors():
        check_question_lengths(model, tokenizer, prompts, options.max_new_tokens)
        chosen = choose_precision(
            options.precision, model.device.type, positional[0], Path(options.runs_dir) / "precision-probes.json"
        )
    log.info(f"precision {chosen.precision} ({chosen.how})")
    settings = EvalSettings(
        samples_per_prompt=options.samples, max_new_tokens=options.max_new_tokens, seed=options.seed, bf16=chosen.bf16
    )
    greedy = generate(model, tokenizer, prompts, settings, sample=False)
    sampled = generate(model, tokenizer, prompts, settings, sample=True) if options.samples else [[]] * len(prompts)
    before_greedy = generate(*before, prompts, settings, sample=False) if before else None
    for number, (question, best, others) in enumerate(zip(questions, greedy, sampled)):
        print(f"\n> {question}")
        if before_greedy:
            print(f"  before:  {before_greedy[number][0]}")
        print(f"  greedy:  {best[0]}")
        for text in others:
            print(f"  sampled: {text}")
    print()
    if before_greedy:
        print(vocabulary_line("before", [answers[0] for answers in before_greedy]))
    print(vocabulary_line("greedy" if not before_greedy else "after", [answers[0] for answers in greedy]))


if __name__ == "__main__":
    main()
