"""One suite for every state store: SQLite and Redis must behave the same.

Each test gets a ``make_store()`` that opens a new connection to the same state, as a second run (or
a second worker) would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from newspipe.state import SqliteState, StateStore, open_state
from newspipe.state.redis import RedisState
from tests.redis_server import RedisServer

StoreFactory = Callable[[], StateStore]


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    opened: list[StateStore] = []
    if request.param == "sqlite":
        location = str(tmp_path / "state.sqlite")
        server = None
    else:
        binary = request.getfixturevalue("redis_server_binary")
        server = RedisServer(binary, tmp_path / "redis").start()
        location = server.url(namespace="suite")

    def factory() -> StateStore:
        store = open_state(location, tmp_path)
        opened.append(store)
        return store

    try:
        yield factory
    finally:
        for store in opened:
            store.close()
        if server is not None:
            server.stop()


def test_the_backend_is_the_one_asked_for(make_store: StoreFactory) -> None:
    store = make_store()
    assert isinstance(store, SqliteState | RedisState)
    assert store.describe().split(":", 1)[0] in {"sqlite", "redis"}


def test_meta_is_read_back_and_survives_a_new_connection(make_store: StoreFactory) -> None:
    first = make_store()
    assert first.get_meta("norm_profile") is None
    first.set_meta("norm_profile", "v1")
    assert first.get_meta("norm_profile") == "v1"  # read your own writes before commit
    first.commit()
    first.set_meta("norm_profile", "v2")
    first.commit()
    assert make_store().get_meta("norm_profile") == "v2"


def test_kept_hash_found_in_the_same_transaction(make_store: StoreFactory) -> None:
    store = make_store()
    assert store.find_exact("h1") is None
    store.add_kept("h1", "doc-a", "run-1")
    assert store.find_exact("h1") == "doc-a"


def test_writes_are_invisible_to_others_until_commit(make_store: StoreFactory) -> None:
    writer, reader = make_store(), make_store()
    writer.add_kept("h1", "doc-a", "run-1")
    writer.set_meta("k", "v")
    assert reader.find_exact("h1") is None
    assert reader.get_meta("k") is None
    writer.commit()
    assert reader.find_exact("h1") == "doc-a"
    assert reader.get_meta("k") == "v"


def test_rollback_forgets_the_open_transaction(make_store: StoreFactory) -> None:
    store = make_store()
    store.add_kept("kept", "doc-a", "run-1")
    store.commit()
    store.add_kept("dropped", "doc-b", "run-1")
    store.set_meta("k", "v")
    store.rollback()
    assert store.find_exact("dropped") is None
    assert store.get_meta("k") is None
    assert make_store().find_exact("kept") == "doc-a"


def test_a_transaction_sqlite_rolled_back_itself_is_not_rolled_back_again(
    tmp_path: Path,
) -> None:
    store = SqliteState(tmp_path / "state.sqlite")
    store.add_kept("h1", "doc-a", "run-1")
    store._db.execute("ROLLBACK")  # as SQLite does after "database or disk is full"
    store.rollback()  # before: "cannot rollback - no transaction is active"
    store.add_kept("h2", "doc-b", "run-1")  # a new transaction begins as ever
    store.commit()
    store.close()
    reopened = SqliteState(tmp_path / "state.sqlite")
    assert (reopened.find_exact("h1"), reopened.find_exact("h2")) == (None, "doc-b")


def test_close_without_commit_applies_nothing(make_store: StoreFactory) -> None:
    store = make_store()
    store.add_kept("h1", "doc-a", "run-1")
    store.close()
    assert make_store().find_exact("h1") is None


def test_the_first_kept_document_of_a_hash_wins(make_store: StoreFactory) -> None:
    first, second = make_store(), make_store()
    first.add_kept("h1", "doc-a", "run-1")
    first.add_kept("h1", "doc-b", "run-1")
    assert first.find_exact("h1") == "doc-a"
    first.commit()
    second.add_kept("h1", "doc-c", "run-2")
    second.commit()
    assert make_store().find_exact("h1") == "doc-a"


def test_commit_of_many_entries_is_complete(make_store: StoreFactory) -> None:
    store = make_store()
    for number in range(500):
        store.add_kept(f"h{number}", f"doc-{number}", "run-1")
    store.commit()
    other = make_store()
    assert all(other.find_exact(f"h{n}") == f"doc-{n}" for n in range(500))


def test_an_empty_commit_is_harmless(make_store: StoreFactory) -> None:
    store = make_store()
    store.commit()
    store.rollback()
    assert store.find_exact("nothing") is None


# -- the near-duplicate index and shared passages ----------------------------------------------


def test_near_index_survives_a_new_connection_once_committed(make_store: StoreFactory) -> None:
    store = make_store()
    store.add_kept("h1", "doc1", "run1")
    store.add_near_index("doc1", [5, -7, 2**62], b"\x00sig\xff", "was")
    store.add_paragraph_prints("doc1", [1, 2, -3], 20)
    assert store.lsh_candidates([-7]) == ["doc1"]  # read your own writes before commit
    assert make_store().lsh_candidates([-7]) == []
    store.commit()
    other = make_store()
    assert other.find_exact("h1") == "doc1"
    assert other.lsh_candidates([2**62, 99]) == ["doc1"]
    assert other.get_signatures(["doc1", "nope"]) == {"doc1": b"\x00sig\xff"}
    assert other.get_sources(["doc1", "nope"]) == {"doc1": "was"}
    assert other.paragraph_holders([-3, 9]) == {-3: ["doc1"]}


def test_uncommitted_near_index_is_forgotten(make_store: StoreFactory) -> None:
    store = make_store()
    store.add_near_index("doc1", [1, 2], b"sig", None)
    store.add_paragraph_prints("doc1", [1], 20)
    store.rollback()
    assert store.lsh_candidates([1, 2]) == []
    assert store.paragraph_holders([1]) == {}
    store.close()
    assert make_store().lsh_candidates([1]) == []


def test_candidates_come_once_each_in_the_order_kept(make_store: StoreFactory) -> None:
    store = make_store()
    store.add_near_index("b-second", [10, 11, 12], b"x", None)
    store.add_near_index("a-third", [12, 13], b"y", None)
    store.commit()
    later = make_store()
    later.add_near_index("c-first", [11], b"z", None)
    assert later.lsh_candidates([11, 12, 13]) == ["b-second", "a-third", "c-first"]
    later.add_near_index("b-second", [99], b"again", None)  # a second record changes nothing
    later.commit()
    assert make_store().lsh_candidates([99]) == []
    assert make_store().lsh_candidates([13, 11]) == ["b-second", "a-third", "c-first"]
    assert make_store().get_signatures(["b-second"]) == {"b-second": b"x"}


def test_short_documents_keep_their_source_without_keys(make_store: StoreFactory) -> None:
    store = make_store()
    store.add_near_index("short", [], b"", "okaz")
    store.add_near_index("nameless", [], b"", None)
    store.commit()
    other = make_store()
    assert other.get_sources(["short", "nameless"]) == {"short": "okaz", "nameless": None}
    assert other.get_signatures(["short"]) == {}


def test_a_print_keeps_one_holder_more_than_the_limit(make_store: StoreFactory) -> None:
    store = make_store()
    for number in range(3):
        store.add_paragraph_prints(f"d{number}", [42, number], 3)
    store.commit()
    later = make_store()
    for number in range(3, 8):
        later.add_paragraph_prints(f"d{number}", [42, number], 3)
    assert later.paragraph_holders([42])[42] == ["d0", "d1", "d2", "d3"]
    later.commit()
    assert make_store().paragraph_holders([42, 5]) == {42: ["d0", "d1", "d2", "d3"], 5: ["d5"]}


def test_reset_forgets_earlier_runs_but_not_meta(make_store: StoreFactory) -> None:
    store = make_store()
    store.set_meta("norm_profile", "v1")
    store.add_kept("h1", "doc1", "run1")
    store.add_near_index("doc1", [1], b"sig", "was")
    store.add_paragraph_prints("doc1", [7], 20)
    store.set_input("/in/a.txt", "{}")
    store.commit()
    again = make_store()
    again.reset()
    assert again.find_exact("h1") is None  # in the transaction already
    assert again.lsh_candidates([1]) == []
    again.add_kept("h2", "doc2", "run2")
    assert make_store().find_exact("h1") == "doc1"  # not before the commit
    again.commit()
    other = make_store()
    assert other.find_exact("h1") is None
    assert other.find_exact("h2") == "doc2"
    assert other.lsh_candidates([1]) == []
    assert other.paragraph_holders([7]) == {}
    assert other.get_inputs(["/in/a.txt"]) == {}
    assert other.get_meta("norm_profile") == "v1"


@pytest.mark.parametrize("others_between", [1, 4000])
def test_inputs_are_found_by_key_however_many_are_asked_for(
    make_store: StoreFactory, others_between: int
) -> None:
    store = make_store()
    for number in range(0, 1500, 2):  # every other file of a walk is known
        store.set_input(f"/in/{number:05d}.txt", f'{{"n":{number}}}')
    store.set_input("/elsewhere/x.txt", "{}")  # before the keys asked for
    # Known, not asked for, among the keys asked for: one, or more than those (another root).
    for number in range(others_between):
        store.set_input(f"/in/00001/{number:05d}.txt", "{}")
    store.commit()
    for count in (3, 1500):  # a few keys, and more than SQLite binds in one statement
        keys = [f"/in/{number:05d}.txt" for number in range(count)]
        found = make_store().get_inputs(keys)
        assert found == {key: f'{{"n":{int(key[4:9])}}}' for key in keys[::2]}
