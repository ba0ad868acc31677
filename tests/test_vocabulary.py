"""What the four-letter share is made of (issue 39): the content share and the four-letter vocabulary, shown wherever
the share is, and filled in for rows written before they existed."""

import json

import pytest

from experiments.evaluation.answers import answer_measures, vocabulary_measures
from experiments.reporting.rejudge import with_vocabulary
from rewards import four_letter_share

GLUE = ["They don't have legs. They just don't.", "They don't have eyes. They just don't."]
CONTENT = ["Oxen hum slow tunes to the moon", "Cows sing when barn owls hoot"]


@pytest.mark.fast
def test_a_share_made_of_glue_shows_as_low_content_and_a_small_vocabulary():
    glue, content = vocabulary_measures(GLUE), vocabulary_measures(CONTENT)
    assert glue["content"] < 0.2 < content["content"]
    assert glue["vocabulary"] < content["vocabulary"]
    assert {"content", "vocabulary"} <= set(answer_measures(GLUE, four_letter_share))


@pytest.mark.fast
def test_rows_written_before_the_measures_get_them_from_their_answers(tmp_path):
    """A row without the vocabulary measures gets them from its answers.json; its verdict is untouched."""
    (tmp_path / "old").mkdir()
    answers = [{"prompt": f"q{i}", "before": GLUE[i], "after": CONTENT[i]} for i in range(2)]
    (tmp_path / "old" / "answers.json").write_text(json.dumps(answers), encoding="utf-8")
    row = {
        "name": "old",
        "config": "old",
        "verdict": "broken",
        "hypothesis": "h",
        "expected": "broken",
        "hypothesis_held": True,
        "guards": {"loops": False},
        "model": "m",
        "seed": 0,
        "steps": 1,
        "heldout_prompts": 2,
        "before": {"share": 0.5},
        "after": {"share": 0.6},
    }
    filled = with_vocabulary(row, tmp_path)
    assert filled["verdict"] == "broken"
    assert filled["before"]["content"] == vocabulary_measures(GLUE)["content"]
    assert filled["after"]["vocabulary"] == vocabulary_measures(CONTENT)["vocabulary"]
    assert with_vocabulary(filled, tmp_path) == filled


@pytest.mark.fast
def test_sample_measures_the_model_before_beside_the_model_after(tmp_path, capsys):
    from experiments.sample import main as sample_main

    sample_main(
        ["tiny-gpt2", "What does the ox sing?", "--samples", "0", "--max_new_tokens", "4", "--before", "tiny-gpt2"]
        + ["--precision", "fp32", "--runs_dir", str(tmp_path)]
    )
    printed = capsys.readouterr().out
    assert "  before:  " in printed and "  greedy:  " in printed
    assert "before: four-letter share" in printed and "after:  four-letter share" in printed
    assert "four-letter vocabulary" in printed
