"""newspipe's stages, and the base classes users write their own on.

Write a stage by subclassing :class:`Stage` (``process(doc)`` on the reactor thread, in input
order) or :class:`AsyncStage` (``async process(doc)`` awaiting a thread or process pool for
CPU-heavy work); see ``docs/writing-a-stage.md``.
"""

from newspipe.stages.base import AsyncStage, BaseStage, Stage

__all__ = ["AsyncStage", "BaseStage", "Stage"]
