"""Plain functions of cron runs: the input manifest's decisions, the progress line, the summary."""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from newspipe.config import SettingError
from newspipe.document import INPUT_REJECT
from newspipe.inputs import InputFile, InputOptions
from newspipe.manifest import (
    INPUT_KEY,
    InputManifest,
    InputRecord,
    ReadFile,
    Signature,
    file_digest,
    full_signature,
    lines_added,
    read_file,
    read_with,
    signature_and_contents,
    unchanged,
)
from newspipe.progress import SourceCounts, duration, progress_line, size_text
from newspipe.recorder import RunRecorder
from newspipe.state import SqliteState
from tests.conftest import COMPRESS


def File(path: Path) -> InputFile:
    return InputFile(path, path.parent)


def test_unchanged_needs_the_hash_only_when_size_and_mtime_disagree(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("نص أول")
    record = InputRecord(full_signature(path), 1, True)
    assert unchanged(record, full_signature(path), path)
    os.utime(path, ns=(1, 1))  # touched: same bytes
    assert unchanged(record, full_signature(path), path)
    path.write_text("نص ثان")  # same size in bytes, other content
    assert full_signature(path).size == record.signature.size
    assert not unchanged(record, full_signature(path), path)
    path.write_text("نص أطول من الأول")
    assert not unchanged(record, full_signature(path), path)


@pytest.mark.parametrize(
    ("name", "then", "now", "added"),
    [
        ("dump.jsonl", b'{"n": 1}\n', b'{"n": 1}\n{"n": 2}\n', True),
        ("dump.ndjson", b'{"n": 1}\n', b'{"n": 1}\n\n{"n": 2}', True),
        ("dump.jsonl", b'{"n": 1}\n', b'{"n": 0}\n{"n": 2}\n', False),  # the start changed
        ("dump.jsonl", b'{"n": 1', b'{"n": 1}\n{"n": 2}\n', False),  # a line finished since
        ("dump.jsonl", b'{"n": 1}\n{"n": 2}\n', b'{"n": 1}\n', False),  # shorter
        ("dump.json", b'{"n": 1}\n', b'{"n": 1}\n{"n": 2}\n', False),  # JSON: another file
        ("dump.jsonl.gz", b"\x1f\x8b1\n", b"\x1f\x8b1\n2\n", False),
        ("dump.jsonl", b"\n\n", b'\n\n{"n": 1}\n', False),  # blank lines gave no document
        ("dump.jsonl", b"\xef\xbb\xbf \n", b'\xef\xbb\xbf \n{"n": 1}\n', False),  # nor a BOM
    ],
)
def test_lines_added_to_a_json_lines_file_are_told_from_a_changed_file(
    tmp_path: Path, name: str, then: bytes, now: bytes, added: bool
) -> None:
    path = tmp_path / name
    path.write_bytes(then)
    record = InputRecord(full_signature(path), 1, True)
    path.write_bytes(now)
    expected = (len(then), then.count(b"\n")) if added else None  # where the new lines begin
    assert lines_added(record, full_signature(path), path) == expected


@pytest.mark.parametrize("ending", list(COMPRESS))
def test_lines_added_to_a_compressed_dump_are_told_from_a_changed_one(
    tmp_path: Path, ending: str
) -> None:
    pack = COMPRESS[ending]
    day1, day2 = b'{"n": 1}\n{"n": 2}\n', b'{"n": 3}\n'
    path = tmp_path / f"dump.jsonl{ending}"

    def added(ingested: bytes, now: bytes, max_bytes: int = 1000) -> tuple[int, int] | None:
        path.write_bytes(ingested)
        record = InputRecord(full_signature(path), 2, True)
        path.write_bytes(now)
        return lines_added(record, full_signature(path), path, max_bytes)

    then = pack(day1)
    assert added(then, then + pack(day2)) == (len(then), 2)  # a stream added: read on from it
    assert added(then, pack(day1 + day2)) is None  # compressed again as a whole: another file
    assert added(then[:-4], then + pack(day2)) is None  # ingested cut in a stream: no place
    unfinished = pack(b'{"n": 1}\n{"n": 2')
    assert added(unfinished, unfinished + pack(b"}\n" + day2)) is None  # a line finished since
    assert added(then, then + pack(day2), max_bytes=len(day1) - 1) is None  # read in part
    array = pack(b'[{"n": 1},\n{"n": 2}]\n')
    assert added(array, array + pack(day2)) is None  # read as JSON, not lines
    blank = pack(b"\n \n")
    assert added(blank, blank + pack(day2)) is None  # blank lines: no document to read on from


def test_a_json_lines_file_appended_to_is_read_on_past_the_documents_done(
    tmp_path: Path,
) -> None:
    path = tmp_path / "dump.jsonl"
    path.write_bytes(b'{"n": 0}\n{"n": 1}\n{"n": 2}\n')
    state = SqliteState(tmp_path / "state.sqlite")
    run1 = manifest_with(state)
    for document in run1.documents(run1.plan([File(path)]), three_docs):
        run1.processed(document)
    for key, text in run1.records_to_commit().items():
        state.set_input(key, text)
    state.commit()
    with path.open("ab") as dump:  # a scraper adds the day's articles
        dump.write(b'{"n": 3}\n{"n": 4}\n')
    assert [(f.path.name, skip) for f, skip in manifest_with(state).plan([File(path)])] == [
        ("dump.jsonl", 3)  # the three done are left out, as on a resume
    ]


def manifest_with(state: SqliteState) -> InputManifest:
    return InputManifest(lambda: state)


def three_docs(file: InputFile) -> list[dict[str, Any]]:
    return [{"n": n} for n in range(3)]


def test_a_small_file_is_hashed_from_the_bytes_read_a_large_one_streamed(tmp_path: Path) -> None:
    small, large = tmp_path / "small.txt", tmp_path / "large.bin"
    small.write_bytes("نص قصير".encode())
    large.write_bytes(bytes(range(256)) * 8193)  # over the whole-read limit
    for path, kept in ((small, True), (large, False)):
        expected = hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
        assert file_digest(path) == expected
        signature, contents = signature_and_contents(path)
        assert signature == full_signature(path) and signature.digest == expected
        assert (contents == path.read_bytes()) if kept else contents is None
    assert signature_and_contents(tmp_path / "gone.txt") == (Signature(-1, -1), None)


def test_a_file_read_whole_has_the_signature_the_manifest_checks(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"text": "نص أول"}\n{"text": "نص ثان"}\n{"text": "نص ثالث"}\n')
    file = File(path)
    read = read_file(file, 1, read_with(InputOptions(roots=(tmp_path,))))
    assert read.signature == full_signature(path)
    assert [doc["text"] for doc in read.documents] == ["نص ثان", "نص ثالث"]
    assert read.resumed == 1
    assert file.contents is None  # the bytes are not kept once read
    path.unlink()
    gone = read_file(file, 0, read_with(InputOptions(roots=(tmp_path,))))
    assert gone.signature == Signature(-1, -1)  # recorded so: read again next time
    assert [doc[INPUT_REJECT][0] for doc in gone.documents] == ["unreadable"]


def test_a_complete_record_is_recognised_without_parsing_it_and_nothing_else_is() -> None:
    def record(size: int, mtime_ns: int, complete: bool) -> str:
        return InputRecord(Signature(size, mtime_ns, "ab" * 16), 3, complete).to_json()

    assert InputRecord.is_complete_as(record(12, 345, True), 12, 345)
    for text, size, mtime_ns in [
        (record(12, 345, False), 12, 345),  # partly done: parsed, resumed
        (record(123, 345, True), 12, 345),  # another size that starts with the same digits
        (record(12, 3456, True), 12, 345),  # another mtime, likewise
        (record(12, 345, True), 12, 346),
        ('{"size": 12, "mtime_ns": 345, "hash": "", "docs_done": 3, "complete": true}', 12, 345),
    ]:
        assert not InputRecord.is_complete_as(text, size, mtime_ns)
    # What the fast check leaves to the parser, the parser still reads.
    spaced = InputRecord.from_json(
        '{"size": 12, "mtime_ns": 345, "hash": "", "docs_done": 3, "complete": true}'
    )
    assert spaced == InputRecord(Signature(12, 345, ""), 3, True)


def test_a_touched_input_is_skipped_only_when_its_bytes_are_the_same(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("نص أول")
    state = SqliteState(tmp_path / "state.sqlite")
    run1 = manifest_with(state)
    files = [File(tmp_path / "a.txt")]
    for document in run1.documents(run1.plan(files), three_docs):
        run1.processed(document)
    for key, text in run1.records_to_commit().items():
        state.set_input(key, text)
    os.utime(tmp_path / "a.txt", ns=(1, 1))  # touched: the record's mtime no longer matches
    assert manifest_with(state).plan([File(tmp_path / "a.txt")]) == []
    (tmp_path / "a.txt").write_text("نص ثان")  # same size, other bytes
    os.utime(tmp_path / "a.txt", ns=(1, 1))
    assert len(manifest_with(state).plan([File(tmp_path / "a.txt")])) == 1


def test_an_input_cut_by_a_commit_resumes_after_its_committed_documents(tmp_path: Path) -> None:
    (tmp_path / "z.zip").write_bytes(b"three documents")
    (tmp_path / "b.txt").write_bytes(b"three more")
    files = [File(tmp_path / "z.zip"), File(tmp_path / "b.txt")]
    state = SqliteState(tmp_path / "state.sqlite")

    run1 = manifest_with(state)
    docs = run1.documents(run1.plan(files), three_docs)
    for _ in range(2):
        run1.processed(next(docs))
    records = run1.records_to_commit()  # a shard boundary after two documents of z.zip
    for key, record in records.items():
        state.set_input(key, record)
    state.commit()
    parsed = InputRecord.from_json(records[str(files[0].path.resolve())])
    assert parsed is not None and parsed.docs_done == 2 and not parsed.complete
    # ... and the run dies here.

    run2 = manifest_with(state)
    plan = run2.plan(files)
    assert [(f.path.name, skip) for f, skip in plan] == [("z.zip", 2), ("b.txt", 0)]
    rest = list(run2.documents(plan, three_docs))
    assert [doc["n"] for doc in rest] == [2, 0, 1, 2]
    for doc in rest:
        assert doc[INPUT_KEY]
        run2.processed(doc)
    assert run2.done == 2 == run2.total
    for key, record in run2.records_to_commit().items():
        state.set_input(key, record)
    state.commit()

    run3 = manifest_with(state)
    assert run3.plan(files) == []


def test_progress_line_is_plain_text_with_rate_and_eta() -> None:
    line = progress_line(documents=8929, inputs_done=8900, inputs_total=20070, elapsed=60)
    assert (
        line == "progress: 8,929 documents; 8,900/20,070 inputs (44%); 149 documents/s; ETA 1m15s"
    )
    assert line.isprintable()
    assert "ETA" not in progress_line(documents=0, inputs_done=0, inputs_total=10, elapsed=1)
    assert duration(7380) == "2h03m" and duration(12.4) == "12s"


def test_the_eta_of_a_worker_joining_a_batch_goes_by_its_pace_since() -> None:
    # a scale-out worker joined when other workers had decided 500 of the batch's 1,000 inputs:
    # 100 more in its 10 s, so the 400 left take 40 s (not 6.7 s, as 60% in 10 s would say)
    line = progress_line(
        documents=1000, inputs_done=600, inputs_total=1000, elapsed=10, inputs_before=500
    )
    assert line == "progress: 1,000 documents; 600/1,000 inputs (60%); 100 documents/s; ETA 40s"
    assert "ETA" not in progress_line(
        documents=0, inputs_done=500, inputs_total=1000, elapsed=1, inputs_before=500
    )


def test_progress_goes_by_bytes_when_they_are_known() -> None:
    # a run of one large dump is one input, done only at its end: its bytes tell how far it is
    line = progress_line(
        documents=9130,
        inputs_done=0,
        inputs_total=1,
        elapsed=4,
        bytes_read=31_500_000,
        bytes_total=70_000_000,
    )
    assert line == "progress: 9,130 documents; 0/1 inputs, 45% of 70 MB; 2,282 documents/s; ETA 5s"
    assert [size_text(n) for n in (812_345, 3_456_789, 70_123_456)] == ["812 kB", "3.5 MB", "70 MB"]


def test_the_manifest_counts_the_bytes_of_inputs_done_and_of_pieces_read(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    (root / "a.txt").write_bytes(b"x" * 300)
    (root / "dump.jsonl").write_bytes(b"y" * 700)
    manifest = manifest_with(SqliteState(tmp_path / "state.sqlite"))
    plan = manifest.plan_inputs(InputOptions(roots=(root,)))
    assert manifest.bytes_total == 1000 and manifest.bytes_read == 0
    (small, _), (dump, _) = plan
    [document] = manifest.accept(small, 0, ReadFile(full_signature(small.path), [{"n": 0}], 0))
    manifest.processed(document)
    assert manifest.bytes_read == 300  # the text is done
    signature = full_signature(dump.path)
    first = manifest.accept_piece(
        dump, 0, signature, [{"n": 1}], first=True, last=False, reached=400
    )
    assert manifest.bytes_read == 300 + 400  # half the dump's pieces read
    last = manifest.accept_piece(
        dump, 0, signature, [{"n": 2}], first=False, last=True, reached=700
    )
    for document in first + last:
        manifest.processed(document)
    assert manifest.bytes_read == 1000 == manifest.bytes_total


NEWS = "قال وزير المالية إن الاقتصاد الوطني ينمو بثبات هذا العام."


def test_a_large_archive_read_here_counts_the_bytes_its_reading_has_got_to(
    tmp_path: Path,
) -> None:
    # A .tar.gz is read in the crawl process, as a stream: one input, done only at its end.
    root = tmp_path / "in"
    root.mkdir()
    archive = root / "days.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for number in range(400):
            data = f"{NEWS} {os.urandom(4000).hex()}".encode()  # hex: gzip halves it
            info = tarfile.TarInfo(f"day/{number:03d}.txt")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    size = archive.stat().st_size
    assert size > 1 << 20  # past the size read whole to hash it: the reader opens the file
    manifest = manifest_with(SqliteState(tmp_path / "state.sqlite"))
    plan = manifest.plan_inputs(InputOptions(roots=(root,)))
    [(file, _)] = plan
    read: list[int] = []
    documents = []
    for document in manifest.documents(plan, read_with(InputOptions(roots=(root,)))):
        read.append(manifest.bytes_read)
        documents.append(document)
        if len(documents) == 1:  # the open file stays here when the file is sent elsewhere
            assert file.opened is not None and not file.opened.closed
            assert pickle.loads(pickle.dumps(file)).opened is None
    assert file.opened is None  # let go once read
    assert len(documents) == 400 and "reason" not in documents[0]
    assert read == sorted(read) and 0 < read[0] < size // 4 and size // 2 < read[-1] <= size
    for document in documents:
        manifest.processed(document)
    assert manifest.bytes_read == size == manifest.bytes_total


def test_summary_table_per_source() -> None:
    counts = SourceCounts()
    for _ in range(3):
        counts.add_kept("sabq")
    counts.add_rejected("sabq", "duplicate")
    counts.add_rejected("was", "empty")
    assert counts.table().splitlines() == [
        "source  read  kept  duplicate  empty",
        "------  ----  ----  ---------  -----",
        "sabq       4     3          1      0",
        "was        1     0          0      1",
        "------  ----  ----  ---------  -----",
        "total      5     3          1      1",
    ]
    assert counts.stats()["newspipe/by_source/sabq/rejected/duplicate"] == 1
    assert counts.stats()["newspipe/by_source/was/read"] == 1


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("NEWSPIPE_SHARD_DOCS", "-1"),
        ("NEWSPIPE_SHARD_DOCS", "many"),
        ("NEWSPIPE_OUTPUT_GZIP", "perhaps"),
        ("NEWSPIPE_PROGRESS_INTERVAL", "-5"),
        ("NEWSPIPE_LOCK_STALE_AFTER", "soon"),
    ],
)
def test_bad_cron_settings_name_themselves(name: str, value: str, tmp_path: Path) -> None:
    crawler = get_crawler(settings_dict={name: value, "NEWSPIPE_OUTPUT_DIR": str(tmp_path)})
    with pytest.raises(SettingError, match=name):
        build_from_crawler(RunRecorder, crawler)


def test_recorder_reads_its_settings(tmp_path: Path) -> None:
    settings = {
        "NEWSPIPE_SHARD_DOCS": "7",
        "NEWSPIPE_OUTPUT_GZIP": "true",
        "NEWSPIPE_PROGRESS_INTERVAL": "2.5",
        "NEWSPIPE_OUTPUT_DIR": str(tmp_path),
    }
    recorder = build_from_crawler(RunRecorder, get_crawler(settings_dict=settings))
    assert recorder.shards.shard_docs == 7 and recorder.shards.gzipped
    assert recorder.progress_interval == 2.5
    assert recorder.stale_after == 86400.0  # the default, from newspipe.defaults


def test_a_file_sent_whole_is_read_once_for_its_digest_and_its_documents(tmp_path: Path) -> None:
    from newspipe.manifest import READ_WHOLE_UP_TO, read_file

    articles = [{"content": f"نص رقم {n} " + "كلمة " * 40_000} for n in range(3)]
    path = tmp_path / "day.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("day.json", json.dumps(articles, ensure_ascii=False))
    assert 1 << 20 < path.stat().st_size <= READ_WHOLE_UP_TO  # over the streaming limit
    expected = full_signature(path)
    file = InputFile(path, tmp_path)
    seen: list[bytes | None] = []

    def reader(what: InputFile) -> list[dict[str, Any]]:
        seen.append(what.contents)  # the bytes the digest came from, handed to the reader
        return three_docs(what)

    read = read_file(file, 1, reader)
    assert read.signature == expected
    assert seen == [path.read_bytes()] and file.contents is None
    assert [doc["n"] for doc in read.documents] == [1, 2] and read.resumed == 1


def test_a_zip_is_read_from_the_bytes_already_in_hand(tmp_path: Path) -> None:
    from newspipe.inputs import read_input

    path = tmp_path / "day.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("day.json", json.dumps([{"content": "نص أول"}, {"content": "نص ثان"}]))
    file = InputFile(path, tmp_path)
    file.contents = path.read_bytes()
    path.unlink()  # only the bytes in hand are left to read
    docs = list(read_input(file, InputOptions((tmp_path,))))
    assert [doc["text"] for doc in docs] == ["نص أول", "نص ثان"]


def test_a_file_read_in_pieces_is_tracked_and_resumed_as_one_input(tmp_path: Path) -> None:
    """The pieces of one file come back one after another: the manifest counts them as one
    input, and a run cut half-way resumes past the documents committed, whichever piece they
    were in."""
    path = tmp_path / "dump.jsonl"
    path.write_bytes(b"seven documents, in three pieces")
    file = File(path)
    signature = full_signature(path)
    state = SqliteState(tmp_path / "state.sqlite")
    pieces = [[{"n": 0}, {"n": 1}], [{"n": 2}, {"n": 3}, {"n": 4}], [{"n": 5}, {"n": 6}]]

    def run(manifest: InputManifest, skip: int, written: int) -> list[int]:
        """The documents accepted, the first ``written`` of them written (the run then dies)."""
        numbers = []
        for index, documents in enumerate(pieces):
            accepted = manifest.accept_piece(
                file,
                skip,
                signature,
                [dict(doc) for doc in documents],
                first=index == 0,
                last=index == len(pieces) - 1,
            )
            for doc in accepted:
                assert doc[INPUT_KEY]
                if len(numbers) < written:
                    manifest.processed(doc)
                numbers.append(doc["n"])
        return numbers

    run1 = manifest_with(state)
    assert run1.plan([file]) == [(file, 0)]
    assert run(run1, 0, written=4) == list(range(7))
    assert run1.done == 0
    for key, record in run1.records_to_commit().items():
        state.set_input(key, record)
    state.commit()

    run2 = manifest_with(state)
    # the second piece's first two documents were committed with the first piece's
    assert run2.plan([file]) == [(file, 4)]
    assert run(run2, 4, written=3) == [4, 5, 6]
    assert run2.done == 1 == run2.total
    stopped = manifest_with(state)
    stopped.stopped = True
    assert stopped.accept_piece(file, 0, signature, [{"n": 0}], first=True, last=True) == []
