"""Clean stage: the spider's verdict on the input, then diacritics, tatweel and spacing."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Self

from newspipe.config import get_bool
from newspipe.document import INPUT_REJECT
from newspipe.text.clean import clean_text

if TYPE_CHECKING:
    from itemadapter import ItemAdapter
    from scrapy.settings import BaseSettings


class CleanStage(Stage := __import__("newspipe.stages.base", fromlist=["Stage"]).Stage):  # type: ignore[misc,valid-type]
    pass
