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
NEWSPIPE_KEEP_DUPLICATES = False
# Scale-out workers (NEWSPIPE_STATE=redis://...): how long a taken unit stays leased without
# renewal (a dead worker's units are taken again after it), and how many units a worker holds.
NEWSPIPE_LEASE_SECONDS = 60.0
NEWSPIPE_WORKER_LOOKAHEAD = 16
# Set by the add-on when empty; a fixed value is for tests and re-runs by hand.
NEWSPIPE_RUN_ID = ""

DEFAULTS: dict[str, Any] = {
    name: value for name, value in dict(globals()).items() if name.startswith("NEWSPIPE_")
}
