"""A newspipe stage that rejects junk Arabic news text, with a reason word for each kind of junk.

Enable it in your project's ``settings.py``::

    ITEM_PIPELINES = {"newspipe_arabic_quality.ArabicQualityStage": 150}
"""

from newspipe_arabic_quality.measures import Measures, Thresholds, measure, verdict
from newspipe_arabic_quality.stage import ArabicQualityStage

__all__ = ["ArabicQualityStage", "Measures", "Thresholds", "measure", "verdict"]
