"""The news agencies a text credits, in its dateline or body: ``["Reuters", "SPA"]``.

Long names (رويترز, فرانس برس, Reuters...) count wherever they stand as words, with the Arabic
prefixes و ب ل ف. Short acronyms that are also ordinary words or names (واس, قنا, وام, سانا,
AP, SPA) count only where an agency credit puts them: in brackets or quotes, beside a dash or
colon, at the start or end of a line, or after "وكالة".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_OPEN = r"[(\[«\"“\-–—:/،]"
_CLOSE = r"[)\]»\"”\-–—:/،]"


def _long(*names: str) -> str:
    return r"(?<!\w)(?:[وبلف]|لل)?(?:" + "|".join(names) + r")(?!\w)"


def _short(*names: str) -> str:
    alternatives = "|".join(names)
    return (
        rf"(?:(?:^|{_OPEN})[ \t]*(?:{alternatives})(?!\w)"
        rf"|(?<!\w)(?:{alternatives})[ \t]*(?:{_CLOSE}|$)"
        rf"|وكالة[ \t]+(?:الأنباء[ \t]+)?(?:{alternatives})(?!\w))"
    )


def _spaced(*letters: str) -> str:
    """Initials written apart, with or without dots: أ ف ب, أ.ف.ب, (أ. ف. ب)."""
    # a space or a dot between the letters: "أشأ" run together is a word ("I wanted")
    return r"(?<!\w)" + r"(?:[ \t]+|[ \t]*\.[ \t]*)".join(letters) + r"\.?(?!\w)"


# Canonical name -> patterns; the order here is the order of the output list.
_AGENCIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Reuters", (_long("رويترز", "رويتر"), r"\bReuters\b")),
    (
        "AFP",
        (
            _long("فرانس[ \t]?برس", "فرانس[ \t]?بريس"),
            _spaced("[أا]", "ف", "ب"),
            r"\bAFP\b",
            r"\bAgence France[- ]Presse\b",
        ),
    ),
    ("AP", (_long("[أا]سوشيتد[ \t]?برس", "[أا]سوشيتدبرس"), r"\bAssociated Press\b", _short("AP"))),
    ("dpa", (_spaced("د", "ب", "[أا]"), r"\b(?:dpa|DPA)\b", _long("وكالة الأنباء الألمانية"))),
    ("SPA", (_short("واس", "SPA"), _long("وكالة الأنباء السعودية"), r"\bSaudi Press Agency\b")),
    ("SANA", (_short("سانا", "SANA"), r"\bSyrian Arab News Agency\b")),
    ("Anadolu", (_long("الأناضول", "الاناضول"), r"\bAnadolu\b")),
    ("QNA", (_short("قنا", "QNA"), _long("وكالة الأنباء القطرية"), r"\bQatar News Agency\b")),
    ("WAM", (_short("وام", "WAM"), _long("وكالة أنباء الإمارات"), r"\bEmirates News Agency\b")),
    ("MENA", (_spaced("[أا]", "ش", "[أا]"), _short("MENA"), _long("وكالة أنباء الشرق الأوسط"))),
    (
        "agencies",
        (
            r"[(\[«-][ \t]*وكالات[ \t]*[)\]»]?(?!\w)",
            r"(?<!\w)وكالات[ \t]*(?:[)\]»]|$)",
            r"\(agencies\)",
        ),
    ),
)

# What must stand in a text for an agency's patterns to have a chance: plain substrings (``in``
# is a memchr scan, ~100x cheaper than the patterns, whose leading look-behinds defeat the regex
# engine's own literal-prefix search), or small patterns that start with a letter. Acronyms that
# also end ordinary words (قنا in اتفقنا, وام in أعوام) must at least end a word there; initials
# written apart must be the last letter of a word.
# Most texts credit no agency and stop here.
_ANCHORS: dict[str, tuple[tuple[str, ...], re.Pattern[str] | None]] = {
    "Reuters": (("رويتر", "Reuters"), None),
    "AFP": (("فرانس", "AFP", "Agence France"), re.compile(r"ف[ \t.]+ب\.?(?!\w)")),
    "AP": (("سوشيتد", "Associated Press"), re.compile(r"AP(?!\w)")),
    "dpa": (
        ("dpa", "DPA", "وكالة الأنباء الألمانية"),
        re.compile(r"د[ \t.]+ب[ \t.]+[أا]\.?(?!\w)"),
    ),
    "SPA": (("وكالة الأنباء السعودية", "Saudi Press Agency"), re.compile(r"(?:واس|SPA)(?!\w)")),
    "SANA": (("Syrian Arab News Agency",), re.compile(r"(?:سانا|SANA)(?!\w)")),
    "Anadolu": (("الأناضول", "الاناضول", "Anadolu"), None),
    "QNA": (("وكالة الأنباء القطرية", "Qatar News Agency"), re.compile(r"(?:قنا|QNA)(?!\w)")),
    "WAM": (("وكالة أنباء الإمارات", "Emirates News Agency"), re.compile(r"(?:وام|WAM)(?!\w)")),
    "MENA": (("MENA", "وكالة أنباء الشرق الأوسط"), re.compile(r"ش[ \t.]+[أا]\.?(?!\w)")),
    "agencies": (("وكالات", "(agencies)"), None),
}

# Every literal with "وكال" in it (وكالة ..., وكالات) is looked for only in texts that have it.
_AGENCY_WORD = "وكال"


@dataclass(frozen=True, slots=True)
class _Agency:
    """An agency's patterns, and the cheap tests that tell most texts cannot match them."""

    name: str
    pattern: re.Pattern[str]
    #: Its literals (see _ANCHORS).
    literals: frozenset[str]
    anchor: re.Pattern[str] | None
    #: The acronyms of its short patterns, which its anchor starts with (empty: not known).
    acronyms: frozenset[str]
    #: The acronyms standing as words, which the pattern needs when none of the literals is there
    #: (so أعوام, اتفقنا or إنسانا, where وام, قنا or سانا end a word, cost no pattern search).
    acronym_word: re.Pattern[str] | None

    def credited_in(self, text: str, found: frozenset[str] | set[str]) -> bool:
        """Whether ``text`` credits the agency; ``found``: which of :data:`_LOOKED_FOR` it has."""
        if not self.literals.isdisjoint(found):
            return self.pattern.search(text) is not None
        if self.anchor is None or (self.acronyms and self.acronyms.isdisjoint(found)):
            return False
        anchor = self.anchor.search(text)
        if anchor is None:
            return False
        # An acronym as a word is an anchor match too: it is at or after the first one.
        if self.acronym_word is not None and self.acronym_word.search(text, anchor.start()) is None:
            return False
        return self.pattern.search(text) is not None


# The acronyms of each _short() (what the agency's anchor starts with); without a literal, only
# those alternatives can match, and each needs its acronym with no word character on either side.
_ACRONYMS: dict[str, tuple[str, ...]] = {
    "AP": ("AP",),
    "SPA": ("واس", "SPA"),
    "SANA": ("سانا", "SANA"),
    "QNA": ("قنا", "QNA"),
    "WAM": ("وام", "WAM"),
}


def _agency(name: str, patterns: tuple[str, ...]) -> _Agency:
    literals, anchor = _ANCHORS[name]
    acronyms = _ACRONYMS.get(name, ())
    # "N(?<!\wN)": N with no word character before it, the literal first (quick to scan for).
    word = "|".join(f"{n}(?<!\\w{n})" for n in acronyms)
    return _Agency(
        name=name,
        pattern=re.compile("|".join(f"(?:{p})" for p in patterns), re.MULTILINE),
        literals=frozenset(literals),
        anchor=anchor,
        acronyms=frozenset(acronyms),
        acronym_word=re.compile(f"(?:{word})(?!\\w)") if word else None,
    )


_PLANS: tuple[_Agency, ...] = tuple(_agency(name, patterns) for name, patterns in _AGENCIES)

# Every literal and acronym, looked for once a text, as plain substrings (a memchr-speed scan
# each): Arabic ones; those with "وكال" only where it is; ASCII ones first in the text's ASCII
# characters, a few hundred bytes (an ASCII literal of the text is in them as well).
_LOOKED_FOR = frozenset().union(*(plan.literals | plan.acronyms for plan in _PLANS))
_ARABIC = tuple(sorted(key for key in _LOOKED_FOR if not key.isascii() and _AGENCY_WORD not in key))
_WITH_AGENCY_WORD = tuple(sorted(key for key in _LOOKED_FOR if _AGENCY_WORD in key))
_ASCII = tuple(sorted((key.encode(), key) for key in _LOOKED_FOR if key.isascii()))


def attributions(text: str | None) -> list[str]:
    """Canonical names of the agencies ``text`` credits, in a fixed order; empty when none."""
    if not text:
        return []
    found = {key for key in _ARABIC if key in text}
    if _AGENCY_WORD in text:
        found.update(key for key in _WITH_AGENCY_WORD if key in text)
    ascii_text = text.encode("ascii", "ignore")
    found.update(key for code, key in _ASCII if code in ascii_text and key in text)
    return [plan.name for plan in _PLANS if plan.credited_in(text, found)]
