"""Language identification, one plain function of (text, config): letters first, then a model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Self

from newspipe.config import SettingError, get_int, get_str
from newspipe.langid.backends import (
    BACKENDS,
    Detection,
    LangidBackend,
    get_backend,
    names_dialects,
)
from newspipe.langid.codes import UNDETERMINED
from newspipe.langid.sample import sample_text
from newspipe.langid.script import SCRIPT_LANGUAGES, arabic_script_candidates, script_evidence
from newspipe.langid.words import DECISIVE_RATIO, decide_by_words

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

#: Texts with at least this share of Arabic-script letters are judged among ar, fa and ur: these
#: languages leave short vowels unwritten (a third of the letters is about 40% of the words), and
#: the Latin letters in Arabic-script news are mostly names and page residue.
ARABIC_SCRIPT_SHARE = 1 / 3
#: Characters a dialect-naming backend reads of a text whose letters decided it is ``ar``.
DIALECT_CHARS = 200
#: Colloquial Egyptian words, the only variety lid.176 names (``arz``): a text without any is not
#: worth a model call to ask for its dialect (two thirds of the fastText backend's time on news).
EGYPTIAN_MARKERS: frozenset[str] = frozenset(
    (
        "مش",
        "ده",
        "دي",
        "دا",
        "دول",
        "كده",
        "كدا",
        "ازاي",
        "إزاي",
        "ايه",
        "إيه",
        "عايز",
        "عاوز",
        "عايزة",
        "بتاع",
        "بتاعة",
        "اوي",
        "أوي",
        "النهارده",
        "امبارح",
        "إمبارح",
        "دلوقتي",
        "دلوقت",
        "فين",
        "ليه",
        "بقى",
        "علشان",
        "عشان",
        "إحنا",
        "احنا",
        "انتو",
        "إنتو",
        "لسه",
        "برضه",
    )
)


@dataclass(frozen=True, slots=True)
class LangidConfig:
    """How to identify languages: which backend, and how many characters of a text it reads."""

    backend: str = "langdetect"
    sample_chars: int = 600

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise SettingError(
                f"NEWSPIPE_LANGID_BACKEND must be {' or '.join(BACKENDS)}, got {self.backend!r}"
            )
        if self.sample_chars < 20:
            raise SettingError(
                f"NEWSPIPE_LANGID_SAMPLE_CHARS must be 20 or more, got {self.sample_chars!r}"
            )

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Self:
        return cls(
            backend=get_str(settings, "NEWSPIPE_LANGID_BACKEND").lower(),
            sample_chars=get_int(settings, "NEWSPIPE_LANGID_SAMPLE_CHARS", low=20),
        )


def identify(text: str, config: LangidConfig) -> Detection:
    """The language of ``text``: same text and config, same answer, in any process.

    Reads a bounded sample of the text. A text without letters is ``und``. An Arabic-script
    text whose letters fit one alphabet of ar, fa and ur only is decided by them, without a
    model, its score the share of its letters that fit. When they fit several, the words decide
    if they are clear enough (:mod:`newspipe.langid.words`), else the backend, among the
    languages the letters allow. Any other text is the backend's, the words settling its close
    calls; an answer in a language that does not write the text's script is ``und``.
    """
    sample = sample_text(text, config.sample_chars)
    evidence = script_evidence(sample)
    if evidence.letters == 0:
        return Detection(UNDETERMINED, 0.0, by="script")
    # The backend is loaded when first asked (langdetect's profiles take 0.3 s): a run whose few
    # new articles the letters decide never loads it.
    if evidence.arabic_share < ARABIC_SCRIPT_SHARE or evidence.other_alphabet:
        backend = get_backend(config.backend)
        found = _close_call(sample, backend.ranked(sample), backend.name)
        writers = SCRIPT_LANGUAGES.get(evidence.main_script)
        if writers is not None and found.lang not in writers:
            return Detection(UNDETERMINED, 0.0, by=found.by)  # the model does not know this script
        return found
    candidates = arabic_script_candidates(evidence)
    if len(candidates) == 1:
        lang = candidates[0]
        score = (evidence.arabic - evidence.contradictions(lang)) / evidence.letters
        dialect = _dialect(config.backend, sample) if lang == "ar" else None
        return Detection(lang, max(0.0, score), dialect, "script")
    by_words = decide_by_words(sample, candidates)
    if by_words is not None:
        lang, probability = by_words
        fit = (evidence.arabic - evidence.contradictions(lang)) / evidence.letters
        return Detection(lang, max(0.0, probability * fit), by="words")
    found = get_backend(config.backend).detect(sample, allowed=candidates)
    if found.lang == UNDETERMINED:
        # the model has nothing on any candidate: the letters alone, with no preference
        return Detection(candidates[0], 1.0 / len(candidates), by="script")
    fit = (evidence.arabic - evidence.contradictions(found.lang)) / evidence.letters
    return Detection(found.lang, max(0.0, found.score * fit), found.dialect, found.by)


def _close_call(sample: str, ranked: list[Detection], by: str) -> Detection:
    """The backend's best, unless runners-up are close and the words clearly favour one of them."""
    if not ranked:
        return Detection(UNDETERMINED, 0.0, by=by)
    best = ranked[0]
    close = [found for found in ranked[:3] if found.score * DECISIVE_RATIO > best.score]
    if len(close) < 2:
        return best
    by_words = decide_by_words(sample, [found.lang for found in close])
    if by_words is None or by_words[0] == best.lang:
        return best
    lang, probability = by_words
    mass = sum(found.score for found in close)
    return Detection(lang, min(1.0, probability * mass), by="words")


def _dialect(backend_name: str, sample: str) -> str | None:
    """The Arabic dialect a backend that names them sees in ``sample`` (None for the others)."""
    if not names_dialects(backend_name):
        return None
    if EGYPTIAN_MARKERS.isdisjoint(sample[:DIALECT_CHARS].split()):
        return None
    backend = get_backend(backend_name)
    # the first span only: the letters already decided the language, this is one more model call
    found = backend.detect(sample[:DIALECT_CHARS])
    return found.dialect if found.lang == "ar" else None


def make_backend(name: str) -> LangidBackend:
    """The backend called ``name`` (``NEWSPIPE_LANGID_BACKEND``), loaded once per process."""
    LangidConfig(backend=name)  # names the setting when ``name`` is not a backend
    return get_backend(name)
