"""Files that are never half-written, and folders checked before the work that writes them.

Every write goes to a temporary sibling and is renamed into place: a run killed at any
moment leaves either the old file or the new one, never half of either. Files are made
readable by everyone (0644), as committed results are.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

FILE_MODE = 0o644


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, FILE_MODE)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class FolderError(ValueError):
    """A folder the run will write to that is a file or cannot be written; the message names it and the fix."""


SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")
# Names the results folder and the runs folder use for themselves (compared without case: a case-blind disk sees
# "Summary.JSON" as summary.json); hidden names (the lock, the journals, staging) are refused by SAFE_NAME already.
RESERVED_NAMES = frozenset(
    {
        "summary.json",
        "summary.md",
        "runs.md",
        "figures",
        "benchmark.json",
        "benchmark-gpu.json",
        "step-breakdown.json",
        "base-evaluations",
        "quick-looks",
        "precision-probes.json",
        "benchmarks",
        "explore",
        "lesson",
        "tune",  # results/tune/STUDY and runs/tune/STUDY: the tuner's studies (python -m experiments.tune)
        "trials.json",  # a study's folder: its trials, its journal, its prompt split, its seeds' logs
        "study.journal",
        "dev.txt",
        "train.txt",
        "logs",
        "levers.md",  # results/tune/levers.md: the searches lever by lever (reporting/pooled_levers.py)
    }
)
IN_PROGRESS = "in-progress"  # runs/NAME/in-progress: a run's model and live metrics until its row publishes
# A name becomes a folder and ".NAME.staging", ".NAME.replaced", "NAME-seed12": room left under 255 bytes.
MAX_NAME_LENGTH = 100


def unsafe_name(name: object) -> str | None:
    """Why ``name`` cannot name a run (a folder in runs/ and in results/), or None where it can.

    >>> [unsafe_name(n) is None for n in ("baseline", "lr-1e-4_v2.b", "../x", "/etc", "a\\nb", ".hidden", "-x", "x" * 101)]
    [True, True, False, False, False, False, False, False]
    >>> unsafe_name("Summary.JSON")[:70]
    "name 'Summary.JSON' is a file or folder the results and runs folders k"
    """
    if not isinstance(name, str) or not name:
        return f"a name must be a non-empty string, got {name!r}"
    shown = repr(name if len(name) <= 40 else name[:40] + "…")
    if len(name) > MAX_NAME_LENGTH:
        return f"name {shown} is {len(name)} characters; at most {MAX_NAME_LENGTH} (it becomes a folder name)"
    if ".." in name or not SAFE_NAME.fullmatch(name):
        return (
            f"name {shown} may hold only letters, digits, '.', '_' and '-', not start with '.' or '-', and hold no '..' "
            "(it becomes a folder name: no path, no newline)"
        )
    if name.lower() in RESERVED_NAMES:
        return (
            f"name {shown} is a file or folder the results and runs folders keep for themselves "
            f"({', '.join(sorted(RESERVED_NAMES))}); pick another"
        )
    return None


def inside(folder: Path, path: Path) -> Path:
    """``path``, refused unless it lies inside ``folder`` once both are resolved (a name cannot lead elsewhere)."""
    resolved, root = path.resolve(), folder.resolve()
    if resolved == root or root not in resolved.parents:
        raise FolderError(f"{path}: lies outside its folder {folder}; refusing to write there")
    return path


def check_free_space(path: Path, needed_bytes: int, role: str, fix: str) -> None:
    """Refuse a folder on a disk without room for what the run will write (an estimate), before training."""
    existing = next(parent for parent in (path, *path.parents) if parent.exists())
    free = shutil.disk_usage(existing).free
    if free < needed_bytes:
        raise FolderError(
            f"{role} {path}: {free / 1e6:.0f} MB free on its disk, but the run will write about {needed_bytes / 1e6:.0f} MB; {fix}"
        )


@contextmanager
def claim_run_folder(run_dir: Path, name: str, held: bool = True) -> Iterator[FileLock | None]:
    """Hold runs/NAME for this process while the block runs: two processes training one name truncate each other's
    live metrics. ``held`` False (a process other than the main one) holds nothing.

    The lock is released when the block ends or the process ends, even when killed.
    """
    if not held:
        yield None
        return
    created = missing_folders(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(run_dir / ".training.lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise FolderError(
            f"runs folder {run_dir}: another process is training {name} there; wait for it or pass --runs-dir"
        ) from None
    try:
        yield lock
    finally:
        lock.release()
        if created and [path.name for path in run_dir.iterdir()] == [".training.lock"]:  # made here, used for nothing
            (run_dir / ".training.lock").unlink()
        remove_empty(created)


@contextmanager
def claim_run(run_dir: Path, results_dir: Path, name: str, held: bool = True) -> Iterator[None]:
    """Hold runs/NAME and NAME in the results folder while the block runs: a second run of one name into one results
    folder (two explorations, each with its own runs folder) would silently replace the first one's row.

    The results folder's claim is a hidden ``.NAME.running`` lock file, deleted before it is released (the run is done
    by then, so a process that finds it gone and takes a new one overlaps no work).
    """
    if not held:
        yield
        return
    created = missing_folders(results_dir)  # a run refused after its claim leaves no folder the claim made
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f".{name}.running"
    lock = FileLock(path)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise FolderError(
            f"results folder {results_dir}: another process is running {name} into it; wait for it, or pass "
            "another --results-dir or name"
        ) from None
    try:
        with claim_run_folder(run_dir, name):
            yield
    finally:
        path.unlink(missing_ok=True)
        lock.release()
        remove_empty(created)


def missing_folders(folder: Path) -> list[Path]:
    """``folder`` and those of its parents that do not exist yet, deepest first."""
    return [path for path in (folder, *folder.parents) if not path.exists()]


def remove_empty(folders: list[Path]) -> None:
    """Remove each folder that is (still) empty, deepest first; one that holds anything stays."""
    for folder in sorted(set(folders), key=lambda path: len(path.parts), reverse=True):
        try:
            folder.rmdir()
        except OSError:
            pass


def overlap(results_dir: Path, runs_dir: Path, run_dir: Path) -> str | None:
    """Why a results folder and a runs folder cannot be used together, or None: a runs folder inside the results folder
    is replaced when a run of its name publishes there; a results folder inside a run's own folder mixes a run's model
    and live files with published ones.

    >>> overlap(Path("r"), Path("r/smoke"), Path("r/smoke/smoke")) is not None, overlap(Path("runs/quick-looks"), Path("runs"), Path("runs/x"))
    (True, None)
    """
    results, runs, run = results_dir.resolve(), runs_dir.resolve(), run_dir.resolve()
    if runs == results:
        return f"results folder {results_dir} and runs folder {runs_dir} are one folder"
    if results in runs.parents:
        return f"runs folder {runs_dir} lies in results folder {results_dir} (a run published there would replace it)"
    if results == run or run in results.parents:
        return f"results folder {results_dir} lies in the run's own folder {run_dir}"
    return None


def replace_problem(path: Path) -> str | None:
    """Why ``path`` (a file or folder that publishing replaces) cannot be replaced, or None: a hard link to it is made and
    removed, which an immutable or append-only file refuses (link(2)), even to root; a folder gets the write probe."""
    if path.is_symlink() or not path.exists():
        return None
    if path.is_dir():
        try:
            with tempfile.TemporaryFile(dir=path):
                pass
        except OSError as error:
            return error.strerror
        return None
    probe = path.with_name(f".{path.name}.link-probe-{os.getpid()}")
    try:
        os.link(path, probe)
    except OSError as error:
        if error.errno in (errno.EPERM, errno.EACCES, errno.EROFS):
            return error.strerror
        return None  # a file system without hard links: nothing can be told in advance
    probe.unlink()
    return None


def check_writable_folder(path: Path, role: str, fix: str) -> None:
    """Write a probe file where the folder is (or will be created), so a bad folder fails before training, not after.

    A probe, not ``os.access``: root passes ``os.access`` on a read-only or immutable folder.
    Nothing is left behind: the probe is an unnamed temporary file, and a missing folder is not created.
    """
    existing = next(parent for parent in (path, *path.parents) if parent.exists())
    if not existing.is_dir():
        raise FolderError(f"{role} {path}: {existing} is a file, not a folder; {fix}")
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as error:
        raise FolderError(f"{role} {path} is not writable ({existing}: {error.strerror}); {fix}") from None
