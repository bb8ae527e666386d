"""Word evidence: how often Arabic, Persian and Urdu write each word of a short text.

When the letters of a text fit more than one of ar, fa and ur (a headline or snippet made of
letters the three alphabets share), the words themselves usually tell: ``اسلامی`` is common in
Persian and Urdu but not Arabic, ``واقعات`` is Urdu. The frequencies come from wordfreq's lists
(Wikipedia, subtitles, news and web text; installed with newspipe), read once per process.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import cache

#: What a word not in a language's list counts as: below the lists' cut-off (about 1e-6).
FLOOR = 1e-7
#: How many times likelier the best language must make the words than the next one to decide.
DECISIVE_RATIO = 3.0

_WORD = re.compile(r"[^\W\d_]+")


@cache
def frequencies(lang: str) -> dict[str, float]:
    """wordfreq's ``small`` list for ``lang``: word -> frequency (empty for a language it lacks)."""
    from wordfreq import available_languages, get_frequency_dict

    if lang not in available_languages(wordlist="small"):
        return {}
    return get_frequency_dict(lang, wordlist="small")


def word_posteriors(text: str, candidates: Sequence[str]) -> dict[str, float]:
    """The probability of each candidate given the words of ``text``, equal priors.

    Words none of the candidates lists count for nothing; with no listed word at all, every
    candidate gets the same share. A language wordfreq has no list for is never favoured.
    """
    lists = [frequencies(lang) for lang in candidates]
    logs = [0.0] * len(candidates)
    for word in _WORD.findall(text.lower()):
        seen = [table.get(word, 0.0) for table in lists]
        if not any(seen):
            continue
        for index, frequency in enumerate(seen):
            logs[index] += math.log(max(frequency, FLOOR))
    top = max(logs)
    weights = [math.exp(value - top) for value in logs]
    total = sum(weights)
    return {lang: weight / total for lang, weight in zip(candidates, weights, strict=True)}


def decide_by_words(text: str, candidates: Sequence[str]) -> tuple[str, float] | None:
    """``(language, probability)`` when the words make one candidate :data:`DECISIVE_RATIO` times
    likelier than every other, else None."""
    posteriors = word_posteriors(text, candidates)
    ranked = sorted(posteriors.items(), key=lambda item: (-item[1], item[0]))
    if len(ranked) == 1:
        return ranked[0]
    (best, p_best), (_, p_next) = ranked[0], ranked[1]
    if p_best >= DECISIVE_RATIO * p_next:
        return best, p_best
    return None
