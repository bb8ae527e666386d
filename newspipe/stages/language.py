"""Language stage: ``lang`` and ``lang_score``; documents not in ``NEWSPIPE_LANGUAGES`` rejected."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar, Self

from scrapy.exceptions import NotConfigured

from newspipe.config import SettingError, get_float, get_list, get_str
from newspipe.langid import UNDETERMINED, BackendUnavailable, LangidConfig, identify
from newspipe.langid.backends import check_backend
from newspipe.stages.base import Stage

if TYPE_CHECKING:
    from itemadapter import ItemAdapter
    from scrapy.settings import BaseSettings

#: The reject reasons a text with no letters may get (``NEWSPIPE_LANGID_UNDETERMINED``).
UNDETERMINED_REASONS: tuple[str, ...] = ("empty", "language")
#: What NEWSPIPE_LANGUAGES may list: the ISO 639-1 codes the detectors name, and "und".
_LANGUAGE_CODE = re.compile(rf"[a-z]{{2}}|{UNDETERMINED}")


class LanguageStage(Stage):
    """Names the language of ``text`` and keeps the wanted languages, when confident enough."""

    name = "language"
    pure = True
    settings_read: ClassVar[tuple[str, ...]] = (
        "NEWSPIPE_LANGUAGES",
        "NEWSPIPE_LANGID_BACKEND",
        "NEWSPIPE_LANGID_SAMPLE_CHARS",
        "NEWSPIPE_LANGID_MIN_SCORE",
        "NEWSPIPE_LANGID_UNDETERMINED",
    )

    def __init__(
        self,
        config: LangidConfig,
        languages: frozenset[str],
        *,
        min_score: float = 0.0,
        undetermined_reason: str = "empty",
    ) -> None:
        self.config = config
        self.languages = languages
        self.min_score = min_score
        self.undetermined_reason = undetermined_reason

    @classmethod
    def from_newspipe_settings(cls, settings: BaseSettings) -> Self:
        config = LangidConfig.from_settings(settings)
        languages = frozenset(code.lower() for code in get_list(settings, "NEWSPIPE_LANGUAGES"))
        unknown = sorted(code for code in languages if not _LANGUAGE_CODE.fullmatch(code))
        if unknown:  # "arabic" would reject every document, each for its language
            raise SettingError(
                f"NEWSPIPE_LANGUAGES must list ISO 639-1 codes (ar,en) or {UNDETERMINED}, "
                f"got {', '.join(map(repr, unknown))}"
            )
        min_score = get_float(settings, "NEWSPIPE_LANGID_MIN_SCORE", low=0.0, high=1.0)
        reason = get_str(settings, "NEWSPIPE_LANGID_UNDETERMINED").lower()
        if reason not in UNDETERMINED_REASONS:
            raise SettingError(
                f"NEWSPIPE_LANGID_UNDETERMINED must be {' or '.join(UNDETERMINED_REASONS)}, "
                f"got {reason!r}"
            )
        try:
            check_backend(config.backend)  # loaded on first use, where it is used
        except BackendUnavailable as exc:
            raise NotConfigured(str(exc)) from exc
        return cls(config, languages, min_score=min_score, undetermined_reason=reason)

    def process(self, doc: ItemAdapter) -> None:
        detection = identify(doc.get("text") or "", self.config)
        doc["lang"] = detection.lang
        doc["lang_score"] = round(detection.score, 4)
        if detection.dialect is not None:
            doc["dialect"] = detection.dialect
        if self.stats is not None:
            self.stats.inc_value(f"newspipe/language/decided_by/{detection.by}")
        if detection.lang == UNDETERMINED:
            if detection.by == "script":
                self.reject(
                    self.undetermined_reason,
                    f"{doc.get('path')}: no letters to tell a language by (digits, signs only)",
                )
            self.reject(
                "language",
                f"{doc.get('path')}: {detection.by} cannot tell the language of this text",
            )
        if self.languages and detection.lang not in self.languages:
            wanted = ", ".join(sorted(self.languages))
            self.reject(
                "language",
                f"{doc.get('path')}: detected {detection.lang} "
                f"(probability {detection.score:.2f}); kept languages: {wanted}",
            )
        if detection.score < self.min_score:
            self.reject(
                "language",
                f"{doc.get('path')}: detected {detection.lang} with probability "
                f"{detection.score:.2f}, below NEWSPIPE_LANGID_MIN_SCORE ({self.min_score:g})",
            )
