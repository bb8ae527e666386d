"""newspipe's stages, and the base class users write their own on (:class:`Stage`)."""

from newspipe.stages.base import Stage

__all__ = ["Stage"]
