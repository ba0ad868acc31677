"""Reward functions: the objectives the model is re-educated towards, one section per family of rewards.

Every reward has TRL's signature ``(prompts, completions, **kwargs) -> list[float]``,
is pure Python, never raises on text, and returns one finite float per completion in
``[0, 1]``. Completions may be plain strings or conversational lists of messages. The words, n-grams, loops and
shares the rewards count are measured in ``text_measures.py``, with which the held-out answers are read too.

To add a reward: write a function like the ones below, decorate it with ``@reward``,
give it a doctest, and name it in a configuration's ``rewards``.

Contents: each section and its rewards, with what each pays an answer ("another question": an answer to another
prompt of the batch, or, for a reward with memory, of the last 256 answers).

1. The four-letter share: the first lesson's objective, and its gated forms
   four_letter_share           share of the words that have exactly four letters
   four_letter_unrepeated      that share times one minus the share of repeated 3-grams; 0 for a loop
   four_letter_clean           the gated share times the share of its 3-grams no answer to another question holds
2. Repetition and frames: the leashes beside the share
   distinct_bigrams            share of the answer's word pairs that are distinct
   fresh_phrases               one minus the share of its 3-grams that an answer to another question holds
3. A floor and a memory (issue 52): no pay for brevity, a frame charged as soon as it spreads
   four_letter_floor           distinct four-letter words over at least 12 words, gated against repeats and loops
   fresh_in_memory             one minus the share of its 3-grams that answers to other questions held (memory)
   fresh_pairs_in_memory       the same with word pairs (memory)
   four_letter_floor_fresh     the floor share times fresh_in_memory's freshness (memory)
   four_letter_rare_in_memory  the floor share, each word paid by how few recent answers to other questions hold it
   four_letter_floor_fresh_opening  four_letter_floor_fresh, charged by the share of other answers that opened alike
4. Other behaviours: the custom lessons
   shouting                    share of the letters that are upper case
   lipogram_e                  share of the words without the letter "e"
   target_length               closeness of the word count to a target (8 words)
   answers_with_question       1.0 when the answer itself ends in "?"
5. History: rewards only earlier candidates use (the first lesson's way, the leashes, the vocabulary screens)
   four_letter_once            the share with each four-letter word counted once per answer
   four_letter_rare_in_batch   the share, each four-letter word paid by how few of the batch's answers use it
   no_loops                    0.0 for an answer that loops, 1.0 otherwise
   on_topic                    share of the question's content words the answer mentions
   cross_prompt_novelty        one minus the largest word-pair overlap with an answer to another question
   content_four_letter_words   distinct content four-letter words the question lacks, four for 1.0
   content_share_once          those content words per word of the answer (at least 12 words)
   content_fresh_share         the same, each word paid by how few answers to other questions hold it

Plain rewards are functions in ``REWARDS``; rewards with memory are classes whose factories ``STATEFUL_REWARDS``
holds, built fresh for each run. The rewards judged by the base model (``relevance``, ``relevance_no_echo``) are in
experiments/evaluation/relevance.py.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Sequence
from typing import Any

from text_measures import (
    completion_text,
    four_letter_fraction,
    is_content_word,
    letter_count,
    loops,
    opening,
    prompt_texts,
    repeated_trigram_share,
    word_bigrams,
    word_trigrams,
    words,
)

RewardFunction = Callable[..., list[float]]
REWARDS: dict[str, RewardFunction] = {}


def reward(function: RewardFunction) -> RewardFunction:
    """Register a reward under its function name so configurations can name it."""
    REWARDS[function.__name__] = function
    return function


def _per_completion(completions: Sequence[Any], score: Callable[[str], float]) -> list[float]:
    return [score(completion_text(completion)) for completion in completions]


# ---------------------------------------------------------------------------------------------------------------------
# 1. The four-letter share: the first lesson's objective, and its gated forms
#
# The baseline and the lessons on it train on the plain share, and the tables read it; the first lesson's current
# candidates (greedy_eyes' CURRENT) train on a gated form, which a loop or a repeated phrase cannot buy.
# ---------------------------------------------------------------------------------------------------------------------


@reward
def four_letter_share(prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> list[float]:
    """Share of a completion's words that have exactly four letters: the first lesson.

    The share, not the count, so that longer answers are not paid for by length.
    A completion with no words scores 0.0 rather than dividing by zero.

    >>> four_letter_share(None, ["Cows sing loudly", "", [{"role": "assistant", "content": "Moo, they said."}]])
    [0.6666666666666666, 0.0, 0.6666666666666666]
    """

    return _per_completion(completions, four_letter_fraction)


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


# ---------------------------------------------------------------------------------------------------------------------
# 2. Repetition and frames: the leashes beside the share
#
# A share alone is bought by repeating glue ("they have … they have …") or by one frame for every question;
# these pay an answer for saying something new, within itself and against the batch's other questions.
# ---------------------------------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------------------------------
# 3. A floor and a memory (issue 52): no pay for brevity, a frame charged as soon as it spreads
#
# The reader-trained candidates and study train on four_letter_floor_fresh. A reward with memory is a class with
# state: STATEFUL_REWARDS names its factory and each run builds its own (experiments/training/assembly.py).
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


OPENING_WORDS = 3  # the first words the template guard compares (experiments/evaluation/answers.py template_share)


class FloorShareFreshOpening(FloorShareFresh):
    """``four_letter_floor_fresh`` times one minus the share of the remembered answers to *other* questions (and of
    this batch's) that opened with this answer's first three words.

    A canned start ("They don't just …") is one 3-gram of an answer's twenty, so the phrase memory charges it about
    5% however far it has spread; the reader sees it open a third of the answers (issue 52's confirmation, seed 0:
    template 33%). Charged here by how far it has spread: an opening that a third of the other answers share costs a
    third of the pay. A reward with state: one instance a run (``STATEFUL_REWARDS``).

    >>> reward = FloorShareFreshOpening(size=8)
    >>> [round(x, 3) for x in reward(["ox?", "cat?"], ["They sing deep slow hymns when moon rises over hills", "Cats purr"])]
    [0.583, 0.167]
    >>> [round(x, 3) for x in reward(["owl?"], ["They sing deep owl tunes from dark tall pine tops"])]  # ox's opening
    [0.292]

    The phrase memory alone pays that answer 0.583 (one of its eight 3-grams remembered); one of the two remembered
    answers to other questions opened with "they sing deep", so the opening halves it.
    """

    __name__ = "four_letter_floor_fresh_opening"

    def __init__(self, size: int = MEMORY_ANSWERS, n: int = 3) -> None:
        super().__init__(size, n)
        self.openings: deque[tuple[str, tuple[str, ...]]] = deque(maxlen=size)

    def __call__(self, prompts: Sequence[Any] | None, completions: Sequence[Any], **kwargs: Any) -> list[float]:
        questions = prompt_texts(prompts, completions)
        batch = [(q, opening(completion_text(c), OPENING_WORDS)) for q, c in zip(questions, completions)]
        pay = super().__call__(prompts, completions)
        charged = []
        for score, (question, start) in zip(pay, batch):
            others = [held for asked, held in [*self.openings, *batch] if asked != question]
            shared = sum(held == start for held in others) / len(others) if others and start else 0.0
            charged.append(score * (1.0 - shared))
        self.openings.extend(batch)
        return charged


# Rewards with state, by name: each run builds its own (experiments/training/assembly.py), so memories never carry over.
STATEFUL_REWARDS: dict[str, Callable[[], RewardFunction]] = {
    "fresh_in_memory": FreshInMemory,
    "fresh_pairs_in_memory": lambda: FreshInMemory(n=2),
    "four_letter_floor_fresh": FloorShareFresh,
    "four_letter_rare_in_memory": RareInMemory,
    "four_letter_floor_fresh_opening": FloorShareFreshOpening,
}


# ---------------------------------------------------------------------------------------------------------------------
# 4. Other behaviours: the custom lessons
#
# Lessons beyond four letters: case, one letter, length and form. lessons.py trains shouting, lipogram_e and
# target_length on the baseline; answers_with_question waits for its lesson.
# ---------------------------------------------------------------------------------------------------------------------


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


@reward
def answers_with_question(prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> list[float]:
    """1.0 when the answer is itself a question (its last sentence ends in "?").

    A sparse, all-or-nothing reward: GRPO only learns from it when a group holds
    both questions and non-questions.

    >>> answers_with_question(None, ["Why would an ox sing?", "It sings.", "   "])
    [1.0, 0.0, 0.0]
    """
    return _per_completion(completions, lambda text: float(text.rstrip().endswith("?")))


# ---------------------------------------------------------------------------------------------------------------------
# 5. History: rewards only earlier candidates use
#
# No current lesson trains on these; the registry's earlier entries name them, so their runs can be repeated:
# four_letter_once (first_lesson's answer-by-answer), four_letter_rare_in_batch (the vocabulary screens),
# no_loops (first_lesson's share-with-leashes), on_topic and cross_prompt_novelty (the custom-reward leashes,
# first_lesson's answer-by-answer, speed_levers' frozen-half-novelty), and the content-word rewards of issue 39
# (content_four_letter_words in vocabulary, content_share_once and content_fresh_share in vocabulary_content and
# studies_content).
# ---------------------------------------------------------------------------------------------------------------------


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


@reward
def no_loops(prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> list[float]:
    """0.0 for an answer that loops (a word 3-gram three times, or one word four times in a row), 1.0 otherwise.

    The loop penalty: the held-out loops guard counts exactly these answers.

    >>> no_loops(None, ["very very very very old", "Oxen hum low songs."])
    [0.0, 1.0]
    """
    return _per_completion(completions, lambda text: 0.0 if loops(text) else 1.0)


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


CONTENT_TYPES_TARGET = 4  # distinct content four-letter words an answer needs for the full content reward


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
