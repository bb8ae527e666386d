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

Entries of the dedup index carry the unit of the shared batch that kept them (see
:mod:`newspipe.scaleout`) and their place in the order kept (:func:`order_key`): lookups made for a
unit ignore entries of that unit and of later ones, and a commit applies only the entries of units
marked decided, keeping the others pending for a later commit.

Redis must keep its data across restarts for the state to mean anything (``appendonly yes``): a
Redis that loses its data forgets every document kept before.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from newspipe.config import SettingError
from newspipe.state.base import NothingCommitted

logger = logging.getLogger(__name__)

DEFAULT_NAMESPACE = "default"

#: Applies one buffered operation: a Redis command, or one of two compound writes of the
#: near-duplicate index (tokens are ``order/doc_id``, see :func:`order_key`):
#: ``HAPPEND key field token [cap]`` appends ``token`` to a space-separated list (once; while it
#: has fewer than ``cap`` tokens), ``NEARADD docs bands doc_id record token band...`` records a
#: document once and, the first time only, appends it to the list of each of its LSH bands.
APPLY_OPS = """
local function happend(key, field, token, cap)
  local current = redis.call('HGET', key, field)
  if not current then
    redis.call('HSET', key, field, token)
    return
  end
  if string.find(' ' .. current .. ' ', ' ' .. token .. ' ', 1, true) then return end
  if cap then
    local _, spaces = string.gsub(current, ' ', ' ')
    if spaces + 1 >= tonumber(cap) then return end
  end
  redis.call('HSET', key, field, current .. ' ' .. token)
end
local function apply(op)
  if op[1] == 'HAPPEND' then
    happend(op[2], op[3], op[4], op[5])
  elseif op[1] == 'NEARADD' then
    if redis.call('HSETNX', op[2], op[4], op[5]) == 1 then
      for i = 7, #op do happend(op[3], op[i], op[6], nil) end
    end
  else
    redis.call(unpack(op))
  end
end
"""

#: Applies buffered operations atomically. ARGV[1]: JSON ``{"guards": [...], "ops": [...]}``.
#: A guard ``["lease", zset, owners, unit, owner]`` holds when ``unit`` is leased by ``owner`` and
#: the lease has not expired (Redis's own clock). Returns ``"OK"`` or ``"LOST <unit>"``.
COMMIT_SCRIPT = (
    APPLY_OPS
    + """
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
for _, op in ipairs(plan.ops) do apply(op) end
return 'OK'
"""
)

#: The Redis commands a buffered operation may use (the commit script runs them as given).
ALLOWED_COMMANDS = frozenset(
    {"HSET", "HSETNX", "HDEL", "SADD", "SREM", "ZADD", "ZREM", "SET", "DEL", "HAPPEND", "NEARADD"}
)


class StateUnavailable(RuntimeError):
    """Redis could not be reached or answered with an error; the message has no password."""


class LeaseLost(NothingCommitted):
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


#: A print keeps at most this many holders unless told otherwise (MAX_PRINT_HOLDERS + 1).
DEFAULT_HOLDER_CAP = 21


def order_key(epoch: int, unit: int, number: int) -> str:
    """Where a kept document stands in the order kept, as a string that sorts in that order.

    ``epoch`` numbers the batches (and lone runs) of a namespace as they start; ``unit`` is the
    unit of the batch (-1 outside one); ``number`` counts the documents kept in the unit. Within a
    batch this is the single-run order (unit index, then position), whichever worker kept it.
    """
    return f"{epoch:010d}.{unit + 1:010d}.{number:010d}"


def order_parts(order: str) -> tuple[int, int]:
    """The epoch and unit of an :func:`order_key`."""
    epoch, unit, _ = order.split(".")
    return int(epoch), int(unit) - 1


@dataclass
class NearEntry:
    """A kept document of the open transaction in the near-duplicate index."""

    order: str
    unit: int
    source: str | None
    signature: bytes
    band_keys: list[int]

    def record(self) -> str:
        return json.dumps([self.order, self.source, self.signature.hex()])


@dataclass
class UnitEntries:
    """What one unit added to the open transaction (keys into :class:`Pending`, in order)."""

    kept: dict[str, None] = field(default_factory=dict)
    near: dict[str, None] = field(default_factory=dict)
    prints: dict[int, None] = field(default_factory=dict)


@dataclass
class Pending:
    """The open transaction: operations to apply and guards to check at commit.

    Entries carry the unit of the batch they were decided in (-1 outside a batch): a commit applies
    those of units marked decided (and -1) and keeps the others for a later commit.
    """

    ops: list[list[str]] = field(default_factory=list)
    guards: list[list[str]] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    #: content hash -> (doc id, run id, unit index or -1, order), in the order they were added.
    kept: dict[str, tuple[str, str, int, str]] = field(default_factory=dict)
    inputs: dict[str, str] = field(default_factory=dict)
    near: dict[str, NearEntry] = field(default_factory=dict)
    #: band key -> doc ids of ``near`` (in the order added)
    bands: dict[int, list[str]] = field(default_factory=dict)
    #: print -> (order, doc id, unit) of its holders, in the order added
    prints: dict[int, list[tuple[str, str, int]]] = field(default_factory=dict)
    #: units whose entries the next commit may apply
    decided: set[int] = field(default_factory=set)
    #: unit -> what it added (publishing a unit's decisions reads its own entries only: the
    #: whole transaction holds those of every unit since the last commit, up to a shard's)
    units: dict[int, UnitEntries] = field(default_factory=dict)
    #: reset() was called: forget every committed record at commit, and do not read them now
    reset: bool = False

    def empty(self) -> bool:
        return not (
            self.ops
            or self.guards
            or self.meta
            or self.kept
            or self.inputs
            or self.near
            or self.prints
            or self.reset
        )


#: The keys of a namespace that :meth:`RedisState.reset` empties (all but meta and the queue).
RESET_KEYS = (
    "kept",
    "inputs",
    "ingested",
    "ingested_lines",
    "near:docs",
    "near:bands",
    "prints",
)


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
        #: The epoch of the shared batch this store works for (set by the scale-out worker).
        self.batch_epoch: int | None = None
        #: Called before a commit is applied and after the store is closed (lease renewal stops).
        self.before_commit: list[Callable[[], None]] = []
        #: Called after a commit was applied, with the units it committed.
        self.after_commit: list[Callable[[set[int]], None]] = []
        self.after_close: list[Callable[[], None]] = []
        self.holder_cap = DEFAULT_HOLDER_CAP
        self._own_epoch: int | None = None
        self._counters: dict[int, int] = {}
        self._last_order: tuple[str, str] | None = None
        #: What :meth:`prefetch` read for the document being judged, and the unit it was read in.
        self._prefetched: dict[tuple[str, tuple[str, ...]], list[tuple[str, list[Any]]]] = {}
        self._prefetched_in: tuple[str, int] | None = None
        #: What :meth:`read_ahead` read for several documents, by ``(name, field)``, and the
        #: ``(batch key prefix, first unit, last unit)`` it serves.
        self._ahead: dict[tuple[str, str], list[tuple[str, Any]]] = {}
        self._ahead_for: tuple[str, int, int] | None = None
        #: The lookups of documents not judged yet, by content hash: made once a document (read
        #: ahead, checked at the gate, read or not at its judging, where they are let go).
        self._lookups_made: dict[str, list[tuple[str, list[str], str]]] = {}
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

    # -- order and visibility ---------------------------------------------------------------

    def _unit(self) -> int:
        return self.current_unit[1] if self.current_unit is not None else -1

    def _epoch(self) -> int:
        if self.batch_epoch is not None:
            return self.batch_epoch
        if self._own_epoch is None:
            with self.guard_errors("numbering the run"):
                self._own_epoch = int(self.client.incr(self.key("epoch")))
        return self._own_epoch

    def _order_for(self, doc_id: str) -> str:
        """The order of ``doc_id``, kept just now (the same for each of its index records)."""
        if self._last_order is not None and self._last_order[0] == doc_id:
            return self._last_order[1]
        unit = self._unit()
        number = self._counters.get(unit, 0)
        self._counters[unit] = number + 1
        order = order_key(self._epoch(), unit, number)
        self._last_order = (doc_id, order)
        return order

    def _visible_pending(self, unit: int) -> bool:
        return self.current_unit is None or unit <= self.current_unit[1]

    def _visible(self, scope: str, order: str) -> bool:
        """Whether a stored record is seen by the unit being decided: decisions of this unit (an
        earlier attempt) and of later units of the batch are being made again, and are not."""
        current = self.current_unit
        if current is None:
            return True
        epoch, unit = order_parts(order)
        if scope == "batch":
            return unit < current[1]
        return not (epoch == self.batch_epoch and unit >= current[1])

    def _targets(self, name: str, batch_name: str = "") -> list[tuple[str, str]]:
        """The keys a lookup of ``name`` reads: the committed one and, in a batch, the batch's
        (``batch_name``: when the batch calls it otherwise)."""
        targets: list[tuple[str, str]] = []
        if not self.pending.reset:
            targets.append(("global", self.key(name)))
        if self.current_unit is not None:
            targets.append(("batch", self.current_unit[0] + (batch_name or name)))
        return targets

    def _read_scoped(
        self, reads: list[tuple[str, list[str], str]], doing: str
    ) -> dict[tuple[str, tuple[str, ...]], list[tuple[str, list[Any]]]]:
        """``HMGET`` of each ``(name, fields, batch name)`` in every scope, in one round trip."""
        planned = [
            (name, fields, self._targets(name, batch_name))
            for name, fields, batch_name in reads
            if fields
        ]
        if not any(targets for _, _, targets in planned):
            return {}
        with self.guard_errors(doing):
            pipe = self.client.pipeline(transaction=False)
            for _, fields, targets in planned:
                for _, key in targets:
                    pipe.hmget(key, fields)
            answers = iter(pipe.execute())
        return {
            (name, tuple(fields)): [(scope, list(next(answers))) for scope, _ in targets]
            for name, fields, targets in planned
        }

    def _hmget_scoped(
        self, name: str, fields: list[str], doing: str, batch_name: str = ""
    ) -> list[tuple[str, list[Any]]]:
        """``HMGET`` of the committed key ``name`` and, in a batch, of the batch's decisions
        (``batch_name``: when the batch calls them otherwise); what :meth:`prefetch` read for
        this unit answers first."""
        if self._prefetched and self._prefetched_in == self.current_unit:
            found = self._prefetched.pop((name, tuple(fields)), None)
            if found is not None:
                return found
        ahead = self._read_before(name, fields)
        if ahead is not None:
            return ahead
        reads = [(name, fields, batch_name)]
        return self._read_scoped(reads, doing).get((name, tuple(fields)), [])

    def _lookups(
        self, content_hash: str, band_keys: Sequence[int], prints: Sequence[int]
    ) -> list[tuple[str, list[str], str]]:
        """What judging one document looks up: ``(name, fields, batch name)``. The band keys
        and prints follow from the text as the content hash does: the hash names them."""
        made = self._lookups_made.get(content_hash)
        if made is None:
            made = self._lookups_made[content_hash] = [
                ("kept", [content_hash], "decided"),
                ("near:bands", [str(band) for band in dict.fromkeys(band_keys)], ""),
                ("prints", [str(value) for value in dict.fromkeys(prints)], ""),
            ]
        return made

    def prefetch(self, content_hash: str, band_keys: Sequence[int], prints: Sequence[int]) -> None:
        """Read in one round trip what judging one document looks up: its content hash, band
        keys and passage prints, committed and in the batch (three round trips one by one, on
        the path every document of a batch takes in turn). Each answer serves one lookup.
        Nothing to read when :meth:`read_ahead` read it all already."""
        lookups = self._lookups(content_hash, band_keys, prints)
        del self._lookups_made[content_hash]  # judged now: its last use
        if self.has_read_ahead(lookups):
            self._prefetched = {}
            return
        self._prefetched = self._read_scoped(lookups, "looking up a document")
        self._prefetched_in = self.current_unit

    def read_ahead(
        self, documents: Sequence[tuple[str, Sequence[int], Sequence[int]]], last_unit: int
    ) -> None:
        """Read in one round trip the lookups of several documents (content hash, band keys,
        prints) of the units from the current one to ``last_unit``.

        Only for units this worker alone decides, from the current one, whose documents may
        be judged now: the decisions of every unit before it are published, or are this
        worker's own, in its open transaction. So their lookups read now what they would read
        later, and the entries of these units themselves will be in the open transaction too. A
        commit empties the transaction, and with it what was read ahead.
        """
        current = self.current_unit
        if current is None:
            return
        reads: dict[tuple[str, str], dict[str, None]] = {}
        for document in documents:
            for name, fields, batch_name in self._lookups(*document):
                reads.setdefault((name, batch_name), {}).update(dict.fromkeys(fields))
        found = self._read_scoped(
            [(name, list(fields), batch_name) for (name, batch_name), fields in reads.items()],
            "looking up documents",
        )
        self._ahead = {
            (name, field): [(scope, values[i]) for scope, values in scoped]
            for (name, fields), scoped in found.items()
            for i, field in enumerate(fields)
        }
        self._ahead_for = (current[0], current[1], last_unit)

    def _ahead_serves_current_unit(self) -> bool:
        span, current = self._ahead_for, self.current_unit
        return (
            span is not None
            and current is not None
            and current[0] == span[0]
            and span[1] <= current[1] <= span[2]
        )

    def has_read_ahead(self, lookups: list[tuple[str, list[str], str]]) -> bool:
        """Whether :meth:`read_ahead` read every field of ``lookups`` for the current unit."""
        if not self._ahead_serves_current_unit():
            return False
        ahead = self._ahead
        return all((name, field) in ahead for name, fields, _ in lookups for field in fields)

    def has_read_ahead_for(self, document: tuple[str, Sequence[int], Sequence[int]]) -> bool:
        """Whether the lookups of ``document`` (content hash, band keys, prints) were read."""
        # the span first: without a read-ahead for this unit, no field names need be made
        return self._ahead_serves_current_unit() and self.has_read_ahead(self._lookups(*document))

    def _read_before(self, name: str, fields: list[str]) -> list[tuple[str, list[Any]]] | None:
        """The answers :meth:`read_ahead` holds for ``fields`` of ``name``, by scope, if all."""
        if not fields or not self.has_read_ahead([(name, fields, "")]):
            return None
        answers = [self._ahead[(name, field)] for field in fields]
        return [
            (scope, [answer[i][1] for answer in answers]) for i, (scope, _) in enumerate(answers[0])
        ]

    def _forget_read_ahead(self) -> None:
        self._ahead = {}
        self._ahead_for = None
        self._lookups_made = {}  # those of documents read ahead that were not judged

    # -- meta ------------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        if key in self.pending.meta:
            return self.pending.meta[key]
        with self.guard_errors("reading meta"):
            value = self.client.hget(self.key("meta"), key)
        return None if value is None else str(value)

    def set_meta(self, key: str, value: str) -> None:
        self.pending.meta[key] = value

    def meta_keys(self, prefix: str) -> list[str]:
        """The committed meta keys starting with ``prefix``."""
        with self.guard_errors("reading meta"):
            keys = [str(k) for k in self.client.hkeys(self.key("meta")) if k.startswith(prefix)]
        return sorted(set(keys) | {k for k in self.pending.meta if k.startswith(prefix)})

    # -- exact duplicates -----------------------------------------------------------------

    def find_exact(self, content_hash: str) -> str | None:
        unit = self.current_unit
        buffered = self.pending.kept.get(content_hash)
        if buffered is not None and self._visible_pending(buffered[2]):
            return buffered[0]
        value = decided = None
        found = self._hmget_scoped("kept", [content_hash], "looking up a content hash", "decided")
        for scope, (answer,) in found:
            if scope == "global":
                value = answer
            else:
                decided = answer
        if value is not None:
            parts = str(value).split(" ")
            if len(parts) < 3 or self._visible("global", parts[2]):
                return parts[0]
        if decided is not None and unit is not None:
            # Decisions of units before this one are final; those of this unit (an earlier attempt)
            # or later ones are being made again and must not be seen.
            doc_id, _run_id, index = str(decided).split(" ")
            if int(index) < unit[1]:
                return doc_id
        return None

    def add_kept(self, content_hash: str, doc_id: str, run_id: str) -> None:
        index = self._unit()
        earlier = self.pending.kept.get(content_hash)
        if earlier is not None and (index < 0 or earlier[2] <= index):
            return  # first writer wins, as SQLite's INSERT OR IGNORE
        self.pending.kept[content_hash] = (doc_id, run_id, index, self._order_for(doc_id))
        self._entries(index).kept[content_hash] = None

    def reset(self) -> None:
        self._forget_read_ahead()
        old = self.pending
        self.pending = Pending(
            ops=old.ops, guards=old.guards, meta=old.meta, decided=old.decided, reset=True
        )

    # -- near-duplicate index ---------------------------------------------------------------

    def add_near_index(
        self, doc_id: str, band_keys: Sequence[int], signature: bytes, source: str | None
    ) -> None:
        pending = self.pending
        if doc_id in pending.near:
            return
        entry = NearEntry(
            self._order_for(doc_id), self._unit(), source, bytes(signature), list(band_keys)
        )
        pending.near[doc_id] = entry
        self._entries(entry.unit).near[doc_id] = None
        for band in dict.fromkeys(entry.band_keys):
            pending.bands.setdefault(band, []).append(doc_id)

    def lsh_candidates(self, band_keys: Sequence[int]) -> list[str]:
        found: dict[str, str] = {}
        pending = self.pending
        for band in band_keys:
            for doc_id in pending.bands.get(band, ()):
                entry = pending.near[doc_id]
                if self._visible_pending(entry.unit):
                    found.setdefault(doc_id, entry.order)
        fields = [str(band) for band in dict.fromkeys(band_keys)]
        for scope, values in self._hmget_scoped("near:bands", fields, "finding near-duplicates"):
            for value in values:
                for token in str(value).split(" ") if value else ():
                    order, doc_id = token.split("/", 1)
                    if self._visible(scope, order) and order < found.get(doc_id, "~"):
                        found[doc_id] = order
        return [doc_id for doc_id, _ in sorted(found.items(), key=lambda item: item[1])]

    def _near_records(self, doc_ids: Sequence[str]) -> dict[str, tuple[str | None, bytes]]:
        """``doc_id -> (source, signature)`` of the documents in the index (any scope)."""
        found: dict[str, tuple[str | None, bytes]] = {}
        rest: list[str] = []
        for doc_id in dict.fromkeys(doc_ids):
            entry = self.pending.near.get(doc_id)
            if entry is not None:
                found[doc_id] = (entry.source, entry.signature)
            else:
                rest.append(doc_id)
        for _scope, values in self._hmget_scoped("near:docs", rest, "reading signatures"):
            for doc_id, value in zip(rest, values, strict=True):
                if value is not None and doc_id not in found:
                    _order, source, signature = json.loads(value)
                    found[doc_id] = (source, bytes.fromhex(signature))
        return found

    def get_signatures(self, doc_ids: Sequence[str]) -> dict[str, bytes]:
        return {
            doc_id: signature
            for doc_id, (_, signature) in self._near_records(doc_ids).items()
            if signature
        }

    def get_sources(self, doc_ids: Sequence[str]) -> dict[str, str | None]:
        return {doc_id: source for doc_id, (source, _) in self._near_records(doc_ids).items()}

    # -- shared passages --------------------------------------------------------------------

    def add_paragraph_prints(self, doc_id: str, prints: Sequence[int], max_holders: int) -> None:
        if not prints:
            return
        self.holder_cap = max_holders + 1
        order, unit = self._order_for(doc_id), self._unit()
        added = self._entries(unit).prints
        for value in dict.fromkeys(prints):
            holders = self.pending.prints.setdefault(value, [])
            if len(holders) < self.holder_cap and all(h[1] != doc_id for h in holders):
                holders.append((order, doc_id, unit))
                added[value] = None

    def paragraph_holders(self, prints: Sequence[int]) -> dict[int, list[str]]:
        merged: dict[int, dict[str, str]] = {}
        values = list(dict.fromkeys(prints))
        for value in values:
            for order, doc_id, unit in self.pending.prints.get(value, ()):
                if self._visible_pending(unit):
                    merged.setdefault(value, {}).setdefault(doc_id, order)
        fields = [str(value) for value in values]
        for scope, answers in self._hmget_scoped("prints", fields, "reading shared passages"):
            for value, answer in zip(values, answers, strict=True):
                for token in str(answer).split(" ") if answer else ():
                    order, doc_id = token.split("/", 1)
                    if self._visible(scope, order):
                        holders = merged.setdefault(value, {})
                        if order < holders.get(doc_id, "~"):
                            holders[doc_id] = order
        return {
            value: [d for d, _ in sorted(holders.items(), key=lambda item: item[1])][
                : self.holder_cap
            ]
            for value, holders in merged.items()
            if holders
        }

    # -- the input manifest (issue 7's StateStore methods) --------------------------------

    def get_inputs(self, keys: list[str]) -> dict[str, str]:
        """The stored records of those of ``keys`` that earlier runs ingested."""
        found: dict[str, str] = {}
        wanted = [] if self.pending.reset else [k for k in keys if k not in self.pending.inputs]
        for start in range(0, len(wanted), 1000):
            chunk = wanted[start : start + 1000]
            with self.guard_errors("reading the input manifest"):
                values = self.client.hmget(self.key("inputs"), chunk)
            found.update((k, str(v)) for k, v in zip(chunk, values, strict=True) if v is not None)
        found.update((k, self.pending.inputs[k]) for k in keys if k in self.pending.inputs)
        return found

    def set_input(self, key: str, record: str) -> None:
        self.pending.inputs[key] = record

    # -- a unit's decisions, published to the other workers of the batch ------------------

    def _entries(self, unit: int) -> UnitEntries:
        entries = self.pending.units.get(unit)
        if entries is None:
            entries = self.pending.units[unit] = UnitEntries()
        return entries

    def unit_ops(self, index: int, batch_prefix: str) -> list[list[str]]:
        """The writes that publish what unit ``index`` kept to the batch (see scaleout.queue)."""
        pending = self.pending
        entries = pending.units.get(index, UnitEntries())
        ops: list[list[str]] = []
        for digest in entries.kept:
            kept = pending.kept.get(digest)
            if kept is not None and kept[2] == index:  # not taken since by an earlier unit
                record = f"{kept[0]} {kept[1]} {index}"  # doc id, run id, unit
                ops.append(["HSETNX", batch_prefix + "decided", digest, record])
        for doc_id in entries.near:
            ops.append(self._near_op(batch_prefix, doc_id, pending.near[doc_id]))
        cap = str(self.holder_cap)
        for value in entries.prints:
            ops.extend(
                ["HAPPEND", batch_prefix + "prints", str(value), f"{order}/{doc_id}", cap]
                for order, doc_id, unit in pending.prints.get(value, ())
                if unit == index
            )
        return ops

    @staticmethod
    def _near_op(prefix: str, doc_id: str, entry: NearEntry) -> list[str]:
        return [
            "NEARADD",
            prefix + "near:docs",
            prefix + "near:bands",
            doc_id,
            entry.record(),
            f"{entry.order}/{doc_id}",
            *(str(band) for band in dict.fromkeys(entry.band_keys)),
        ]

    def mark_decided(self, index: int) -> None:
        """Unit ``index`` is decided: the next commit applies its entries."""
        self.pending.decided.add(index)

    # -- the transaction -----------------------------------------------------------------

    def buffer(self, command: str, *args: str | int | float) -> None:
        """Add one write to the open transaction (for the work queue and later kinds of state)."""
        if command not in ALLOWED_COMMANDS:
            raise ValueError(f"not a buffered write command: {command}")
        self.pending.ops.append([command, *(str(a) for a in args)])

    def guard_lease(self, leases_key: str, owners_key: str, unit: int, owner: str) -> None:
        """At commit, apply nothing unless ``owner`` still holds the lease on ``unit``."""
        self.pending.guards.append(["lease", leases_key, owners_key, str(unit), owner])

    def split(self) -> tuple[dict[str, list[list[str]]], Pending]:
        """The guards and operations :meth:`commit` sends (state writes first), and what stays
        pending: the entries of units not yet decided."""
        pending = self.pending
        rest = Pending()

        def ready(unit: int) -> bool:
            return unit < 0 or unit in pending.decided

        ops: list[list[str]] = []
        if pending.reset:
            ops.extend(["DEL", self.key(name)] for name in RESET_KEYS)
        ops.extend(["HSET", self.key("meta"), k, v] for k, v in pending.meta.items())
        for digest, kept in pending.kept.items():
            doc_id, run_id, unit, order = kept
            if ready(unit):
                ops.append(["HSETNX", self.key("kept"), digest, f"{doc_id} {run_id} {order}"])
            else:
                rest.kept[digest] = kept
        ops.extend(["HSET", self.key("inputs"), k, v] for k, v in pending.inputs.items())
        for doc_id, entry in pending.near.items():
            if ready(entry.unit):
                ops.append(self._near_op(self.prefix, doc_id, entry))
            else:
                rest.near[doc_id] = entry
                for band in dict.fromkeys(entry.band_keys):
                    rest.bands.setdefault(band, []).append(doc_id)
        cap = str(self.holder_cap)
        for value, holders in pending.prints.items():
            for holder in holders:
                order, doc_id, unit = holder
                if ready(unit):
                    ops.append(
                        ["HAPPEND", self.key("prints"), str(value), f"{order}/{doc_id}", cap]
                    )
                else:
                    rest.prints.setdefault(value, []).append(holder)
        rest.units = {unit: added for unit, added in pending.units.items() if not ready(unit)}
        ops.extend(pending.ops)
        return {"guards": pending.guards, "ops": ops}, rest

    def plan(self) -> dict[str, list[list[str]]]:
        return self.split()[0]

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
        plan, rest = self.split()
        committed = set(self.pending.decided)
        with self.guard_errors("committing"):
            answer = str(self._commit_script(args=[json.dumps(plan, ensure_ascii=False)]))
        if answer != "OK":
            self.pending = Pending()
            self._forget_read_ahead()
            message = (
                f"{self.describe()}: nothing committed: unit {answer.split()[-1]} was taken over "
                "by another worker (this one missed its lease renewals)"
            )
            self.fail(message)
            raise LeaseLost(message)
        self.pending = rest
        self._forget_read_ahead()  # the entries of decided units left the transaction
        for after in self.after_commit:
            after(committed)

    def rollback(self) -> None:
        self.pending = Pending()
        self._forget_read_ahead()

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
