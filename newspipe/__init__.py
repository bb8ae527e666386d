"""newspipe: clean, deduplicated, language- and source-tagged JSON Lines from Arabic news files."""

__version__ = "0.1.0"
