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
# Inputs (newspipe.inputs): size bounds, symbolic links, where JSON records keep each field.
NEWSPIPE_MAX_DOC_BYTES = 5_000_000
NEWSPIPE_MAX_ARCHIVE_BYTES = 2_000_000_000
NEWSPIPE_FOLLOW_SYMLINKS = False
NEWSPIPE_TEXT_FIELDS = "text,content,body,article"
NEWSPIPE_TITLE_FIELDS = "title,headline"
NEWSPIPE_URL_FIELDS = "url,link,href"
NEWSPIPE_SOURCE_FIELDS = "source,site,outlet"
NEWSPIPE_DATE_FIELDS = (
    "date,published,published_at,date_published,pubdate,datetime,timestamp,"
    "date_extracted,crawled_at"
)
NEWSPIPE_AUTHOR_FIELDS = "author,authors,byline"
# Source names by path pattern or URL domain: "pattern=name,...", and/or a CSV file of them.
NEWSPIPE_SOURCE_MAP = ""
NEWSPIPE_SOURCE_MAP_FILE = ""
# Set by the add-on when empty; a fixed value is for tests and re-runs by hand.
NEWSPIPE_RUN_ID = ""

DEFAULTS: dict[str, Any] = {
    name: value for name, value in dict(globals()).items() if name.startswith("NEWSPIPE_")
}
