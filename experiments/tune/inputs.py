"""The tuner's checks that read more than its options, each refused in one line before the first trial: folders that
are files or cannot be written, a name whose folders hold another study's runs, the model every seed would load, and
development prompts too long for its context.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from transformers import AutoConfig, AutoTokenizer, PreTrainedTokenizerBase

from experiments.cli import ConfigError, ModelError
from experiments.evaluation.checkpoints import cache_root, cached_checkpoint
from experiments.evaluation.models import BUILT, _local_model_folder, hub_reachable
from experiments.evaluation.relevance import RelevanceJudge
from experiments.files import FolderError, check_writable_folder, replace_problem
from experiments.training.assembly import prompt_dataset
from experiments.tune.options import TunePlan


def check_folders(plan: TunePlan) -> None:
    """Every folder and file the call writes, before the journal is opened and a trial asked for: the study's folder
    (or the results folder it will be made in), the figures folder, the runs folder, the journal that every call
    appends to, and the files the tuner replaces. A probe, as the runner's: root passes ``os.access`` on an immutable
    folder."""
    results_fix = "pass --results_dir with a writable folder"
    check_writable_folder(plan.study_dir, "results folder", results_fix)
    check_writable_folder(plan.results_dir / "figures", "results folder", results_fix)
    check_writable_folder(plan.runs_dir, "runs folder", "pass --runs_dir with a writable folder")
    if plan.storage is None and plan.journal.is_file() and not plan.journal.is_symlink():  # others: check_journal
        try:
            with plan.journal.open("ab"):  # opened to append, as Optuna does; nothing is written
                pass
        except OSError as error:
            raise FolderError(
                f"{plan.journal}: cannot be written ({error.strerror}); every call appends to its study's journal: "
                f"make it writable (chattr -i, chmod u+w), or {results_fix}"
            ) from None
    for path in (plan.study_dir / "trials.json", plan.dev_path, plan.train_path):
        problem = "a folder, not a file" if path.is_dir() else replace_problem(path)
        if problem is not None:
            raise FolderError(
                f"results folder {plan.study_dir}: {path.name}: cannot be replaced ({problem}); {results_fix}"
            )


def check_unclaimed(plan: TunePlan) -> None:
    """Refuse to begin a study where its folders hold the runs of an earlier study of its name.

    Run names are ``STUDY-tNNN-seedS`` and a new study numbers its trials from 0 again, so one begun after
    study.journal was moved away, or with ``--storage`` added, would replace the earlier study's rows, run files, kept
    models and trials.json in silence. A study id in the names would keep both, but the names would no longer read as
    a trial of a study, and two studies of one name would share one page; refusing keeps both readable, and the way on
    is one step: the earlier study's storage back, its folders moved away, or a new name.
    """
    taken = earlier_runs(plan)
    if taken:
        storage = plan.storage or str(plan.journal)
        raise ConfigError(
            f"study {plan.study}: {plan.study_dir} or {plan.runs_dir} already holds {len(taken)} runs of a study of "
            f"this name ({', '.join(taken[:2])}{', …' if len(taken) > 2 else ''}), which {storage} does not hold; a "
            "new study would replace their rows, files and models: give back the earlier study's journal or "
            "--storage, move its folders away, or name a new study"
        )


def earlier_runs(plan: TunePlan) -> list[str]:
    """The runs of this study's name found in its folders: rows of its summary.json, run folders, kept models."""
    own = re.compile(rf"{re.escape(plan.study)}-t\d{{3,}}-seed\d+")
    names = {path.name for path in plan.study_dir.glob(f"{plan.study}-t*") if path.is_dir()}
    names |= {path.parent.name for path in plan.runs_dir.glob(f"{plan.study}-t*/model")}
    try:
        rows = json.loads((plan.study_dir / "summary.json").read_text(encoding="utf-8"))["runs"]
        names |= {row["name"] for row in rows if isinstance(row.get("name"), str)}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        pass  # no summary, or one the run's own checks refuse in one line
    return sorted(name for name in names if own.fullmatch(name))


def check_model(plan: TunePlan) -> None:
    """The model every seed loads, and the development prompts each reads with it: a model folder that is missing or
    holds no model (each run would refuse it, and the trial fail, after it began) and, where the call runs trials, a
    development prompt that with the entry's eval_max_new_tokens runs past the model's context (the development
    reading would fail after the seed published its row). The tokenizer and the settings are read, not the weights."""
    entry, option = plan.base, "--model" if plan.options.model is not None else f"--base {plan.base.name}: model"
    try:
        folder = _local_model_folder(entry.model)
    except ModelError as error:
        raise ConfigError(f"{option} {error}") from None
    if not plan.trials:
        return
    if entry.model in BUILT:
        source = str(cached_checkpoint(cache_root() / BUILT[entry.model][0], BUILT[entry.model][1]))
    else:
        source = str(folder or entry.model)
    offline = folder is None and entry.model not in BUILT and not hub_reachable()
    try:
        tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=offline)
        config = AutoConfig.from_pretrained(source, local_files_only=offline)
    except (OSError, ValueError) as error:
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise ConfigError(f"{option} {entry.model!r}: cannot be loaded ({first})") from None
    context = getattr(config, "n_positions", None) or getattr(config, "max_position_embeddings", None)
    if context:
        check_dev_lengths(plan, tokenizer, int(context))


def check_dev_lengths(plan: TunePlan, tokenizer: PreTrainedTokenizerBase, context: int) -> None:
    """Each development prompt, as the model takes it, and the answer's eval_max_new_tokens within the context."""
    entry, lines = plan.base, list(plan.dev_prompts)
    prompts = prompt_dataset(entry, tokenizer, Path(plan.dev_source), lines)["prompt"]
    room = context - entry.eval_max_new_tokens
    for line, prompt in zip(lines, prompts):
        length = len(tokenizer(RelevanceJudge.context_text(tokenizer, prompt), add_special_tokens=False).input_ids)
        if length > room:
            source = f"--dev_prompts {plan.dev_source}" if plan.options.dev_prompts else plan.dev_source
            raise ConfigError(
                f"{source}: development prompt {line[:40]!r}… is {length} tokens; with eval_max_new_tokens "
                f"{entry.eval_max_new_tokens} it runs past the context of {entry.model} ({context} tokens), and the "
                f"development reading would fail after the seed published: pass prompts of at most {room} tokens"
            )
