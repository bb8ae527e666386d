"""A bounded, representative sample of a text: what language identification reads."""

from __future__ import annotations

#: Where the spans start, as fractions of the text: its beginning, then its body, never its tail,
#: where news pages keep bylines, sharing prompts and agency names.
SPAN_STARTS: tuple[float, ...] = (0.0, 0.25, 0.5)


def sample_text(text: str, limit: int) -> str:
    """``text`` itself when it has ``limit`` characters or fewer, else a few whole-word spans of it.

    The spans start at the fractions in :data:`SPAN_STARTS` and add up to at most ``limit``
    characters; they are cut at spaces so that no word is split, and joined by a space.
    Language identification costs time in proportion to what it reads; a few hundred
    characters from several places decide as well as the whole article.
    """
    if len(text) <= limit:
        return text
    width = max(1, limit // len(SPAN_STARTS))
    spans: list[str] = []
    for fraction in SPAN_STARTS:
        start = int(len(text) * fraction)
        end = min(len(text), start + width)
        if start > 0 and not text[start - 1].isspace():
            cut = _next_space(text, start, end)
            start = cut + 1 if cut >= 0 else start
        if end < len(text) and not text[end].isspace():
            cut = _last_space(text, start, end)
            end = cut if cut > start else end
        spans.append(_one_line(text[start:end]))
    return " ".join(span for span in spans if span)


def _one_line(span: str) -> str:
    """``" ".join(span.split())``, without splitting the common span that is one already."""
    line = span.replace("\n", " ")
    # Every white-space character but the space is unprintable: a printable line has no other.
    if line.isprintable() and "  " not in line and line[:1] != " " and line[-1:] != " ":
        return line
    return " ".join(span.split())


def _next_space(text: str, start: int, end: int) -> int:
    """The index of the first white space in ``text[start:end]``, or -1."""
    for index in range(start, end):
        if text[index].isspace():
            return index
    return -1


def _last_space(text: str, start: int, end: int) -> int:
    """The index of the last white space in ``text[start:end]``, or -1."""
    for index in range(end - 1, start - 1, -1):
        if text[index].isspace():
            return index
    return -1
