"""Rewards with memory (issue 52): the reward contract on every input, one fresh memory a run, frames charged across steps."""

import math

import pytest

import rewards
from experiments.registry import REGISTRY
from experiments.training.assembly import plain_rewards, reward_functions

pytestmark = pytest.mark.fast

HOSTILE = ["", "   ", "Moo.", "they have ears they have ears they have ears", "ÄÖÜ ß " * 50, "12345 ???", "a" * 5000]


@pytest.mark.parametrize("name", sorted(rewards.STATEFUL_REWARDS))
def test_a_reward_with_memory_keeps_the_reward_contract(name):
    reward = rewards.STATEFUL_REWARDS[name]()
    for _ in range(3):  # across steps, with its memory filling
        prompts = [f"q{i % 3}?" for i in range(len(HOSTILE))]
        scores = reward(prompts, HOSTILE)
        assert len(scores) == len(HOSTILE)
        assert all(isinstance(s, float) and math.isfinite(s) and 0.0 <= s <= 1.0 for s in scores)
    assert reward(None, ["Cows sing low"]) == reward(None, ["Cows sing low"]), "prompts=None reads as one question"


@pytest.mark.parametrize("name", sorted(rewards.STATEFUL_REWARDS))
def test_each_run_builds_its_own_memory(name):
    import dataclasses

    entry = dataclasses.replace(REGISTRY["smoke"], rewards=("four_letter_share", name), reward_weights=(0.0, 1.0))
    dry = plain_rewards(entry)[1]
    dry(["ox?"], ["Just what you need to know"])  # the preflight's dry call fills a throw-away memory
    first, second = reward_functions(entry, None)[1], reward_functions(entry, None)[1]
    assert first is not second and first is not dry
    assert first(["cat?"], ["Just what you need to know"]) == second(["cat?"], ["Just what you need to know"])


def test_a_frame_is_charged_once_it_spreads_across_steps():
    fresh = rewards.FreshInMemory()
    frame = "Just what you need to know about {}."
    first = fresh(["ox?", "ox?"], [frame.format("oxen"), "Oxen sing low"])
    later = fresh(["cat?", "cat?"], [frame.format("cats"), "Cats purr loud"])
    assert first[0] == 1.0 and later[0] < 0.5 and later[1] == 1.0


def test_a_stock_word_stops_paying_as_it_spreads():
    rare = rewards.RareInMemory()
    rare([f"q{i}?" for i in range(8)], ["Just like that, well" for _ in range(8)])
    spread, fresh = rare(["new?", "new?"], ["Just like that, well", "Oxen sing slow, deep hymns"])
    assert spread == 0.0 and fresh > 0.3


def test_a_canned_opening_is_charged_by_how_far_it_has_spread():
    """Issue 52's confirmation, seed 0: "They don't just …" opened a third of the answers while the phrase memory
    charged it as one 3-gram of many. The opening memory charges it by the share of other questions' answers that
    opened alike, and never charges an answer for opening as an earlier answer to its own question did."""
    opening_memory, phrases = rewards.FloorShareFreshOpening(), rewards.FloorShareFresh()
    canned = ["They don't just eat corn at noon", "They don't just hop over logs", "They don't just sing deep hymns"]
    varied = ["Owls hoot soft tunes from tall dark pine tops", "Cows hum low when moon rises over the hill"]
    questions = [f"q{i}?" for i in range(5)]
    charged, plain = opening_memory(questions, canned + varied), phrases(questions, canned + varied)
    # each canned answer shares its opening with 2 of the 4 other answers: half its pay goes, beyond the one 3-gram
    # the phrase memory charges; the varied answers open alike with nothing and keep their pay
    assert [c / p for c, p in zip(charged[:3], plain[:3])] == pytest.approx([0.5] * 3)
    assert charged[3:] == plain[3:] and all(p > 0 for p in plain)
    later = opening_memory(["q9?"], ["They don't just nap in warm barns"])  # the memory holds the 3 openings of 5
    assert later[0] == pytest.approx(phrases(["q9?"], ["They don't just nap in warm barns"])[0] * (1 - 3 / 5))
    own = rewards.FloorShareFreshOpening()
    first = own(["ox?"], ["They sing deep slow hymns when moon rises"])
    assert own(["ox?"], ["They sing deep slow hymns when moon rises"]) == first  # its own question: no charge
