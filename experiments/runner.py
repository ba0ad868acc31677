"""One experiment end to end: prompts → dataset → trainer(config, rewards) → evaluation → results → report.

Everything that can be checked without a model is checked first. Under
``accelerate launch`` every process trains and evaluates, and only the main
process writes files.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from pathlib import Path
from typing import Any, Callable

from accelerate import PartialState

from experiments.cli import RunOptions, one_line_errors, parse
from experiments.configs import REGISTRY, Experiment
from experiments.evaluation import EvalSettings, evaluate
from experiments.models import CACHE_FIX, EMBEDDED, TINY_GPT2, cache_root, freeze_lower_layers, resolve_model
from experiments.precision import choose_precision
from experiments.relevance import RelevanceJudge, RelevanceReward
from experiments.prompts import PromptFileError, load_prompts, read_numbered_prompts, read_prompt_lines
from experiments.publish import publish_run
from experiments.results import atomic_write_text, environment, samples_markdown
from experiments.training import MetricsRecorder, build_trainer
from experiments.validation import ConfigError, check_rewards, check_writable_folder, reward_functions, validate_experiment
from experiments.verdicts import guards, verdict

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "prompts" / "heldout.txt"
EVALUATION_VERSION = 2  # bump when evaluate() measures something new, so cached "before" evaluations are redone
REFERENCE = ROOT / "prompts" / "reference.txt"


def run_experiment(
    config: Experiment,
    results_dir: Path | None = None,
    runs_dir: Path = ROOT / "runs",
    model: str | None = None,
    steps: int | None = None,
    announce: Callable[[str], None] = print,
    precision: str | None = None,
    progress_bar: bool = False,
) -> dict[str, Any]:
    """Train one configuration, judge it on held-out prompts, and record the result.

    ``results_dir`` None means results/ for a run as the registry declares it, and a scratch
    folder for a quick look (other steps or model), which must never replace a committed result.
    """
    config = dataclasses.replace(
        config,
        model=config.model if model is None else model,
        steps=config.steps if steps is None else steps,
        precision=config.precision if precision is None else precision,
    )
    grpo_config = validate_experiment(config, output_dir=runs_dir / config.name / "trainer")
    if results_dir is None:
        results_dir = default_results_dir(config, runs_dir, announce)
    run_dir = runs_dir / config.name
    functions = reward_functions(config)
    check_rewards(functions)
    train_lines = read_numbered_prompts(ROOT / config.train_prompts)
    heldout_lines = read_prompt_lines(HELDOUT)[: config.eval_prompts]
    reference_text = REFERENCE.read_text(encoding="utf-8")
    check_writable_folder(results_dir, "results folder", "pass --results-dir with a writable folder")
    check_writable_folder(runs_dir, "runs folder", "pass --runs-dir (or set LK_RUNS_DIR) with a writable folder")
    if config.model in (EMBEDDED, TINY_GPT2):
        check_writable_folder(cache_root(), "model cache", CACHE_FIX)
    state = PartialState()

    announce(f"[{config.name}] loading {config.model}")
    policy, tokenizer = trainable_model(config, announce)
    dataset = prompt_dataset(config, tokenizer, ROOT / config.train_prompts)
    heldout = prompt_dataset(config, tokenizer, HELDOUT)["prompt"][: config.eval_prompts]
    check_prompt_lengths(config, tokenizer, policy, train_lines, grpo_config.max_completion_length)
    precision = choose_precision(
        config.precision, policy, config.model, grpo_config.per_device_train_batch_size,
        longest_prompt_tokens(tokenizer, dataset) + grpo_config.max_completion_length, runs_dir / "precision-probes.json",
    )
    announce(f"[{config.name}] precision {precision.precision} ({precision.how}; fp32 {precision.fp32_s} s, bf16 {precision.bf16_s} s a pass)")
    grpo_config = validate_experiment(config, output_dir=run_dir / "trainer", bf16=precision.bf16)
    settings = EvalSettings(samples_per_prompt=config.eval_samples, max_new_tokens=config.eval_max_new_tokens, bf16=precision.bf16)
    judge = base_model_judge(config, precision.bf16, policy.device)
    for function in functions:
        if isinstance(function, RelevanceReward):
            function.judge = judge

    announce(f"[{config.name}] evaluating the model before training")
    before = cached_base_evaluation(config, policy, tokenizer, heldout, reference_text, functions[0], settings, judge, runs_dir, state.is_main_process)

    recorder = MetricsRecorder(run_dir / "metrics.jsonl", config.rewards[0], announce, config.stop_at_behaviour)
    trainer = build_trainer(policy, tokenizer, dataset, functions, grpo_config, recorder, config.lora_rank, progress_bar)
    announce(f"[{config.name}] training {config.steps} steps: {config.hypothesis}")
    started = time.perf_counter()
    trainer.train()
    wall_clock_s = time.perf_counter() - started
    if state.is_main_process:
        trainer.save_model(str(run_dir / "model"))
        tokenizer.save_pretrained(run_dir / "model")

    announce(f"[{config.name}] evaluating the model after training")
    eval_started = time.perf_counter()
    after = evaluate(trainer.model, tokenizer, heldout, reference_text, functions[0], settings, judge)
    eval_s = time.perf_counter() - eval_started
    record = make_record(config, before, after, wall_clock_s, eval_s, recorder, settings, trainer.model.device)
    record["num_processes"] = state.num_processes
    record["precision"] = precision.as_dict()
    if state.is_main_process:
        files = {
            "metrics.jsonl": (run_dir / "metrics.jsonl").read_text(),
            "samples.md": samples_markdown(record, heldout_lines, before["greedy"], after["greedy"]),
        }
        publish_run(results_dir, record, files)
    state.wait_for_everyone()
    announce(
        f"[{config.name}] share {record['share_before']:.2f} → {record['share_after']:.2f}, verdict {record['verdict']} "
        f"(expected {config.expect}), {wall_clock_s:.0f}s training; results in {results_dir}"
    )
    return record


def default_results_dir(config: Experiment, runs_dir: Path, announce: Callable[[str], None]) -> Path:
    """results/ for the registry's own run; a scratch folder for a quick look, named in the output."""
    declared = REGISTRY.get(config.name)
    if declared is not None and declared == config:
        return ROOT / "results"
    changed = [f.name for f in dataclasses.fields(config) if declared is None or getattr(config, f.name) != getattr(declared, f.name)]
    scratch = runs_dir / "quick-looks"
    announce(f"[{config.name}] a quick look ({', '.join(changed)} differ from the registry): results go to {scratch}, not results/")
    return scratch


def trainable_model(config: Experiment, announce: Callable[[str], None] = print):
    """The model and tokenizer as this configuration trains them, frozen blocks included."""
    policy, tokenizer = resolve_model(config.model)
    if config.attn_implementation:
        policy.set_attn_implementation(config.attn_implementation)  # TRL builds the reference model with the same
    if config.on_gpu:
        policy.to(PartialState().device)  # so that the evaluation before training runs there too
    if config.frozen_fraction is not None:
        trained = freeze_lower_layers(policy, config.frozen_fraction)
        announce(f"[{config.name}] embeddings and the lower {config.frozen_fraction:.0%} of the blocks frozen; {trained} blocks train")
    return policy, tokenizer


def quiet_trainer(config: Experiment, recorder: MetricsRecorder):
    """A trainer for a few measured steps: the configuration's model and prompts, no results, no progress lines."""
    arguments = validate_experiment(config)
    policy, tokenizer = trainable_model(config, announce=lambda _: None)
    dataset = prompt_dataset(config, tokenizer, ROOT / config.train_prompts)
    return build_trainer(policy, tokenizer, dataset, reward_functions(config), arguments, recorder)


def prompt_dataset(config: Experiment, tokenizer, path: Path):
    """A prompt file in the form this model takes: chat messages (with the configured system line) or plain text."""
    return load_prompts(path, conversational=tokenizer.chat_template is not None, system=config.system_prompt)


def check_prompt_lengths(config: Experiment, tokenizer, model, lines: list[tuple[int, str]], completion_tokens: int) -> None:
    """Refuse a training prompt that cannot fit in the model's context with its completion; the error names its file line."""
    context = getattr(model.config, "n_positions", None) or getattr(model.config, "max_position_embeddings", None)
    if not context:
        return
    for number, line in lines:
        length = len(tokenizer(line, add_special_tokens=False).input_ids)
        if length + completion_tokens > context:
            raise PromptFileError(
                f"{config.train_prompts}:{number}: prompt ({line[:40]!r}…) is {length} tokens; with "
                f"max_completion_length {completion_tokens} it exceeds the context of {config.model} ({context} tokens)"
            )


def cached_base_evaluation(config, model, tokenizer, heldout, reference_text, objective, settings, judge, runs_dir: Path, is_main: bool):
    """The untrained model's evaluation, computed once per model, objective and decoding settings.

    Every configuration of the same model starts from the same weights and seed, so its
    "before" is identical; caching it saves a minute per run on CPU.
    """
    key_source = json.dumps(
        [EVALUATION_VERSION, config.model, model.device.type, objective.__name__, settings.as_dict(), list(map(str, heldout)), reference_text],
        sort_keys=True,
    )
    path = runs_dir / "base-evaluations" / f"{hashlib.sha256(key_source.encode()).hexdigest()[:16]}.json"
    if path.exists():
        return json.loads(path.read_text())
    before = evaluate(model, tokenizer, heldout, reference_text, objective, settings, judge)
    if is_main:
        atomic_write_text(path, json.dumps(before))
    return before


def base_model_judge(config: Experiment, bf16: bool, device) -> RelevanceJudge:
    """A frozen copy of the model before training, for the relevance guard and reward."""
    model, tokenizer = resolve_model(config.model)
    return RelevanceJudge(model.to(device), tokenizer, bf16)


def longest_prompt_tokens(tokenizer, dataset) -> int:
    """Tokens of the longest training prompt as the trainer will see it (chat template included)."""
    return max(len(tokenizer(RelevanceJudge.context_text(tokenizer, p), add_special_tokens=False).input_ids) for p in dataset["prompt"])


def make_record(config, before, after, wall_clock_s, eval_s, recorder: MetricsRecorder, settings: EvalSettings, device=None) -> dict[str, Any]:
    outcome = verdict(before, after)
    record: dict[str, Any] = {
        "name": config.name,
        "hypothesis": config.hypothesis,
        "expected": config.expect,
        "overrides": json.loads(json.dumps(config.differences())),  # as summary.json will read back
        "model": config.model,
        "train_prompts": config.train_prompts,
        "rewards": list(config.rewards),
        "reward_weights": list(config.reward_weights) if config.reward_weights else None,
        "objective": config.rewards[0],
        "seed": config.seed,
        "steps": config.steps,
        "long": config.long,
        "wall_clock_s": round(wall_clock_s, 1),
        "eval_s": round(eval_s, 1),
        "time_to_behaviour_s": recorder.time_to_behaviour_s,
        "stop_reason": recorder.stop_reason,
        "eval_settings": settings.as_dict(),
        **training_signals(recorder.history),
        "guards": guards(before, after),
        "verdict": outcome,
        "hypothesis_held": outcome == config.expect,
        "environment": environment(device),
    }
    for metric in ("share_sampled", "share_greedy", "ref_ppl", "distinct2", "repeat3", "real_words", "mean_words", "relevance", "template"):
        name = "share" if metric == "share_sampled" else metric
        record[f"{name}_before"] = before[metric]
        record[f"{name}_after"] = after[metric]
    return record


def training_signals(history: list[dict[str, Any]]) -> dict[str, Any]:
    """Summary figures of the logged steps.

    Rewards are logged only on steps that generate; with ``num_iterations`` > 1 the
    steps that reuse a batch log loss, KL and step time but no reward, so steps and
    their times are counted from the loss rows and rewards from the reward rows.
    """
    optimizer_steps = [row for row in history if "loss" in row]
    generations = [row for row in history if "reward" in row]
    return {
        "steps_trained": len(optimizer_steps),
        "generation_steps": len(generations),
        "final_train_reward": generations[-1]["reward"] if generations else None,
        "mean_kl": _mean([row.get("kl") for row in optimizer_steps]),
        "final_entropy": optimizer_steps[-1].get("entropy") if optimizer_steps else None,
        "mean_frac_reward_zero_std": _mean([row.get("frac_reward_zero_std") for row in generations]),
        "mean_step_time_s": _mean([row.get("step_time") for row in optimizer_steps]),
    }


def _mean(values: list[Any]) -> float | None:
    present = [v for v in values if isinstance(v, (int, float))]
    return sum(present) / len(present) if present else None


def main(argv: list[str] | None = None) -> None:
    options, names = parse(RunOptions, argv, RunOptions.__doc__)
    with one_line_errors():
        unknown = [name for name in names if name not in REGISTRY]
        if not names or unknown:
            raise ConfigError(f"unknown configuration {unknown[0]!r}; known: {', '.join(REGISTRY)}" if unknown else "name at least one configuration")
        for name in names:
            results_dir = Path(options.results_dir) if options.results_dir is not None else None
            run_experiment(REGISTRY[name], results_dir, Path(options.runs_dir), options.model, options.steps, precision=options.precision)


if __name__ == "__main__":
    main()
