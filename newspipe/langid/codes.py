"""Language codes: whatever a backend names, as ISO 639-1 plus, for Arabic varieties, a dialect."""

from __future__ import annotations

UNDETERMINED = "und"

# fastText's lid.176 names Egyptian Arabic ``arz``; other models and later versions name more
# varieties (ISO 639-3 members of the Arabic macrolanguage). All of them are ``ar`` to a reader
# who keeps Arabic; the variety goes to its own field.
ARABIC_DIALECTS: frozenset[str] = frozenset(
    {
        "arz",  # Egyptian
        "ary",  # Moroccan
        "arq",  # Algerian
        "aeb",  # Tunisian
        "ayl",  # Libyan
        "acm",  # Mesopotamian
        "afb",  # Gulf
        "apc",  # Levantine (north)
        "ajp",  # Levantine (south)
        "acq",  # Ta'izzi-Adeni
        "ars",  # Najdi
        "apd",  # Sudanese
        "acw",  # Hijazi
        "ayp",  # North Mesopotamian
        "aao",  # Algerian Saharan
        "arb",  # Standard Arabic itself
    }
)

# Codes some backends use that are not the ISO 639-1 ones (old codes, script or region variants,
# ISO 639-3 codes of languages whose macrolanguage has a two-letter code).
_TO_ISO639_1: dict[str, str] = {
    "zh-cn": "zh",
    "zh-tw": "zh",
    "iw": "he",
    "in": "id",
    "ji": "yi",
    "jw": "jv",
    "pes": "fa",
    "prs": "fa",
    "urd": "ur",
    "pnb": "pa",
    "azb": "az",
    "ckb": "ku",
    "kmr": "ku",
    "nb": "no",
    "arb": "ar",
}


def to_iso639_1(label: str) -> tuple[str, str | None]:
    """``(code, dialect)`` of a backend's label: ``arz`` -> ``(ar, arz)``, ``zh-cn`` -> ``zh``.

    A label with no two-letter code (``ceb``, ``war``) stays as it is: ISO 639 has nothing shorter.
    """
    code = label.strip().lower()
    if code.startswith("__label__"):  # fastText's label form
        code = code[len("__label__") :]
    code = code.replace("_", "-")
    if not code:
        return UNDETERMINED, None
    if code in ARABIC_DIALECTS:
        return "ar", None if code == "arb" else code
    mapped = _TO_ISO639_1.get(code)
    if mapped is not None:
        return mapped, None
    return code.split("-")[0], None
