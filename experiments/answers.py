"""Reading held-out answers one by one: loops, one frame for every question, and clean answers.

Averages over forty answers can hold while a quarter of them loop ("very very very …")
or every second one opens "They don't …". These measures count answers, not words,
so that what a reader sees in samples.md is what the guards judge.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from rewards import words

LOOP_NGRAM_REPEATS = 3  # a word 3-gram this many times in one answer is a loop
LOOP_WORD_RUN = 4  # one word this many times in a row is a loop
CLEAN_MIN_SHARE = 0.5  # the objective's score an answer needs to count as clean
CLEAN_OPENING_WORDS = 6  # a clean answer shares its first six words with no other answer


def opening(text: str, count: int = 3) -> tuple[str, ...]:
    """An answer's first words, lower-cased: what the template guard and the collapse signal compare.

    >>> opening("They don't just eat.")
    ('they', "don't", 'just')
    """
    return tuple(w.lower() for w in words(text)[:count])


def trigrams(text: str) -> list[tuple[str, str, str]]:
    """Lower-cased word 3-grams.

    >>> trigrams("The ox sings low")
    [('the', 'ox', 'sings'), ('ox', 'sings', 'low')]
    """
    found = [w.lower() for w in words(text)]
    return list(zip(found, found[1:], found[2:]))


def loops(text: str) -> bool:
    """A word 3-gram three or more times, or one word four times in a row: the answer is stuck.

    >>> loops("a very old and very very very very tune"), loops("They have ears, they have ears, they have ears.")
    (True, True)
    >>> loops("They have ears and they have tails."), loops("")
    (False, False)
    """
    if trigrams(text) and Counter(trigrams(text)).most_common(1)[0][1] >= LOOP_NGRAM_REPEATS:
        return True
    found = [w.lower() for w in words(text)]
    run = 1
    for previous, word in zip(found, found[1:]):
        run = run + 1 if word == previous else 1
        if run >= LOOP_WORD_RUN:
            return True
    return False


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
    counts = Counter(gram for text in texts for gram in set(trigrams(text)))
    if not counts or not texts:
        return "", 0.0
    gram, count = min(counts.items(), key=lambda item: (-item[1], item[0]))
    return " ".join(gram), count / len(texts)


def clean_share(texts: Sequence[str], objective: Callable[..., list[float]]) -> float:
    """Share of answers a reader would call a clean four-letter answer: the objective's score ≥ 0.5, no loop, and an
    opening (first six words) that no other answer shares.

    >>> from rewards import four_letter_share
    >>> clean_share(["Oxen sing very slow tunes", "moo moo moo moo", "Cows sing long soft hums", "Cows sing long soft hums too"],
    ...             four_letter_share)
    0.25
    """
    if not texts:
        return 0.0
    scores = objective(prompts=None, completions=list(texts))
    openings = Counter(opening(t, CLEAN_OPENING_WORDS) for t in texts)
    return sum(
        score >= CLEAN_MIN_SHARE and not loops(text) and openings[opening(text, CLEAN_OPENING_WORDS)] == 1
        for text, score in zip(texts, scores)
    ) / len(texts)
