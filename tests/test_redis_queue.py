"""The Redis store itself and the shared work queue: leases, takeover, ordered decisions."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newspipe.config import SettingError
from newspipe.scaleout.queue import BatchBusy, WorkQueue, batch_id
from newspipe.state.redis import LeaseLost, RedisLocation, RedisState, StateUnavailable, redact
from tests.conftest import COMPRESS
from tests.redis_server import RedisServer, free_port

pytestmark = pytest.mark.redis

NAMES = ["0:a.txt", "0:b.txt", "0:c.txt"]


@pytest.fixture
def server(redis_server_binary: str, tmp_path: Path) -> Iterator[RedisServer]:
    with RedisServer(redis_server_binary, tmp_path / "redis", durable=True) as running:
        yield running


@pytest.fixture
def state(server: RedisServer) -> Iterator[RedisState]:
    store = RedisState(server.url(namespace="t"))
    yield store
    store.close()


def queue_for(state: RedisState, owner: str, lease_ms: int = 60_000) -> WorkQueue:
    return WorkQueue(state.client, state.prefix, batch_id(NAMES), owner, lease_ms)


# -- the URL ---------------------------------------------------------------------------------


def test_the_url_names_host_port_db_and_namespace() -> None:
    location = RedisLocation.parse("redis://:pw@redis.example:6380/2/news")
    assert (location.host, location.port, location.db, location.namespace) == (
        "redis.example",
        6380,
        2,
        "news",
    )
    assert location.url == "redis://:pw@redis.example:6380/2"
    assert RedisLocation.parse("redis://localhost").namespace == "default"


def test_a_password_never_appears_in_describe_or_redact() -> None:
    location = RedisLocation.parse("redis://user:hunter2@h:1/0")
    assert "hunter2" not in location.describe()
    assert location.describe() == "redis://***@h:1/0/default"
    assert redact("redis://:hunter2@h:1/0") == "redis://:***@h:1/0"


@pytest.mark.parametrize(
    "url", ["redis://h:1/zero", "redis://h:port/0", "redis://h:1/0/two words", "redis://h:1/0/a/b"]
)
def test_a_bad_url_is_a_setting_error_naming_the_setting(url: str) -> None:
    with pytest.raises(SettingError, match="NEWSPIPE_STATE"):
        RedisLocation.parse(url)


def test_an_unreachable_server_fails_with_a_message_without_the_password() -> None:
    with pytest.raises(StateUnavailable) as caught:
        RedisState(f"redis://:hunter2@127.0.0.1:{free_port()}/0")
    message = str(caught.value)
    assert "hunter2" not in message
    assert "Redis unavailable while connecting" in message
    assert "redis://***@127.0.0.1" in message


def test_a_password_protected_server_is_used_with_the_password(
    redis_server_binary: str, tmp_path: Path
) -> None:
    with RedisServer(redis_server_binary, tmp_path / "r", password="hunter2") as server:
        store = RedisState(server.url())
        store.set_meta("k", "v")
        store.commit()
        assert RedisState(server.url()).get_meta("k") == "v"
        assert "hunter2" not in store.describe()


# -- transactions ----------------------------------------------------------------------------


def test_keys_are_prefixed_with_the_namespace(state: RedisState) -> None:
    state.add_kept("h", "doc", "run")
    state.set_meta("k", "v")
    state.commit()
    assert sorted(state.client.keys("*")) == [
        "newspipe:t:epoch",
        "newspipe:t:kept",
        "newspipe:t:meta",
    ]


def test_redis_gone_before_commit_applies_nothing(server: RedisServer, state: RedisState) -> None:
    state.add_kept("h", "doc", "run")
    server.kill()
    with pytest.raises(StateUnavailable):
        state.commit()
    server.start()
    assert RedisState(server.url(namespace="t")).find_exact("h") is None
    assert state.failed is not None
    state.commit()  # a failed store commits nothing, even once Redis is back
    assert RedisState(server.url(namespace="t")).find_exact("h") is None


def test_a_lost_lease_makes_the_whole_commit_apply_nothing(state: RedisState) -> None:
    mine, other = queue_for(state, "run-a", lease_ms=100), queue_for(state, "run-b")
    mine.seed(NAMES)
    taken = mine.take()
    assert taken is not None
    state.add_kept("h", "doc", "run-a")
    state.guard_lease(mine.keys["leases"], mine.keys["owners"], taken.index, "run-a")
    time.sleep(0.2)
    assert other.take() == type(taken)(taken.index, taken.name, True)
    with pytest.raises(LeaseLost):
        state.commit()
    assert state.client.hget("newspipe:t:kept", "h") is None


def publish(
    queue: WorkQueue, state: RedisState, index: int, digest: str, doc: str, run: str
) -> str:
    """Unit ``index`` keeps one document and publishes it (as the scale-out worker does)."""
    state.current_unit = (queue.prefix, index)
    state.add_kept(digest, doc, run)
    state.current_unit = None
    return queue.decide(index, state.unit_ops(index, queue.prefix))


# -- the queue -------------------------------------------------------------------------------


def test_seeding_is_done_once_whoever_comes_first(state: RedisState) -> None:
    first, second = queue_for(state, "a"), queue_for(state, "b")
    assert first.seed(NAMES) == 3
    assert second.seed(NAMES) == 3
    assert state.client.lrange(first.keys["units"], 0, -1) == NAMES
    assert batch_id(NAMES) == batch_id(list(NAMES))
    assert batch_id(NAMES) != batch_id([*NAMES, "0:d.txt"])
    # the same names, one input changed since (its size and mtime): another batch, read again
    versions = ["10:1", "20:2", "30:3"]
    assert batch_id(NAMES, versions) == batch_id(NAMES, list(versions))
    assert batch_id(NAMES, versions) != batch_id(NAMES, ["10:1", "25:4", "30:3"])


def test_units_are_taken_in_batch_order_each_once(state: RedisState) -> None:
    first, second = queue_for(state, "a"), queue_for(state, "b")
    first.seed(NAMES)
    taken = [first.take(), second.take(), first.take(), second.take()]
    assert [(t.index, t.name) if t else None for t in taken] == [
        (0, "0:a.txt"),
        (1, "0:b.txt"),
        (2, "0:c.txt"),
        None,
    ]


def test_an_expired_lease_is_taken_over_smallest_first(state: RedisState) -> None:
    dying, alive = queue_for(state, "dying", lease_ms=100), queue_for(state, "alive")
    dying.seed(NAMES)
    dying.take()
    dying.take()
    assert alive.take(allow_new=False) is None  # nothing expired yet
    time.sleep(0.2)
    again = alive.take(allow_new=False)
    assert again is not None and (again.index, again.reclaimed) == (0, True)
    assert dying.renew([0, 1]) == [0]  # unit 0 is no longer the dying worker's
    assert dying.decide(0, []) == "LOST"


def test_renewal_keeps_a_unit_from_being_taken_over(state: RedisState) -> None:
    slow, other = queue_for(state, "slow", lease_ms=300), queue_for(state, "other")
    slow.seed(NAMES)
    slow.take()
    for _ in range(3):
        time.sleep(0.15)
        assert slow.renew([0]) == []
    assert other.take(allow_new=False) is None
    taken = other.take()
    assert taken is not None and taken.index == 1


def test_decisions_are_published_strictly_in_unit_order(state: RedisState) -> None:
    first, second = queue_for(state, "a"), queue_for(state, "b")
    first.seed(NAMES)
    first.take()
    second.take()
    assert publish(second, state, 1, "h2", "doc-2", "b") == "WAIT"
    assert first.turn() == 0
    assert publish(first, state, 0, "h0", "doc-0", "a") == "OK"
    assert publish(second, state, 1, "h2", "doc-2", "b") == "OK"
    assert first.turn() == 2
    assert state.client.hget(first.keys["decided"], "h0") == "doc-0 a 0"


def test_a_run_of_units_is_decided_in_one_call_up_to_the_first_that_cannot_be(
    state: RedisState,
) -> None:
    names = [f"0:{n}.txt" for n in range(6)]
    mine, other = queue_for(state, "a", lease_ms=150), queue_for(state, "b")
    mine.seed(names)
    assert [t.index for t in mine.take_many(3)] == [0, 1, 2]
    assert other.take() is not None  # unit 3 is another worker's
    assert [t.index for t in mine.take_many(2)] == [4, 5]
    ops = [[["HSET", mine.prefix + "decided", f"h{n}", f"doc-{n} a {n}"]] for n in range(6)]
    listener = state.client.pubsub(ignore_subscribe_messages=True)
    listener.subscribe(mine.keys["turn"])
    # 0, 1, 2 decided; 4 must wait for 3, and 5 is not even tried
    assert mine.decide_run([(n, ops[n]) for n in (0, 1, 2, 4, 5)]) == (3, "WAIT")
    assert mine.turn() == 3
    assert sorted(state.client.hkeys(mine.prefix + "decided")) == ["h0", "h1", "h2"]
    message, deadline = None, time.monotonic() + 5
    while message is None and time.monotonic() < deadline:
        message = listener.get_message(timeout=0.1)
    assert message is not None and message["data"] == "3"  # one message for the run's move
    listener.close()
    assert other.decide(3, []) == "OK"
    time.sleep(0.2)  # the leases of 4 and 5 expire
    assert other.take(allow_new=False) is not None  # 4 is taken over
    assert mine.decide_run([(4, ops[4]), (5, ops[5])]) == (0, "LOST")
    assert mine.turn() == 4 and not state.client.hexists(mine.prefix + "decided", "h5")


def test_moving_the_turn_is_published_to_the_workers_waiting_for_it(state: RedisState) -> None:
    first, second = queue_for(state, "a"), queue_for(state, "b")
    first.seed(NAMES)
    first.take()
    second.take()
    listener = state.client.pubsub(ignore_subscribe_messages=True)
    listener.subscribe(first.keys["turn"])
    assert publish(second, state, 1, "h2", "doc-2", "b") == "WAIT"
    assert publish(first, state, 0, "h0", "doc-0", "a") == "OK"
    assert publish(second, state, 1, "h2", "doc-2", "b") == "OK"
    heard = []
    deadline = time.monotonic() + 5
    while len(heard) < 2 and time.monotonic() < deadline:
        message = listener.get_message(timeout=0.1)
        if message is not None:
            heard.append(message["data"])
    listener.close()
    assert heard == ["1", "2"]  # one message a move, none for the decision that had to wait


def test_lookups_see_earlier_units_decisions_only(state: RedisState) -> None:
    queue = queue_for(state, "a")
    queue.seed(NAMES)
    for _ in NAMES:
        queue.take()
    assert publish(queue, state, 0, "h0", "doc-0", "a") == "OK"
    assert publish(queue, state, 1, "h1", "doc-1", "a") == "OK"
    state.rollback()  # another worker, which buffered nothing
    state.current_unit = (queue.prefix, 1)
    # Unit 1 being decided again (a takeover): its own earlier decision must not hide its document.
    assert state.find_exact("h0") == "doc-0"
    assert state.find_exact("h1") is None
    state.current_unit = (queue.prefix, 2)
    assert state.find_exact("h1") == "doc-1"


def test_buffered_entries_of_later_units_are_not_seen_by_earlier_ones(state: RedisState) -> None:
    state.current_unit = ("newspipe:t:batch:x:", 5)
    state.add_kept("h", "doc-5", "run")
    state.current_unit = ("newspipe:t:batch:x:", 3)
    assert state.find_exact("h") is None
    state.add_kept("h", "doc-3", "run")  # the earlier unit's document wins
    assert state.find_exact("h") == "doc-3"
    assert state.unit_ops(3, "newspipe:t:batch:x:") == [
        ["HSETNX", "newspipe:t:batch:x:decided", "h", "doc-3 run 3"]
    ]


def test_a_committed_unit_is_done_and_leaves_the_leases(state: RedisState) -> None:
    queue = queue_for(state, "a")
    queue.seed(NAMES)
    for _ in NAMES:
        taken = queue.take()
        assert taken is not None
        assert queue.decide(taken.index, []) == "OK"
        for op in queue.completion_ops(taken.index, taken.name, "-"):
            state.buffer(*op)
        state.guard_lease(queue.keys["leases"], queue.keys["owners"], taken.index, "a")
    status = queue.status()
    assert (status.all_taken, status.done, len(status.leases)) == (True, 0, 3)
    state.commit()
    status = queue.status()
    assert (status.turn, status.done, status.leases) == (3, 3, {})
    assert queue.take() is None  # drained: a worker started now has nothing to do


def test_a_new_batch_leaves_out_the_inputs_committed_as_they_are(state: RedisState) -> None:
    versions = {"0:a.txt": "10:1", "0:b.txt": "20:2", "0:c.txt": "-"}  # c: could not be read
    first = queue_for(state, "a")
    assert first.seed(NAMES, list(versions.values())) == 3 and first.left_out == 0
    while (taken := first.take()) is not None:
        assert first.decide(taken.index, []) == "OK"
        for op in first.completion_ops(taken.index, taken.name, versions[taken.name]):
            state.buffer(*op)
    state.commit()
    # the next night: one new input, one changed; the unchanged one is not read again
    names = [*NAMES, "0:d.txt"]
    later_versions = ["10:1", "25:3", "-", "40:4"]
    later = WorkQueue(state.client, state.prefix, batch_id(names, later_versions), "b", 60_000)
    assert later.seed(names, later_versions) == 3 and later.left_out == 1
    assert state.client.lrange(later.keys["units"], 0, -1) == ["0:b.txt", "0:c.txt", "0:d.txt"]
    joining = WorkQueue(state.client, state.prefix, later.batch, "c", 60_000)
    assert joining.seed(names, later_versions) == 3 and joining.left_out == 1  # as seeded


def test_released_units_are_taken_at_once(state: RedisState) -> None:
    failed, other = queue_for(state, "failed"), queue_for(state, "other")
    failed.seed(NAMES)
    failed.take()
    failed.release([0])
    again = other.take(allow_new=False)
    assert again is not None and again.index == 0


def test_only_write_commands_can_be_buffered(state: RedisState) -> None:
    with pytest.raises(ValueError, match="FLUSHALL"):
        state.buffer("FLUSHALL")


def test_other_inputs_wait_while_a_batch_has_live_workers(state: RedisState) -> None:
    working = queue_for(state, "a", lease_ms=200)
    working.seed(NAMES)
    working.take()
    other_names = ["0:x.txt"]
    other = WorkQueue(state.client, state.prefix, batch_id(other_names), "b", 60_000)
    with pytest.raises(BatchBusy) as busy:
        other.seed(other_names)
    assert busy.value.batch == working.batch
    time.sleep(0.3)  # its only worker died: the first batch no longer holds the namespace
    assert other.seed(other_names) == 1
    assert state.client.get("newspipe:t:current_batch") == other.batch


def test_a_finished_batch_lets_the_next_inputs_in(state: RedisState) -> None:
    queue = queue_for(state, "a")
    queue.seed(NAMES)
    while (taken := queue.take()) is not None:
        assert queue.decide(taken.index, []) == "OK"
        for op in queue.completion_ops(taken.index, taken.name, "-"):
            state.buffer(*op)
    state.commit()
    later = WorkQueue(state.client, state.prefix, batch_id(["0:x.txt"]), "b", 60_000)
    assert later.seed(["0:x.txt"]) == 1


def test_the_input_manifest_is_committed_with_the_rest(
    server: RedisServer, state: RedisState
) -> None:
    state.set_input("0:a.txt", '{"size": 3}')
    assert state.get_inputs(["0:a.txt", "0:b.txt"]) == {"0:a.txt": '{"size": 3}'}
    other = RedisState(server.url(namespace="t"))
    assert other.get_inputs(["0:a.txt"]) == {}
    state.commit()
    assert other.get_inputs(["0:a.txt", "0:b.txt"]) == {"0:a.txt": '{"size": 3}'}
    other.close()


def test_consecutive_units_are_taken_together_and_expired_ones_first(state: RedisState) -> None:
    dying, other = queue_for(state, "dying", lease_ms=100), queue_for(state, "other")
    dying.seed(NAMES)
    assert [t.index for t in dying.take_many(2)] == [0, 1]
    time.sleep(0.2)
    assert [(t.index, t.reclaimed) for t in other.take_many(5)] == [(0, True)]
    assert [(t.index, t.reclaimed) for t in other.take_many(5)] == [(1, True)]
    assert [(t.index, t.reclaimed) for t in other.take_many(5)] == [(2, False)]
    assert other.take_many(5) == []


def decide_three_units(state: RedisState, committed: int) -> WorkQueue:
    """A batch of three units, each keeping one document (``doc-N``, content hash ``hN``) with
    band key 7 and passage print 9, decided in order; the first ``committed`` committed."""
    queue = queue_for(state, "a")
    queue.seed(NAMES)
    state.batch_epoch = queue.epoch
    for _ in NAMES:
        queue.take()
    for index in range(3):
        state.current_unit = (queue.prefix, index)
        state.add_kept(f"h{index}", f"doc-{index}", "run")
        state.add_near_index(f"doc-{index}", [7], b"sig", None)
        state.add_paragraph_prints(f"doc-{index}", [9], 20)
        state.current_unit = None
        assert queue.decide(index, state.unit_ops(index, queue.prefix)) == "OK"
        state.mark_decided(index)
        if index + 1 == committed:
            state.commit()
    return queue


def worker_in_batch(server: RedisServer, queue: WorkQueue) -> RedisState:
    """Another worker's store, in the batch of ``queue``."""
    store = RedisState(server.url(namespace="t"))
    store.batch_epoch = queue.epoch
    return store


def test_near_index_lookups_see_earlier_units_decisions_only(
    server: RedisServer, state: RedisState
) -> None:
    queue = decide_three_units(state, committed=3)  # the later units are committed too
    again = worker_in_batch(server, queue)  # a worker re-doing unit 1
    again.current_unit = (queue.prefix, 1)
    assert again.lsh_candidates([7]) == ["doc-0"]
    assert again.paragraph_holders([9]) == {9: ["doc-0"]}
    again.current_unit = (queue.prefix, 3)
    assert again.lsh_candidates([7]) == ["doc-0", "doc-1", "doc-2"]
    again.current_unit = None  # outside the batch everything committed is seen
    assert again.paragraph_holders([9]) == {9: ["doc-0", "doc-1", "doc-2"]}


def counting_round_trips(store: RedisState) -> list[int]:
    """``[n]``: the pipelines ``store`` sends from now on (each is one round trip)."""
    trips = [0]
    pipeline = store.client.pipeline

    def counted(*args: Any, **kwargs: Any) -> Any:
        trips[0] += 1
        return pipeline(*args, **kwargs)

    store.client.pipeline = counted  # type: ignore[method-assign]
    return trips


def test_one_round_trip_reads_what_judging_a_document_looks_up(
    server: RedisServer, state: RedisState
) -> None:
    # units 0 and 1 committed; unit 2 in the batch's decisions only
    queue = decide_three_units(state, committed=2)
    again = worker_in_batch(server, queue)
    trips = counting_round_trips(again)

    def lookups(content_hash: str) -> tuple[Any, ...]:
        return (
            again.find_exact(content_hash),
            again.lsh_candidates([7]),
            again.paragraph_holders([9]),
        )

    for unit in (1, 3):  # unit 1 re-done (sees unit 0 only), and a unit after them all
        again.current_unit = (queue.prefix, unit)
        for content_hash in ("h0", "h1", "h2"):
            trips[0] = 0
            one_by_one = lookups(content_hash)
            assert trips == [3]
            trips[0] = 0
            again.prefetch(content_hash, [7], [9])
            assert lookups(content_hash) == one_by_one and trips == [1]
    again.current_unit = (queue.prefix, 1)
    assert lookups("h1") == (None, ["doc-0"], {9: ["doc-0"]})
    again.current_unit = (queue.prefix, 3)
    assert lookups("h2") == ("doc-2", ["doc-0", "doc-1", "doc-2"], {9: ["doc-0", "doc-1", "doc-2"]})
    again.close()


def test_reading_ahead_answers_the_lookups_of_its_units_as_one_by_one(
    server: RedisServer, state: RedisState
) -> None:
    # units 0 and 1 committed, unit 2 in the batch's decisions only; units 3 to 5 are ours
    queue = decide_three_units(state, committed=2)
    again = worker_in_batch(server, queue)
    documents = [("h0", [7], [9]), ("h2", [7, 8], [9, 10]), ("h-new", [8], [10])]

    def lookups(content_hash: str, bands: list[int], prints: list[int]) -> tuple[Any, ...]:
        again.prefetch(content_hash, bands, prints)  # as the dedup engine calls it first
        return (
            again.find_exact(content_hash),
            again.lsh_candidates(bands),
            again.paragraph_holders(prints),
        )

    one_by_one = {}
    for unit in (3, 5):
        again.current_unit = (queue.prefix, unit)
        one_by_one[unit] = [lookups(*document) for document in documents]
    trips = counting_round_trips(again)
    again.current_unit = (queue.prefix, 3)
    again.read_ahead(documents, last_unit=5)
    assert trips == [1]
    for unit in (3, 5):
        again.current_unit = (queue.prefix, unit)
        assert [lookups(*document) for document in documents] == one_by_one[unit]
    assert trips == [1]  # every answer came from the one round trip
    assert one_by_one[3][0] == (
        "doc-0",
        ["doc-0", "doc-1", "doc-2"],
        {9: ["doc-0", "doc-1", "doc-2"]},
    )
    # outside its units, or a document it did not read: Redis is asked again
    for unit, document in ((6, documents[0]), (2, documents[0]), (4, ("h-other", [7], [9]))):
        again.current_unit = (queue.prefix, unit)
        lookups(*document)
        assert trips == [2]
        trips[0] = 1
    again.close()


def test_a_commit_forgets_what_was_read_ahead(server: RedisServer, state: RedisState) -> None:
    queue = decide_three_units(state, committed=3)
    again = worker_in_batch(server, queue)
    again.current_unit = (queue.prefix, 3)
    again.read_ahead([("h9", [70], [90]), ("h10", [70], [90])], last_unit=4)
    assert again.find_exact("h9") is None
    again.add_kept("h9", "doc-9", "run")
    again.add_near_index("doc-9", [70], b"sig", None)
    again.add_paragraph_prints("doc-9", [90], 20)
    again.mark_decided(3)
    again.commit()  # unit 3's entries leave the transaction for the committed index
    again.current_unit = (queue.prefix, 4)
    assert again.find_exact("h9") == "doc-9"
    assert again.lsh_candidates([70]) == ["doc-9"]
    assert again.paragraph_holders([90]) == {90: ["doc-9"]}
    again.close()


def test_a_commit_applies_decided_units_only(server: RedisServer, state: RedisState) -> None:
    state.current_unit = ("newspipe:t:batch:x:", 4)
    state.add_kept("h4", "doc-4", "run")
    state.add_near_index("doc-4", [1], b"sig", None)
    state.current_unit = ("newspipe:t:batch:x:", 5)
    state.add_kept("h5", "doc-5", "run")
    state.add_near_index("doc-5", [1], b"sig", None)
    state.current_unit = None
    state.mark_decided(4)
    state.commit()
    other = RedisState(server.url(namespace="t"))
    assert (other.find_exact("h4"), other.find_exact("h5")) == ("doc-4", None)
    assert other.lsh_candidates([1]) == ["doc-4"]
    assert state.find_exact("h5") == "doc-5"  # still pending, for the next commit
    state.mark_decided(5)
    state.commit()
    assert other.lsh_candidates([1]) == ["doc-4", "doc-5"]


# -- a worker's run, end to end ----------------------------------------------------------------


def dump_lines(sentence: str, count: int) -> list[str]:
    """``count`` JSON Lines of distinct articles made from ``sentence`` (one ``{}`` in it)."""
    return [
        json.dumps({"text": sentence.format(f"رقم {n} " * 3)}, ensure_ascii=False) + "\n"
        for n in range(count)
    ]


def new_dump(tmp_path: Path, lines: list[str], ending: str = "") -> tuple[Path, Path]:
    """A seed root holding ``daily.jsonl`` made of ``lines`` (compressed: ``ending``, a key of
    COMPRESS): the root and the dump."""
    root = tmp_path / "in"
    root.mkdir()
    dump = root / f"daily.jsonl{ending}"
    dump.write_bytes(pack(ending, "".join(lines)))
    return root, dump


def pack(ending: str, text: str) -> bytes:
    """``text`` as a file ending in ``ending`` holds it: compressed, or as it is."""
    data = text.encode("utf-8")
    return COMPRESS[ending](data) if ending else data


@pytest.mark.parametrize("ending", ["", ".gz", ".zst"])
def test_a_dump_appended_to_is_read_on_past_its_old_lines_by_the_next_batch(
    server: RedisServer, tmp_path: Path, ending: str
) -> None:
    """Lines added at the end of a plain dump, or as a stream of their own at the end of a
    compressed one (``gzip -c day.jsonl >> daily.jsonl.gz``)."""
    from tests.crawling import crawl

    sentence = "أعلنت وزارة الصحة اليوم عن افتتاح مستشفى جديد في المدينة {} لخدمة السكان"
    lines = dump_lines(sentence, 8)
    root, dump = new_dump(tmp_path, lines[:5], ending)
    settings = {"NEWSPIPE_STATE": server.url(), "NEWSPIPE_OUTPUT_DIR": str(tmp_path / "out")}
    assert len(crawl(settings, path=str(root)).kept) == 5
    again = crawl(settings, path=str(root))
    assert not again.kept and not again.dropped  # the batch is done: nothing read twice
    with dump.open("ab") as scraper:
        scraper.write(pack(ending, "".join(lines[5:])))
    grown = crawl(settings, path=str(root))  # a new batch: the dump is not the same
    assert [doc["path"] for doc in grown.kept] == [
        f"daily.jsonl{ending}#6",
        f"daily.jsonl{ending}#7",
        f"daily.jsonl{ending}#8",
    ]
    # only the new lines are read: the old ones do not come out again as duplicates
    assert not grown.dropped
    assert grown.stats["newspipe/documents/resumed"] == 5
    assert grown.stats["newspipe/documents/read"] == 3
    # the same documents, ids included, as a worker reading the grown dump whole
    whole = crawl(
        {"NEWSPIPE_STATE": server.url(namespace="whole"), "NEWSPIPE_OUTPUT_DIR": str(tmp_path)},
        path=str(root),
    )
    assert [doc["id"] for doc in grown.kept] == [doc["id"] for doc in whole.kept[5:]]
    assert [doc["text"] for doc in grown.kept] == [doc["text"] for doc in whole.kept[5:]]


def test_a_dump_a_scraper_appended_to_after_the_walk_is_recorded_as_it_was_read(
    server: RedisServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newspipe.scaleout import worker
    from tests.crawling import crawl

    sentence = "أعلن النادي اليوم عن تعاقده مع مدرب جديد للفريق الأول {} لمدة موسمين قادمين"
    lines = dump_lines(sentence, 3)
    root, dump = new_dump(tmp_path, lines)
    walked = f"{dump.stat().st_size - len(lines[2].encode())}:1"  # before its last line came

    def version_seen_by_the_walk(found: Any) -> str:
        return walked

    monkeypatch.setattr(worker, "version_of", version_seen_by_the_walk)  # kept by the fork
    settings = {"NEWSPIPE_STATE": server.url(), "NEWSPIPE_OUTPUT_DIR": str(tmp_path / "out")}
    assert len(crawl(settings, path=str(root)).kept) == 3
    monkeypatch.undo()
    # the file has not changed since it was read: the next batch leaves it out
    again = crawl(settings, path=str(root))
    assert not again.kept and not again.dropped
    assert "newspipe/inputs/read" not in again.stats


def test_a_dump_changed_otherwise_is_read_whole_again(server: RedisServer, tmp_path: Path) -> None:
    from tests.crawling import crawl

    sentence = "افتتح محافظ المنطقة اليوم معرضا للكتاب في القاعة {} بمشاركة عشرات دور النشر العربية"
    lines = dump_lines(sentence, 4)
    root, dump = new_dump(tmp_path, lines[:3])
    settings = {"NEWSPIPE_STATE": server.url(), "NEWSPIPE_OUTPUT_DIR": str(tmp_path / "out")}
    assert len(crawl(settings, path=str(root)).kept) == 3
    # its first line rewritten, a line added: not the bytes read before, so all of it is read
    dump.write_text(lines[3] + "".join(lines[1:3]) + lines[0], encoding="utf-8")
    changed = crawl(settings, path=str(root))
    assert "newspipe/documents/resumed" not in changed.stats
    assert [doc["path"] for doc in changed.kept] == ["daily.jsonl#1"]
    assert changed.reasons == {f"daily.jsonl#{n}": "duplicate" for n in (2, 3, 4)}


def test_a_rebuilt_state_reads_a_grown_dump_whole(server: RedisServer, tmp_path: Path) -> None:
    from tests.crawling import crawl

    sentence = "وقعت الشركة الوطنية اليوم عقدا لإنشاء محطة كهرباء في المنطقة {} بطاقة إنتاجية عالية"
    lines = dump_lines(sentence, 3)
    root, dump = new_dump(tmp_path, lines[:2])
    url = server.url(namespace="rebuilt-dump")
    settings = {"NEWSPIPE_STATE": url, "NEWSPIPE_OUTPUT_DIR": str(tmp_path / "out")}
    assert len(crawl(settings, path=str(root)).kept) == 2
    RedisState(url).client.hset("newspipe:rebuilt-dump:meta", "norm_profile", "an older one")
    with dump.open("a", encoding="utf-8") as scraper:
        scraper.write(lines[2])
    rebuilt = crawl({**settings, "NEWSPIPE_REBUILD_STATE": "true"}, path=str(root))
    # the emptied index knows none of its documents: all are read, and kept, again
    assert [doc["path"] for doc in rebuilt.kept] == [f"daily.jsonl#{n}" for n in (1, 2, 3)]
    assert "newspipe/documents/resumed" not in rebuilt.stats


def test_a_new_file_beside_read_ones_is_the_only_one_the_next_batch_reads(
    server: RedisServer, tmp_path: Path
) -> None:
    from tests.crawling import crawl

    sentence = "قال مدير الميناء إن حركة السفن في الميناء {} ارتفعت خلال الأسبوع الماضي بنسبة كبيرة"
    root = tmp_path / "in"
    root.mkdir()
    for name in ("a", "b"):
        (root / f"{name}.txt").write_text(sentence.format(name * 3), encoding="utf-8")
    settings = {"NEWSPIPE_STATE": server.url(), "NEWSPIPE_OUTPUT_DIR": str(tmp_path / "out")}
    assert sorted(doc["path"] for doc in crawl(settings, path=str(root)).kept) == ["a.txt", "b.txt"]
    (root / "c.txt").write_text(sentence.format("جديد"), encoding="utf-8")
    night = crawl(settings, path=str(root))  # a new batch: the inputs are not the same
    # before: a.txt and b.txt read again, and rejected as duplicates of what they kept
    assert [doc["path"] for doc in night.kept] == ["c.txt"] and not night.dropped
    assert night.stats["newspipe/inputs/read"] == 1
    assert night.stats.get("newspipe/ahead/documents", 0) == 0  # one file: no process started


def test_a_rebuilt_state_reads_every_input_again(server: RedisServer, tmp_path: Path) -> None:
    from tests.crawling import crawl

    sentence = "أكد رئيس البلدية أن أعمال الصيانة في الحي {} ستنتهي قبل بداية العام الدراسي الجديد"
    root = tmp_path / "in"
    root.mkdir()
    for name in ("a", "b"):
        (root / f"{name}.txt").write_text(sentence.format(name * 3), encoding="utf-8")
    url = server.url(namespace="rebuilt")
    settings = {"NEWSPIPE_STATE": url, "NEWSPIPE_OUTPUT_DIR": str(tmp_path / "out")}
    assert len(crawl(settings, path=str(root)).kept) == 2
    # a newspipe with another normalisation: the state must be emptied and everything read again
    RedisState(url).client.hset("newspipe:rebuilt:meta", "norm_profile", "an older one")
    (root / "c.txt").write_text(sentence.format("جديد"), encoding="utf-8")
    rebuilt = crawl({**settings, "NEWSPIPE_REBUILD_STATE": "true"}, path=str(root))
    assert sorted(doc["path"] for doc in rebuilt.kept) == ["a.txt", "b.txt", "c.txt"]
    assert not rebuilt.dropped
    again = crawl(settings, path=str(root))  # and the rebuilt namespace knows them all
    assert not again.kept and not again.dropped


def test_a_worker_says_how_far_the_batch_has_got(server: RedisServer, tmp_path: Path) -> None:
    from tests.subprocess_run import copy_project, scrapy_crawl

    sentence = (
        "أوضح التقرير أن عدد الزوار في المعرض {} تجاوز التوقعات خلال الأيام الأولى من افتتاحه"
    )
    root = tmp_path / "in"
    root.mkdir()
    for number in range(200):
        (root / f"{number:03d}.txt").write_text(sentence.format(f"رقم {number} " * 4), "utf-8")
    run = scrapy_crawl(
        copy_project(tmp_path / "project"),
        "-a",
        f"path={root}",
        "-s",
        f"NEWSPIPE_STATE={server.url(namespace='progress')}",
        "-s",
        "NEWSPIPE_PROGRESS_INTERVAL=0.05",
    )
    assert run.exit_code == 0, run.stderr[-3000:]
    lines = [line for line in run.stderr.splitlines() if "progress: " in line]
    # the share of the batch's inputs decided, by every worker (before: no share, no ETA)
    shares = [int(line.split("/200 inputs (")[1].split("%")[0]) for line in lines]
    assert shares and shares == sorted(shares) and shares[-1] <= 100, lines
    assert any("ETA" in line for line in lines), lines


def test_a_worker_runs_the_pure_stages_ahead_and_reads_lookups_for_many_documents_at_once(
    server: RedisServer, tmp_path: Path
) -> None:
    """A Redis worker sends what it reads through the worker processes, as a SQLite run does,
    and reads the dedup lookups of the documents they send back in few round trips; what it
    keeps and rejects is what one SQLite run keeps and rejects."""
    from tests.crawling import crawl

    sentence = (
        "أعلنت وزارة الصحة أن حملة التطعيم في المنطقة {} شملت آلاف الأطفال خلال الأسبوع الأول"
    )
    root = tmp_path / "in"
    root.mkdir()
    for number in range(120):
        variant = number % 90  # the last 30 are copies of the first ones
        (root / f"{number:03d}.txt").write_text(sentence.format(f"رقم {variant} " * 4), "utf-8")
    redis_run = crawl(
        {"NEWSPIPE_STATE": server.url(), "NEWSPIPE_OUTPUT_DIR": str(tmp_path / "redis")},
        path=str(root),
    )
    sqlite_run = crawl(
        {
            "NEWSPIPE_STATE": str(tmp_path / "state.sqlite"),
            "NEWSPIPE_OUTPUT_DIR": str(tmp_path / "sqlite"),
        },
        path=str(root),
    )
    assert redis_run.exit_code == 0 and len(redis_run.kept) == 90
    assert sorted(doc["id"] for doc in redis_run.kept) == sorted(d["id"] for d in sqlite_run.kept)
    assert redis_run.reasons == sqlite_run.reasons
    stats = redis_run.stats
    assert stats["newspipe/ahead/documents"] == 120  # every one through the worker processes
    # before: one round trip a document; now several documents' lookups in each
    assert stats.get("newspipe/scaleout/documents_read_ahead", 0) >= 110
    assert stats.get("newspipe/scaleout/read_aheads", 0) <= 20
    # a worker alone publishes its units a run at a time, not one round trip a unit
    assert stats["newspipe/scaleout/decide_round_trips"] <= 20
