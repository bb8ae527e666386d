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

# The stages, in order. Leave gaps: a stage of your own slots between two of these (see README).
ITEM_PIPELINES = {
    "newspipe.stages.clean.CleanStage": 100,
    "newspipe.stages.language.LanguageStage": 200,
    "newspipe.stages.dedup.DedupStage": 300,
    "newspipe.stages.source.SourceStage": 400,
}

# newspipe reads local files only: no robots.txt, no telnet console, no network.
ROBOTSTXT_OBEY = False
TELNETCONSOLE_ENABLED = False
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
REMOTE_CONTROL_ENABLED = False
