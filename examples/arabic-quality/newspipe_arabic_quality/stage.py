"""The newspipe stage: rejects junk with a reason word newspipe writes to the rejects file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Self

from scrapy.exceptions import NotConfigured

from newspipe.config import SettingError
from newspipe.stages import Stage
from newspipe_arabic_quality.measures import Thresholds, measure, verdict

if TYPE_CHECKING:
    from collections.abc import Mapping

    from itemadapter import ItemAdapter
    from scrapy.settings import BaseSettings

DEFAULTS = Thresholds()


class ArabicQualityStage(Stage):
    """Rejects texts with little Arabic script, few words or no sentence punctuation."""

    name = "arabic_quality"
    settings_read: ClassVar[tuple[str, ...]] = (
        "ARABIC_QUALITY_ENABLED",
        "ARABIC_QUALITY_MIN_ARABIC_RATIO",
        "ARABIC_QUALITY_MIN_WORDS",
        "ARABIC_QUALITY_MIN_PUNCTUATED_SHARE",
        "ARABIC_QUALITY_MIN_LINES",
    )
    setting_defaults: ClassVar[Mapping[str, Any]] = {
        "ARABIC_QUALITY_ENABLED": True,
        "ARABIC_QUALITY_MIN_ARABIC_RATIO": DEFAULTS.min_arabic_ratio,
        "ARABIC_QUALITY_MIN_WORDS": DEFAULTS.min_words,
        "ARABIC_QUALITY_MIN_PUNCTUATED_SHARE": DEFAULTS.min_punctuated_share,
        "ARABIC_QUALITY_MIN_LINES": DEFAULTS.min_lines,
    }

    def __init__(self, limits: Thresholds = DEFAULTS) -> None:
        self.limits = limits

    @classmethod
    def from_newspipe_settings(cls, settings: BaseSettings) -> Self:
        enabled = str(cls.setting(settings, "ARABIC_QUALITY_ENABLED")).strip().lower()
        if enabled in {"0", "false", "no", "off"}:
            raise NotConfigured("ARABIC_QUALITY_ENABLED is off")
        return cls(
            Thresholds(
                min_arabic_ratio=cls._number(settings, "ARABIC_QUALITY_MIN_ARABIC_RATIO", float),
                min_words=int(cls._number(settings, "ARABIC_QUALITY_MIN_WORDS", int)),
                min_punctuated_share=cls._number(
                    settings, "ARABIC_QUALITY_MIN_PUNCTUATED_SHARE", float
                ),
                min_lines=int(cls._number(settings, "ARABIC_QUALITY_MIN_LINES", int)),
            )
        )

    @classmethod
    def _number(cls, settings: BaseSettings, name: str, kind: type[float] | type[int]) -> float:
        value = cls.setting(settings, name)
        try:
            number = kind(value)
        except (TypeError, ValueError):
            what = "a whole number" if kind is int else "a number"
            raise SettingError(f"{name} must be {what}, got {value!r}") from None
        if number < 0:
            raise SettingError(f"{name} must be 0 or more, got {value!r}")
        return number

    def process(self, doc: ItemAdapter) -> None:
        found = verdict(measure(doc.get("text") or ""), self.limits)
        if found is not None:
            self.reject(*found)
