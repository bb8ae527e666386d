"""Clean stage: turn input rejects into rejects, then remove diacritics, tatweel, extra space."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Self

from newspipe.config import get_bool
from newspipe.document import INPUT_REJECT, normalised_text
from newspipe.stages.base import Stage
from newspipe.text.clean import clean_text

if TYPE_CHECKING:
    from itemadapter import ItemAdapter
    from scrapy.settings import BaseSettings


class CleanStage(Stage):
    """Writes the cleaned ``text`` and keeps its normalised form for the stages after it."""

    name = "clean"
    pure = True
    settings_read: ClassVar[tuple[str, ...]] = ("NEWSPIPE_KEEP_DIACRITICS",)

    def __init__(self, *, keep_diacritics: bool = False) -> None:
        self.keep_diacritics = keep_diacritics

    @classmethod
    def from_newspipe_settings(cls, settings: BaseSettings) -> Self:
        return cls(keep_diacritics=get_bool(settings, "NEWSPIPE_KEEP_DIACRITICS"))

    def process(self, doc: ItemAdapter) -> None:
        verdict = doc.get(INPUT_REJECT)
        if verdict:
            reason, detail = verdict
            self.reject(reason, detail)
        raw = doc.get("text")
        if not isinstance(raw, str) or not raw.strip():
            self.reject("empty", f"{doc.get('path')}: no text (empty or only white space)")
        cleaned = clean_text(raw, keep_diacritics=self.keep_diacritics)
        if not cleaned.text:
            self.reject("empty", f"{doc.get('path')}: nothing left once diacritics and spaces are removed")
        doc["text"] = cleaned.text
        normalised_text(doc)  # once here, reused by the stages after while text is unchanged
        if self.stats is not None:
            self.stats.inc_value("newspipe/clean/diacritics_removed", cleaned.diacritics_removed)
