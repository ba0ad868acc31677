"""What more than one test file uses, written once: a refusal's one line and the command lines the tests start (the
fixture ``no_model`` is the suite's, in conftest.py)."""

import sys
from pathlib import Path

import pytest


def one_line_exit(capsys, main, arguments, alone: bool = False) -> str:
    """The last line a refusal printed, after checking it exited with code 2 and no traceback (``alone``: and that it
    printed no other line)."""
    with pytest.raises(SystemExit) as exit_:
        main(arguments)
    err = capsys.readouterr().err.strip()
    assert exit_.value.code == 2 and "Traceback" not in err and (not alone or len(err.splitlines()) == 1), err
    return err.splitlines()[-1]


def runner_arguments(results: Path, runs: Path) -> list[str]:
    """``-m experiments.runner smoke`` for one step into the two folders: what follows the interpreter."""
    return ["-m", "experiments.runner", "smoke", "--steps", "1", "--results-dir", str(results), "--runs-dir", str(runs)]


def pytest_command(*arguments: str) -> list[str]:
    """A pytest of its own in this interpreter, quiet, leaving no cache behind."""
    return [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *arguments]
