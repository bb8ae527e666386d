"""How much a text looks like Arabic prose: script ratio, words, lines ending a sentence."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Arabic, Arabic Supplement, Arabic Extended-A, Presentation Forms A and B.
ARABIC_LETTER = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
#: A line ending in one of these ends a sentence or a clause (Arabic and Latin forms).
SENTENCE_END = frozenset(".!…،؛؟,;?")
# Closing quotes and brackets after the full stop (``».`` or ``.»``) do not hide it.
CLOSERS = "\"'»”’)]}"


@dataclass(frozen=True)
class Thresholds:
    """Below any of these a text is junk; 0 switches a check off."""

    min_arabic_ratio: float = 0.6
    min_words: int = 30
    min_punctuated_share: float = 0.2
    #: The punctuation check applies from this many lines on (a one-line article has no say).
    min_lines: int = 5


@dataclass(frozen=True)
class Measures:
    letters: int
    arabic_letters: int
    words: int
    lines: int
    punctuated_lines: int

    @property
    def arabic_ratio(self) -> float:
        return self.arabic_letters / self.letters if self.letters else 0.0

    @property
    def punctuated_share(self) -> float:
        return self.punctuated_lines / self.lines if self.lines else 0.0


def measure(text: str) -> Measures:
    letters = [char for char in text if char.isalpha()]
    lines = [line.strip().rstrip(CLOSERS) for line in text.splitlines() if line.strip()]
    return Measures(
        letters=len(letters),
        arabic_letters=sum(1 for char in letters if ARABIC_LETTER.match(char)),
        words=sum(1 for word in text.split() if any(char.isalpha() for char in word)),
        lines=len(lines),
        punctuated_lines=sum(1 for line in lines if line and line[-1] in SENTENCE_END),
    )


def verdict(measures: Measures, limits: Thresholds) -> tuple[str, str] | None:
    """``(reason, detail)`` when the text falls below a threshold, else None."""
    if measures.arabic_ratio < limits.min_arabic_ratio:
        return (
            "low_arabic",
            f"{measures.arabic_ratio:.0%} of its {measures.letters} letters are Arabic script "
            f"(at least {limits.min_arabic_ratio:.0%} wanted)",
        )
    if measures.words < limits.min_words:
        return "too_short", f"{measures.words} words (at least {limits.min_words} wanted)"
    if measures.lines >= max(limits.min_lines, 1) and (
        measures.punctuated_share < limits.min_punctuated_share
    ):
        return (
            "no_sentences",
            f"{measures.punctuated_lines} of its {measures.lines} lines end in sentence "
            f"punctuation (. ، ؛ ؟ !), at least {limits.min_punctuated_share:.0%} wanted: "
            "a list, a menu or verse rather than prose",
        )
    return None
