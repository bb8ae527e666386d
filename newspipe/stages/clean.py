"""Clean stage: turn input rejects into rejects, then write the cleaned ``text``.

Stats, per run (sums over documents): ``newspipe/clean/diacritics_removed``,
``tatweel_removed``, ``controls_removed``, ``presentation_forms`` (characters mapped back to
letters), ``residue_lines_removed`` and ``documents_with_residue``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Self

from newspipe.config import SettingError, get_bool, setting
from newspipe.document import FOLDER_SOURCE, INPUT_REJECT, normalised_text
from newspipe.stages.base import Stage
from newspipe.text.clean import clean_text
from newspipe.text.residue import DEFAULT_RULES, ResidueRules, ResidueSettingError, parse_rules

if TYPE_CHECKING:
    from itemadapter import ItemAdapter
    from scrapy.settings import BaseSettings


def residue_rules(settings: BaseSettings) -> ResidueRules:
    """The residue rules of ``NEWSPIPE_RESIDUE_PATTERNS`` and ``NEWSPIPE_RESIDUE_BUILTIN``."""
    builtin = get_bool(settings, "NEWSPIPE_RESIDUE_BUILTIN")
    try:
        return parse_rules(setting(settings, "NEWSPIPE_RESIDUE_PATTERNS"), builtin=builtin)
    except ResidueSettingError as exc:
        raise SettingError(f"NEWSPIPE_RESIDUE_PATTERNS: {exc}") from None


class CleanStage(Stage):
    """Writes the cleaned ``text`` and keeps its normalised form for the stages after it."""

    name = "clean"
    pure = True
    settings_read: ClassVar[tuple[str, ...]] = (
        "NEWSPIPE_KEEP_DIACRITICS",
        "NEWSPIPE_RESIDUE_PATTERNS",
        "NEWSPIPE_RESIDUE_BUILTIN",
    )

    def __init__(
        self, *, keep_diacritics: bool = False, residue: ResidueRules = DEFAULT_RULES
    ) -> None:
        self.keep_diacritics = keep_diacritics
        self.residue = residue

    @classmethod
    def from_newspipe_settings(cls, settings: BaseSettings) -> Self:
        return cls(
            keep_diacritics=get_bool(settings, "NEWSPIPE_KEEP_DIACRITICS"),
            residue=residue_rules(settings),
        )

    def process(self, doc: ItemAdapter) -> None:
        verdict = doc.get(INPUT_REJECT)
        if verdict:
            reason, detail = verdict
            self.reject(reason, detail)
        raw = doc.get("text")
        if not isinstance(raw, str) or not raw.strip():
            self.reject("empty", f"{doc.get('path')}: no text (empty or only white space)")
        source = doc.get("source") or doc.get(FOLDER_SOURCE)
        cleaned = clean_text(
            raw,
            keep_diacritics=self.keep_diacritics,
            residue=self.residue.pattern_for(str(source) if source else None),
        )
        if self.stats is not None:
            for key, value in (
                ("diacritics_removed", cleaned.diacritics_removed),
                ("tatweel_removed", cleaned.tatweel_removed),
                ("controls_removed", cleaned.controls_removed),
                ("presentation_forms", cleaned.presentation_forms),
                ("residue_lines_removed", cleaned.residue_lines_removed),
                ("documents_with_residue", int(bool(cleaned.residue))),
            ):
                self.stats.inc_value(f"newspipe/clean/{key}", value)
        if not cleaned.text:
            what = f" and {len(cleaned.residue)} page-residue line(s)" if cleaned.residue else ""
            self.reject(
                "empty",
                f"{doc.get('path')}: nothing left once diacritics, controls and spaces{what} "
                "are removed",
            )
        doc["text"] = cleaned.text
        normalised_text(doc)  # once here, reused by the stages after while text is unchanged
