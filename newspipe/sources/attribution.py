"""The news agencies a text credits, in its dateline or body: ``["Reuters", "SPA"]``.

Long names (رويترز, فرانس برس, Reuters...) count wherever they stand as words, with the Arabic
prefixes و ب ل ف. Short acronyms that are also ordinary words or names (واس, قنا, وام, سانا,
AP, SPA) count only where an agency credit puts them: in brackets or quotes, beside a dash or
colon, at the start or end of a line, or after "وكالة".
"""

from __future__ import annotations

import re

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

_PATTERNS: tuple[tuple[str, tuple[str, ...], re.Pattern[str] | None, re.Pattern[str]], ...] = tuple(
    (
        name,
        *_ANCHORS[name],
        re.compile("|".join(f"(?:{p})" for p in patterns), re.MULTILINE),
    )
    for name, patterns in _AGENCIES
)


def _may_credit(text: str, literals: tuple[str, ...], anchor: re.Pattern[str] | None) -> bool:
    return any(literal in text for literal in literals) or (
        anchor is not None and anchor.search(text) is not None
    )


def attributions(text: str | None) -> list[str]:
    """Canonical names of the agencies ``text`` credits, in a fixed order; empty when none."""
    if not text:
        return []
    return [
        name
        for name, literals, anchor, pattern in _PATTERNS
        if _may_credit(text, literals, anchor) and pattern.search(text)
    ]
