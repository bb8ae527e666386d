"""The shared work queue of one batch in Redis: seeding, leases, ordered decisions, completion.

Every operation is one Lua script, so it is atomic whatever the other workers do, and every time
comes from Redis's own clock (``TIME``), so machines with skewed clocks agree on lease expiry.
Keys live under ``newspipe:<namespace>:batch:<batch id>:`` (see :mod:`newspipe.scaleout`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from newspipe.state.redis import APPLY_OPS

_NOW = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
"""

#: KEYS: units, info, the namespace's current batch, its ingested units. ARGV: namespace prefix,
#: batch id, then each unit's name and version. Seeds the batch once (numbering it: its *epoch*,
#: see :func:`newspipe.state.redis.order_key`), leaving out the units an earlier batch committed
#: at the same version, and makes it the namespace's current one; returns
#: ``{size, batch, epoch, left out}``, or ``{-1, other}`` while another batch of the namespace is
#: unfinished with live leases.
SEED = (
    _NOW
    + """
local current = redis.call('GET', KEYS[3])
if current and current ~= ARGV[2] then
  local other = ARGV[1] .. 'batch:' .. current .. ':'
  local size = tonumber(redis.call('HGET', other .. 'info', 'size') or '0')
  local done = redis.call('SCARD', other .. 'done')
  local live = redis.call('ZCOUNT', other .. 'leases', now_ms, '+inf')
  if done < size and live > 0 then return {-1, current} end
end
redis.call('SET', KEYS[3], ARGV[2])
if redis.call('HEXISTS', KEYS[2], 'size') == 1 then
  local info = redis.call('HMGET', KEYS[2], 'size', 'epoch', 'left_out')
  return {tonumber(info[1]), ARGV[2], tonumber(info[2]), tonumber(info[3] or '0')}
end
local size, left_out = 0, 0
for i = 3, #ARGV, 2 do
  if ARGV[i + 1] ~= '-' and redis.call('HGET', KEYS[4], ARGV[i]) == ARGV[i + 1] then
    left_out = left_out + 1
  else
    redis.call('RPUSH', KEYS[1], ARGV[i])
    size = size + 1
  end
end
local epoch = redis.call('INCR', ARGV[1] .. 'epoch')
redis.call('HSET', KEYS[2], 'size', size, 'epoch', epoch, 'left_out', left_out)
return {size, ARGV[2], epoch, left_out}
"""
)

#: KEYS: units, next, leases, owners. ARGV: owner, lease ms, how many new units (0: none).
#: The unit with an expired lease and the smallest index, else up to that many consecutive
#: never-taken units. Returns flat triples (index, name, reclaimed 1/0).
TAKE = (
    _NOW
    + """
local best = nil
for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now_ms)) do
  local index = tonumber(member)
  if best == nil or index < best then best = index end
end
local first, last, reclaimed = best, best, 1
if best == nil then
  local wanted = tonumber(ARGV[3])
  local size = redis.call('LLEN', KEYS[1])
  local nxt = tonumber(redis.call('GET', KEYS[2]) or '0')
  if wanted < 1 or nxt >= size then return {} end
  first, last, reclaimed = nxt, math.min(nxt + wanted, size) - 1, 0
  redis.call('SET', KEYS[2], last + 1)
end
local taken = {}
for index = first, last do
  redis.call('ZADD', KEYS[3], now_ms + tonumber(ARGV[2]), index)
  redis.call('HSET', KEYS[4], index, ARGV[1])
  table.insert(taken, index)
  table.insert(taken, redis.call('LINDEX', KEYS[1], index))
  table.insert(taken, reclaimed)
end
return taken
"""
)

#: KEYS: leases, owners, done. ARGV: owner, lease ms, unit indexes. Returns the units no longer
#: ours (a unit committed meanwhile is not lost: it needs no lease any more).
RENEW = (
    _NOW
    + """
local lost = {}
for i = 3, #ARGV do
  if redis.call('HGET', KEYS[2], ARGV[i]) == ARGV[1] and redis.call('ZSCORE', KEYS[1], ARGV[i]) then
    redis.call('ZADD', KEYS[1], now_ms + tonumber(ARGV[2]), ARGV[i])
  elseif redis.call('SISMEMBER', KEYS[3], ARGV[i]) == 1 then
    -- committed by this worker since the renewal was asked for
  else
    table.insert(lost, ARGV[i])
  end
end
return lost
"""
)

#: KEYS: leases, owners, turn. ARGV: owner, then for each unit of a run (in batch order): its
#: index and the JSON list of its publishing writes
#: (:meth:`newspipe.state.redis.RedisState.unit_ops`: exact hashes, near-duplicate index, passage
#: prints under the batch's keys). Decides the units
#: one after another and stops at the first that cannot be: 'WAIT' until every earlier unit is
#: decided, 'LOST' if its lease went to another worker. Returns {units decided, 'OK' or why it
#: stopped}. A script runs whole: no other worker's move comes between two units of the run.
#: Moving the turn publishes it on the channel named as the turn's key, which wakes the workers
#: waiting for it.
DECIDE = (
    APPLY_OPS
    + _NOW
    + """
local turn = tonumber(redis.call('GET', KEYS[3]) or '0')
local moved = false
local decided = 0
local status = 'OK'
for i = 2, #ARGV, 2 do
  local expiry = redis.call('ZSCORE', KEYS[1], ARGV[i])
  local owner = redis.call('HGET', KEYS[2], ARGV[i])
  if (not expiry) or tonumber(expiry) < now_ms or owner ~= ARGV[1] then
    status = 'LOST'
    break
  end
  local index = tonumber(ARGV[i])
  if index > turn then
    status = 'WAIT'
    break
  end
  for _, op in ipairs(cjson.decode(ARGV[i + 1])) do apply(op) end
  if index == turn then
    turn = index + 1
    moved = true
  end
  decided = decided + 1
end
if moved then
  redis.call('SET', KEYS[3], turn)
  redis.call('PUBLISH', KEYS[3], turn)
end
return {decided, status}
"""
)

#: KEYS: leases, owners, units, next, turn, done. Returns the batch's progress in one round trip.
STATUS = """
return {redis.call('LLEN', KEYS[3]), tonumber(redis.call('GET', KEYS[4]) or '0'),
        tonumber(redis.call('GET', KEYS[5]) or '0'), redis.call('SCARD', KEYS[6]),
        redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES'), redis.call('HGETALL', KEYS[2])}
"""

#: KEYS: leases, owners. ARGV: owner, unit indexes. Expires our leases now (a failed run).
RELEASE = """
for i = 2, #ARGV do
  if redis.call('HGET', KEYS[2], ARGV[i]) == ARGV[1] then
    redis.call('ZADD', KEYS[1], 0, ARGV[i])
  end
end
return 1
"""


def batch_id(unit_names: Sequence[str], versions: Sequence[str] = ()) -> str:
    """The batch of these units: workers given the same inputs join the same batch. With
    ``versions`` (each unit's size and mtime), an input changed since makes another batch, so
    that it is read again: by name alone, a dump appended to was never read again."""
    digest = hashlib.blake2b(digest_size=8)
    for name in unit_names:
        digest.update(name.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    for version in versions:
        digest.update(version.encode("ascii"))
        digest.update(b"\0")
    return digest.hexdigest()


class BatchBusy(Exception):
    """Another batch (other inputs) of the namespace is unfinished and has live workers."""

    def __init__(self, batch: str) -> None:
        super().__init__(batch)
        self.batch = batch


@dataclass(frozen=True)
class Taken:
    """A unit this worker now holds the lease on."""

    index: int
    name: str
    reclaimed: bool


@dataclass(frozen=True)
class Lease:
    expiry_ms: float
    owner: str


@dataclass(frozen=True)
class BatchStatus:
    size: int
    next: int
    turn: int
    done: int
    leases: dict[int, Lease]

    @property
    def all_taken(self) -> bool:
        return self.next >= self.size


class WorkQueue:
    """One batch of units shared by the workers of one namespace."""

    def __init__(self, client: Any, prefix: str, batch: str, owner: str, lease_ms: int) -> None:
        self.client = client
        self.batch = batch
        self.namespace_prefix = prefix
        self.prefix = f"{prefix}batch:{batch}:"
        self.owner = owner
        self.lease_ms = lease_ms
        #: The batch's number among the namespace's batches (known once seeded).
        self.epoch = 0
        #: Units left out of the batch: an earlier batch committed them as they are.
        self.left_out = 0
        #: Unit name -> the version (size and mtime) an earlier batch committed it at.
        self.ingested_key = prefix + "ingested"
        #: Unit name -> what was read of it, for a JSON Lines dump (scaleout.dumps).
        self.ingested_lines_key = prefix + "ingested_lines"
        self.keys = {
            name: self.prefix + name
            for name in ("units", "info", "next", "leases", "owners", "turn", "decided", "done")
        }
        self._seed = client.register_script(SEED)
        self._take = client.register_script(TAKE)
        self._renew = client.register_script(RENEW)
        self._decide = client.register_script(DECIDE)
        self._status = client.register_script(STATUS)
        self._release = client.register_script(RELEASE)

    def _k(self, *names: str) -> list[str]:
        return [self.keys[name] for name in names]

    def seed(self, unit_names: Sequence[str], versions: Sequence[str] = ()) -> int:
        """Put the units in the queue unless a worker already did; the batch size.

        ``versions``: each unit's size and mtime (:func:`batch_id`'s); a unit an earlier batch
        committed at the same version is left out (counted in :attr:`left_out`), so that a
        batch of one new file among many reads that file only. ``-``: never left out.
        Raises :class:`BatchBusy` while another batch of the namespace is being worked on.
        """
        versions = list(versions) or ["-"] * len(unit_names)
        if len(versions) != len(unit_names):
            raise ValueError("one version a unit")
        answer = self._seed(
            keys=[
                *self._k("units", "info"),
                self.namespace_prefix + "current_batch",
                self.ingested_key,
            ],
            args=[
                self.namespace_prefix,
                self.batch,
                *(part for pair in zip(unit_names, versions, strict=True) for part in pair),
            ],
        )
        if int(answer[0]) < 0:
            raise BatchBusy(str(answer[1]))
        self.epoch = int(answer[2])
        self.left_out = int(answer[3])
        return int(answer[0])

    def take_many(self, count: int) -> list[Taken]:
        """Lease the earliest expired unit, else up to ``count`` consecutive untaken ones.

        Consecutive units spare the workers a hand-over of the turn between each two of them.
        """
        answer = self._take(
            keys=self._k("units", "next", "leases", "owners"),
            args=[self.owner, self.lease_ms, max(count, 0)],
        )
        return [
            Taken(int(answer[i]), str(answer[i + 1]), bool(int(answer[i + 2])))
            for i in range(0, len(answer), 3)
        ]

    def take(self, *, allow_new: bool = True) -> Taken | None:
        """Lease the earliest expired unit, else (``allow_new``) the next untaken one, else None."""
        taken = self.take_many(1 if allow_new else 0)
        return taken[0] if taken else None

    def renew(self, indexes: Sequence[int]) -> list[int]:
        """Extend our leases; the units among ``indexes`` that are no longer ours."""
        if not indexes:
            return []
        lost = self._renew(
            keys=self._k("leases", "owners", "done"), args=[self.owner, self.lease_ms, *indexes]
        )
        return [int(i) for i in lost]

    def decide(self, index: int, ops: Sequence[Sequence[str]]) -> str:
        """Publish unit ``index``'s dedup decisions to the other workers: OK, WAIT or LOST."""
        decided, why = self.decide_run([(index, ops)])
        return "OK" if decided else why

    def decide_run(self, units: Sequence[tuple[int, Sequence[Sequence[str]]]]) -> tuple[int, str]:
        """Publish the decisions of a run of units, in batch order, in one round trip: how many
        were decided (the first ones), and OK, or WAIT or LOST for the first that was not."""
        args: list[str | int] = [self.owner]
        for index, ops in units:
            args += [index, json.dumps(list(ops), ensure_ascii=False)]
        decided, why = self._decide(keys=self._k("leases", "owners", "turn"), args=args)
        return int(decided), str(why)

    def turn(self) -> int:
        """Every unit before this index has its decisions published."""
        return int(self.client.get(self.keys["turn"]) or 0)

    def status(self) -> BatchStatus:
        size, nxt, turn, done, leases, owners = self._status(
            keys=self._k("leases", "owners", "units", "next", "turn", "done")
        )
        owner_of = dict(zip(owners[::2], owners[1::2], strict=True))
        return BatchStatus(
            size=int(size),
            next=int(nxt),
            turn=int(turn),
            done=int(done),
            leases={
                int(m): Lease(float(s), str(owner_of.get(m, "")))
                for m, s in zip(leases[::2], leases[1::2], strict=True)
            },
        )

    def completion_ops(
        self, index: int, name: str, version: str, lines_read: str | None = None
    ) -> list[tuple[str, ...]]:
        """The writes that mark unit ``index`` done, and the input ``name`` ingested at
        ``version`` (``-``: to be read again by the next batch), with ``lines_read`` when it is
        a JSON Lines dump (:meth:`newspipe.manifest.InputRecord.to_json`); the run commits them
        with its state."""
        ops: list[tuple[str, ...]] = [
            ("SADD", self.keys["done"], str(index)),
            ("ZREM", self.keys["leases"], str(index)),
            ("HDEL", self.keys["owners"], str(index)),
        ]
        if version != "-":
            ops.append(("HSET", self.ingested_key, name, version))
            if lines_read is not None:
                ops.append(("HSET", self.ingested_lines_key, name, lines_read))
        return ops

    def release(self, indexes: Sequence[int]) -> None:
        """Let other workers take our units at once (this run failed and commits nothing)."""
        if indexes:
            self._release(keys=self._k("leases", "owners"), args=[self.owner, *indexes])
