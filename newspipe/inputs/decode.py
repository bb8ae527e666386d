"""Bytes to text: which encodings newspipe reads, why a file is not text, and mojibake repair.

Read in this order: a byte-order mark (UTF-8, UTF-16, UTF-32) decides; NUL bytes without one mean
binary, unless the bytes read as Arabic text in UTF-16 without the mark or the NULs only pad the
end (a write cut short: the text before them is read); strict UTF-8; then the
two legacy Arabic code pages, Windows-1256 and ISO-8859-6, the one whose decoding looks most like
Arabic text winning. Bytes that are none of these are
``undecodable``, and the message says where the first bad byte is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newspipe.text.chars import FAST_ALPHABET, FAST_CODE, fast_codes, fast_encode

#: Encodings as recorded in a document's ``encoding`` field.
UTF8 = "utf-8"
UTF8_BOM = "utf-8-sig"
CP1256 = "cp1256"
ISO_8859_6 = "iso-8859-6"

_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", UTF8_BOM),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)

_ARABIC_LETTER = re.compile(r"[\u0621-\u064a\u0660-\u0669\u0671-\u06d3\u06f0-\u06f9]")
# What plain text is made of besides Arabic: ASCII, Arabic punctuation, harakat, common symbols.
_TEXT_CHAR = re.compile(
    r"[\t\n\r\x20-\x7e\u00a0\u00ab\u00bb\u00d7\u060c\u061b\u061f\u0640\u064b-\u0652\u066a-\u066d\u2013\u2014\u2018-\u201d\u2026]"
)
# Control characters that never occur in text (tab, newlines, form feed and escape excepted).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x9f]")
_LATIN1_LETTER = re.compile(
    r"[\u00c0-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2020\u2021\u2030\u2039\u203a\u20ac\u2122]"
)


class NotText(ValueError):
    """The bytes are not text newspipe can read; ``reason`` is the reject reason word."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str


def bom_encoding(head: bytes) -> tuple[str, int] | None:
    """The encoding a byte-order mark announces and the mark's length, or None."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding, len(bom)
    return None


def decode_bytes(data: bytes) -> Decoded:
    """Decode ``data`` as text in an encoding newspipe reads; raise :class:`NotText` otherwise."""
    bom = bom_encoding(data)
    if bom is not None:
        encoding, size = bom
        try:
            text = data[size:].decode(encoding)
        except UnicodeDecodeError as exc:
            raise NotText(
                "undecodable",
                f"starts with a {encoding} byte-order mark but is not {encoding} "
                f"(first bad byte at {exc.start + size})",
            ) from None
        _check_controls(text)
        return Decoded(text, "utf-16" if encoding.startswith("utf-16") else encoding)
    nul = data.find(b"\x00")
    if nul >= 0:
        unmarked = _unmarked_utf16(data)
        if unmarked is not None:
            return unmarked
        data = without_nul_padding(data, nul)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.start
    else:
        _check_controls(text)
        return Decoded(text, UTF8)
    legacy = decode_legacy(data)
    if legacy is None:
        raise NotText("undecodable", f"not UTF-8, CP1256 or UTF-16 (first bad byte at {bad})")
    return legacy


def without_nul_padding(data: bytes, nul: int) -> bytes:
    """``data`` without the NUL bytes (and white space) that end it, its first NUL at ``nul``: a
    file whose write was cut short by a crash or a full disk is padded so, the text before them
    intact. Raise :class:`NotText` when NULs come before other bytes (binary) or are all there
    is."""
    if not is_padding(data[nul:]):
        raise NotText(
            "binary",
            f"holds NUL bytes (first at byte {nul}): binary, or UTF-16 without a byte-order mark",
        )
    if not data[:nul].strip():
        raise NotText("empty", "only NUL bytes: its text was never written (a write cut short)")
    return data[:nul]


def is_padding(data: bytes) -> bool:
    """Whether ``data`` is only NUL bytes and white space: what a write cut short leaves."""
    return not data.translate(None, b"\x00 \t\r\n")


def decode_legacy(data: bytes) -> Decoded | None:
    """Windows-1256 or ISO-8859-6, whichever reads as Arabic text; None when neither does."""
    best: Decoded | None = None
    best_score = 0.0
    for encoding in (CP1256, ISO_8859_6):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = text_score(text)
        if score > best_score:
            best, best_score = Decoded(text, encoding), score
    # Legacy code pages decode nearly any bytes: keep the result only when it reads as Arabic text.
    if best is None or best_score < 0.9:
        return None
    if not _ARABIC_LETTER.search(best.text) and best.text.strip():
        return None  # no Arabic in it: random bytes, or Latin text in a code page not read here
    return best


def _unmarked_utf16(data: bytes) -> Decoded | None:
    """UTF-16 without a byte-order mark, as some Windows tools save "Unicode" text: taken only
    when it reads as Arabic text (other bytes with NULs decode as UTF-16 too, to nonsense)."""
    if len(data) % 2:
        return None
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if text_score(text) >= 0.95 and _ARABIC_LETTER.search(text) and not _CONTROL.search(text):
            return Decoded(text, encoding)
    return None


def text_score(text: str) -> float:
    """The share of characters that belong in Arabic or ASCII text (1.0: all of them)."""
    if not text:
        return 0.0
    good = len(_ARABIC_LETTER.findall(text)) + len(_TEXT_CHAR.findall(text))
    return good / len(text)


def _check_controls(text: str) -> None:
    sample = text[:65536]
    codes = fast_encode(sample)
    if codes is not None:  # one byte a character: the control bytes are counted in C
        controls = len(codes) - len(codes.translate(None, _FAST_CONTROLS))
    else:
        controls = len(_CONTROL.findall(sample))
    if sample and controls > max(8, len(sample) // 20):
        raise NotText(
            "binary", f"{controls} control characters in its first {len(sample)}: not a text file"
        )


# Mojibake: Arabic whose bytes were decoded with the wrong code page before they reached us.
# Each repair re-encodes with the wrong code page and decodes with the right one.
_REPAIRS: tuple[tuple[str, str], ...] = (
    ("cp1252", "utf-8"),  # "Ø§Ù„Ø¹Ø±Ø¨ÙŠØ©": UTF-8 read as Windows-1252
    ("latin-1", "utf-8"),
    ("cp1256", "utf-8"),  # "ط§ظ„ط¹ط±ط¨ظٹط©": UTF-8 read as Windows-1256
    ("cp1252", "cp1256"),  # "ÇáÚÑÈíÉ": Windows-1256 read as Windows-1252
    ("latin-1", "cp1256"),
)
_MOJIBAKE_CP1256 = re.compile(
    r"[\u0637\u0638][\u00a0-\u00ff\u0600-\u06ff\u2000-\u203a\u20ac\u2122\u0152\u0153\u0192\u02c6]"
)


@dataclass(frozen=True, slots=True)
class Repair:
    text: str
    status: str  # "" (nothing wrong seen), "repaired:<wrong>><right>", or "suspected"


def looks_like_mojibake(text: str) -> bool:
    """Whether ``text`` shows the marks of Arabic decoded with the wrong code page."""
    # Cheap bounds first (str.count is a C scan): most texts are plainly not mojibake, and the
    # full counts below cost ~0.2 ms an article. The answer is the same either way.
    codes = fast_encode(text)
    if codes is not None:  # the same counts, one byte a character (most texts: a few times faster)
        has_latin = len(codes.translate(None, _FAST_LATIN1)) != len(codes)
        t_or_z = codes.count(_FAST_TA) + codes.count(_FAST_ZA)
        alef, lam, yaa, waw = _FAST_COMMON
        common = codes.count(alef) + codes.count(lam) + codes.count(yaa) + codes.count(waw)
    else:
        has_latin = _LATIN1_LETTER.search(text) is not None
        t_or_z = text.count("ط") + text.count("ظ")
        common = -1  # counted below only when needed
    if not has_latin and t_or_z < 4:
        return False
    if not has_latin and t_or_z * 3 <= (common if common >= 0 else _common_arabic_letters(text)):
        return False
    latin = len(_LATIN1_LETTER.findall(text)) if has_latin else 0
    arabic = len(_ARABIC_LETTER.findall(text))
    # French or German text has some accented letters; Arabic read as Latin-1 is mostly them.
    if latin >= 4 and latin > 2 * arabic and latin * 10 >= 3 * sum(c.isalpha() for c in text):
        return True
    # UTF-8 read as CP1256 turns every Arabic letter into ط or ظ and one more character.
    pairs = len(_MOJIBAKE_CP1256.findall(text))
    return pairs >= 4 and pairs * 3 > arabic


def _common_arabic_letters(text: str) -> int:
    """A lower bound of the Arabic letters in ``text``: its alefs, lams, yaas and waws."""
    return text.count("ا") + text.count("ل") + text.count("ي") + text.count("و")


# The same character classes as bytes of the fast alphabet (newspipe.text.chars).
_FAST_CONTROLS = fast_codes(c for c in FAST_ALPHABET if _CONTROL.match(c))
_FAST_LATIN1 = fast_codes(c for c in FAST_ALPHABET if _LATIN1_LETTER.match(c))
_FAST_TA, _FAST_ZA = FAST_CODE["ط"], FAST_CODE["ظ"]
_FAST_COMMON = tuple(FAST_CODE[c] for c in "اليو")


def repair_mojibake(text: str) -> Repair:
    """``text`` repaired when it is mojibake that re-decodes to Arabic, flagged when not."""
    if not text or text.isascii() or not looks_like_mojibake(text):
        return Repair(text, "")
    for wrong, right in _REPAIRS:
        try:
            fixed = text.encode(wrong).decode(right)
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if (
            _ARABIC_LETTER.search(fixed)
            and text_score(fixed) >= 0.9
            and not looks_like_mojibake(fixed)
        ):
            return Repair(fixed, f"repaired:{wrong}>{right}")
    return Repair(text, "suspected")
