"""Default values of every ``NEWSPIPE_*`` setting, in one place.

The add-on (:mod:`newspipe.addon`) installs them at Scrapy's ``default`` priority, so
``settings.py``, ``-s`` and the environment override them as usual.
"""

from __future__ import annotations

from typing import Any

NEWSPIPE_SEEDS = "seeds"
NEWSPIPE_OUTPUT_DIR = "output"
# Empty means a SQLite file under NEWSPIPE_OUTPUT_DIR (see newspipe.state).
NEWSPIPE_STATE = ""
NEWSPIPE_LANGUAGES = "ar"
NEWSPIPE_LANGID_BACKEND = "langdetect"
# Characters of a text that language identification reads (a few spans, beginning and middle).
NEWSPIPE_LANGID_SAMPLE_CHARS = 600
# Documents whose language probability is below this are rejected with reason ``language``.
NEWSPIPE_LANGID_MIN_SCORE = 0.5
# The reject reason of a text with no letters (language ``und``): ``empty`` or ``language``.
NEWSPIPE_LANGID_UNDETERMINED = "empty"
NEWSPIPE_NEAR_DUP_THRESHOLD = 0.8
NEWSPIPE_KEEP_DUPLICATES = False
# Set by the add-on when empty; a fixed value is for tests and re-runs by hand.
NEWSPIPE_RUN_ID = ""

DEFAULTS: dict[str, Any] = {
    name: value for name, value in dict(globals()).items() if name.startswith("NEWSPIPE_")
}
