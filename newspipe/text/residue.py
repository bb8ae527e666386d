"""Page residue: whole lines that come from the web page around an article, not from the article.

A line is residue when one of the patterns below matches all of it (``re.fullmatch``), after the
line is cleaned (diacritics, tatweel and controls removed, spaces folded, ends stripped). The
list is short on purpose: each pattern names a kind of line seen in real pages, with an example,
and matches nothing an article says. Users add their own patterns, for every source or for one
(``NEWSPIPE_RESIDUE_PATTERNS``), or switch the built-in list off
(``NEWSPIPE_RESIDUE_BUILTIN=false``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

#: Source key that applies to every source in a per-source mapping.
ALL_SOURCES = "*"


@dataclass(frozen=True, slots=True)
class ResidueRule:
    """One kind of residue line: a name, the regex a whole line must match, and an example."""

    name: str
    pattern: str
    example: str


#: The built-in residue lines. Patterns use scoped flags (``(?i:...)``) only, so they combine.
BUILTIN_RULES: tuple[ResidueRule, ...] = (
    ResidueRule(
        "share_button",
        r"(?:مشاركة|شارك|شارك الخبر|(?i:share))(?: ?(?:عبر|على|via|on))?(?: ?[:：])?",
        "مشاركة :",
    ),
    ResidueRule(
        # A line with no letter and no digit: a lone "×" (close button), "***" separators,
        # bullets, dashes. It carries no word of the article.
        "no_letters",
        r"[\W_]+",
        "×",
    ),
    ResidueRule(
        "read_also",
        r"(?:اقرأ|إقرأ|اقرا|إقرا) ?(?:أيضا|أيضاً|ايضا|ايضاً|المزيد|كذلك)\b.*",
        "اقرأ أيضا: ...",
    ),
    ResidueRule("read_more", r"(?:\.{2,}|…)? ?(?:ال)?مزيد ?(?:\.{2,}|…)?", "...المزيد"),
    ResidueRule(
        # Photo credits; a caption without such a word is indistinguishable from a sentence.
        "photo_credit",
        r"[(\[]? ?(?:تصوير|الصورة|صورة|مصدر الصورة|(?i:photo)) ?[:：] ?[^()\[\]]{0,60}[)\]]?",
        "(تصوير: سامي الغامدي)",
    ),
    ResidueRule("wire_marker", r"// ?(?:انتهى|يتبع|نهاية) ?//", "// انتهى //"),
    ResidueRule(
        # SMS contact footers of columns (al-Madina, Okaz): carrier short codes and instructions.
        "sms_footer",
        r"(?i:للتواصل.{0,30}(?:sms|رسالة).*"
        r"|\d{4,7} ?- ?(?:stc|mobily|zain|موبايلي|زين)"
        r"|تبدأ بالرمز \(\d+\) ثم مسافة ثم نص الرسالة إلى.*"
        r"|الاتصالات ?[,،] ?\d+ ?موبايلي ?[,،] ?\d+.*)",
        "635031 - Mobily",
    ),
    ResidueRule(
        # A line that is only an e-mail address, a link or a handle (author contact lines).
        "contact_only",
        r"(?i:[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?:https?://|www\.)\S+|@\w+)",
        "tariq@asharqalawsat.com",
    ),
)


class ResidueSettingError(ValueError):
    """A residue pattern or the setting that lists them cannot be used; the message says why."""


def combine(patterns: Iterable[str]) -> re.Pattern[str] | None:
    """One compiled alternation of ``patterns`` (None when there are none), for ``fullmatch``."""
    unique = list(dict.fromkeys(patterns))
    if not unique:
        return None
    return re.compile("|".join(f"(?:{p})" for p in unique))


@dataclass(frozen=True)
class ResidueRules:
    """The residue patterns for every source, plus those of some sources only."""

    common: tuple[str, ...] = tuple(rule.pattern for rule in BUILTIN_RULES)
    by_source: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def pattern_for(self, source: str | None) -> re.Pattern[str] | None:
        """The compiled pattern for documents of ``source`` (None: no residue rule at all)."""
        extra = self.by_source.get(source, ()) if source else ()
        return _combined(self.common + extra)


@cache
def _combined(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    return combine(patterns)


#: The rules used when nothing is configured.
DEFAULT_RULES = ResidueRules()
#: The built-in residue pattern, compiled.
DEFAULT_PATTERN: re.Pattern[str] | None = DEFAULT_RULES.pattern_for(None)


def _checked(pattern: Any, where: str) -> str:
    if not isinstance(pattern, str) or not pattern.strip():
        raise ResidueSettingError(f"{where}: a pattern must be a non-empty string, got {pattern!r}")
    try:
        re.compile(f"(?:{pattern})|x")  # as it will be combined with others
    except re.error as exc:
        raise ResidueSettingError(f"{where}: bad regular expression {pattern!r}: {exc}") from None
    return pattern


def _pattern_list(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (_checked(value, where),)
    if isinstance(value, list | tuple):
        return tuple(_checked(item, where) for item in value)
    raise ResidueSettingError(f"{where}: expected a pattern or a list of patterns, got {value!r}")


def parse_rules(value: Any, *, builtin: bool = True) -> ResidueRules:
    """Residue rules from the ``NEWSPIPE_RESIDUE_PATTERNS`` value.

    ``value`` is empty; a list of patterns (for every source); a mapping of source name (``"*"``
    for every source) to a pattern or a list; or a string: JSON of one of those when it starts
    with ``[`` or ``{``, else one pattern per line.
    """
    builtin_patterns = tuple(rule.pattern for rule in BUILTIN_RULES) if builtin else ()
    if value is None or value == "" or value == [] or value == {}:
        return ResidueRules(builtin_patterns, {})
    if isinstance(value, str):
        text = value.strip()
        if text.startswith(("[", "{")):
            try:
                value = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ResidueSettingError(f"not valid JSON: {exc}") from None
        else:
            value = [line.strip() for line in text.splitlines() if line.strip()]
    if isinstance(value, Mapping):
        common = _pattern_list(value.get(ALL_SOURCES, []), "for every source")
        by_source = {
            str(source): _pattern_list(patterns, f"for source {source!r}")
            for source, patterns in value.items()
            if source != ALL_SOURCES
        }
        return ResidueRules(builtin_patterns + common, by_source)
    return ResidueRules(builtin_patterns + _pattern_list(value, "for every source"), {})
