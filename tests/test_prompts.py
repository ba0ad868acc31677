"""The prompt loader: what a user's hand-edited prompt file can contain, and what it must not."""

import warnings
from pathlib import Path

import pytest

from experiments.cli import PromptFileError
from experiments.training.prompts import load_prompts

pytestmark = pytest.mark.fast
PROMPTS = Path(__file__).resolve().parent.parent / "prompts"


def write(tmp_path, data: bytes, name="prompts.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_plain_format_strips_skips_and_accepts_bom_and_crlf(tmp_path):
    path = write(tmp_path, b"\xef\xbb\xbf# a comment\r\n  What does the ox sing?  \r\n\r\nWhy?\r\n")
    assert load_prompts(path, conversational=False)["prompt"] == ["What does the ox sing?", "Why?"]


def test_conversational_format_wraps_each_prompt_as_a_user_message(tmp_path):
    path = write(tmp_path, b"What does the ox sing?\n")
    assert load_prompts(path, conversational=True)["prompt"] == [
        [{"role": "user", "content": "What does the ox sing?"}]
    ]


def test_a_system_prompt_replaces_the_templates_default_even_when_empty(tmp_path):
    path = write(tmp_path, b"What does the ox sing?\n")
    system, user = load_prompts(path, conversational=True, system="")["prompt"][0]
    assert system == {"role": "system", "content": ""} and user["content"] == "What does the ox sing?"
    with pytest.raises(
        PromptFileError, match=r"prompts.txt: system_prompt 'Be brief.' given, but the model has no chat template"
    ):
        load_prompts(path, conversational=False, system="Be brief.")


def test_duplicates_are_removed_with_a_warning_naming_both_lines(tmp_path):
    path = write(tmp_path, b"Moo?\nBaa?\nMoo?\n")
    with pytest.warns(UserWarning, match=r"prompts.txt: 1 duplicate prompts removed: line 3 \(= line 1\)"):
        assert load_prompts(path, conversational=False)["prompt"] == ["Moo?", "Baa?"]


def test_many_duplicates_make_one_warning_with_a_count(tmp_path):
    path = write(tmp_path, b"Moo?\n" * 200_000)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert load_prompts(path, conversational=False)["prompt"] == ["Moo?"]
    assert len(caught) == 1
    assert "199999 duplicate prompts removed: line 2 (= line 1), 3 (= line 1)" in str(caught[0].message)
    assert "(199999 in all)" in str(caught[0].message)


def test_control_characters_and_stray_boms_are_cleaned_with_a_warning_naming_the_line(tmp_path):
    data = "Fine?\nWhat\x00 does\x0c the ox\u2028sing?\n\ufeffWhy?\n".encode()
    path = write(tmp_path, data)
    with pytest.warns(UserWarning, match=r"prompts.txt: control characters replaced by spaces on line 2, 3"):
        assert load_prompts(path, conversational=False)["prompt"] == ["Fine?", "What does the ox sing?", "Why?"]


def test_a_symlink_loop_says_so(tmp_path):
    (tmp_path / "a.txt").symlink_to(tmp_path / "b.txt")
    (tmp_path / "b.txt").symlink_to(tmp_path / "a.txt")
    with pytest.raises(PromptFileError, match=r"a.txt: symbolic link loop"):
        load_prompts(tmp_path / "a.txt")


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", r"prompts.txt: is empty"),
        (b"\n  \n", r"prompts.txt: is empty"),
        (b"# only\n# comments\n\n", r"prompts.txt: holds only blank lines and # comments"),
        (b"Fine?\nAlso fine?\nbad \xff byte?\n", r"prompts.txt:3: not valid UTF-8 \(byte 0xff at column 5\)"),
    ],
    ids=["empty", "blank-lines", "comments-only", "not-utf8"],
)
def test_unusable_files_raise_an_error_naming_file_and_line(tmp_path, data, message):
    with pytest.raises(PromptFileError, match=message):
        load_prompts(write(tmp_path, data))


def test_missing_file_and_directory_are_named(tmp_path):
    with pytest.raises(PromptFileError, match=r"nope.txt: prompt file not found"):
        load_prompts(tmp_path / "nope.txt")
    with pytest.raises(PromptFileError, match=r"is a directory"):
        load_prompts(tmp_path)


def test_project_prompt_files_have_the_promised_sizes():
    assert len(load_prompts(PROMPTS / "silly.txt")) >= 15
    assert len(load_prompts(PROMPTS / "heldout.txt")) >= 40
    paragraphs = [p for p in (PROMPTS / "reference.txt").read_text().split("\n\n") if p.strip()]
    assert len(paragraphs) >= 3


def test_no_training_prompt_file_overlaps_the_heldout_set():
    heldout = {p.casefold() for p in load_prompts(PROMPTS / "heldout.txt", conversational=False)["prompt"]}
    training_files = [f for f in PROMPTS.glob("*.txt") if f.name not in ("heldout.txt", "reference.txt")]
    assert training_files
    for path in training_files:
        overlap = heldout & {p.casefold() for p in load_prompts(path, conversational=False)["prompt"]}
        assert not overlap, f"{path.name} shares held-out prompts: {sorted(overlap)}"
