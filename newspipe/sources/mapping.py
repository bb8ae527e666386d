"""The user's source mapping: path patterns and URL domains to outlet names.

Rules come from ``NEWSPIPE_SOURCE_MAP`` (``pattern=name`` pairs separated by commas, or a dict) and
from ``NEWSPIPE_SOURCE_MAP_FILE`` (a CSV file of ``pattern,source`` rows, a header row allowed).
A pattern is a URL domain (``aawsat.com`` also matches ``www.aawsat.com`` and ``m.aawsat.com``) or a
glob over the input path relative to the seed root (``riyadh/*``, ``*.zip``); write ``domain:`` or
``path:`` before it when it could be read both ways. The first matching rule wins.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

_GLOB_MARKS = frozenset("/*?[!")
_FILE_ENDINGS = (".txt", ".json", ".jsonl", ".ndjson", ".gz", ".zip")


@dataclass(frozen=True, slots=True)
class SourceRule:
    kind: str  # "domain" or "path"
    pattern: str
    source: str

    def matches(self, paths: Sequence[str], domain: str | None) -> bool:
        if self.kind == "domain":
            return domain is not None and (
                domain == self.pattern or domain.endswith("." + self.pattern)
            )
        return any(fnmatchcase(path, self.pattern) for path in paths)


def parse_rule(pattern: str, source: str) -> SourceRule:
    """One rule; raise ValueError with a message naming the bad part."""
    pattern, source = pattern.strip(), source.strip()
    if not pattern or not source:
        raise ValueError(f"rule {pattern!r} -> {source!r} needs both a pattern and a source name")
    kind, _, rest = pattern.partition(":")
    if kind in {"domain", "path"} and rest:
        pattern = rest.strip()
    elif any(mark in pattern for mark in _GLOB_MARKS) or pattern.lower().endswith(_FILE_ENDINGS):
        kind = "path"
    else:
        kind = "domain"
    if kind == "domain":
        pattern = pattern.lower().rstrip(".")
        pattern = pattern[4:] if pattern.startswith("www.") else pattern
    return SourceRule(kind, pattern, source)


@dataclass(frozen=True)
class SourceMap:
    """Ordered rules; :meth:`lookup` gives the first match's source name."""

    rules: tuple[SourceRule, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.rules)

    def lookup(self, paths: Sequence[str], domain: str | None) -> str | None:
        for rule in self.rules:
            if rule.matches(paths, domain):
                return rule.source
        return None

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> SourceMap:
        return cls(tuple(parse_rule(pattern, source) for pattern, source in pairs))


def pairs_from_setting(value: object) -> list[tuple[str, str]]:
    """``"a=x,b=y"``, a list of such strings, or a dict, as (pattern, source) pairs."""
    if not value:
        return []
    if isinstance(value, dict):
        return [(str(k), str(v)) for k, v in value.items()]
    items = value.split(",") if isinstance(value, str) else [str(item) for item in value]  # type: ignore[attr-defined]
    pairs = []
    for item in items:
        if not item.strip():
            continue
        pattern, sep, source = item.rpartition("=")
        if not sep:
            raise ValueError(f"{item.strip()!r} is not pattern=source")
        pairs.append((pattern, source))
    return pairs


def pairs_from_csv(path: Path) -> list[tuple[str, str]]:
    """The (pattern, source) rows of a CSV file; a first row ``pattern,source`` is a header."""
    pairs = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for number, row in enumerate(csv.reader(handle), 1):
            cells = [cell.strip() for cell in row]
            if not any(cells) or cells[0].startswith("#"):
                continue
            if len(cells) < 2:
                raise ValueError(f"{path}: line {number} has no source column")
            if number == 1 and [c.lower() for c in cells[:2]] == ["pattern", "source"]:
                continue
            pairs.append((cells[0], cells[1]))
    return pairs
