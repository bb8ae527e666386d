"""Where a document comes from: the user's source mapping, the news agencies its text credits."""

from newspipe.sources.attribution import attributions
from newspipe.sources.mapping import SourceMap

__all__ = ["SourceMap", "attributions"]
