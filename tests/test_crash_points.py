"""The shard commit protocol, interrupted at each of its steps, then recovered."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newspipe import shards
from newspipe.shards import PENDING_META, ShardSet, commit_shards, recover, shard_name
from newspipe.state import SqliteState
from newspipe.state.base import NothingCommitted


class Crash(BaseException):
    """Stands for the process dying at this point."""


def open_state(tmp_path: Path) -> SqliteState:
    return SqliteState(tmp_path / "state.sqlite")


def two_records(shard_set: ShardSet) -> list[shards.PendingFile]:
    assert not shard_set.write("kept", {"id": "a", "text": "نص"})
    assert shard_set.write("rejects", {"id": "b", "reject_reason": "empty"}) is False
    assert shard_set.write("kept", {"id": "c", "text": "نص آخر"})  # full at 2
    return shard_set.seal()


def finals(folder: Path) -> dict[str, int]:
    return {p.name: len(p.read_text().splitlines()) for p in folder.glob("seeds-*")}


def temps(folder: Path) -> list[Path]:
    return list(folder.glob(".*.tmp"))


def test_crash_before_the_commit_leaves_nothing_final(tmp_path: Path) -> None:
    state = open_state(tmp_path)
    state.add_kept("h1", "a", "r1")
    pending = two_records(ShardSet(tmp_path, "r1", shard_docs=2, gzipped=False))
    assert all(item.temp.exists() for item in pending) and not finals(tmp_path)
    state.close()  # dies before commit_shards: the transaction is lost

    state = open_state(tmp_path)
    assert recover(state, tmp_path) == []
    assert not temps(tmp_path) and not finals(tmp_path)
    assert state.find_exact("h1") is None  # the state does not claim the lost documents


@pytest.mark.parametrize("refused", [True, False])
def test_a_commit_refused_as_a_whole_leaves_no_temp_files_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, refused: bool
) -> None:
    state = open_state(tmp_path)
    pending = two_records(ShardSet(tmp_path, "r1", shard_docs=2, gzipped=False))
    error = NothingCommitted("taken over") if refused else OSError("disk full")

    def failing_commit() -> None:
        raise error

    monkeypatch.setattr(state, "commit", failing_commit)
    with pytest.raises(type(error)):
        commit_shards(state, pending, {})
    assert not finals(tmp_path)
    # Refused as a whole: nothing refers to the files, they go. Otherwise it is not known
    # whether the commit applied: recover() decides from the state, on the next run.
    assert bool(temps(tmp_path)) is not refused


def test_crash_between_commit_and_rename_is_finished_by_recovery(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = open_state(tmp_path)
    state.add_kept("h1", "a", "r1")
    pending = two_records(ShardSet(tmp_path, "r1", shard_docs=2, gzipped=False))

    def die(_: object) -> int:
        raise Crash

    monkeypatch.setattr(shards, "_rename", die)
    with pytest.raises(Crash):
        commit_shards(state, pending, {"/in/a.txt": "{}"})
    monkeypatch.undo()
    state.close()
    assert not finals(tmp_path)

    state = open_state(tmp_path)
    assert state.find_exact("h1") == "a"
    assert [item.final.name for item in recover(state, tmp_path)] == [
        shard_name("r1", "kept", 1, gzipped=False),
        shard_name("r1", "rejects", 1, gzipped=False),
    ]
    assert finals(tmp_path) == {"seeds-r1.jsonl": 2, "seeds-r1.rejects.jsonl": 1}
    assert not temps(tmp_path)
    assert json.loads(state.get_meta(PENDING_META) or "") == []
    assert state.get_inputs(["/in/a.txt", "/in/b.txt"]) == {"/in/a.txt": "{}"}


def test_workers_sharing_an_output_dir_recover_only_the_dead_ones_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scale-out: each worker's run has its own pending list; a starting worker finishes the
    renames of a dead run and leaves a live run's files, committed or not, to that run."""
    state = open_state(tmp_path)

    def die(_: object) -> int:
        raise Crash

    monkeypatch.setattr(shards, "_rename", die)
    shard_sets = {
        run: ShardSet(tmp_path, run, shard_docs=2, gzipped=False) for run in ("dead", "alive")
    }
    for run, shard_set in shard_sets.items():
        with pytest.raises(Crash):
            commit_shards(state, two_records(shard_set), {}, key=f"{PENDING_META}:{run}")
    monkeypatch.undo()
    shard_sets["alive"].write("kept", {"id": "e"})  # the live run's next shard, not committed

    recovered = recover(
        state,
        tmp_path,
        pending_keys=[f"{PENDING_META}:dead", f"{PENDING_META}:alive"],
        is_alive=lambda run_id: run_id == "alive",
    )
    assert [item.final.name for item in recovered] == [
        "seeds-dead.jsonl",
        "seeds-dead.rejects.jsonl",
    ]
    assert finals(tmp_path) == {"seeds-dead.jsonl": 2, "seeds-dead.rejects.jsonl": 1}
    assert len(temps(tmp_path)) == 3  # the live run's committed pair and its open shard
    assert json.loads(state.get_meta(f"{PENDING_META}:dead") or "") == []
    assert len(json.loads(state.get_meta(f"{PENDING_META}:alive") or "")) == 2


def test_crash_after_the_rename_needs_no_rename(tmp_path: Path) -> None:
    state = open_state(tmp_path)
    pending = two_records(ShardSet(tmp_path, "r1", shard_docs=2, gzipped=False))
    commit_shards(state, pending, {})
    state.close()  # dies before the cleared pending list is committed
    before = finals(tmp_path)

    state = open_state(tmp_path)
    assert len(recover(state, tmp_path)) == 2
    assert (
        finals(tmp_path)
        == before
        == {
            "seeds-r1.jsonl": 2,
            "seeds-r1.rejects.jsonl": 1,
        }
    )


def test_recovery_is_idempotent_and_the_next_shard_numbers_on(tmp_path: Path) -> None:
    state = open_state(tmp_path)
    shard_set = ShardSet(tmp_path, "r1", shard_docs=2, gzipped=True)
    commit_shards(state, two_records(shard_set), {})
    shard_set.write("kept", {"id": "d"})
    commit_shards(state, shard_set.seal(), {})
    recover(state, tmp_path)
    recover(state, tmp_path)
    names = sorted(p.name for p in tmp_path.glob("seeds-*"))
    assert names == [
        "seeds-r1-00002.jsonl.gz",
        "seeds-r1.jsonl.gz",
        "seeds-r1.rejects.jsonl.gz",
    ]
    assert shards.count_lines(tmp_path / "seeds-r1.jsonl.gz") == 2


def test_orphan_runs_are_those_with_files_and_no_manifest(tmp_path: Path) -> None:
    for name in (
        "seeds-old.jsonl",
        "seeds-old.rejects.jsonl",
        "seeds-done.jsonl",
    ):
        (tmp_path / name).write_text("{}\n")
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "done.json").write_text("{}")
    found = shards.orphan_runs(tmp_path, "now")
    assert {run: [(p.name, kind) for p, kind in files] for run, files in found.items()} == {
        "old": [("seeds-old.jsonl", "kept"), ("seeds-old.rejects.jsonl", "rejects")]
    }
