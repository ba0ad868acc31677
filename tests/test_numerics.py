"""Runs describe the code that trained them: the training path is declared, and current runs were made on its numerics."""

import json
from pathlib import Path

import pytest

from experiments.registry import CURRENT_FAMILIES
from experiments.reporting.environment import NUMERICS, _definitions, training_fingerprint

pytestmark = pytest.mark.fast
SUMMARY = Path(__file__).resolve().parent.parent / "results" / "summary.json"


def test_the_training_path_is_declared():
    """Any change to a statement of the training path fails here until experiments/environment.py's NUMERICS says
    whether it alters training numerics (bump ``version``: current runs are due for a rerun) or not (new fingerprint)."""
    assert training_fingerprint() == NUMERICS.fingerprint, (
        f"the training path changed (fingerprint {training_fingerprint()}, declared {NUMERICS.fingerprint}): declare it "
        "in experiments/environment.py NUMERICS — bump version if training numerics changed, else record the fingerprint"
    )


def test_the_fingerprint_ignores_form_and_sees_code():
    plain = "import os\n\ndef f(x):\n    return x + 1\n"
    reformatted = '"""A module."""\nimport sys\n\n\ndef f(x):  # one more\n    """Adds one."""\n    return (x + 1)\n'
    assert _definitions(plain) == _definitions(reformatted)
    assert _definitions(plain) != _definitions(plain.replace("x + 1", "x + 2"))


def test_current_runs_were_made_on_the_current_numerics():
    """Every row of a current lesson (the baseline family and the lessons on it) records the numerics version it was
    made on; a row made before the training numerics changed is due for a rerun and is named here."""
    rows = json.loads(SUMMARY.read_text())["runs"]
    stale = [
        f"{row['name']} (version {row.get('environment', {}).get('numerics_version')}, commit {row.get('environment', {}).get('commit')})"
        for row in rows
        if (row.get("config") or row["name"]) in CURRENT_FAMILIES
        and row.get("environment", {}).get("numerics_version") != NUMERICS.version
    ]
    assert not stale, f"made before the training numerics changed (version {NUMERICS.version} now), rerun: {stale}"
