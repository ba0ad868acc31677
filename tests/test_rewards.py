"""Rewards: their documented word rules, their examples, and that no text can make them misbehave."""

import doctest
import math
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rewards
from rewards import REWARDS, four_letter_share


def modules_with_examples() -> list[str]:
    """Every module of the project whose source holds a ``>>>`` example, found by reading the files, not a hand-kept list."""
    root = Path(__file__).resolve().parent.parent
    found = [root / "rewards.py", root / "text_measures.py", *sorted((root / "experiments").rglob("*.py"))]
    return [
        ".".join(path.relative_to(root).with_suffix("").parts)
        for path in found
        if ">>> " in path.read_text(encoding="utf-8")
    ]


@pytest.mark.fast
@pytest.mark.parametrize("module", modules_with_examples())
def test_docstring_examples_run(module):
    imported = __import__(module, fromlist=["_"])
    result = doctest.testmod(imported)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.fast
@pytest.mark.parametrize(
    "text, share",
    [
        ("", 0.0),
        ("   \n\t ", 0.0),
        ("2024 1999 !!!", 0.0),
        ("moon", 1.0),
        ("MOON moon Moon", 1.0),
        ("don't", 1.0),
        ("it's", 0.0),
        ("'moon'", 1.0),
        ("well-done", 1.0),
        ("x-ray", 0.0),
        ("4ever", 1.0),
        ("café", 1.0),
        ("naïve", 0.0),
        ("über alles", 0.5),
        ("moo moon mooning", 1 / 3),
        ("snake_case", 0.5),
        ("The ox sings loud, deep songs.", 2 / 6),
    ],
)
def test_four_letter_share_edge_cases(text, share):
    assert four_letter_share(None, [text]) == [pytest.approx(share)]


@pytest.mark.fast
def test_conversational_completions_are_scored_like_strings():
    chat = [{"role": "assistant", "content": "Cows sing loudly"}]
    assert four_letter_share(None, [chat]) == four_letter_share(None, ["Cows sing loudly"])


@pytest.mark.fast
def test_one_megabyte_is_scored_well_under_a_second():
    """CPU time of this process, so a busy machine does not fail the test; the bound is unchanged."""
    text = ("What does the ox sing? It sings a long, low moo to the moon. " * 20000)[: 1 << 20]
    started = time.process_time()
    four_letter_share(None, [text])
    assert time.process_time() - started < 1.0


@pytest.mark.fast
@pytest.mark.parametrize("name", sorted(REWARDS))
@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=300))
def test_every_reward_returns_a_finite_score_in_0_1_for_any_text(name, text):
    scores = REWARDS[name](prompts=[None], completions=[text])
    assert len(scores) == 1
    assert isinstance(scores[0], float) and math.isfinite(scores[0]) and 0.0 <= scores[0] <= 1.0


@pytest.mark.fast
@pytest.mark.benchmark
def test_four_letter_share_throughput(benchmark):
    completions = ["They sing moos and baas all day, with some help from the local owls."] * 1000
    scores = benchmark(four_letter_share, None, completions)
    assert len(scores) == 1000
    benchmark.extra_info["completions_per_call"] = len(completions)


@pytest.mark.fast
def test_rewards_are_registered_by_name():
    assert REWARDS["four_letter_share"] is rewards.four_letter_share
    assert len(REWARDS) >= 3


@pytest.mark.fast
def test_cross_prompt_novelty_punishes_one_answer_for_every_prompt_but_not_agreement_within_a_group():
    canned = "I'm more than happy to help with that."
    chat = lambda text: [{"role": "user", "content": text}]  # noqa: E731
    prompts = [chat("What does the ox sing?")] * 2 + [chat("Why is the moon shy?")] * 2
    collapsed = rewards.cross_prompt_novelty(prompts, [canned] * 4)
    agreeing = rewards.cross_prompt_novelty(
        prompts,
        ["Oxen sing deep low tunes.", "Oxen sing deep low tunes.", "The moon hides from owls.", "It fears the sun."],
    )
    assert collapsed == [0.0] * 4
    assert agreeing == [1.0] * 4


@pytest.mark.fast
@settings(max_examples=50, deadline=None)
@given(texts=st.lists(st.text(max_size=80), min_size=2, max_size=6))
def test_cross_prompt_novelty_stays_in_0_1_for_any_batch(texts):
    prompts = [f"question {i % 2}" for i in range(len(texts))]
    scores = rewards.cross_prompt_novelty(prompts, texts)
    assert len(scores) == len(texts) and all(0.0 <= s <= 1.0 for s in scores)


@pytest.mark.fast
def test_content_words_pay_vocabulary_not_glue_length_or_echo():
    """Issue 39: glue words earn nothing, a repeated content word earns once, the question's own words earn nothing,
    and the score counts word types, so padding an answer or cutting it short moves nothing."""
    from rewards import content_four_letter_words
    from text_measures import is_content_word

    question = ["Why do cows hate Mondays?"]
    glue, looped, echo = "They just don't have that. They just don't.", "moon moon moon moon", "Cows hate Mondays."
    short, padded = "Moon, barn, hums.", "Well, the moon and the barn and the hums are all there, you see."
    scores = content_four_letter_words(question * 5, [glue, looped, echo, short, padded])
    assert scores[:3] == [0.0, 0.25, 0.0]
    assert scores[3] == scores[4] == 0.75
    assert not any(is_content_word(w) for w in ["they", "have", "don't", "just", "can't", "that", "does", "make"])
    assert all(is_content_word(w) for w in ["eyes", "move", "moon", "sing"])
    assert content_four_letter_words(None, ["Oxen sing"]) == [0.5]


@pytest.mark.fast
def test_content_share_pays_each_new_content_word_and_charges_each_glue_word():
    """Issue 39: unlike content_four_letter_words, the content share does not stop paying at four word types; a glue
    word, a repeated word type or a restated question word lowers it, and a short answer is divided by twelve."""
    from rewards import CONTENT_SHARE_MIN_WORDS, content_share_once

    question = ["Why do cows hate Mondays?"]
    five = "Moon, barn, hums, eyes, legs, fire, lake, rain, snow, wind, hill, pond."
    more_glue = "Moon, barn, hums, eyes, legs, they just have that, they don't have that."
    looped = "Moon barn moon barn moon barn moon barn moon barn moon barn"
    echo = "Cows hate cows hate cows hate cows hate cows hate cows hate"
    scores = content_share_once(question * 4, [five, more_glue, looped, echo])
    assert scores[0] > scores[1] > 0.0 and scores[0] > 4 / 12  # past four types, each content word still pays
    assert scores[2] == 2 / 12 and scores[3] == 0.0
    assert content_share_once(None, ["Moon barn"]) == [2 / CONTENT_SHARE_MIN_WORDS]


@pytest.mark.fast
def test_fresh_content_pays_nothing_for_one_content_template_across_questions():
    """Issue 39 (vocab-content #1): one content-dense answer for every question earns nothing from content_fresh_share,
    though content_share_once pays it well; answers to the same question may share their subject."""
    from rewards import content_fresh_share, content_share_once

    template = "Lena is a type of food item with tiny dark legs and a long body part"
    questions = ["Why do cows hate Mondays?", "How does a turtle order pizza?"]
    assert content_fresh_share(questions, [template, template]) == [0.0, 0.0]
    assert min(content_share_once(questions, [template, template])) > 0.3
    same_subject = ["Moon barn hums", "Moon barn glow"]
    assert content_fresh_share(questions[:1] * 2, same_subject) == content_share_once(questions[:1] * 2, same_subject)
