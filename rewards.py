"""Reward functions: the objectives the model is re-educated towards.

Every reward has TRL's signature ``(prompts, completions, **kwargs) -> list[float]``,
is pure Python, never raises on text, and returns one finite float per completion in
``[0, 1]``. Completions may be plain strings or conversational lists of messages.

To add a reward: write a function like the ones below, decorate it with ``@reward``,
give it a doctest, and name it in a configuration's ``rewards``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter, deque
from collections.abc import Callable, Sequence
from typing import Any

from wordfreq import zipf_frequency

RewardFunction = Callable[..., list[float]]
REWARDS: dict[str, RewardFunction] = {}

# A word is a run of letters (any script), optionally joined by inner apostrophes.
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def reward(function: RewardFunction) -> RewardFunction:
    """Register a reward under its function name so configurations can name it."""
    REWARDS[function.__name__] = function
    return function


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


def letter_count(word: str) -> int:
    """Letters in a word, apostrophes excluded.

    >>> letter_count("don't")
    4
    """
    return len(word) - word.count("'") - word.count("’")


def _per_completion(completions: Sequence[Any], score: Callable[[str], float]) -> list[float]:
    return [score(completion_text(completion)) for completion in completions]


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


@reward
def four_letter_share(prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> list[float]:
    """Share of a completion's words that have exactly four letters: the first lesson.

    The share, not the count, so that longer answers are not paid for by length.
    A completion with no words scores 0.0 rather than dividing by zero.

    >>> four_letter_share(None, ["Cows sing loudly", "", [{"role": "assistant", "content": "Moo, they said."}]])
    [0.6666666666666666, 0.0, 0.6666666666666666]
    """

    return _per_completion(completions, four_letter_fraction)


def four_letter_fraction(text: str) -> float:
    """The four-letter share of one text, which every four-letter reward scores from.

    >>> four_letter_fraction("Cows sing loudly"), four_letter_fraction("")
    (0.6666666666666666, 0.0)
    """
    found = words(text)
    return sum(letter_count(w) == 4 for w in found) / len(found) if found else 0.0


@reward
def four_letter_once(prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> list[float]:
    """Four-letter share where each four-letter word counts once per answer: "very very very" earns a third, not all.

    The plain share pays a policy for repeating one glue word ("they just … they just …");
    here a repeat still costs a word in the denominator and earns nothing in the numerator,
    so the only way up is more *different* four-letter words.

    >>> four_letter_once(None, ["very very very", "Cows sing loud, oxen hum", "They just like them"])
    [0.3333333333333333, 0.8, 1.0]
    """

    def score(text: str) -> float:
        found = words(text)
        distinct = {w.lower() for w in found if letter_count(w) == 4}
        return len(distinct) / len(found) if found else 0.0

    return _per_completion(completions, score)


# A four-letter word carries content when wordfreq knows it as English (Zipf > 0, so no invented word counts) and it is
# rarer than the glue the first lesson learned to pay itself with: Zipf < 5.7 keeps eyes 5.2, move 5.4, moon 4.7 and
# sing 4.5, and leaves out they 6.5, have 6.7, don't 6.2, just 6.4, can't 5.8, does 5.7 and make 6.1 (issue 39).
CONTENT_ZIPF = 5.7
CONTENT_TYPES_TARGET = 4  # distinct content four-letter words an answer needs for the full content reward


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
    return float(zipf_frequency(word, "en"))


def content_fraction(text: str) -> float:
    """Share of a text's words that are content four-letter words: the part of the four-letter share that is not glue.

    >>> content_fraction("They don't have legs, they have eyes"), content_fraction("")
    (0.2857142857142857, 0.0)
    """
    found = words(text)
    return sum(is_content_word(w) for w in found) / len(found) if found else 0.0


@reward
def content_four_letter_words(prompts: Sequence[Any] | None, completions: Sequence[Any], **kwargs: Any) -> list[float]:
    """Distinct content four-letter words an answer adds to its question, up to four: vocabulary, not filler.

    The plain share pays "they" as much as "moon", so every group's winner is the sample with one more glue word, and
    the glue is what loops and frames every answer. Here only content words pay (see ``is_content_word``), each word
    type once per answer (a loop earns nothing more), and not the question's own words (compared by their first four
    letters, so restating "What does the ox sing?" earns nothing). It counts types instead of dividing by the answer's
    length, so a shorter answer is not paid for being short; four types earn the full 1.0.

    >>> content_four_letter_words(["What does the ox sing?"] * 3, ["The ox sings low hums to the moon and the barn",
    ...     "They don't just sing. They don't just sing.", "Oxen hum tunes, moos echo, cows nod"])
    [0.75, 0.0, 1.0]
    """
    added = _added_content_words(prompt_texts(prompts, completions), completions)
    return [min(1.0, len(types) / CONTENT_TYPES_TARGET) for types, _ in added]


def _added_content_words(questions: Sequence[str], completions: Sequence[Any]) -> list[tuple[set[str], int]]:
    """Each answer's distinct content four-letter words, lower-cased, less its question's words (by their first four
    letters), and the answer's word count: what every content reward counts."""
    added = []
    for question, completion in zip(questions, completions):
        asked = {word.lower()[:4] for word in words(question)}
        found = words(completion_text(completion))
        added.append(({w.lower() for w in found if is_content_word(w)} - asked, len(found)))
    return added


# An answer shorter than this is scored as if it were this long: half the base model's answers of about 26 words, the
# length guard's line, so cutting an answer short is not a way to raise its content share.
CONTENT_SHARE_MIN_WORDS = 12


@reward
def content_share_once(prompts: Sequence[Any] | None, completions: Sequence[Any], **kwargs: Any) -> list[float]:
    """The content share as a reward: distinct content four-letter words the question does not hold, per word of the
    answer (at least twelve words).

    ``content_four_letter_words`` stops paying at four word types, so past a handful of content words an answer with
    more glue ties one with more content, and the measured content share stayed at 0.06-0.12 in every trial. Here
    every word of the answer is in the denominator: each glue word lowers the score and each new content word raises
    it. A repeated word type counts once, so a loop adds words and nothing else; the question's own words (by their
    first four letters) count nothing, so restating it earns nothing; a short answer is divided by twelve, not by its
    length.

    >>> content_share_once(["What does the ox sing?"] * 3, ["Oxen hum low, moos echo over barn and pond, cows stay calm",
    ...     "They don't just sing. They don't just sing.", "moon moon moon moon"])
    [0.6666666666666666, 0.0, 0.08333333333333333]
    """
    return [
        len(added) / max(count, CONTENT_SHARE_MIN_WORDS)
        for added, count in _added_content_words(prompt_texts(prompts, completions), completions)
    ]


@reward
def content_fresh_share(prompts: Sequence[Any] | None, completions: Sequence[Any], **kwargs: Any) -> list[float]:
    """The content share, each content word paid by how few answers to the batch's *other* questions hold it.

    ``content_share_once`` at three times the weight of the other rewards (study vocab-content's trial #1) was paid
    best by one answer for every question, dense with content words: "Lena is a type of food item that resembles a
    tiny, dark, skin-like body part with four legs". A per-answer reward cannot see that every question got it; a
    comparison across questions can, as ``fresh_phrases`` does for 3-grams. A content word no answer to another
    question holds pays 1, one every such answer holds pays 0, linearly between; answers to the same question may share
    their subject. With no other question in the batch every content word pays 1, as in ``content_share_once``.

    >>> content_fresh_share(["ox?", "ox?", "cat?"], ["Oxen hum, tiny dark legs", "Oxen moan, horn and hoof",
    ...     "Cats purr, tiny dark legs"])
    [0.08333333333333333, 0.3333333333333333, 0.2916666666666667]
    """
    texts = prompt_texts(prompts, completions)
    added = _added_content_words(texts, completions)
    scores = []
    for i, (own, count) in enumerate(added):
        others = [words_of for j, (words_of, _) in enumerate(added) if texts[j] != texts[i]]
        paid = sum(1.0 - sum(word in other for other in others) / len(others) if others else 1.0 for word in own)
        scores.append(paid / max(count, CONTENT_SHARE_MIN_WORDS))
    return scores


@reward
def four_letter_rare_in_batch(prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> list[float]:
    """The four-letter share, each four-letter word paid by how few of the batch's answers use it: a bonus for leaving
    the mode.

    Group-relative advantages push every group the same way, towards whatever every answer already does; a penalty that
    hits every answer alike moves nothing. Here a word that every answer of the batch holds ("they", a shared frame)
    pays 0, one that only this answer holds pays 1, linearly between (1 − (answers holding it − 1) / (answers − 1)), so
    the sample that says something the others do not wins its group. The pattern it discounts is whatever the batch
    shares now, not a list fixed in advance (after G²RPO's bonus for under-represented modes, ICML 2026).

    >>> four_letter_rare_in_batch(None, ["They have moon eyes", "They have long legs", "They have"])
    [0.5, 0.5, 0.0]
    """
    texts = [completion_text(c) for c in completions]
    holding = Counter(w for text in texts for w in {w.lower() for w in words(text) if letter_count(w) == 4})
    others = max(len(texts) - 1, 1)
    scores = []
    for text in texts:
        found = words(text)
        paid = sum(1.0 - (holding[w.lower()] - 1) / others for w in found if letter_count(w) == 4)
        scores.append(paid / len(found) if found else 0.0)
    return scores


def repeated_trigram_share(text: str) -> float:
    """Share of an answer's word 3-grams that repeat an earlier one: graded, so a 3-gram's *second* occurrence counts.

    The loop rule waits for a third occurrence; sampled training answers rarely get that far, greedy ones do.

    >>> repeated_trigram_share("they have ears they have ears"), repeated_trigram_share("Cows sing low"), repeated_trigram_share("")
    (0.25, 0.0, 0.0)
    """
    grams = word_trigrams(text)
    return (len(grams) - len(set(grams))) / len(grams) if grams else 0.0


@reward
def four_letter_unrepeated(prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> list[float]:
    """The four-letter share, gated: times one minus the share of repeated word 3-grams, and 0 for an answer that loops.

    An added loop penalty can be outweighed by a high share; a gate cannot: a looping answer earns
    nothing, and one repeated phrase already costs its share of the answer.

    >>> four_letter_unrepeated(None, ["Cows sing very loudly", "they have ears they have ears", "very very very very"])
    [0.75, 0.75, 0.0]
    """

    def score(text: str) -> float:
        if loops(text):
            return 0.0
        return four_letter_fraction(text) * (1.0 - repeated_trigram_share(text))

    return _per_completion(completions, score)


@reward
def four_letter_clean(prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> list[float]:
    """The gated share times the share of an answer's word 3-grams *not* found in answers to another prompt of the batch.

    A reader calls an answer clean when it is four-letter rich, does not loop, and does not open like
    the other questions' answers. This pays for exactly that, per answer, and multiplies rather than adds, so a
    frame shared with other questions ("That's just not just …") costs its share of the answer whatever the share.

    >>> four_letter_clean(["ox?", "ox?", "cat?"], ["they sing very long songs", "oxen hum", "they sing very slow"])
    [0.5333333333333334, 0.5, 0.5]
    """
    gated = four_letter_unrepeated(prompts, completions)
    fresh = fresh_phrases(prompts, completions)
    return [score * freshness for score, freshness in zip(gated, fresh)]


def echo_share(question: str, answer: str) -> float:
    """Share of an answer's word pairs (compared by their first four letters) found in its question: a restatement is 1.0.

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


@reward
def lipogram_e(prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> list[float]:
    """Share of words without the letter "e", the most common letter in English.

    Georges Perec wrote a whole novel this way; a model has to find other words.
    No words scores 0.0, so silence is not a perfect lipogram.

    >>> lipogram_e(None, ["A cow sings", "The ox", "..."])
    [1.0, 0.5, 0.0]
    """

    def score(text: str) -> float:
        found = words(text)
        return sum("e" not in w.lower() for w in found) / len(found) if found else 0.0

    return _per_completion(completions, score)


@reward
def shouting(prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> list[float]:
    """Share of letters that are upper case: the model learns to SHOUT.

    >>> shouting(None, ["MOO", "Moo", "123"])
    [1.0, 0.3333333333333333, 0.0]
    """

    def score(text: str) -> float:
        letters = [c for c in text if c.isalpha()]
        return sum(c.isupper() for c in letters) / len(letters) if letters else 0.0

    return _per_completion(completions, score)


@reward
def answers_with_question(prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> list[float]:
    """1.0 when the answer is itself a question (its last sentence ends in "?").

    A sparse, all-or-nothing reward: GRPO only learns from it when a group holds
    both questions and non-questions.

    >>> answers_with_question(None, ["Why would an ox sing?", "It sings.", "   "])
    [1.0, 0.0, 0.0]
    """
    return _per_completion(completions, lambda text: float(text.rstrip().endswith("?")))


@reward
def distinct_bigrams(prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> list[float]:
    """Share of a completion's word bigrams that are distinct: an anti-repetition term.

    Combined with another reward it taxes the "They have feet! They have feet!"
    loop that pure reward maximisation finds. Fewer than two words scores 0.0.

    >>> distinct_bigrams(None, ["a b a b a b", "the ox sings loud", "moo"])
    [0.4, 1.0, 0.0]
    """

    def score(text: str) -> float:
        bigrams = word_bigrams(text)
        return len(set(bigrams)) / len(bigrams) if bigrams else 0.0

    return _per_completion(completions, score)


@reward
def no_loops(prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> list[float]:
    """0.0 for an answer that loops (a word 3-gram three times, or one word four times in a row), 1.0 otherwise.

    The loop penalty: the held-out loops guard counts exactly these answers.

    >>> no_loops(None, ["very very very very old", "Oxen hum low songs."])
    [0.0, 1.0]
    """
    return _per_completion(completions, lambda text: 0.0 if loops(text) else 1.0)


@reward
def fresh_phrases(prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> list[float]:
    """One minus the share of an answer's word 3-grams that also occur in an answer to a *different* prompt of the batch.

    One frame for every question ("they don't just …") is a phrase shared across questions;
    answers to the same question may share their subject. Fewer than three words, or no
    other prompt in the batch, score 1.0.

    >>> fresh_phrases(["ox?", "ox?", "cat?"], ["they don't just sing", "oxen hum low", "they don't just purr"])
    [0.5, 1.0, 0.5]
    """
    texts = prompt_texts(prompts, completions)
    grams = [set(word_trigrams(completion_text(completion))) for completion in completions]
    scores = []
    for i, own in enumerate(grams):
        elsewhere = set().union(*(other for j, other in enumerate(grams) if texts[j] != texts[i]))
        scores.append(1.0 - len(own & elsewhere) / len(own) if own else 1.0)
    return scores


@reward
def target_length(
    prompts: Sequence[Any], completions: Sequence[Any], target_words: int = 8, **kwargs: Any
) -> list[float]:
    """Closeness of the word count to a target: 1.0 on target, falling linearly to 0.0 at twice or none.

    >>> target_length(None, ["one two three four five six seven eight", "one two", ""])
    [1.0, 0.25, 0.0]
    """

    def score(text: str) -> float:
        return max(0.0, 1.0 - abs(len(words(text)) - target_words) / target_words)

    return _per_completion(completions, score)


# Question words and glue that say nothing about what a question is about.
_GLUE = frozenset(
    "what does when where which whose would could should will with that this there their they them have from into "
    "your about many much like make made ever every most more some than then very just".split()
)


@reward
def on_topic(prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> list[float]:
    """Share of the question's content words that the answer mentions: a leash against canned answers.

    Without it a policy can collapse to one answer for every prompt ("I'm happy to
    help with that."), which a per-completion repetition term cannot see. A content
    word has at least four letters and is not glue; it counts as mentioned when an
    answer word shares its first four letters, so "goats" mentions "goat". A
    prompt with no content word scores 1.0 and teaches nothing.

    >>> on_topic(["What does the goat whistle at dawn?"] * 3, ["Goats whistle tunes.", "I can help.", "Dawn."])
    [0.6666666666666666, 0.0, 0.3333333333333333]
    """
    scores = []
    for prompt, completion in zip(prompt_texts(prompts, completions), completions):
        asked = {word.lower()[:4] for word in words(prompt) if letter_count(word) >= 4 and word.lower() not in _GLUE}
        if not asked:
            scores.append(1.0)
            continue
        answered = {word.lower()[:4] for word in words(completion_text(completion))}
        scores.append(len(asked & answered) / len(asked))
    return scores


@reward
def cross_prompt_novelty(prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> list[float]:
    """One minus the largest bigram overlap with any answer to a *different* prompt in the batch.

    The collapse that lr 2e-4 finds is one canned answer for every question;
    each answer on its own is fluent and loop-free, so no per-completion term
    sees it. Comparing across prompts does: a canned answer scores near 0.
    Overlap is the Jaccard index of word-bigram sets. Answers with no other
    prompt in the batch, or with fewer than two words, score 1.0.

    >>> cross_prompt_novelty(["ox?", "ox?", "cat?"], ["I can help with that.", "Oxen sing low.", "I can help with that."])
    [0.0, 1.0, 0.0]
    """
    texts = prompt_texts(prompts, completions)
    bigrams = [set(word_bigrams(completion_text(completion))) for completion in completions]
    scores = []
    for i, own in enumerate(bigrams):
        overlaps = [
            len(own & other) / len(own | other)
            for j, other in enumerate(bigrams)
            if texts[j] != texts[i] and (own | other)
        ]
        scores.append(1.0 - max(overlaps) if own and overlaps else 1.0)
    return scores


# ---------------------------------------------------------------------------------------------------------------------
# A share with a floor, and rewards with memory (issue 52)
# ---------------------------------------------------------------------------------------------------------------------

FLOOR_WORDS = 12  # the word count a short answer is divided by at least: "Just like that." earns 3 of 12, not 1.0


def floor_share(text: str, floor_words: int = FLOOR_WORDS, pay: Callable[[set[str]], float] = len) -> float:
    """Distinct four-letter words over max(words, ``floor_words``), times one minus the repeated 3-gram share; 0 for a
    loop. The type-once share pays a short answer fully ("Just like that." is 2 of 3 and climbs to 1.0 with one more
    four-letter word); the floor makes brevity cost what it saves. ``pay`` turns the answer's distinct four-letter
    words (lower case) into what they earn: one each by default.

    >>> floor_share("Just like that."), floor_share("Cows sing very long songs when moon rises over dark hills")
    (0.25, 0.6666666666666666)
    >>> floor_share("they have ears they have ears they have ears"), floor_share("")
    (0.0, 0.0)
    """
    if loops(text):
        return 0.0
    found = words(text)
    distinct = {w.lower() for w in found if letter_count(w) == 4}
    return pay(distinct) / max(len(found), floor_words, 1) * (1.0 - repeated_trigram_share(text))


@reward
def four_letter_floor(prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> list[float]:
    """The gated type-once share with a floor of 12 words (``floor_share``): no pay for brevity, none for a loop.

    >>> four_letter_floor(None, ["Just like that.", "Moon eyes sing, toad legs hum: they keep time with each beat"])
    [0.25, 0.9166666666666666]
    """
    return _per_completion(completions, floor_share)


MEMORY_ANSWERS = 256  # answers to other prompts a memory reward remembers, across steps


class PhraseMemory:
    """The word n-grams of the last ``size`` answers, each with the question it answered: what a frame leaves behind.

    A frame ("Just what you need to know …") is one phrase across *questions*. Within one step of 2 prompts it is seen
    only where both groups carry it; over the last few hundred answers it is seen as soon as it spreads. Answers to the
    same question may share their subject, so only answers to other questions count.

    >>> memory = PhraseMemory(size=2, n=3)
    >>> memory.remember(["ox?"], ["they sing very low"]); memory.seen("cat?", "they sing very high"), memory.seen("ox?", "they sing very high")
    (0.5, 0.0)
    >>> memory.remember(["a?", "b?"], ["one two three", "four five six"]); memory.seen("cat?", "they sing very high")
    0.0
    """

    def __init__(self, size: int = MEMORY_ANSWERS, n: int = 3) -> None:
        self.n = n
        self.answers: deque[tuple[str, frozenset[tuple[str, ...]]]] = deque(maxlen=size)

    def grams(self, text: str) -> set[tuple[str, ...]]:
        found = [w.lower() for w in words(text)]
        return {tuple(found[i : i + self.n]) for i in range(len(found) - self.n + 1)}

    def remember(self, questions: Sequence[str], answers: Sequence[str]) -> None:
        for question, answer in zip(questions, answers):
            self.answers.append((question, frozenset(self.grams(answer))))

    def holders(self) -> dict[tuple[str, ...], set[str]]:
        """Each remembered n-gram and the questions whose answers held it."""
        held: dict[tuple[str, ...], set[str]] = {}
        for question, grams in self.answers:
            for gram in grams:
                held.setdefault(gram, set()).add(question)
        return held

    def seen(self, question: str, answer: str, held: dict[tuple[str, ...], set[str]] | None = None) -> float:
        """Share of the answer's n-grams that an answer to another question holds (0 for an answer too short)."""
        grams = self.grams(answer)
        held = self.holders() if held is None else held
        return sum(bool(held.get(gram, set()) - {question}) for gram in grams) / len(grams) if grams else 0.0


class FreshInMemory:
    """A reward with memory: one minus the share of an answer's n-grams found in the last ``size`` answers to *other*
    questions (across steps), or in this batch's answers to another question.

    A reward with state: build one for each run (``STATEFUL_REWARDS`` holds the factories; the runner builds them
    fresh), so no run starts with another's memory. The batch is scored first and remembered after, so an answer is
    never compared with itself. Under ``accelerate launch`` each process scores and remembers only its slice of the
    batch: its memory holds half the answers at two processes, and a frame that spreads reaches every slice within a
    step or two, so it is charged all the same.

    >>> fresh = FreshInMemory(size=8)
    >>> fresh(["ox?", "cat?"], ["Just what you need to know", "Cats purr at the moon"])
    [1.0, 1.0]
    >>> [round(score, 2) for score in fresh(["owl?", "owl?"], ["Just what you need to know here", "Owls hoot at night"])]
    [0.2, 1.0]
    """

    __name__ = "fresh_in_memory"

    def __init__(self, size: int = MEMORY_ANSWERS, n: int = 3) -> None:
        self.memory = PhraseMemory(size, n)

    def freshness(self, prompts: Sequence[Any] | None, completions: Sequence[Any]) -> list[float]:
        questions = prompt_texts(prompts, completions)
        answers = [completion_text(completion) for completion in completions]
        batch = PhraseMemory(len(answers), self.memory.n)
        batch.remember(questions, answers)
        held = self.memory.holders()
        for gram, asked in batch.holders().items():
            held.setdefault(gram, set()).update(asked)
        scores = [1.0 - self.memory.seen(question, answer, held) for question, answer in zip(questions, answers)]
        self.memory.remember(questions, answers)
        return scores

    def __call__(self, prompts: Sequence[Any] | None, completions: Sequence[Any], **kwargs: Any) -> list[float]:
        return self.freshness(prompts, completions)


class FloorShareFresh(FreshInMemory):
    """The floor share (``floor_share``) times the freshness against memory (``FreshInMemory``): four-letter words that
    answer this question in words of its own, not in a frame another question's answer already used.

    >>> reward = FloorShareFresh(size=8)
    >>> reward(["ox?", "cat?"], ["Oxen sing deep slow hymns when moon rises over dark hills", "Cats purr"])
    [0.6666666666666666, 0.16666666666666666]
    >>> reward(["owl?"], ["Owls sing deep slow hymns when moon rises over dark hills"])  # 8 of its 9 3-grams remembered
    [0.0740740740740741]
    """

    __name__ = "four_letter_floor_fresh"

    def __call__(self, prompts: Sequence[Any] | None, completions: Sequence[Any], **kwargs: Any) -> list[float]:
        fresh = self.freshness(prompts, completions)
        return [floor_share(completion_text(c)) * f for c, f in zip(completions, fresh)]


class RareInMemory:
    """The floor share with each four-letter word type paid by how few recent answers to *other* questions hold it:
    a word's rate across prompts, remembered across steps.

    A stock word that spreads over every question ("just", "don't") pays less the more answers carry it, wherever it
    stands in the answer, which a phrase memory cannot see once the phrase moves around. Distinct four-letter words,
    each paid 1 − (share of the remembered answers to other questions that hold it): ``floor_share`` with that pay.
    A reward with state: one instance a run (``STATEFUL_REWARDS``).

    >>> rare = RareInMemory(size=8)
    >>> rare(["ox?", "cat?"], ["Just sing very slow", "Just purr"])  # nothing remembered yet: every word pays
    [0.3333333333333333, 0.16666666666666666]
    >>> rare(["owl?"], ["Just hoot soft"])  # 'just' was in both answers to other questions: it pays nothing
    [0.16666666666666666]
    """

    __name__ = "four_letter_rare_in_memory"

    def __init__(self, size: int = MEMORY_ANSWERS) -> None:
        self.answers: deque[tuple[str, frozenset[str]]] = deque(maxlen=size)

    def __call__(self, prompts: Sequence[Any] | None, completions: Sequence[Any], **kwargs: Any) -> list[float]:
        questions = prompt_texts(prompts, completions)
        texts = [completion_text(completion) for completion in completions]
        scores = []
        for question, text in zip(questions, texts):
            others = [held for asked, held in self.answers if asked != question]

            def rarity(own: set[str], others: list[frozenset[str]] = others) -> float:
                return sum(1.0 - sum(w in held for held in others) / len(others) if others else 1.0 for w in own)

            scores.append(floor_share(text, pay=rarity))
        for question, text in zip(questions, texts):
            self.answers.append((question, frozenset(w.lower() for w in words(text) if letter_count(w) == 4)))
        return scores


# Rewards with state, by name: each run builds its own (experiments/training/assembly.py), so memories never carry over.
STATEFUL_REWARDS: dict[str, Callable[[], RewardFunction]] = {
    "fresh_in_memory": FreshInMemory,
    "fresh_pairs_in_memory": lambda: FreshInMemory(n=2),
    "four_letter_floor_fresh": FloorShareFresh,
    "four_letter_rare_in_memory": RareInMemory,
}
