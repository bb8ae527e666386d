"""Scrapy settings of the newspipe project.

newspipe's own settings (``NEWSPIPE_*``) have their defaults in :mod:`newspipe.defaults`; the add-on
listed in ``ADDONS`` installs them, the feeds and the run recorder. Override any of them here, with
``-s NAME=VALUE``, or in the environment as ``SCRAPY_NAME=VALUE``.
"""

BOT_NAME = "newspipe"
SPIDER_MODULES = ["newspipe.spiders"]
NEWSPIDER_MODULE = "newspipe.spiders"
COMMANDS_MODULE = "newspipe.commands"

ADDONS = {"newspipe.addon.NewspipeAddon": 0}

# newspipe's stages, in order of priority. Scrapy adds ITEM_PIPELINES to these, so a stage or
# plain pipeline of your own goes in ITEM_PIPELINES (or -s ITEM_PIPELINES='{"mod.Class": 250}')
# between two of these numbers; None there switches a stage off. See docs/writing-a-stage.md.
ITEM_PIPELINES_BASE = {
    "newspipe.stages.clean.CleanStage": 100,
    "newspipe.stages.language.LanguageStage": 200,
    "newspipe.stages.attribution.AttributionStage": 270,
    "newspipe.stages.dedup.DedupStage": 300,
    "newspipe.stages.source.SourceStage": 400,
}
ITEM_PIPELINES: dict[str, int | None] = {}

# newspipe reads local files only: no robots.txt, no telnet console, no network.
ROBOTSTXT_OBEY = False
TELNETCONSOLE_ENABLED = False
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
REMOTE_CONTROL_ENABLED = False
