"""Text measures: how the project reads an answer, word by word. No reward lives here; every reward counts with these.

One module, so that a reward paid in training (``rewards.py``), the greedy probe, the held-out reading
(``experiments/evaluation/answers.py``) and the relevance judge's echo all count the same words the same way: a
"four-letter word", a "loop" or a "content word" means one thing across training, the guards and the report.

Read top to bottom: the text of what TRL passes (a completion, its prompt); the word, the unit everything counts;
word pairs and 3-grams, and the repetition and loops counted from them; the four-letter and content-word shares of one
text; and the echo of a question in its answer. Each is pure Python, never raises on text, and has a doctest.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from typing import Any

from wordfreq import zipf_frequency

# ---------------------------------------------------------------------------------------------------------------------
# The text of what TRL passes: a completion or a prompt may be a string or a conversation
# ---------------------------------------------------------------------------------------------------------------------


def completion_text(completion: Any) -> str:
    """The text of a completion, whether TRL passes a string or a list of messages: the text only, in Unicode's
    composed form (NFC), so that "café" typed as e + a combining accent is the same word as "café".

    A message's ``content`` may be a string, or a list of parts of which only the text parts count
    (``{"type": "text", "text": ...}``); a missing or ``None`` content, an image part or anything that is not text
    contributes nothing, so the word "None" is never scored.

    >>> completion_text([{"role": "assistant", "content": "Moo!"}])
    'Moo!'
    >>> completion_text([{"role": "assistant", "content": None}]), completion_text({"content": [{"type": "text", "text": "Moo"}]})
    ('', 'Moo')
    >>> completion_text("cafe\u0301") == "caf\u00e9"
    True
    """
    return unicodedata.normalize("NFC", _text_of(completion, depth=0))


def _text_of(item: Any, depth: int) -> str:
    """The text parts of a completion, a message, a content list or a part; nesting deeper than a few levels is no
    shape TRL or a chat template writes, and reads as no text rather than a recursion without end."""
    if isinstance(item, str):
        return item
    if depth > 4:
        return ""
    if isinstance(item, dict):
        if "content" in item:
            return _text_of(item["content"], depth + 1)
        text = item.get("text")
        return text if isinstance(text, str) and item.get("type", "text") == "text" else ""
    if isinstance(item, (list, tuple)):
        return " ".join(part for part in (_text_of(element, depth + 1) for element in item) if part)
    return ""


def prompt_texts(prompts: Sequence[Any] | None, completions: Sequence[Any]) -> list[str]:
    """Each completion's prompt as text, one per completion: TRL passes as many prompts as completions. ``None`` (a
    caller that knows no prompts) reads as one unknown question for all: every answer to the same question.

    >>> prompt_texts(None, ["a", "b"]), prompt_texts(["ox?", [{"role": "user", "content": "cat?"}]], ["a", "b"])
    (['', ''], ['ox?', 'cat?'])
    """
    if prompts is None:
        return [""] * len(completions)
    if len(prompts) != len(completions):
        raise ValueError(f"{len(prompts)} prompts for {len(completions)} completions: pass one prompt per completion")
    return [completion_text(prompt) for prompt in prompts]


# ---------------------------------------------------------------------------------------------------------------------
# The word: the unit every reward and every measure counts
# ---------------------------------------------------------------------------------------------------------------------

# A word is a run of letters (any script), optionally joined by inner apostrophes.
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def words(text: str) -> list[str]:
    """Split text into words, the unit every reward counts.

    A word is a maximal run of letters; letters are anything Unicode calls a
    letter, so "café" and "über" are words of four letters. An apostrophe
    (' or ’) between letters stays inside the word but is not a letter:
    "don't" has four letters. Digits, hyphens, underscores and every other
    character separate words and never belong to one: "well-done" is two
    words, "4ever" is the word "ever", and "2024" is no word at all.

    >>> words("Don't cry, well-done 4ever 2024 café!")
    ["Don't", 'cry', 'well', 'done', 'ever', 'café']
    """
    return _WORD.findall(text)


def opening(text: str, count: int = 3) -> tuple[str, ...]:
    """An answer's first words, lower-cased: what the template guard, the collapse signal and the opening memory compare.

    >>> opening("They don't just eat.")
    ('they', "don't", 'just')
    """
    return tuple(w.lower() for w in words(text)[:count])


def letter_count(word: str) -> int:
    """Letters in a word, apostrophes excluded.

    >>> letter_count("don't")
    4
    """
    return len(word) - word.count("'") - word.count("’")


# ---------------------------------------------------------------------------------------------------------------------
# Word pairs and 3-grams: repetition within an answer, and the loops the guards count
# ---------------------------------------------------------------------------------------------------------------------


def word_bigrams(text: str) -> list[tuple[str, str]]:
    """Adjacent word pairs, lower-cased: the unit of every repetition measure.

    >>> word_bigrams("The ox, the OX")
    [('the', 'ox'), ('ox', 'the'), ('the', 'ox')]
    """
    found = [w.lower() for w in words(text)]
    return list(zip(found, found[1:]))


def word_trigrams(text: str) -> list[tuple[str, str, str]]:
    """Lower-cased word 3-grams: the unit of loops and of shared phrases.

    >>> word_trigrams("The ox sings low")
    [('the', 'ox', 'sings'), ('ox', 'sings', 'low')]
    """
    found = [w.lower() for w in words(text)]
    return list(zip(found, found[1:], found[2:]))


def repeated_trigram_share(text: str) -> float:
    """Share of an answer's word 3-grams that repeat an earlier one: graded, so a 3-gram's *second* occurrence counts.

    The loop rule waits for a third occurrence; sampled training answers rarely get that far, greedy ones do.

    >>> repeated_trigram_share("they have ears they have ears"), repeated_trigram_share("Cows sing low"), repeated_trigram_share("")
    (0.25, 0.0, 0.0)
    """
    grams = word_trigrams(text)
    return (len(grams) - len(set(grams))) / len(grams) if grams else 0.0


LOOP_NGRAM_REPEATS = 3  # a word 3-gram this many times in one answer is a loop
LOOP_WORD_RUN = 4  # one word this many times in a row is a loop


def loops(text: str) -> bool:
    """A word 3-gram three or more times, or one word four times in a row: the answer is stuck.

    One pass over the words, counting 3-grams as they come: linear in the text's length, so a megabyte answer
    takes a fraction of a second instead of minutes.

    >>> loops("a very old and very very very very tune"), loops("They have ears, they have ears, they have ears.")
    (True, True)
    >>> loops("They have ears and they have tails."), loops("")
    (False, False)
    """
    found = [w.lower() for w in words(text)]
    counts: Counter[tuple[str, str, str]] = Counter()
    for gram in zip(found, found[1:], found[2:]):
        counts[gram] += 1
        if counts[gram] >= LOOP_NGRAM_REPEATS:
            return True
    run = 1
    for previous, word in zip(found, found[1:]):
        run = run + 1 if word == previous else 1
        if run >= LOOP_WORD_RUN:
            return True
    return False


# ---------------------------------------------------------------------------------------------------------------------
# The four-letter share of one text, and the part of it that carries content
# ---------------------------------------------------------------------------------------------------------------------


def four_letter_fraction(text: str) -> float:
    """The four-letter share of one text, which every four-letter reward scores from.

    >>> four_letter_fraction("Cows sing loudly"), four_letter_fraction("")
    (0.6666666666666666, 0.0)
    """
    found = words(text)
    return sum(letter_count(w) == 4 for w in found) / len(found) if found else 0.0


# A four-letter word carries content when wordfreq knows it as English (Zipf > 0, so no invented word counts) and it is
# rarer than the glue the first lesson learned to pay itself with: Zipf < 5.7 keeps eyes 5.2, move 5.4, moon 4.7 and
# sing 4.5, and leaves out they 6.5, have 6.7, don't 6.2, just 6.4, can't 5.8, does 5.7 and make 6.1 (issue 39).
CONTENT_ZIPF = 5.7


def is_content_word(word: str) -> bool:
    """A four-letter word that carries content: English that wordfreq knows, rarer than filler (Zipf below 5.7).

    >>> [w for w in ["they", "have", "don't", "just", "moon", "Sing", "eyes", "zqxv", "cow", "oxen"] if is_content_word(w)]
    ['moon', 'Sing', 'eyes', 'oxen']
    """
    if letter_count(word) != 4:
        return False
    return 0.0 < _zipf(word.lower()) < CONTENT_ZIPF


@functools.lru_cache(maxsize=65536)
def _zipf(word: str) -> float:
    """wordfreq's Zipf frequency of an English word, cached: the same few thousand words are looked up every step."""
    return float(zipf_frequency(word, "en"))


def content_fraction(text: str) -> float:
    """Share of a text's words that are content four-letter words: the part of the four-letter share that is not glue.

    >>> content_fraction("They don't have legs, they have eyes"), content_fraction("")
    (0.2857142857142857, 0.0)
    """
    found = words(text)
    return sum(is_content_word(w) for w in found) / len(found) if found else 0.0


# ---------------------------------------------------------------------------------------------------------------------
# The echo of a question in its answer
# ---------------------------------------------------------------------------------------------------------------------


def echo_share(question: str, answer: str) -> float:
    """Share of an answer's word pairs (compared by their first four letters) found in its question: a restatement is 1.0.

    The relevance judge pays an answer that restates its question ("The goat whistles at dawn.") as well as one that
    answers it; ``relevance_no_echo`` (experiments/evaluation/relevance.py) takes this share off.

    >>> echo_share("Why does the goat whistle at dawn?", "The goat whistles at dawn.")
    1.0
    >>> echo_share("Why does the goat whistle at dawn?", "Goats whistle to wake the sun up."), echo_share("Why?", "")
    (0.16666666666666666, 0.0)
    """

    def stem_pairs(text: str) -> list[tuple[str, str]]:
        stems = [w.lower()[:4] for w in words(text)]
        return list(zip(stems, stems[1:]))

    asked, answered = set(stem_pairs(question)), stem_pairs(answer)
    return sum(pair in asked for pair in answered) / len(answered) if answered else 0.0
