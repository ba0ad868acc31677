"""One experiment end to end: prompts → dataset → trainer(config, rewards) → evaluation → results → report.

Everything that can be checked without a model is checked first. Under
``accelerate launch`` every process trains and evaluates, and only the main
process writes files.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from pathlib import Path

from accelerate import PartialState

from experiments.assembly import (
    base_model_judge, check_eval_lengths, check_prompt_lengths, judged_rewards, prompt_dataset, trainable_model,
)
from experiments.cli import RunOptions, one_line_errors, parse
from experiments.registry import REGISTRY, Experiment
from experiments.environment import environment
from experiments.evaluation import EvalSettings, cached_base_evaluation, evaluate
from experiments.models import CACHE_FIX, EMBEDDED, TINY_GPT2, cache_root
from experiments.precision import PROBE_SIZE, choose_precision
from experiments.prompts import read_numbered_prompts, read_prompt_lines
from experiments.reporting.publish import check_summary_readable, publish_run
from experiments.reporting.record import RunRecord
from experiments.verdicts import judge as judge_run
from experiments.relevance import RelevanceReward
from experiments.reporting.samples import samples_markdown
from experiments.training import GreedyProbe, MetricsRecorder, StopRules, build_trainer, probe_prompts, read_metrics
from experiments.files import FolderError, check_free_space, check_writable_folder, claim_run_folder, inside
from experiments.validation import (
    ConfigError, IsolatedReward, check_name, check_prompt_count, check_rewards, reward_functions, validate_experiment,
)

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger("experiments.runner")  # not __name__: run as __main__ by python -m
HELDOUT = ROOT / "prompts" / "heldout.txt"
REFERENCE = ROOT / "prompts" / "reference.txt"


def run_experiment(
    config: Experiment,
    results_dir: Path | None = None,
    runs_dir: Path = ROOT / "runs",
    model: str | None = None,
    steps: int | None = None,
    precision: str | None = None,
    progress_bar: bool = False,
    tracker: str = "none",
    keep_all_rows: bool = False,
) -> RunRecord:
    """Train one configuration, judge it on held-out prompts, and record the result.

    ``results_dir`` None means results/ for a run as the registry declares it, and a scratch
    folder for a quick look (other steps, model or precision), which must never replace a committed result.
    Every row already in the results folder is kept; ``keep_all_rows`` keeps them in the order they were published
    (explorations) instead of the registry's order.
    """
    check_name(config.name)  # before anything: the name becomes runs/NAME and results/NAME
    config = dataclasses.replace(
        config,
        model=config.model if model is None else model,
        steps=config.steps if steps is None else steps,
        precision=config.precision if precision is None else precision,
    )
    run_dir = inside(runs_dir, runs_dir / config.name)
    state = PartialState()
    # Milliseconds (a 512² matmul, or nothing on a CPU without bf16), so it is decided afresh and nothing is written yet.
    chosen = choose_precision(config.precision, "cuda" if config.on_gpu else "cpu", config.model, cache_file=None)
    grpo_config = validate_experiment(config, output_dir=run_dir / "trainer", bf16=chosen.bf16, tracker=tracker)
    if results_dir is None:
        results_dir = default_results_dir(config, runs_dir)
    check_rewards(reward_functions(config))
    train_lines = read_numbered_prompts(ROOT / config.train_prompts)
    heldout_lines = read_prompt_lines(HELDOUT)
    if config.eval_prompts is not None and config.eval_prompts > len(heldout_lines):
        raise ConfigError(f"{config.name}: eval_prompts is {config.eval_prompts}, but {HELDOUT.name} holds {len(heldout_lines)} prompts")
    heldout_lines = heldout_lines[: config.eval_prompts]
    reference_text = REFERENCE.read_text(encoding="utf-8")
    if (results_dir / config.name).resolve() == run_dir.resolve():
        raise FolderError(f"results folder {results_dir} and runs folder {runs_dir} are one folder: publishing would replace the run's model; pass two")
    check_writable_folder(results_dir, "results folder", "pass --results-dir with a writable folder")
    check_summary_readable(results_dir)
    check_writable_folder(runs_dir, "runs folder", "pass --runs-dir (or set LK_RUNS_DIR) with a writable folder")
    if config.model in (EMBEDDED, TINY_GPT2):
        check_writable_folder(cache_root(), "model cache", CACHE_FIX)
    timed = "" if chosen.fp32_s is None else f"; a {PROBE_SIZE}² matmul took {chosen.fp32_s} s in fp32, {chosen.bf16_s} s in bf16"
    log.info(f"[{config.name}] precision {chosen.precision} ({chosen.how}{timed})")
    check_prompt_count(config, len(train_lines), grpo_config, state.num_processes)

    log.info(f"[{config.name}] loading {config.model}")
    policy, tokenizer = trainable_model(config)
    claim = claim_run_folder(run_dir, config.name) if state.is_main_process else None  # noqa: F841 (held until return)
    dataset = prompt_dataset(config, tokenizer, ROOT / config.train_prompts, [line for _, line in train_lines])
    heldout = prompt_dataset(config, tokenizer, HELDOUT, heldout_lines)["prompt"]
    check_prompt_lengths(config, tokenizer, policy, train_lines, grpo_config.max_completion_length)
    check_eval_lengths(config, tokenizer, policy, heldout)
    model_bytes = sum(p.numel() * p.element_size() for p in policy.parameters())
    check_free_space(run_dir, model_bytes + 2**20, "runs folder", "free some space or pass --runs-dir")
    check_free_space(results_dir, 2**20, "results folder", "free some space or pass --results-dir")
    functions = judged_rewards(config, chosen.bf16, policy.device)
    objective = IsolatedReward(functions[0])  # its scores on held-out and probe answers are checked as in training
    judge = next((f.judge for f in functions if isinstance(f, RelevanceReward)), None) or base_model_judge(config, chosen.bf16, policy.device)
    settings = EvalSettings(
        samples_per_prompt=config.eval_samples, max_new_tokens=config.eval_max_new_tokens, temperature=config.temperature, top_p=config.top_p,
        bf16=chosen.bf16,
    )

    log.info(f"[{config.name}] evaluating the model before training (cached per model and settings after the first run)")
    before = cached_base_evaluation(
        config.model, policy, tokenizer, heldout, reference_text, objective, settings, judge, runs_dir, state.is_main_process
    )
    probe = GreedyProbe(probe_prompts(dataset["prompt"]), tokenizer, objective, settings, config.probe_every) if config.probe_every else None
    rules = StopRules(config.stop_at_behaviour, config.stop_level, config.arrival)
    recorder = MetricsRecorder(run_dir / "metrics.jsonl", config.rewards[0], rules, probe)
    trainer = build_trainer(policy, tokenizer, dataset, functions, grpo_config, recorder, config.lora_rank, progress_bar)
    log.info(f"[{config.name}] training up to {config.steps} steps: {config.hypothesis}")
    started = time.perf_counter()
    trainer.train()
    wall_clock_s = time.perf_counter() - started
    if state.is_main_process:
        log.info(f"[{config.name}] saving the model to {run_dir / 'model'}")
        trainer.save_model(str(run_dir / "model"))
        tokenizer.save_pretrained(run_dir / "model")

    log.info(f"[{config.name}] evaluating the model after training")
    eval_started = time.perf_counter()
    after = evaluate(trainer.model, tokenizer, heldout, reference_text, objective, settings, judge)
    eval_s = time.perf_counter() - eval_started
    judgement = judge_run(before.measurements, after.measurements, stop_reason=recorder.stop_reason)
    record = RunRecord.of_run(
        config, before.measurements, after.measurements, judgement, recorder.outcome(wall_clock_s), eval_s,
        settings.as_dict(), chosen.as_dict(), state.num_processes, environment(trainer.model.device),
    )
    record.heldout_prompts = len(heldout_lines)
    if state.is_main_process:
        answers = [{"prompt": p, "before": b, "after": a} for p, b, a in zip(heldout_lines, before.greedy, after.greedy)]
        files = {
            "metrics.jsonl": (run_dir / "metrics.jsonl").read_text(),
            "completions.jsonl": (run_dir / "completions.jsonl").read_text() if (run_dir / "completions.jsonl").exists() else "",
            "samples.md": samples_markdown(record, answers, read_metrics(run_dir / "completions.jsonl")),
            "answers.json": json.dumps(answers, indent=1),
        }
        publish_run(results_dir, record, files, registry_order=not keep_all_rows)  # the report is drawn under its lock
    state.wait_for_everyone()
    log.info(
        f"[{config.name}] share {record.before.share:.2f} → {record.after.share:.2f}, verdict {record.verdict} "
        f"(expected {config.expect}), {wall_clock_s:.0f}s training, stopped by {record.stop_reason}; results in {results_dir}"
    )
    return record


def default_results_dir(config: Experiment, runs_dir: Path) -> Path:
    """results/ for the registry's own run; a scratch folder for a quick look, named in the output."""
    declared = REGISTRY.get(config.name)
    if declared is not None and declared == config:
        return ROOT / "results"
    changed = [f.name for f in dataclasses.fields(config) if declared is None or getattr(config, f.name) != getattr(declared, f.name)]
    scratch = runs_dir / "quick-looks"
    log.info(f"[{config.name}] a quick look ({', '.join(changed)} differ from the registry): results go to {scratch}, not results/")
    return scratch


def main(argv: list[str] | None = None) -> None:
    options, names = parse(RunOptions, argv, RunOptions.__doc__)
    with one_line_errors():
        unknown = [name for name in names if name not in REGISTRY]
        if not names or unknown:
            raise ConfigError(f"unknown configuration {unknown[0]!r}; known: {', '.join(REGISTRY)}" if unknown else "name at least one configuration")
        for name in names:
            results_dir = Path(options.results_dir) if options.results_dir is not None else None
            run_experiment(
                REGISTRY[name], results_dir, Path(options.runs_dir), options.model, options.steps, precision=options.precision, tracker=options.tracker
            )


if __name__ == "__main__":
    main()
