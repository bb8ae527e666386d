"""Large models a process loads once, and how the crawl process avoids loading one for a batch.

When the worker processes are behind, the crawl process runs the next batch of small files
itself (:mod:`newspipe.ahead`). If a document of that batch needs a model the crawl process has
not loaded (langdetect's profiles: 63 MB), loading it there would cost that memory for the rest
of the run, for one batch. Inside :func:`refusing_large_loads`, :func:`before_loading` raises
:class:`LoadRefused` instead, and the crawl process hands the batch back to the workers, which
have the model.

A stage of yours that loads a large model once per process calls ``before_loading("what")`` just
before it does (not when the model is already loaded).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class LoadRefused(Exception):
    """A large model is not loaded in this process and is not to be loaded for this work."""


_refusing = threading.local()


@contextmanager
def refusing_large_loads() -> Iterator[None]:
    """Within the block, on this thread, :func:`before_loading` raises :class:`LoadRefused`."""
    before = getattr(_refusing, "on", False)
    _refusing.on = True
    try:
        yield
    finally:
        _refusing.on = before


def before_loading(what: str) -> None:
    """Called just before a large model is loaded: raises :class:`LoadRefused` if it may not be."""
    if getattr(_refusing, "on", False):
        raise LoadRefused(f"{what} not loaded in this process")
