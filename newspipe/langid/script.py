"""Script evidence: which letters a text uses, and what they say about Arabic, Persian and Urdu.

Arabic, Persian and Urdu share one script, but not one alphabet. Persian and Urdu write
پ چ ژ گ and their own kaf ک and yeh ی, which Arabic never does; Urdu adds ٹ ڈ ڑ ں ہ ھ ے,
which neither of the others write; Arabic writes ة, ي, ك and ى, which the other two replace
by their own letters; and Urdu writes its heh ہ where Arabic and Persian write ه. Counting
those letters decides most texts before any statistical model is asked, and corrects the
model on short ones. The yeh and kaf of each side count for less: a keyboard of the other
side puts them in texts (Persian typed with ي and ك, Arabic typed with ی and ک).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from newspipe.text.chars import FAST_ALPHABET, fast_encode

ARABIC_SCRIPT_LANGUAGES: tuple[str, ...] = ("ar", "fa", "ur")

#: Letters Arabic writes and Persian and Urdu do not: teh marbuta, alef maksura.
ARABIC_ONLY = "ةى"
#: Arabic's yeh and kaf: Persian and Urdu write their own, but not on an Arabic keyboard.
ARABIC_KEYBOARD = "يك"
#: Letters Persian and Urdu write and Arabic does not: peh, tcheh, jeh, gaf.
PERSIAN_URDU = "پچژگ"
#: Persian and Urdu yeh and kaf, and Urdu's do-chashmi heh: Arabic writers type them too, on
#: Persian or Urdu keyboards, for ى, ك and ه.
PERSIAN_URDU_KEYBOARD = "یکھ"
#: Letters only Urdu writes: tteh, ddal, rreh, noon ghunna, heh goal, yeh barree and their kin.
URDU_ONLY = "ٹڈڑںہےۓۂۃ"
#: Persian's heh with yeh above (ezafe), written by neither Arabic nor Urdu.
PERSIAN_ONLY = "ۀ"
#: Arabic and Persian write this heh; Urdu writes ہ (and ھ) instead.
HEH = "ه"
#: Letters of the alphabet all three share, and Arabic-script letters Arabic writers use for
#: foreign sounds (veh, gaf with three dots), which prove nothing either way.
SHARED = "ءآأؤإئابتثجحخدذرزسشصضطظعغفقلمنوٱڤڨ"
#: What a keyboard letter weighs against a language, where a letter of another alphabet weighs 1.
KEYBOARD_WEIGHT = 0.25

_ARABIC_LETTER_RANGES = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF))
# Presentation forms: old encoders wrote shaped glyphs; NFKC turns them back into letters.
_PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufefc]")

_ARABIC_CLASSES: tuple[str, ...] = (
    "shared",
    "ar_only",
    "ar_keyboard",
    "fa_ur",
    "fa_ur_keyboard",
    "do_chashmi",
    "ur_only",
    "fa_only",
    "heh",
    "arabic_other",
)
_KNOWN: dict[str, str] = {
    **dict.fromkeys(ARABIC_ONLY, "ar_only"),
    **dict.fromkeys(ARABIC_KEYBOARD, "ar_keyboard"),
    **dict.fromkeys(PERSIAN_URDU, "fa_ur"),
    **dict.fromkeys(PERSIAN_URDU_KEYBOARD[:2], "fa_ur_keyboard"),
    **dict.fromkeys(PERSIAN_URDU_KEYBOARD[2:], "do_chashmi"),
    **dict.fromkeys(URDU_ONLY, "ur_only"),
    **dict.fromkeys(PERSIAN_ONLY, "fa_only"),
    **dict.fromkeys(HEH, "heh"),
    **dict.fromkeys(SHARED, "shared"),
    **{chr(0x0660 + i): "arabic_digit" for i in range(10)},
    **{chr(0x06F0 + i): "extended_digit" for i in range(10)},
}


@lru_cache(maxsize=4096)
def char_class(ch: str) -> str:
    """What ``ch`` counts as: a class above, ``arabic_other``, ``latin``, ``letter`` or ``none``."""
    known = _KNOWN.get(ch)
    if known is not None:
        return known
    if not ch.isalpha():
        return "none"
    code = ord(ch)
    if any(low <= code <= high for low, high in _ARABIC_LETTER_RANGES):
        return "arabic_other"
    if code < 0x0250 or 0x1E00 <= code <= 0x1EFF:
        return "latin"
    return "letter"


#: Which languages write the scripts other than Latin and Arabic (the script word of Unicode's
#: letter names). A backend naming a language that does not write the text's main script is
#: guessing: a model without a profile for Georgian calls Georgian Estonian.
SCRIPT_LANGUAGES: dict[str, frozenset[str]] = {
    script: frozenset(langs.split())
    for script, langs in {
        "CYRILLIC": "ru uk bg mk sr be kk ky mn tg tt ba cv os ce sah uz az tk",
        "GREEK": "el",
        "HEBREW": "he yi",
        "DEVANAGARI": "hi mr ne sa mai bh new gom",
        "BENGALI": "bn as bpy",
        "GURMUKHI": "pa",
        "GUJARATI": "gu",
        "ORIYA": "or",
        "TAMIL": "ta",
        "TELUGU": "te",
        "KANNADA": "kn",
        "MALAYALAM": "ml",
        "SINHALA": "si",
        "THAI": "th",
        "LAO": "lo",
        "TIBETAN": "bo",
        "MYANMAR": "my",
        "KHMER": "km",
        "GEORGIAN": "ka xmf",
        "ARMENIAN": "hy",
        "ETHIOPIC": "am ti",
        "HANGUL": "ko",
        "HIRAGANA": "ja",
        "KATAKANA": "ja",
        "CJK": "zh ja wuu yue",
        "THAANA": "dv",
    }.items()
}


@lru_cache(maxsize=4096)
def script_of(ch: str) -> str:
    """The script word of a letter's Unicode name: ``LATIN``, ``ARABIC``, ``GEORGIAN``, ``CJK``."""
    return unicodedata.name(ch, "UNKNOWN").split(" ", 1)[0]


@dataclass(frozen=True, slots=True)
class ScriptEvidence:
    """Letter counts of a text, by what they say about its language."""

    letters: int = 0
    latin: int = 0
    arabic: int = 0  # every Arabic-script letter, whichever class below it also falls in
    ar_only: int = 0  # ة ى
    ar_keyboard: int = 0  # ي ك
    fa_ur: int = 0  # پ چ ژ گ
    fa_ur_keyboard: int = 0  # ی ک
    do_chashmi: int = 0  # ھ
    ur_only: int = 0
    fa_only: int = 0
    heh: int = 0
    arabic_other: int = 0  # letters of other Arabic-script alphabets (Pashto, Sindhi, Kurdish)
    arabic_digits: int = 0  # ٠-٩, written in Arabic
    extended_digits: int = 0  # ۰-۹, written in Persian and Urdu
    other_script: str = ""  # the most written script other than Latin and Arabic, if any
    other_script_letters: int = 0

    @property
    def main_script(self) -> str:
        """``LATIN``, ``ARABIC`` or another script's word: the one most letters are in."""
        if self.other_script_letters > max(self.latin, self.arabic):
            return self.other_script
        return "ARABIC" if self.arabic > self.latin else "LATIN"

    @property
    def arabic_share(self) -> float:
        """The share of the letters that are in the Arabic script (0 when there are no letters)."""
        return self.arabic / self.letters if self.letters else 0.0

    def contradictions(self, lang: str) -> float:
        """How many characters of the text the alphabet of ``lang`` (ar, fa or ur) does not have.

        Keyboard letters count :data:`KEYBOARD_WEIGHT` each: a Persian text typed on an Arabic
        keyboard has ي and ك, an Arabic one typed on a Persian keyboard ی and ک; پ چ ژ گ, ة and
        the Urdu letters come from no keyboard accident.
        """
        if lang == "ar":
            weak = self.fa_ur_keyboard + self.do_chashmi
            strong = self.fa_ur + self.ur_only + self.fa_only + self.extended_digits
        elif lang == "fa":
            weak = self.ar_keyboard
            strong = self.ar_only + self.ur_only + self.do_chashmi + self.arabic_digits
        elif lang == "ur":
            weak = self.ar_keyboard
            strong = self.ar_only + self.heh + self.fa_only + self.arabic_digits
        else:
            raise ValueError(f"no alphabet known for {lang!r}")
        return strong + KEYBOARD_WEIGHT * weak

    @property
    def other_alphabet(self) -> bool:
        """True when letters of another Arabic-script alphabet (Pashto, Kurdish) are not stray."""
        return self.arabic_other >= max(2, self.arabic // 100)


# The one-byte fast path (see newspipe.text.chars): a text in the fast alphabet has no
# presentation forms and no letters of other scripts, and is counted class by class with
# bytes.translate and bytes.count, several times faster than a Counter of its characters.
_FAST_CLASSES: tuple[str, ...] = (*_ARABIC_CLASSES, "latin", "arabic_digit", "extended_digit")
_FAST_CLASS_CODES = bytes(
    _FAST_CLASSES.index(kind) if kind in _FAST_CLASSES else 255
    for kind in map(char_class, FAST_ALPHABET)
)
if any(kind == "letter" for kind in map(char_class, FAST_ALPHABET)):
    raise RuntimeError("the fast path counts no letters of other scripts")


def script_evidence(text: str) -> ScriptEvidence:
    """Count the letters of ``text`` by class: one pass in C, one step per distinct character."""
    codes = fast_encode(text)
    if codes is not None:
        return _fast_evidence(codes.translate(_FAST_CLASS_CODES))
    return _counted_evidence(text)


def _counted_evidence(text: str) -> ScriptEvidence:
    """:func:`script_evidence` of any text, one step per distinct character."""
    if _PRESENTATION_FORMS.search(text):
        text = unicodedata.normalize("NFKC", text)
    counts: dict[str, int] = dict.fromkeys((*_ARABIC_CLASSES, "latin", "letter", "none"), 0)
    counts.update(arabic_digit=0, extended_digit=0)
    scripts: dict[str, int] = {}
    for ch, n in Counter(text).items():
        kind = char_class(ch)
        counts[kind] += n
        if kind == "letter":
            script = script_of(ch)
            scripts[script] = scripts.get(script, 0) + n
    other = max(sorted(scripts), key=scripts.__getitem__) if scripts else ""
    arabic = sum(counts[name] for name in _ARABIC_CLASSES)
    return ScriptEvidence(
        letters=arabic + counts["latin"] + counts["letter"],
        latin=counts["latin"],
        arabic=arabic,
        ar_only=counts["ar_only"],
        ar_keyboard=counts["ar_keyboard"],
        fa_ur=counts["fa_ur"],
        fa_ur_keyboard=counts["fa_ur_keyboard"],
        do_chashmi=counts["do_chashmi"],
        ur_only=counts["ur_only"],
        fa_only=counts["fa_only"],
        heh=counts["heh"],
        arabic_other=counts["arabic_other"],
        arabic_digits=counts["arabic_digit"],
        extended_digits=counts["extended_digit"],
        other_script=other,
        other_script_letters=scripts.get(other, 0),
    )


def _fast_evidence(classes: bytes) -> ScriptEvidence:
    """:func:`script_evidence` of a text in the fast alphabet, given its class codes."""
    (
        shared,
        ar_only,
        ar_keyboard,
        fa_ur,
        fa_ur_keyboard,
        do_chashmi,
        ur_only,
        fa_only,
        heh,
        arabic_other,
        latin,
        arabic_digits,
        extended_digits,
    ) = map(classes.count, range(len(_FAST_CLASSES)))
    arabic = (
        shared
        + ar_only
        + ar_keyboard
        + fa_ur
        + fa_ur_keyboard
        + do_chashmi
        + ur_only
        + fa_only
        + heh
        + arabic_other
    )
    return ScriptEvidence(
        letters=arabic + latin,
        latin=latin,
        arabic=arabic,
        ar_only=ar_only,
        ar_keyboard=ar_keyboard,
        fa_ur=fa_ur,
        fa_ur_keyboard=fa_ur_keyboard,
        do_chashmi=do_chashmi,
        ur_only=ur_only,
        fa_only=fa_only,
        heh=heh,
        arabic_other=arabic_other,
        arabic_digits=arabic_digits,
        extended_digits=extended_digits,
    )


def arabic_script_candidates(evidence: ScriptEvidence) -> tuple[str, ...]:
    """Which of ar, fa and ur the letters allow, best first.

    A language stays a candidate while its alphabet misses no more characters of the text than
    the best one's does, give or take 2% of the Arabic-script letters: a long Arabic article may
    name Google with a گ, a Persian one may carry a word typed on an Arabic keyboard.
    """
    misses = {lang: evidence.contradictions(lang) for lang in ARABIC_SCRIPT_LANGUAGES}
    best = min(misses.values())
    tolerance = evidence.arabic // 50
    return tuple(
        sorted(
            (lang for lang, n in misses.items() if n <= best + tolerance),
            key=lambda lang: misses[lang],
        )
    )
