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

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile("|".join(f"(?:{p})" for p in patterns), re.MULTILINE))
    for name, patterns in _AGENCIES
)


def attributions(text: str | None) -> list[str]:
    """Canonical names of the agencies ``text`` credits, in a fixed order; empty when none."""
    if not text:
        return []
    return [name for name, pattern in _PATTERNS if pattern.search(text)]
