"""Language stage: ``lang`` and ``lang_score``; documents outside ``NEWSPIPE_LANGUAGES`` rejected."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Self

from newspipe.config import get_list, get_str
from newspipe.langid import LangidBackend, make_backend
from newspipe.stages.base import Stage

if TYPE_CHECKING:
    from itemadapter import ItemAdapter
    from scrapy.settings import BaseSettings


class LanguageStage(Stage):
    """Names the language of ``text`` and keeps only the wanted languages."""

    name = "language"
    pure = True
    settings_read: ClassVar[tuple[str, ...]] = ("NEWSPIPE_LANGUAGES", "NEWSPIPE_LANGID_BACKEND")

    def __init__(self, backend: LangidBackend, languages: frozenset[str]) -> None:
        self.backend = backend
        self.languages = languages

    @classmethod
    def from_newspipe_settings(cls, settings: BaseSettings) -> Self:
        languages = frozenset(code.lower() for code in get_list(settings, "NEWSPIPE_LANGUAGES"))
        return cls(make_backend(get_str(settings, "NEWSPIPE_LANGID_BACKEND")), languages)

    def process(self, doc: ItemAdapter) -> None:
        detection = self.backend.detect(doc.get("text") or "")
        doc["lang"] = detection.lang
        doc["lang_score"] = round(detection.score, 4)
        if self.languages and detection.lang not in self.languages:
            wanted = ", ".join(sorted(self.languages))
            self.reject(
                "language",
                f"detected {detection.lang} (probability {detection.score:.2f}); kept languages: {wanted}",
            )
