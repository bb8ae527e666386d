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
NEWSPIPE_NEAR_DUP_THRESHOLD = 0.8
# Near-duplicate index (newspipe.dedup): word shingles of the normalised text, MinHash signatures,
# LSH bands x rows (datatrove's 14 x 8: pairs at Jaccard 0.85 meet in a band 99% of the time).
# Changing any of these four needs a new state (the state refuses a different index profile).
NEWSPIPE_SHINGLE_SIZE = 5
NEWSPIPE_MINHASH_PERMUTATIONS = 112
NEWSPIPE_LSH_BANDS = 14
NEWSPIPE_LSH_ROWS = 8
NEWSPIPE_KEEP_DUPLICATES = False
# Set by the add-on when empty; a fixed value is for tests and re-runs by hand.
NEWSPIPE_RUN_ID = ""

DEFAULTS: dict[str, Any] = {
    name: value for name, value in dict(globals()).items() if name.startswith("NEWSPIPE_")
}
