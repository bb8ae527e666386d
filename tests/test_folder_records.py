"""Folder records of the input manifest: a folder whose files were all ingested as they are now
is skipped whole by the next run, without a lookup a file; in a folder that grew or changed, only
the files its record does not list as they are are checked one by one; a record lists only what
a completed run ingested as the walk listed it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import newspipe.manifest as manifest_module
from newspipe.inputs import InputFile, InputOptions
from newspipe.inputs.read import FolderListing, walk_folders
from newspipe.manifest import (
    WITHDRAWN_FOLDER,
    InputManifest,
    InputRecord,
    folder_entries,
    folder_record,
    listing_digest,
)
from newspipe.state import DEFAULT_STATE_FILE, SqliteState
from tests.crawling import crawl


class CountingState(SqliteState):
    """A SQLite state that remembers which manifest keys each run asked for."""

    asked: list[str]

    def get_inputs(self, keys: list[str]) -> dict[str, str]:
        self.asked.extend(keys)
        return super().get_inputs(keys)


def open_state(tmp_path: Path) -> CountingState:
    state = CountingState(tmp_path / "state.sqlite")
    state.asked = []
    return state


def three_docs(file: InputFile) -> list[dict[str, Any]]:
    return [{"n": n} for n in range(3)]


def complete_run(state: SqliteState, seeds: Path) -> list[str]:
    """One run of the manifest as the recorder drives it, to the end: the files it read."""
    run = InputManifest(lambda: state)
    todo = run.plan_inputs(InputOptions(roots=(seeds,)))
    for document in run.documents(todo, three_docs):
        run.processed(document)
    for key, record in run.records_to_commit().items():
        state.set_input(key, record)
    state.commit()
    for key, record in run.folder_records().items():
        state.set_input(key, record)
    state.commit()
    return sorted(file.path.relative_to(seeds).as_posix() for file, _ in todo)


def planned(state: CountingState, seeds: Path) -> tuple[list[str], list[str]]:
    """What a run would read, and the file keys (not folder keys) it looked up to know it."""
    state.asked.clear()
    todo = InputManifest(lambda: state).plan_inputs(InputOptions(roots=(seeds,)))
    file_keys = [key for key in state.asked if not key.endswith(os.sep)]
    return sorted(file.path.relative_to(seeds).as_posix() for file, _ in todo), file_keys


def seed_folder(tmp_path: Path) -> Path:
    seeds = tmp_path / "seeds"
    (seeds / "okaz").mkdir(parents=True)
    for name in ("a.txt", "b.txt", "c.txt"):
        (seeds / name).write_text(f"نص {name}", encoding="utf-8")
    for name in ("d.txt", "e.txt"):
        (seeds / "okaz" / name).write_text(f"خبر {name}", encoding="utf-8")
    return seeds


def test_an_unchanged_folder_is_skipped_whole_without_a_lookup_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds, state = seed_folder(tmp_path), open_state(tmp_path)
    read = complete_run(state, seeds)
    assert read == ["a.txt", "b.txt", "c.txt", "okaz/d.txt", "okaz/e.txt"]

    def not_needed(text: str) -> dict[str, tuple[int, int]]:
        raise AssertionError("an unchanged listing is known by its digest alone")

    monkeypatch.setattr(manifest_module, "folder_entries", not_needed)
    run = InputManifest(lambda: state)
    state.asked.clear()
    assert run.plan_inputs(InputOptions(roots=(seeds,))) == []
    assert sorted(state.asked) == [
        os.path.join(os.path.realpath(seeds), ""),
        os.path.join(os.path.realpath(seeds / "okaz"), ""),
    ]
    assert run.total == 0


def test_a_new_an_edited_or_a_removed_file_sends_its_folder_back_to_file_by_file(
    tmp_path: Path,
) -> None:
    seeds, state = seed_folder(tmp_path), open_state(tmp_path)
    complete_run(state, seeds)

    (seeds / "okaz" / "f.txt").write_text("خبر جديد", encoding="utf-8")
    todo, looked_up = planned(state, seeds)
    assert todo == ["okaz/f.txt"]
    assert [Path(key).name for key in looked_up] == ["f.txt"]  # d and e: listed as they are
    assert complete_run(state, seeds) == ["okaz/f.txt"]
    assert planned(state, seeds) == ([], [])  # the new listing has its record

    (seeds / "b.txt").write_text("نص أطول بعد التحرير", encoding="utf-8")
    assert planned(state, seeds) == (["b.txt"], [str(seeds.resolve() / "b.txt")])
    assert complete_run(state, seeds) == ["b.txt"]

    (seeds / "c.txt").unlink()
    assert planned(state, seeds) == ([], [])  # a and b are listed as they are
    complete_run(state, seeds)  # records the smaller listing
    assert planned(state, seeds) == ([], [])
    assert state.asked == [str(key) + os.sep for key in (seeds.resolve(), seeds.resolve() / "okaz")]


def test_a_touched_file_is_hashed_once_then_its_folder_is_skipped_whole(tmp_path: Path) -> None:
    seeds, state = seed_folder(tmp_path), open_state(tmp_path)
    complete_run(state, seeds)
    os.utime(seeds / "a.txt", ns=(1, 1))  # same bytes, other mtime: the content hash decides
    todo, looked_up = planned(state, seeds)
    assert todo == [] and [Path(key).name for key in looked_up] == ["a.txt"]
    complete_run(state, seeds)  # its folder is recorded as listed now, with the new mtime
    assert planned(state, seeds) == ([], [])
    (seeds / "a.txt").write_text("نص a.tx!", encoding="utf-8")  # same size, other bytes
    assert planned(state, seeds)[0] == ["a.txt"]


def listed_names(records: dict[str, str]) -> dict[str, list[str]]:
    """folder name -> the file names its record lists."""
    return {Path(key).name: sorted(folder_entries(text)) for key, text in records.items()}


def test_a_file_changed_between_the_walk_and_its_reading_is_left_out_of_its_folder_record(
    tmp_path: Path,
) -> None:
    seeds, state = seed_folder(tmp_path), open_state(tmp_path)
    run = InputManifest(lambda: state)
    todo = run.plan_inputs(InputOptions(roots=(seeds,)))
    (seeds / "okaz" / "d.txt").write_text("خبر تغير بعد المسح", encoding="utf-8")
    for document in run.documents(todo, three_docs):
        run.processed(document)
    run.records_to_commit()
    assert listed_names(run.folder_records()) == {
        "seeds": ["a.txt", "b.txt", "c.txt"],
        "okaz": ["e.txt"],
    }


def test_a_folder_with_a_file_not_read_to_the_end_gets_no_record(tmp_path: Path) -> None:
    seeds, state = seed_folder(tmp_path), open_state(tmp_path)
    (seeds / "okaz" / "c.txt").write_text("خبر ثالث", encoding="utf-8")
    run = InputManifest(lambda: state)
    documents = run.documents(run.plan_inputs(InputOptions(roots=(seeds,))), three_docs)
    for _ in range(3 * 3 + 3 + 1):  # the root's three files, okaz/c.txt, one document of d.txt
        run.processed(next(documents))
    run.records_to_commit()
    assert listed_names(run.folder_records()) == {"seeds": ["a.txt", "b.txt", "c.txt"]}


def backup(path: Path) -> Callable[[], None]:
    """What puts ``path`` back as it is now, bytes and mtime (a backup restored)."""
    data, status = path.read_bytes(), path.stat()

    def restore() -> None:
        path.write_bytes(data)
        os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))

    return restore


def commit(state: SqliteState, records: dict[str, str]) -> None:
    for key, record in records.items():
        state.set_input(key, record)
    state.commit()


@pytest.mark.parametrize("root", ["folder", "file"])
def test_a_folder_record_is_withdrawn_with_the_first_record_that_contradicts_it(
    tmp_path: Path, root: str
) -> None:
    seeds, state = seed_folder(tmp_path), open_state(tmp_path)
    complete_run(state, seeds)
    a = seeds / "a.txt"
    restore = backup(a)
    a.write_text("نص جديد أطول من الأول", encoding="utf-8")
    run = InputManifest(lambda: state)
    # Read through its folder, or as a seed root of its own (its folder then skipped whole).
    todo = run.plan_inputs(InputOptions(roots=(seeds if root == "folder" else a,)))
    run.processed(next(run.documents(todo, three_docs)))  # one document, then the run dies
    records = run.records_to_commit()
    assert records[str(seeds.resolve()) + os.sep] == WITHDRAWN_FOLDER
    commit(state, records)
    restore()  # the old a.txt is back: its own record is of the other version
    assert planned(state, seeds)[0] == ["a.txt"]


def test_a_folder_checked_file_by_file_also_withdraws_its_record(tmp_path: Path) -> None:
    seeds, state = seed_folder(tmp_path), open_state(tmp_path)
    complete_run(state, seeds)
    d = seeds / "okaz" / "d.txt"
    restore = backup(d)
    (seeds / "okaz" / "link.txt").symlink_to(seeds / "a.txt")  # the folder: file by file now
    d.write_text("خبر آخر أطول", encoding="utf-8")
    assert complete_run(state, seeds) == ["okaz/d.txt", "okaz/link.txt"]
    (seeds / "okaz" / "link.txt").unlink()
    restore()
    assert planned(state, seeds)[0] == ["okaz/d.txt"]


def test_a_touched_file_gets_its_new_mtime_in_its_own_record(tmp_path: Path) -> None:
    seeds, state = seed_folder(tmp_path), open_state(tmp_path)
    complete_run(state, seeds)
    os.utime(seeds / "a.txt", ns=(1, 1))
    complete_run(state, seeds)
    key = str((seeds / "a.txt").resolve())
    record = InputRecord.from_json(state.get_inputs([key])[key])
    assert record is not None and record.complete and record.signature.mtime_ns == 1
    # The file by itself is known unchanged again without hashing it.
    run = InputManifest(lambda: state)
    assert run.plan([InputFile(seeds / "a.txt", seeds)]) == [] and run.records_to_commit() == {}


def test_a_folder_record_that_cannot_be_read_lists_nothing(tmp_path: Path) -> None:
    seeds = seed_folder(tmp_path)
    text = folder_record(root_listing(seeds).files)
    entries = folder_entries(text)
    assert entries == {
        name: (status.st_size, status.st_mtime_ns) for name, status in root_listing(seeds).files
    }
    record = json.loads(text)
    for broken in (
        {**record, "entries": record["entries"][:-8]},  # cut short
        {**record, "entries": "not base64!"},
        {**record, "files": 4},  # not what it holds
        {key: value for key, value in record.items() if key != "entries"},
    ):
        assert folder_entries(json.dumps(broken)) == {}
    assert folder_entries("not json") == {}


def test_a_folder_holding_a_link_is_checked_file_by_file(tmp_path: Path) -> None:
    seeds, state = seed_folder(tmp_path), open_state(tmp_path)
    (seeds / "okaz" / "link.txt").symlink_to(seeds / "a.txt")
    complete_run(state, seeds)
    todo, looked_up = planned(state, seeds)
    assert todo == []
    assert sorted(Path(key).name for key in looked_up) == ["d.txt", "e.txt", "link.txt"]


def root_digest(seeds: Path) -> str:
    return listing_digest(root_listing(seeds).files)


def root_listing(seeds: Path) -> FolderListing:
    (listing,) = [found for found in walk_folders(seeds) if found.prefix == ""]
    return listing


def test_the_listing_digest_is_the_same_in_every_process_and_tells_listings_apart(
    tmp_path: Path,
) -> None:
    seeds = seed_folder(tmp_path)
    listing = root_listing(seeds)
    digest = listing_digest(listing.files)
    code = (
        "import sys; from pathlib import Path; from newspipe.inputs.read import walk_folders; "
        "from newspipe.manifest import listing_digest; "
        "print([listing_digest(l.files) for l in walk_folders(Path(sys.argv[1])) if not l.prefix])"
    )
    for seed in ("1", "2"):  # str hashes differ between these: the digest must not
        env = {**os.environ, "PYTHONHASHSEED": seed}
        printed = subprocess.run(
            [sys.executable, "-c", code, str(seeds)], env=env, capture_output=True, text=True
        )
        assert printed.stdout.strip() == repr([digest]), printed.stderr
    assert folder_record(listing.files).startswith(f'{{"listing":"{digest}",')

    seen = {digest}
    a = seeds / "a.txt"
    original = a.stat()
    a.write_bytes(a.read_bytes() + b"!")  # one byte more, the mtime put back
    os.utime(a, ns=(original.st_atime_ns, original.st_mtime_ns))
    seen.add(root_digest(seeds))
    os.utime(a, ns=(1, 1))  # another mtime
    seen.add(root_digest(seeds))
    a.rename(seeds / "z.txt")  # another name
    seen.add(root_digest(seeds))
    assert len(seen) == 4


def test_a_completed_crawl_writes_folder_records_and_the_next_skips_the_folders(
    tmp_path: Path,
) -> None:
    seeds = seed_folder(tmp_path)
    settings = {"NEWSPIPE_SEEDS": str(seeds), "NEWSPIPE_OUTPUT_DIR": str(tmp_path / "out")}
    first = crawl(settings)
    assert first.exit_code == 0
    assert len(first.kept) + len(first.dropped) == 5  # short texts: rejects, each accounted for
    state = SqliteState(tmp_path / "out" / DEFAULT_STATE_FILE)
    keys = [os.path.join(os.path.realpath(folder), "") for folder in (seeds, seeds / "okaz")]
    folders = state.get_inputs(keys)
    assert sorted(folders) == sorted(keys)
    assert all(record.startswith('{"listing":') for record in folders.values())
    state.close()
    second = crawl(settings)
    assert second.exit_code == 0 and second.kept == second.dropped == []
    assert second.stats["newspipe/inputs/skipped"] == 5
    assert second.stats["newspipe/inputs/total"] == 5
    assert "newspipe/inputs/read" not in second.stats
