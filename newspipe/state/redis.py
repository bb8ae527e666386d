"""The Redis state store: the same state as the SQLite file, shared by workers on several machines.

``NEWSPIPE_STATE=redis://[:password@]host:port/db[/namespace]``. Keys follow scrapy-redis's habit of
one prefix per project and spider: ``newspipe:<namespace>:<what>`` (namespace ``default`` when the
URL names none), so several pipelines can share one Redis.

Transactions are kept client-side, as SQLite keeps them in its journal: every write of the open
transaction is buffered here as an *operation* (a Redis command on a key of this namespace) and
:meth:`RedisState.commit` applies the whole buffer atomically in one Lua script, after checking its
*guards* (conditions that must still hold, such as "this worker still holds the lease on unit 7");
a failed guard applies nothing. Reads consult the buffer first, then Redis. A new kind of state (an
input manifest, LSH bands) is a new key and a new buffered operation: the commit script does not
change.

Redis must keep its data across restarts for the state to mean anything (``appendonly yes``): a
Redis that loses its data forgets every document kept before.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from newspipe.config import SettingError

logger = logging.getLogger(__name__)

DEFAULT_NAMESPACE = "default"

#: Applies buffered operations atomically. ARGV[1]: JSON ``{"guards": [...], "ops": [...]}``.
#: A guard ``["lease", zset, owners, unit, owner]`` holds when ``unit`` is leased by ``owner`` and
#: the lease has not expired (Redis's own clock). Returns ``"OK"`` or ``"LOST <unit>"``.
COMMIT_SCRIPT = """
local plan = cjson.decode(ARGV[1])
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
for _, guard in ipairs(plan.guards) do
  if guard[1] == 'lease' then
    local expiry = redis.call('ZSCORE', guard[2], guard[4])
    local owner = redis.call('HGET', guard[3], guard[4])
    if (not expiry) or tonumber(expiry) < now_ms or owner ~= guard[5] then
      return 'LOST ' .. guard[4]
    end
  end
end
for _, op in ipairs(plan.ops) do
  redis.call(unpack(op))
end
return 'OK'
"""

#: The Redis commands a buffered operation may use (the commit script runs them as given).
ALLOWED_COMMANDS = frozenset(
    {"HSET", "HSETNX", "HDEL", "SADD", "SREM", "ZADD", "ZREM", "SET", "DEL"}
)


class StateUnavailable(RuntimeError):
    """Redis could not be reached or answered with an error; the message has no password."""


class LeaseLost(RuntimeError):
    """A commit found a unit of work leased by another worker (this one was presumed dead)."""


@dataclass(frozen=True)
class RedisLocation:
    """A parsed ``redis://`` URL: where to connect, which namespace, and a printable form."""

    url: str
    host: str
    port: int
    db: int
    namespace: str
    has_password: bool

    @classmethod
    def parse(cls, location: str) -> RedisLocation:
        parts = urlsplit(location)
        if parts.scheme not in {"redis", "rediss"}:
            raise SettingError(f"NEWSPIPE_STATE: not a redis:// URL: {redact(location)}")
        segments = [unquote(s) for s in parts.path.split("/") if s]
        try:
            db = int(segments[0]) if segments else 0
            port = parts.port or 6379
        except ValueError:
            raise SettingError(
                f"NEWSPIPE_STATE: {redact(location)}: expected redis://[:password@]host:port/db"
                "[/namespace] with whole numbers for port and db"
            ) from None
        namespace = segments[1] if len(segments) > 1 else DEFAULT_NAMESPACE
        if len(segments) > 2 or not namespace.replace("-", "").replace("_", "").isalnum():
            raise SettingError(
                f"NEWSPIPE_STATE: {redact(location)}: the namespace after the db number must be "
                "one word of letters, digits, - or _"
            )
        # redis-py parses the db from the path itself: give it the URL without the namespace.
        netloc = parts.netloc
        url = f"{parts.scheme}://{netloc}/{db}"
        return cls(
            url=url,
            host=parts.hostname or "localhost",
            port=port,
            db=db,
            namespace=namespace,
            has_password=parts.password is not None,
        )

    def describe(self) -> str:
        auth = "***@" if self.has_password else ""
        return f"redis://{auth}{self.host}:{self.port}/{self.db}/{self.namespace}"


def redact(location: str) -> str:
    """``location`` with any password replaced by ``***``."""
    parts = urlsplit(location)
    if parts.password is None:
        return location
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    user = parts.username or ""
    return parts._replace(netloc=f"{user}:***@{host}{port}").geturl()


@dataclass
class Pending:
    """The open transaction: operations to apply and guards to check at commit."""

    ops: list[list[str]] = field(default_factory=list)
    guards: list[list[str]] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    #: content hash -> (doc id, run id, unit index or -1), in the order they were added.
    kept: dict[str, tuple[str, str, int]] = field(default_factory=dict)
    inputs: dict[str, str] = field(default_factory=dict)

    def empty(self) -> bool:
        return not (self.ops or self.guards or self.meta or self.kept or self.inputs)


class RedisState:
    """State in Redis; writes buffered here and applied atomically at :meth:`commit`."""

    def __init__(self, location: str, *, client: Any = None) -> None:
        self.location = RedisLocation.parse(location)
        if client is None:
            try:
                import redis
            except ImportError:  # pragma: no cover - the extra is declared in setup.cfg
                raise SettingError(
                    "NEWSPIPE_STATE=redis://... needs redis-py: pip install newspipe[redis]"
                ) from None
            client = redis.Redis.from_url(
                self.location.url,
                decode_responses=True,
                socket_timeout=10,
                socket_connect_timeout=5,
                health_check_interval=30,
            )
        self.client = client
        self.prefix = f"newspipe:{self.location.namespace}:"
        self.pending = Pending()
        #: Called with the error message when Redis fails (the scale-out worker fails the run).
        self.on_unavailable: Callable[[str], None] | None = None
        self.failed: str | None = None
        #: ``(batch key prefix, unit index)`` while a unit of a shared batch is being decided.
        self.current_unit: tuple[str, int] | None = None
        #: Called before a commit is applied and after the store is closed (lease renewal stops).
        self.before_commit: list[Callable[[], None]] = []
        self.after_close: list[Callable[[], None]] = []
        with self.guard_errors("connecting"):
            self.client.ping()
        self._commit_script = self.client.register_script(COMMIT_SCRIPT)

    def key(self, name: str) -> str:
        return self.prefix + name

    def describe(self) -> str:
        return self.location.describe()

    @contextmanager
    def guard_errors(self, doing: str) -> Iterator[None]:
        """Turn redis-py's errors into :class:`StateUnavailable` naming the store (no password)."""
        import redis

        try:
            yield
        except redis.RedisError as exc:
            message = f"{self.describe()}: Redis unavailable while {doing}: {redact(str(exc))}"
            self.fail(message)
            raise StateUnavailable(message) from None

    def fail(self, message: str) -> None:
        """Remember that the store is broken; nothing of the open transaction will be applied."""
        if self.failed is None:
            self.failed = message
            if self.on_unavailable is not None:
                self.on_unavailable(message)

    # -- meta ------------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        if key in self.pending.meta:
            return self.pending.meta[key]
        with self.guard_errors("reading meta"):
            value = self.client.hget(self.key("meta"), key)
        return None if value is None else str(value)

    def set_meta(self, key: str, value: str) -> None:
        self.pending.meta[key] = value

    # -- exact duplicates -----------------------------------------------------------------

    def find_exact(self, content_hash: str) -> str | None:
        unit = self.current_unit
        buffered = self.pending.kept.get(content_hash)
        if buffered is not None and (unit is None or buffered[2] <= unit[1]):
            return buffered[0]
        with self.guard_errors("looking up a content hash"):
            if unit is None:
                value = self.client.hget(self.key("kept"), content_hash)
                decided = None
            else:
                pipe = self.client.pipeline(transaction=False)
                pipe.hget(self.key("kept"), content_hash)
                pipe.hget(unit[0] + "decided", content_hash)
                value, decided = pipe.execute()
        if value is not None:
            return str(value).split(" ", 1)[0]
        if decided is not None and unit is not None:
            # Decisions of units before this one are final; those of this unit (an earlier attempt)
            # or later ones are being made again and must not be seen.
            doc_id, _run_id, index = str(decided).split(" ")
            if int(index) < unit[1]:
                return doc_id
        return None

    def add_kept(self, content_hash: str, doc_id: str, run_id: str) -> None:
        index = self.current_unit[1] if self.current_unit is not None else -1
        earlier = self.pending.kept.get(content_hash)
        if earlier is not None and (index < 0 or earlier[2] <= index):
            return  # first writer wins, as SQLite's INSERT OR IGNORE
        self.pending.kept[content_hash] = (doc_id, run_id, index)

    def take_unit_kept(self, index: int) -> dict[str, tuple[str, str]]:
        """The kept entries added while deciding unit ``index`` (they stay in the transaction)."""
        return {
            digest: (doc_id, run_id)
            for digest, (doc_id, run_id, unit) in self.pending.kept.items()
            if unit == index
        }

    # -- the input manifest (issue 7's StateStore methods) --------------------------------

    def get_inputs(self, keys: list[str]) -> dict[str, str]:
        """The stored records of those of ``keys`` that earlier runs ingested."""
        found: dict[str, str] = {}
        wanted = [key for key in keys if key not in self.pending.inputs]
        for start in range(0, len(wanted), 1000):
            chunk = wanted[start : start + 1000]
            with self.guard_errors("reading the input manifest"):
                values = self.client.hmget(self.key("inputs"), chunk)
            found.update((k, str(v)) for k, v in zip(chunk, values, strict=True) if v is not None)
        found.update((k, self.pending.inputs[k]) for k in keys if k in self.pending.inputs)
        return found

    def set_input(self, key: str, record: str) -> None:
        self.pending.inputs[key] = record

    # -- the transaction -----------------------------------------------------------------

    def buffer(self, command: str, *args: str | int | float) -> None:
        """Add one write to the open transaction (for the work queue and later kinds of state)."""
        if command not in ALLOWED_COMMANDS:
            raise ValueError(f"not a buffered write command: {command}")
        self.pending.ops.append([command, *(str(a) for a in args)])

    def guard_lease(self, leases_key: str, owners_key: str, unit: int, owner: str) -> None:
        """At commit, apply nothing unless ``owner`` still holds the lease on ``unit``."""
        self.pending.guards.append(["lease", leases_key, owners_key, str(unit), owner])

    def plan(self) -> dict[str, list[list[str]]]:
        """The guards and operations :meth:`commit` sends, state writes first."""
        ops: list[list[str]] = [
            ["HSET", self.key("meta"), k, v] for k, v in self.pending.meta.items()
        ]
        ops.extend(
            ["HSETNX", self.key("kept"), digest, f"{doc_id} {run_id}"]
            for digest, (doc_id, run_id, _unit) in self.pending.kept.items()
        )
        ops.extend(["HSET", self.key("inputs"), k, v] for k, v in self.pending.inputs.items())
        ops.extend(self.pending.ops)
        return {"guards": self.pending.guards, "ops": ops}

    def commit(self) -> None:
        for hook in self.before_commit:
            hook()
        if self.failed is not None:
            # Redis failed during the run (or the run stopped early): apply nothing; the next
            # run does the work again.
            logger.warning("%s: nothing committed: %s", self.describe(), self.failed)
            self.rollback()
            return
        if self.pending.empty():
            return
        with self.guard_errors("committing"):
            answer = str(self._commit_script(args=[json.dumps(self.plan(), ensure_ascii=False)]))
        self.pending = Pending()
        if answer != "OK":
            message = (
                f"{self.describe()}: nothing committed: unit {answer.split()[-1]} was taken over "
                "by another worker (this one missed its lease renewals)"
            )
            self.fail(message)
            raise LeaseLost(message)

    def rollback(self) -> None:
        self.pending = Pending()

    def close(self) -> None:
        self.rollback()
        for hook in self.after_close:
            hook()
        try:
            self.client.close()
        except Exception:  # closing a dead connection has nothing left to lose
            logger.debug("closing the Redis client failed", exc_info=True)


def is_redis_location(location: str) -> bool:
    return location.startswith(("redis://", "rediss://"))
