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
# Records per output shard (kept and rejects each); 0 writes one file of each per run.
NEWSPIPE_SHARD_DOCS = 10000
# Write output shards as .jsonl.gz.
NEWSPIPE_OUTPUT_GZIP = False
# Seconds between two progress lines in the log; 0 for none.
NEWSPIPE_PROGRESS_INTERVAL = 30.0
# Seconds after which a lock whose holder still seems alive is taken over anyway; 0 for never.
NEWSPIPE_LOCK_STALE_AFTER = 86400.0
# Set by the add-on when empty; a fixed value is for tests and re-runs by hand.
NEWSPIPE_RUN_ID = ""

DEFAULTS: dict[str, Any] = {
    name: value for name, value in dict(globals()).items() if name.startswith("NEWSPIPE_")
}
