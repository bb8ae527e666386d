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
# Near-duplicate index (newspipe.dedup): word shingles of the normalised text, MinHash signatures,
# LSH bands x rows (datatrove's 14 x 8: pairs at Jaccard 0.85 meet in a band 99% of the time).
# Changing any of these four needs a new state (the state refuses a different index profile).
NEWSPIPE_SHINGLE_SIZE = 5
NEWSPIPE_MINHASH_PERMUTATIONS = 112
NEWSPIPE_LSH_BANDS = 14
NEWSPIPE_LSH_ROWS = 8
NEWSPIPE_KEEP_DUPLICATES = False
# Worker processes that run the pure stages ahead: "auto" is one per core but one (the crawl
# process keeps that one busy), 0 runs everything in the crawl process.
NEWSPIPE_WORKERS = "auto"
# Clean stage: keep Arabic diacritics in `text`; residue-line patterns added to (or replacing,
# with NEWSPIPE_RESIDUE_BUILTIN=false) the built-in ones: a list, a {source: patterns} mapping
# ("*" for every source), or a string of JSON or of one pattern per line (newspipe.text.residue).
NEWSPIPE_KEEP_DIACRITICS = False
NEWSPIPE_RESIDUE_PATTERNS: Any = ""
NEWSPIPE_RESIDUE_BUILTIN = True
# A state made with another normalisation profile is refused unless this is true: then its dedup
# index and input manifest are emptied and it is stamped with the current profile.
NEWSPIPE_REBUILD_STATE = False
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
# Records per output shard (kept and rejects each); 0 writes one file of each per run.
NEWSPIPE_SHARD_DOCS = 10000
# Write output shards as .jsonl.gz.
NEWSPIPE_OUTPUT_GZIP = False
# Seconds between two progress lines in the log; 0 for none.
NEWSPIPE_PROGRESS_INTERVAL = 30.0
# Seconds after which a lock whose holder still seems alive is taken over anyway; 0 for never.
NEWSPIPE_LOCK_STALE_AFTER = 86400.0
# Scale-out workers (NEWSPIPE_STATE=redis://...): how long a taken unit stays leased without
# renewal (a dead worker's units are taken again after it), and how many units a worker holds.
NEWSPIPE_LEASE_SECONDS = 60.0
NEWSPIPE_WORKER_LOOKAHEAD = 16
# Seconds a stop (SIGTERM, Ctrl-C) may take before the process exits anyway (crash-safe); 0: wait.
NEWSPIPE_STOP_GRACE = 30.0
# Set by the add-on when empty; a fixed value is for tests and re-runs by hand.
NEWSPIPE_RUN_ID = ""

DEFAULTS: dict[str, Any] = {
    name: value for name, value in dict(globals()).items() if name.startswith("NEWSPIPE_")
}
