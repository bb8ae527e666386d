"""A stop that cannot hang: SIGTERM or Ctrl-C, then at most ``NEWSPIPE_STOP_GRACE`` seconds.

Scrapy's graceful shutdown can wait for ever on a crawl whose items come from ``start()`` (seen
with Scrapy 2.19: "Closing spider (shutdown)", then nothing), which would leave a cron job hanging.
newspipe's output is crash-safe (see :mod:`newspipe.shards`), so a stop that overstays its grace
ends the process the way a kill would: what was committed stays, the rest is redone by the next
run, which also writes the stopped run's manifest (status ``interrupted``).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from types import FrameType
from typing import Any

from newspipe.run import EXIT_FAILED

logger = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def install_stop_watchdog(grace: float) -> None:
    """Wrap the current SIGINT and SIGTERM handlers (Scrapy's) with a deadline of ``grace`` s."""
    if grace <= 0 or threading.current_thread() is not threading.main_thread():
        return
    for signum in STOP_SIGNALS:
        previous = signal.getsignal(signum)
        signal.signal(signum, _with_deadline(previous, grace))


def _with_deadline(previous: Any, grace: float) -> Any:
    def handler(signum: int, frame: FrameType | None) -> None:
        timer = threading.Timer(grace, _force_exit, args=(signal.Signals(signum).name, grace))
        timer.daemon = True
        timer.start()
        if callable(previous):
            previous(signum, frame)

    return handler


def _force_exit(name: str, grace: float) -> None:
    logger.error(
        "%s: the crawl did not stop within %g s; exiting now (committed output stays, the next "
        "run finishes the work)",
        name,
        grace,
    )
    logging.shutdown()
    os._exit(EXIT_FAILED)
