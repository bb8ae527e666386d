"""One run of ``scrapy crawl seeds``: its id, output folder, state store, status and exit code."""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from newspipe.config import SettingError, get_bool, get_str
from newspipe.manifest import InputManifest
from newspipe.shards import shard_name
from newspipe.state import StateStore, open_state
from newspipe.text.normalize import NORM_PROFILE

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

#: Exit status of a completed run, of a failed one, and of a run that found the lock taken.
EXIT_OK, EXIT_FAILED, EXIT_LOCKED = 0, 1, 75


def new_run_id(now: datetime | None = None) -> str:
    """A run id such as ``20261122T081500Z-3f2a91``: sortable by time, unique by its suffix.

    The suffix's first two digits are the 256ths of the second (a run over unchanged inputs ends
    within the second it started in, and the next one must sort after it), the last four random
    (workers started together must not share an id).
    """
    now = now or datetime.now(UTC)
    fraction = now.microsecond * 256 // 1_000_000
    return f"{now:%Y%m%dT%H%M%SZ}-{fraction:02x}{secrets.token_hex(2)}"


def utc_now() -> str:
    """The current time as ISO 8601 UTC, to the second (asked for every document kept: the
    text of the current second is made once)."""
    global _second_text
    second = int(time.time())
    if _second_text[0] != second:
        moment = datetime.fromtimestamp(second, UTC)
        _second_text = (second, moment.isoformat(timespec="seconds").replace("+00:00", "Z"))
    return _second_text[1]


_second_text: tuple[int, str] = (-1, "")


@dataclass
class OutputFile:
    """A complete file the run wrote, for the manifest."""

    path: Path
    kind: str
    lines: int


@dataclass
class Run:
    """What every part of a crawl shares about the run it belongs to."""

    run_id: str
    output_dir: Path
    state_location: str
    started_at: str = field(default_factory=utc_now)
    status: str = "running"
    error: str | None = None
    exit_code: int = EXIT_OK
    outputs: list[OutputFile] = field(default_factory=list)
    #: NEWSPIPE_REBUILD_STATE: empty a state made with another normalisation profile.
    rebuild_state: bool = False
    _state: StateStore | None = None
    inputs: InputManifest = field(init=False)

    def __post_init__(self) -> None:
        self.inputs = InputManifest(lambda: self.state)

    @property
    def state(self) -> StateStore:
        """The state store, opened (and its normalisation profile checked) on first use."""
        if self._state is None:
            state = open_state(self.state_location, self.output_dir)
            try:
                check_profile(state, rebuild=self.rebuild_state)
            except BaseException:
                state.close()
                raise
            self._state = state
        return self._state

    @property
    def state_opened(self) -> bool:
        return self._state is not None

    def fail(self, message: str, exit_code: int = EXIT_FAILED) -> None:
        """Mark the run failed and stop reading; the first failure is the one reported."""
        if self.error is None:
            self.error = message
            logger.error("%s", message)
            self.exit_code = exit_code
        self.status = "failed"
        self.inputs.stopped = True

    def manifest_path(self) -> Path:
        return self.output_dir / "runs" / f"{self.run_id}.json"

    def kept_path(self, shard: int | None = 1) -> Path:
        """The kept file of ``shard`` (None: the single file of an unsharded run)."""
        return self.output_dir / shard_name(self.run_id, "kept", shard, gzipped=False)

    def rejects_path(self, shard: int | None = 1) -> Path:
        return self.output_dir / shard_name(self.run_id, "rejects", shard, gzipped=False)

    def as_manifest(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "status": self.status,
            "exit_code": self.exit_code,
            "error": self.error,
            "started_at": self.started_at,
            "norm_profile": NORM_PROFILE,
            "state": self._state.describe() if self._state else None,
            "files": [
                {"path": out.path.name, "kind": out.kind, "lines": out.lines}
                for out in self.outputs
            ],
        }


def check_profile(state: StateStore, *, rebuild: bool = False) -> None:
    """Refuse a state whose hashes were made with another normalisation profile.

    With ``rebuild``, such a state is emptied instead (dedup index and input manifest) and stamped
    with the current profile, inside the run's transaction (committed with the run's own writes).
    """
    stored = state.get_meta("norm_profile")
    if stored is None:
        state.set_meta("norm_profile", NORM_PROFILE)
        state.commit()
    elif stored != NORM_PROFILE:
        if not rebuild:
            raise SettingError(
                f"{state.describe()}: state built with normalisation profile {stored!r}, this "
                f"newspipe uses {NORM_PROFILE!r}: set NEWSPIPE_REBUILD_STATE=true to empty it and "
                "re-read every input, or point NEWSPIPE_STATE at a new file"
            )
        logger.warning(
            "%s: state built with normalisation profile %r; emptied and rebuilt with %r "
            "(NEWSPIPE_REBUILD_STATE)",
            state.describe(),
            stored,
            NORM_PROFILE,
        )
        state.reset()
        state.set_meta("norm_profile", NORM_PROFILE)


_RUNS: WeakKeyDictionary[Crawler, Run] = WeakKeyDictionary()


def run_from_settings(settings: BaseSettings) -> Run:
    """A new run as the settings make it; raise :class:`SettingError` on a bad value."""
    return Run(
        run_id=get_str(settings, "NEWSPIPE_RUN_ID") or new_run_id(),
        output_dir=Path(get_str(settings, "NEWSPIPE_OUTPUT_DIR") or "."),
        state_location=get_str(settings, "NEWSPIPE_STATE"),
        rebuild_state=get_bool(settings, "NEWSPIPE_REBUILD_STATE"),
    )


def run_for(crawler: Crawler) -> Run:
    """The run of ``crawler``, created from its settings on first use."""
    run = _RUNS.get(crawler)
    if run is None:
        run = run_from_settings(crawler.settings)
        run.inputs.stats = crawler.stats
        _RUNS[crawler] = run
    return run
