"""Reading held-out answers: one by one (loops, one frame for every question, clean answers) and all together (distinct
bigrams, repeated trigrams, real words, length, one canned opening).

Averages over forty answers can hold while a quarter of them loop ("very very very …")
or every second one opens "They don't …". These measures count answers, not words,
so that what a reader sees in samples.md is what the guards judge.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any, TypedDict

from wordfreq import zipf_frequency

from text_measures import content_fraction, letter_count, loops, opening, word_bigrams, word_trigrams, words


class HeldOutAnswer(TypedDict):
    """One held-out prompt's greedy answers before and after training: a row of a run's answers.json."""

    prompt: str
    before: str
    after: str


CLEAN_MIN_SHARE = 0.5  # the objective's score an answer needs to count as clean
CLEAN_OPENING_WORDS = 6  # a clean answer shares its first six words with no other answer


def loop_share(texts: Sequence[str]) -> float:
    """Share of answers that loop.

    >>> loop_share(["moo moo moo moo", "Cows sing low.", "Oxen hum.", "Frogs croak."])
    0.25
    """
    return sum(loops(t) for t in texts) / len(texts) if texts else 0.0


def top_phrase(texts: Sequence[str]) -> tuple[str, float]:
    """The word 3-gram found in the most answers, and the share of answers holding it: one frame for every question.

    >>> top_phrase(["They don't sing, oxen hum.", "Oh, they don't sing at all.", "Cows moo."])
    ("they don't sing", 0.6666666666666666)
    >>> top_phrase(["Moo.", ""])
    ('', 0.0)
    """
    counts = Counter(gram for text in texts for gram in set(word_trigrams(text)))
    if not counts or not texts:
        return "", 0.0
    gram, count = min(counts.items(), key=lambda item: (-item[1], item[0]))
    return " ".join(gram), count / len(texts)


def answer_measures(
    texts: Sequence[str], objective: Callable[..., list[float]], prompts: Sequence[Any] | None = None
) -> dict[str, Any]:
    """The per-answer measures of greedy answers, keyed as Measurements fields: read by the evaluation, and by
    the rejudging of runs recorded before these measures existed. ``prompts``: each answer's question, for an
    objective that reads it (None: unknown)."""
    phrase, share = top_phrase(texts)
    return {
        "loops": loop_share(texts),
        "frame": share,
        "frame_phrase": phrase,
        "clean": clean_share(texts, objective, prompts),
        **vocabulary_measures(texts),
    }


def vocabulary_measures(texts: Sequence[str]) -> dict[str, Any]:
    """What the four-letter share is made of, keyed as Measurements fields: ``content``, the share of all words that are
    content four-letter words (``text_measures.is_content_word``: not they, have, don't, just), and ``vocabulary``, the
    distinct four-letter words across the answers. A share bought with glue shows as a high share, a low content share
    and a small vocabulary.

    >>> vocabulary_measures(["They don't have legs, they have eyes", "Moon cows sing"])
    {'content': 0.5, 'vocabulary': 8}
    """
    pooled = " ".join(texts)  # a space joins no two words, so these are the answers' words, all together
    return {
        "content": content_fraction(pooled),
        "vocabulary": len({w.lower() for w in words(pooled) if letter_count(w) == 4}),
    }


def clean_share(
    texts: Sequence[str], objective: Callable[..., list[float]], prompts: Sequence[Any] | None = None
) -> float:
    """Share of answers a reader would call a clean four-letter answer: the objective's score ≥ 0.5, no loop, and an
    opening (first six words) that no other answer shares.

    >>> from rewards import four_letter_share
    >>> clean_share(["Oxen sing very slow tunes", "moo moo moo moo", "Cows sing long soft hums and moos",
    ...              "Cows sing long soft hums and purrs"], four_letter_share)
    0.25
    """
    if not texts:
        return 0.0
    scores = objective(prompts=None if prompts is None else list(prompts), completions=list(texts))
    openings = Counter(opening(t, CLEAN_OPENING_WORDS) for t in texts)
    return sum(
        score >= CLEAN_MIN_SHARE and not loops(text) and openings[opening(text, CLEAN_OPENING_WORDS)] == 1
        for text, score in zip(texts, scores)
    ) / len(texts)


def distinct_2(texts: Sequence[str]) -> float:
    """Distinct word bigrams over all bigrams, across every completion: low means the model repeats itself.

    >>> distinct_2(["a b a b", "c d"])
    0.75
    """
    bigrams = [pair for text in texts for pair in word_bigrams(text)]
    return len(set(bigrams)) / len(bigrams) if bigrams else 0.0


def repeats_trigram_share(texts: Sequence[str]) -> float:
    """Share of completions in which some word trigram occurs twice: the signature of a loop.

    >>> repeats_trigram_share(["they have feet they have feet", "cows sing loud songs"])
    0.5
    """
    if not texts:
        return 0.0
    return sum(len(set(grams)) < len(grams) for grams in map(word_trigrams, texts)) / len(texts)


def real_word_share(texts: Sequence[str]) -> float:
    """Share of words that wordfreq knows as English, so invented "four-letter" tokens do not count as language.

    >>> real_word_share(["the cow sings", "zqxv"])
    0.75
    """
    found = [w for text in texts for w in words(text)]
    return sum(zipf_frequency(w, "en") > 0 for w in found) / len(found) if found else 0.0


def mean_words(texts: Sequence[str]) -> float:
    return sum(len(words(t)) for t in texts) / len(texts) if texts else 0.0


def template_share(texts: Sequence[str], opening_words: int = 3) -> float:
    """Share of answers that open with the most common first three words: one canned start for every question.

    >>> template_share(["They don't just eat.", "They don't just sing!", "Cows moo.", "Frogs hop."])
    0.5
    """
    openings = Counter(opening(text, opening_words) for text in texts)
    return openings.most_common(1)[0][1] / len(texts) if texts else 0.0
