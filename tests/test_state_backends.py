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
