"""Backends that name the language of a text, with a probability."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from newspipe.config import SettingError

UNDETERMINED = "und"


@dataclass(frozen=True, slots=True)
class Detection:
    """ISO 639-1 code (``und`` when undecidable) and the probability the backend gives it."""

    lang: str
    score: float


class LangidBackend(Protocol):
    name: str

    def detect(self, text: str) -> Detection: ...


class LangdetectBackend:
    """langdetect, seeded so that the same text always gets the same answer."""

    name = "langdetect"

    def __init__(self, seed: int = 0) -> None:
        from langdetect.detector_factory import init_factory

        init_factory()  # loads the profiles once, not on the first document
        self._seed = seed

    def detect(self, text: str) -> Detection:
        from langdetect.detector_factory import _factory
        from langdetect.lang_detect_exception import LangDetectException

        assert _factory is not None
        detector = _factory.create()
        detector.seed = self._seed  # langdetect samples at random: a fixed seed, a fixed answer
        detector.append(text)
        try:
            best = detector.get_probabilities()
        except LangDetectException:
            return Detection(UNDETERMINED, 0.0)
        if not best:
            return Detection(UNDETERMINED, 0.0)
        top = best[0]
        return Detection(str(top.lang).split("-")[0], float(top.prob))


def make_backend(name: str) -> LangidBackend:
    """The backend called ``name`` (``NEWSPIPE_LANGID_BACKEND``)."""
    if name == "langdetect":
        return LangdetectBackend()
    raise SettingError(f"NEWSPIPE_LANGID_BACKEND must be langdetect or fasttext, got {name!r}")
