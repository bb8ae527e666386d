"""Reading input files: formats, paths, ids, sources, and every kind of bad input as a reject."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import os
import pickle
import tarfile
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import zstandard

from newspipe.document import INPUT, INPUT_REJECT
from newspipe.inputs import InputFile, InputOptions, iter_documents, iter_inputs, read_input
from newspipe.inputs.read import (
    FileStat,
    LinePiece,
    MemberPiece,
    MemberToCut,
    ValuePiece,
    compressed_line_pieces,
    empty_reject,
    format_of,
    json_pieces,
    line_pieces,
    member_pieces,
    read_piece,
    written_as_json,
    zip_pieces,
)
from newspipe.manifest import full_signature, input_key
from newspipe.sources.mapping import SourceMap
from newspipe.state.sqlite import SqliteState
from tests.conftest import COMPRESS

ARABIC = "قال وزير المالية إن الاقتصاد الوطني ينمو بثبات هذا العام رغم تراجع أسعار النفط."
MAX_DOC = 20_000
MAX_ARCHIVE = 1_000_000


def _zip(path: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            if name.endswith("/"):
                archive.writestr(zipfile.ZipInfo(name), b"")
            else:
                archive.writestr(name, data)


def _tar(path: Path, members: dict[str, bytes | str], mode: str = "w") -> None:
    """A tar archive of ``members``: a name ending in ``/`` is a folder, a ``str`` a symbolic
    link to it."""
    with tarfile.open(path, mode) as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name.rstrip("/"))
            if name.endswith("/"):
                info.type = tarfile.DIRTYPE
                archive.addfile(info)
            elif isinstance(data, str):
                info.type, info.linkname = tarfile.SYMTYPE, data
                archive.addfile(info)
            else:
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))


def _jsonl(*records: Any) -> bytes:
    return b"".join(
        (r if isinstance(r, bytes) else json.dumps(r, ensure_ascii=False).encode()) + b"\n"
        for r in records
    )


def build_bad_inputs(root: Path, outside: Path) -> dict[str, str | None]:
    """A seed folder of good and bad inputs; returns path -> expected reject reason (None: read).

    Documents whose text is empty have reason ``"<empty>"``: the reader passes them on and the
    clean stage rejects them as ``empty``.
    """
    root.mkdir(parents=True)
    outside.mkdir(parents=True)
    (root / "good").mkdir()
    (root / "good" / "a.txt").write_text(ARABIC, encoding="utf-8")
    (root / "good" / "bom.txt").write_bytes(ARABIC.encode("utf-8-sig"))
    (root / "good" / "utf16.txt").write_bytes(ARABIC.encode("utf-16"))
    (root / "good" / "utf16-unmarked.txt").write_bytes(ARABIC.encode("utf-16-le"))
    (root / "legacy").mkdir()
    (root / "legacy" / "cp1256.txt").write_bytes(ARABIC.encode("cp1256"))
    (root / "legacy" / "iso.txt").write_bytes(ARABIC.encode("iso8859_6"))
    (root / "mojibake.txt").write_text(ARABIC.encode("cp1256").decode("cp1252"), encoding="utf-8")
    (root / "empty.txt").write_bytes(b"")
    (root / "blank.txt").write_bytes(b"  \n\t \r\n")
    (root / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (root / "undecodable.txt").write_bytes(b"abc " + bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D]) * 40)
    (root / "big.txt").write_text(ARABIC * 200, encoding="utf-8")
    (root / "records.jsonl").write_bytes(
        _jsonl(
            {"text": ARABIC, "title": "أ", "url": "https://www.spa.gov.sa/1", "date": "2015-07-21"},
            b'{"text": "broken", ',
            {"title": "no text here"},
            {"text": ""},
            {"text": ARABIC + " 2", "source": "okaz", "extra": 1},
        )
        + b"\n   \n"
        + json.dumps({"text": ARABIC + " 3"}, ensure_ascii=False).encode("cp1256")
        + b"\n"
        + b'{"text": "'
        + b"x" * MAX_DOC
        + b'"}\n'
    )
    (root / "array.json").write_text(
        json.dumps([{"content": f"{ARABIC} {i}"} for i in range(3)], ensure_ascii=False),
        encoding="utf-8",
    )
    (root / "one.json").write_text(
        json.dumps({"body": ARABIC, "headline": "ع"}, ensure_ascii=False), encoding="utf-8"
    )
    (root / "broken.json").write_text(f'[{{"text": "{ARABIC}"}}, {{"text": ', encoding="utf-8")
    (root / "lines.jsonl.gz").write_bytes(
        gzip.compress(_jsonl({"text": ARABIC + " g1"}, {"text": ARABIC + " g2"}))
    )
    full = gzip.compress(_jsonl(*({"text": f"{ARABIC} {i}"} for i in range(200))))
    (root / "truncated.jsonl.gz").write_bytes(full[: len(full) // 2])
    (root / "notgzip.txt.gz").write_bytes(b"this is not gzip data at all")
    (root / "lines.jsonl.bz2").write_bytes(
        bz2.compress(_jsonl({"text": ARABIC + " z1"}, {"text": ARABIC + " z2"}))
    )
    (root / "one.txt.xz").write_bytes(lzma.compress((ARABIC + " x1").encode()))
    (root / "notbzip2.txt.bz2").write_bytes(b"BZh9 and then no bzip2 data")
    (root / "notxz.json.xz").write_bytes(b"this is not xz data")
    (root / "expands.txt.xz").write_bytes(lzma.compress(b" " * (MAX_ARCHIVE + 10)))
    (root / "expands.txt.gz").write_bytes(gzip.compress(b" " * (MAX_ARCHIVE + 10)))
    (root / "lines.jsonl.zst").write_bytes(
        zstandard.compress(_jsonl({"text": ARABIC + " s1"}, {"text": ARABIC + " s2"}))
    )
    (root / "notzstd.txt.zst").write_bytes(b"this is not zstd data")
    (root / "expands.txt.zst").write_bytes(zstandard.compress(b" " * (MAX_ARCHIVE + 10)))
    members = {
        "a.txt": ARABIC.encode(),
        "sub/": b"",
        "sub/b.json": json.dumps(
            [{"text": ARABIC + " b1"}, {"text": ARABIC + " b2"}], ensure_ascii=False
        ).encode(),
        "c.jsonl.gz": gzip.compress(_jsonl({"text": ARABIC + " c1"})),
        "d.json.xz": lzma.compress(json.dumps([{"text": ARABIC + " d1"}]).encode()),
        "../evil.txt": b"escape",
        "/abs.txt": b"absolute",
        "picture.png": b"\x89PNG",
        "inner.zip": b"PK",
        "__MACOSX/._a.txt": b"\x00\x05\x16\x07",
    }
    _zip(root / "archive.zip", members)
    _zip(root / "bomb.zip", {"zeros.txt": b" " * (MAX_ARCHIVE + 1)})
    tar_members: dict[str, bytes | str] = {
        "day/": b"",
        "day/a.txt": (ARABIC + " t1").encode(),
        "day/b.json": json.dumps(
            [{"text": ARABIC + " t2"}, {"text": ARABIC + " t3"}], ensure_ascii=False
        ).encode(),
        "day/c.jsonl.gz": gzip.compress(_jsonl({"text": ARABIC + " t4"})),
        "day/link.txt": "a.txt",
        "../evil.txt": b"escape",
        "picture.png": b"\x89PNG",
        "inner.tar": b"",
        "day/.hidden.txt": b"hidden",
    }
    _tar(root / "bundle.tar", tar_members)
    _tar(root / "bundle.tgz", {"x.txt": (ARABIC + " t5").encode()}, "w:gz")
    _tar(root / "empty.tar.xz", {"folder/": b""}, "w:xz")
    _tar(root / "bomb.tar.bz2", {"zeros.txt": b" " * (MAX_ARCHIVE + 1)}, "w:bz2")
    (root / "notatar.tar").write_bytes(b"a text file named as a tar archive")
    (root / "nothing.zip").write_bytes(b"")  # a download that failed
    (root / "nothing.tgz").write_bytes(b"")
    (root / "notzip.zip").write_bytes(b"PK\x03\x04 but then nothing a zip has")
    (root / "picture.png").write_bytes(b"\x89PNG\r\n")
    (root / ".hidden.txt").write_text(ARABIC, encoding="utf-8")
    (outside / "secret.txt").write_text("outside the seed root", encoding="utf-8")
    os.symlink(outside / "secret.txt", root / "link_out.txt")
    os.symlink(root / "good" / "a.txt", root / "link_in.txt")
    os.symlink(root / "nowhere.txt", root / "dangling.txt")
    os.symlink(outside, root / "linkdir")
    os.mkfifo(root / "pipe.txt")  # opened, it would wait for a writer for ever
    # A name written in CP1256 (not UTF-8), and a JSON escape of half an emoji: lone surrogates.
    (root / os.fsdecode(b"old-\xe4\xf3")).mkdir()
    (root / os.fsdecode(b"old-\xe4\xf3/\xff.txt")).write_text(ARABIC + " قديم", encoding="utf-8")
    (root / "surrogate.jsonl").write_bytes(
        b'{"text": "' + ARABIC.encode() + b' \\ud83d", "title": "\\udc00", "s": ["\\ud800"]}\n'
    )
    # A write cut short: the file's tail is NUL bytes. NULs inside the text are binary.
    nuls = b"\x00" * 4096
    (root / "padded.txt").write_bytes((ARABIC + " حشو").encode() + nuls)
    (root / "padded.jsonl").write_bytes(_jsonl({"text": ARABIC + " p1"}) + nuls)
    (root / "padded.json").write_bytes(
        json.dumps([{"text": ARABIC + " p2"}], ensure_ascii=False).encode() + nuls
    )
    (root / "nul-inside.json").write_bytes(
        json.dumps([{"text": ARABIC + " n1"}], ensure_ascii=False).encode()[:-1]
        + b", {\x00\x00\x01}]"
    )
    # Named JSON Lines, written otherwise: read as JSON, its #N counting values.
    exported = [{"text": ARABIC + " e1"}, {"text": ARABIC + " e2"}]
    (root / "pandas.jsonl").write_text(json.dumps(exported, ensure_ascii=False), "utf-8")
    (root / "indented.jsonl").write_bytes(
        b"\xef\xbb\xbf\n"
        + "\n".join(json.dumps(r, ensure_ascii=False, indent=2) for r in exported[::-1]).encode()
    )
    return {
        "pandas.jsonl#1": None,
        "pandas.jsonl#2": None,
        "indented.jsonl#1": None,
        "indented.jsonl#2": None,
        "padded.txt": None,
        "padded.jsonl#1": None,
        "padded.jsonl#2": "empty",
        "padded.json#1": None,
        "nul-inside.json#1": None,
        "nul-inside.json#2": "binary",
        "good/a.txt": None,
        "good/bom.txt": None,
        "good/utf16.txt": None,
        "good/utf16-unmarked.txt": None,
        "legacy/cp1256.txt": None,
        "legacy/iso.txt": None,
        "mojibake.txt": None,
        "empty.txt": "<empty>",
        "blank.txt": "<empty>",
        "binary.txt": "binary",
        "undecodable.txt": "undecodable",
        "big.txt": "too_large",
        "records.jsonl#1": None,
        "records.jsonl#2": "malformed",
        "records.jsonl#3": "malformed",
        "records.jsonl#4": "<empty>",
        "records.jsonl#5": None,
        "records.jsonl#8": None,
        "records.jsonl#9": "too_large",
        "array.json#1": None,
        "array.json#2": None,
        "array.json#3": None,
        "one.json": None,
        "broken.json#1": None,
        "broken.json#2": "malformed",
        "lines.jsonl.gz#1": None,
        "lines.jsonl.gz#2": None,
        "notgzip.txt.gz": "malformed",
        "lines.jsonl.bz2#1": None,
        "lines.jsonl.bz2#2": None,
        "one.txt.xz": None,
        "notbzip2.txt.bz2": "malformed",
        "notxz.json.xz": "malformed",
        "expands.txt.xz": "too_large",
        "expands.txt.gz": "too_large",
        "lines.jsonl.zst#1": None,
        "lines.jsonl.zst#2": None,
        "notzstd.txt.zst": "malformed",
        "expands.txt.zst": "too_large",
        "archive.zip!a.txt": None,
        "archive.zip!sub/b.json#1": None,
        "archive.zip!sub/b.json#2": None,
        "archive.zip!c.jsonl.gz#1": None,
        "archive.zip!d.json.xz#1": None,
        "archive.zip!../evil.txt": "unsafe",
        "archive.zip!/abs.txt": "unsafe",
        "archive.zip!picture.png": "unsupported",
        "archive.zip!inner.zip": "unsupported",
        "bomb.zip": "too_large",
        "bundle.tar!day/a.txt": None,
        "bundle.tar!day/b.json#1": None,
        "bundle.tar!day/b.json#2": None,
        "bundle.tar!day/c.jsonl.gz#1": None,
        "bundle.tar!day/link.txt": "unsupported",
        "bundle.tar!../evil.txt": "unsafe",
        "bundle.tar!picture.png": "unsupported",
        "bundle.tar!inner.tar": "unsupported",
        "bundle.tgz!x.txt": None,
        "empty.tar.xz": "empty",
        "bomb.tar.bz2!zeros.txt": "too_large",  # over NEWSPIPE_MAX_DOC_BYTES, then
        "bomb.tar.bz2": "too_large",  # the archive past NEWSPIPE_MAX_ARCHIVE_BYTES
        "notatar.tar": "malformed",
        "nothing.zip": "empty",
        "nothing.tgz": "empty",
        "notzip.zip": "malformed",
        "picture.png": "unsupported",
        "link_out.txt": "unsafe",
        "link_in.txt": None,
        "dangling.txt": "unreadable",
        "linkdir": "unsafe",
        "pipe.txt": "unsupported",
        "old-\\xe4\\xf3/\\xff.txt": None,
        "surrogate.jsonl#1": None,
    }


def options(root: Path, **kwargs: Any) -> InputOptions:
    return InputOptions(
        roots=(root,), max_doc_bytes=MAX_DOC, max_archive_bytes=MAX_ARCHIVE, **kwargs
    )


@pytest.fixture
def bad_inputs(tmp_path: Path) -> tuple[Path, dict[str, str | None]]:
    root = tmp_path / "seeds"
    return root, build_bad_inputs(root, tmp_path / "elsewhere")


def verdict(doc: dict[str, Any]) -> str | None:
    if doc.get(INPUT_REJECT):
        return str(doc[INPUT_REJECT][0])
    return "<empty>" if not (doc.get("text") or "").strip() else None


def test_every_input_gives_the_expected_documents_and_rejects(
    bad_inputs: tuple[Path, dict[str, str | None]],
) -> None:
    root, expected = bad_inputs
    docs = list(iter_documents(options(root)))
    truncated = [doc for doc in docs if doc[INPUT] == "truncated.jsonl.gz"]
    docs = [doc for doc in docs if doc[INPUT] != "truncated.jsonl.gz"]
    assert {doc["path"]: verdict(doc) for doc in docs} == expected
    assert len(docs) == len(expected)  # no path twice
    assert len({doc["id"] for doc in docs + truncated}) == len(docs) + len(truncated)
    # a gzip cut short: the lines before the cut are read, then one reject says where it stopped
    read = len(truncated) - 1
    assert read > 10
    assert [(d["path"], verdict(d)) for d in truncated] == [
        *((f"truncated.jsonl.gz#{i}", None) for i in range(1, read + 1)),
        (f"truncated.jsonl.gz#{read + 1}", "malformed"),
    ]


def test_rejects_name_the_thing_and_never_an_unexpected_error(
    bad_inputs: tuple[Path, dict[str, str | None]],
) -> None:
    root, _ = bad_inputs
    for doc in iter_documents(options(root)):
        if doc.get(INPUT_REJECT):
            detail = doc[INPUT_REJECT][1]
            assert detail.startswith(f"{root}/"), detail
            assert "unexpected error" not in detail
    details = {
        doc["path"]: doc[INPUT_REJECT][1]
        for doc in iter_documents(options(root))
        if doc.get(INPUT_REJECT)
    }
    assert (
        details["undecodable.txt"]
        == f"{root}/undecodable.txt: not UTF-8, CP1256 or UTF-16 (first bad byte at 4)"
    )
    assert "NEWSPIPE_MAX_ARCHIVE_BYTES" in details["bomb.zip"]
    assert "NEWSPIPE_FOLLOW_SYMLINKS" in details["link_out.txt"]
    assert "line 2 is not JSON" in details["records.jsonl#2"]


def test_every_document_carries_its_input_file(
    bad_inputs: tuple[Path, dict[str, str | None]],
) -> None:
    root, _ = bad_inputs
    for doc in iter_documents(options(root)):
        path = doc["path"]
        assert path.startswith(doc[INPUT])
        assert path[len(doc[INPUT]) :][:1] in {"", "!", "#"}


def test_lone_surrogates_are_read_as_text_and_pipes_are_not_opened(
    bad_inputs: tuple[Path, dict[str, str | None]], tmp_path: Path
) -> None:
    root, _ = bad_inputs
    docs = {doc["path"]: doc for doc in iter_documents(options(root))}
    cut = docs["surrogate.jsonl#1"]  # half an emoji: the replacement character, as a bad byte
    assert (cut["text"], cut["title"], cut["meta"]) == (
        ARABIC + " \ufffd",
        "\ufffd",
        {"s": ["\ufffd"]},
    )
    assert docs["old-\\xe4\\xf3/\\xff.txt"]["text"] == ARABIC + " قديم"
    for doc in docs.values():  # each can be written out, the name that is not UTF-8 included
        json.dumps(doc, ensure_ascii=False, default=str).encode("utf-8")
    assert docs["pipe.txt"][INPUT_REJECT][1] == (
        f"{root}/pipe.txt: a named pipe, not a regular file: not read"
    )
    # a seed root that is a named pipe: rejected, not waited on
    (pipe_root,) = iter_documents(options(root / "pipe.txt"))
    assert pipe_root[INPUT_REJECT][0] == "unsupported"
    # the name's manifest key: text a state store holds, and read back
    key = input_key(root / os.fsdecode(b"old-\xe4\xf3/\xff.txt"))
    assert key == f"{os.path.realpath(root)}/old-\x00e4\x00f3/\x00ff.txt"
    state = SqliteState(tmp_path / "state.sqlite")
    state.set_input(key, "record")
    assert state.get_inputs([key, f"{root}/other.txt"]) == {key: "record"}
    state.close()


def test_encodings_and_repairs_are_recorded(bad_inputs: tuple[Path, dict[str, str | None]]) -> None:
    root, _ = bad_inputs
    docs = {doc["path"]: doc for doc in iter_documents(options(root))}
    for path, encoding in [
        ("good/a.txt", "utf-8"),
        ("good/bom.txt", "utf-8-sig"),
        ("good/utf16.txt", "utf-16"),
        ("good/utf16-unmarked.txt", "utf-16-le"),
        ("legacy/cp1256.txt", "cp1256"),
        ("legacy/iso.txt", "iso-8859-6"),
        ("records.jsonl#8", "cp1256"),
    ]:
        assert docs[path]["encoding"] == encoding
        assert docs[path]["text"].startswith(ARABIC)
    assert docs["mojibake.txt"]["text"] == ARABIC
    assert docs["mojibake.txt"]["mojibake"] == "repaired:cp1252>cp1256"
    assert docs["good/a.txt"]["mojibake"] is None


def test_record_fields_carried(bad_inputs: tuple[Path, dict[str, str | None]]) -> None:
    root, _ = bad_inputs
    docs = {doc["path"]: doc for doc in iter_documents(options(root, source="given"))}
    first = docs["records.jsonl#1"]
    assert (first["url"], first["domain"], first["published"], first["title"]) == (
        "https://www.spa.gov.sa/1",
        "spa.gov.sa",
        "2015-07-21",
        "أ",
    )
    assert docs["records.jsonl#5"]["source"] == "okaz"
    assert docs["records.jsonl#5"]["meta"] == {"extra": 1}
    assert docs["one.json"]["title"] == "ع"
    assert docs["good/a.txt"]["source"] == "good"  # the subfolder
    assert docs["records.jsonl#1"]["source"] == "given"  # -a source= for files at the top


def test_source_precedence(tmp_path: Path) -> None:
    root = tmp_path / "collection"
    (root / "outlet").mkdir(parents=True)
    (root / "outlet" / "a.txt").write_text(ARABIC, encoding="utf-8")
    (root / "top.txt").write_text(ARABIC, encoding="utf-8")
    (root / "mapped.jsonl").write_bytes(
        _jsonl(
            {"text": ARABIC, "url": "https://m.okaz.com.sa/1"},
            {"text": ARABIC, "source": "own", "url": "https://okaz.com.sa/2"},
        )
    )

    def sources(**kwargs: Any) -> dict[str, str]:
        return {
            doc["path"]: doc["source"]
            for doc in iter_documents(InputOptions(roots=(root,), **kwargs))
        }

    assert sources() == {
        "mapped.jsonl#1": "collection",
        "mapped.jsonl#2": "own",
        "outlet/a.txt": "outlet",
        "top.txt": "collection",
    }
    assert sources(source="given")["top.txt"] == "given"
    mapping = SourceMap.from_pairs([("okaz.com.sa", "Okaz"), ("outlet/*", "Mapped Outlet")])
    assert sources(source="given", source_map=mapping) == {
        "mapped.jsonl#1": "Okaz",
        "mapped.jsonl#2": "own",
        "outlet/a.txt": "Mapped Outlet",
        "top.txt": "given",
    }


def test_follow_symlinks_reads_links_outside(
    bad_inputs: tuple[Path, dict[str, str | None]],
) -> None:
    root, _ = bad_inputs
    docs = {doc["path"]: doc for doc in iter_documents(options(root, follow_symlinks=True))}
    assert docs["link_out.txt"]["text"] == "outside the seed root"
    assert docs["linkdir/secret.txt"]["text"] == "outside the seed root"


def test_an_unreadable_file_is_a_reject(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.txt").write_text(ARABIC, encoding="utf-8")
    (tmp_path / "b.txt").write_text(ARABIC, encoding="utf-8")
    real_open = Path.open

    def refusing_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self.name == "a.txt":
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refusing_open)
    docs = list(iter_documents(InputOptions(roots=(tmp_path,))))
    assert [(d["path"], verdict(d)) for d in docs] == [("a.txt", "unreadable"), ("b.txt", None)]
    assert docs[0][INPUT_REJECT][1].endswith("a.txt: cannot be read (Permission denied)")


def test_a_folder_that_cannot_be_listed_is_a_reject(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "closed").mkdir()
    (tmp_path / "closed" / "a.txt").write_text(ARABIC, encoding="utf-8")
    (tmp_path / "b.txt").write_text(ARABIC, encoding="utf-8")
    real_scandir = os.scandir

    def refusing_scandir(path: Any) -> Any:
        if os.fspath(path).endswith("closed"):  # as chmod 000 would, but for root too
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refusing_scandir)
    docs = list(iter_documents(InputOptions(roots=(tmp_path,))))
    assert [(d["path"], verdict(d)) for d in docs] == [("b.txt", None), ("closed", "unreadable")]
    assert "cannot be listed (Permission denied)" in docs[1][INPUT_REJECT][1]


def test_the_walk_hands_the_manifest_its_key_and_stat(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text(ARABIC, encoding="utf-8")
    (tmp_path / "b.txt").write_text("x", encoding="utf-8")
    found = list(iter_inputs(InputOptions(roots=(tmp_path / "sub" / "..",))))
    assert [f.relative for f in found] == ["b.txt", "sub/a.txt"]
    for input_file in found:
        # The same key and signature as asked of the path itself, without asking again.
        assert input_file.key == input_key(input_file.path)
        assert input_file.status is not None
        assert input_file.stat().st_size == os.stat(input_file.path).st_size
        assert input_file.stat().st_mtime_ns == os.stat(input_file.path).st_mtime_ns


def test_a_single_file_root(tmp_path: Path) -> None:
    path = tmp_path / "one.txt"
    path.write_text(ARABIC, encoding="utf-8")
    docs = list(read_input(InputFile(path, path), InputOptions(roots=(path,))))
    assert [(d["path"], d[INPUT], d["source"]) for d in docs] == [
        ("one.txt", "one.txt", tmp_path.name)
    ]


def test_ids_are_stable_across_reads(bad_inputs: tuple[Path, dict[str, str | None]]) -> None:
    root, _ = bad_inputs
    first = [doc["id"] for doc in iter_documents(options(root))]
    assert first == [doc["id"] for doc in iter_documents(options(root))]


def test_large_jsonl_is_streamed_not_loaded(tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    with path.open("wb") as handle:
        for i in range(20_000):
            handle.write(json.dumps({"text": f"{ARABIC} {i}"}, ensure_ascii=False).encode() + b"\n")
    documents = iter_documents(InputOptions(roots=(tmp_path,)))
    first = next(documents)
    assert first["path"] == "many.jsonl#1"
    # a generator: nothing past the first line has been parsed yet
    assert next(documents)["path"] == "many.jsonl#2"
    assert Counter(verdict(d) for d in documents) == Counter({None: 19_998})


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("a.txt", ("txt", "")),
        ("A.NDJSON", ("jsonl", "")),
        ("a.json.gz", ("json", ".gz")),
        ("a.TXT.BZ2", ("txt", ".bz2")),
        ("day.jsonl.xz", ("jsonl", ".xz")),
        ("day.zip", ("zip", "")),
        ("day.zip.gz", None),  # a compressed zip: not read
        ("day.tar", ("tar", "")),
        ("day.tar.gz", ("tar", ".gz")),
        ("day.TGZ", ("tar", ".gz")),
        ("day.tbz2", ("tar", ".bz2")),
        ("day.txz", ("tar", ".xz")),
        ("day.tar.zip", ("zip", "")),
        ("a.txt.zst", ("txt", ".zst")),
        ("day.tzst", ("tar", ".zst")),
        ("a.zst", None),
        ("a.gz", None),
        ("notes.docx", None),
    ],
)
def test_the_format_and_compression_of_a_file_name(name: str, kind: tuple[str, str] | None) -> None:
    assert format_of(name) == kind


@pytest.mark.parametrize(
    ("head", "as_json"),
    [
        (b'{"text": "a"}\n{"text": "b"}\n', False),
        (b'\n\n  {"text": "a"}\n', False),
        (b'{"text": "a", "cut short', False),  # a first line longer than what is looked at
        (b"not json at all\n", False),  # JSON Lines gone wrong: its lines say so, one each
        (b'[1, "a"]\n{"text": "b"}\n', False),
        (b'[ {"text": "a"},\n {"text": "b"} ]', True),
        (b'[{"text": "a"}, {"text": "b"}]', True),
        (b'\xef\xbb\xbf[\n  {\n    "text": "a"\n  }\n]', True),
        (b'\r\n{\r\n  "text": "a"\r\n}\r\n{\r\n', True),
        (b"", False),
    ],
)
def test_a_json_lines_file_written_as_json_is_told_by_its_first_line(
    head: bytes, as_json: bool
) -> None:
    assert written_as_json(head) is as_json


def test_decoded_size_is_what_the_reader_decodes_or_none_when_unknown(tmp_path: Path) -> None:
    from newspipe.inputs.read import decoded_size

    text = tmp_path / "a.jsonl"
    text.write_text('{"text": "نص"}\n' * 50, encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "b.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("x.json", "[]" + " " * 5000)  # compresses to a few bytes
        archive.writestr("folder/", "")
    with zipfile.ZipFile(tmp_path / "c.zip", "w") as archive:
        archive.writestr("x.jsonl.gz", gzip.compress(b'{"text": "t"}\n'))
    with gzip.open(tmp_path / "d.txt.gz", "wt", encoding="utf-8") as packed:
        packed.write("نص" * 1000)
    (tmp_path / "d.json.bz2").write_bytes(bz2.compress(b"[]"))
    (tmp_path / "d.jsonl.xz").write_bytes(lzma.compress(b"{}"))
    (tmp_path / "e.zip").write_bytes(b"PK not a zip")
    found = {file.path.name: decoded_size(file) for file in iter_inputs(InputOptions((tmp_path,)))}
    assert found == {
        "a.jsonl": text.stat().st_size,
        "b.zip": 5002,  # its members uncompressed, from the central directory
        "c.zip": None,  # a gzip inside: its size is not known before it is read
        "d.txt.gz": None,
        "d.json.bz2": None,
        "d.jsonl.xz": None,
        "e.zip": 0,  # broken: the reader rejects it, anywhere
    }
    # A file given as the seed root itself, which the walk does not stat.
    assert decoded_size(InputFile(text, text)) == text.stat().st_size
    assert decoded_size(InputFile(tmp_path / "gone.txt", tmp_path / "gone.txt")) == 0
    linked = InputFile(text, tmp_path, ("unsafe", "a link outside the seed root"))
    assert decoded_size(linked) == 0


def _piece_test_file(path: Path, bom: bytes = b"") -> None:
    """A JSON Lines file with everything a line can be: records, blanks, CRLF ends, broken JSON,
    a line over the size limit, a legacy-encoded line, a copy."""
    lines = [
        *(json.dumps({"text": f"{ARABIC} {n}"}, ensure_ascii=False).encode() for n in range(12)),
        b"",
        b'{"text": "' + ARABIC.encode() + b' crlf"}\r',
        b"{not json",
        json.dumps({"text": "x" * (MAX_DOC + 5)}).encode(),
        json.dumps({"text": f"{ARABIC} 3"}, ensure_ascii=False).encode(),
        '{"text": "قال الوزير"}'.encode("cp1256"),
        *(
            json.dumps({"text": f"{ARABIC} {n}"}, ensure_ascii=False).encode()
            for n in range(12, 20)
        ),
    ]
    path.write_bytes(bom + b"\n".join(lines))  # no newline after the last line


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
@pytest.mark.parametrize("piece_bytes", [1, 300, 1_000, 10**9])
def test_a_json_lines_file_read_in_pieces_gives_what_a_stream_gives(
    tmp_path: Path, bom: bytes, piece_bytes: int
) -> None:
    path = tmp_path / "dump.jsonl"
    _piece_test_file(path, bom)
    options = InputOptions(roots=(tmp_path,), max_doc_bytes=MAX_DOC)
    file = InputFile(path, tmp_path)
    planned = line_pieces(path, piece_bytes)
    assert planned is not None
    signature, pieces = planned
    assert signature == full_signature(path)
    data = path.read_bytes()
    assert [p.start for p in pieces] == [0, *(p.end for p in pieces[:-1])]
    assert pieces[-1].end == len(data)
    for piece in pieces:
        assert piece.end == len(data) or data[piece.end - 1 : piece.end] == b"\n"
        assert piece.first_line == data.count(b"\n", 0, piece.start) + 1
        assert piece.utf8_bom == bool(bom)
    longest = max(len(line) for line in data.split(b"\n")) + 1
    for piece in pieces[:-1]:  # each as long as asked, then to the end of its last line
        assert piece_bytes <= piece.end - piece.start < piece_bytes + longest
    assert len(pieces) > 1 or piece_bytes > len(data)
    whole = list(read_input(file, options))
    in_pieces = [doc for piece in pieces for doc in read_piece(file, options, piece)]
    assert in_pieces == whole
    assert Counter(verdict(d) for d in whole) == Counter({None: 23, "malformed": 1, "too_large": 1})


def test_a_file_that_cannot_be_cut_at_line_ends_is_left_to_the_stream(tmp_path: Path) -> None:
    wide = tmp_path / "wide.jsonl"
    wide.write_bytes("\ufeff".encode("utf-16-le") + '{"text": "نص"}\n'.encode("utf-16-le"))
    assert line_pieces(wide, 10) is None
    assert line_pieces(tmp_path / "gone.jsonl", 10) is None


def test_pieces_with_no_document_at_all_are_one_empty_reject(tmp_path: Path) -> None:
    path = tmp_path / "blank.jsonl"
    path.write_bytes(b"\n  \n" * 50)
    options = InputOptions(roots=(tmp_path,))
    file = InputFile(path, tmp_path)
    planned = line_pieces(path, 40)
    assert planned is not None and len(planned[1]) > 1
    assert [doc for piece in planned[1] for doc in read_piece(file, options, piece)] == []
    assert [empty_reject(file, options)] == list(read_input(file, options))


@pytest.mark.parametrize("ending", list(COMPRESS))
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
@pytest.mark.parametrize("piece_bytes", [1, 700, 10**9])
def test_a_compressed_json_lines_file_in_pieces_gives_what_a_stream_gives(
    tmp_path: Path, bom: bytes, piece_bytes: int, ending: str
) -> None:
    plain = tmp_path / "plain.jsonl"
    _piece_test_file(plain, bom)
    path = tmp_path / f"dump.jsonl{ending}"
    path.write_bytes(COMPRESS[ending](plain.read_bytes()))
    plain.unlink()
    options = InputOptions(roots=(tmp_path,), max_doc_bytes=MAX_DOC)
    file = InputFile(path, tmp_path)
    pieces = compressed_line_pieces(file, options, piece_bytes)
    assert pieces is not None
    cut = list(pieces)
    assert all(isinstance(piece, LinePiece) and piece.data is not None for piece in cut)
    assert (len(cut) > 1) == (piece_bytes < 10**9)
    whole = list(read_input(file, options))
    assert [doc for piece in cut for doc in read_piece(file, options, piece)] == whole  # type: ignore[arg-type]
    # how far into the compressed file each piece's reading had got: the progress line's measure
    reached = [piece.file_position for piece in cut if isinstance(piece, LinePiece)]
    known = [position for position in reached if position is not None]
    assert known == sorted(known) and all(0 < p <= path.stat().st_size for p in known)
    assert len(known) >= len(reached) - 1  # the last may be cut once the file is closed


@pytest.mark.parametrize("ending", list(COMPRESS))
@pytest.mark.parametrize("damage", ["truncated", "corrupt", "too_large"])
def test_a_compressed_stream_that_fails_half_way_ends_its_pieces_as_the_stream_ends(
    tmp_path: Path, damage: str, ending: str
) -> None:
    # bzip2 decompresses 900 kB blocks, whole: 3.5 MB are four of them
    records = [{"text": f"{ARABIC * 4} {n}", "n": os.urandom(8).hex()} for n in range(3000)]
    packed = COMPRESS[ending](_jsonl(*records))
    middle = len(packed) // 2
    if damage == "truncated":
        packed = packed[:middle]
    elif damage == "corrupt":
        packed = packed[:middle] + bytes(b ^ 0x55 for b in packed[middle : middle + 64])
    path = tmp_path / f"dump.jsonl{ending}"
    path.write_bytes(packed)
    # past the first 64 KiB the reader takes in one go: some lines come before the failure
    archive_limit = 200_000 if damage == "too_large" else MAX_ARCHIVE
    options = InputOptions(
        roots=(tmp_path,), max_doc_bytes=MAX_DOC, max_archive_bytes=archive_limit
    )
    file = InputFile(path, tmp_path)
    whole = list(read_input(file, options))
    reason = {"truncated": "malformed", "corrupt": "malformed", "too_large": "too_large"}[damage]
    assert verdict(whole[-1]) == reason and 1 < len(whole) < 3000
    pieces = compressed_line_pieces(file, options, 2_000)
    assert pieces is not None
    read = []
    for piece in pieces:
        if isinstance(piece, dict):
            read.append(piece)  # the stream's reject, after the lines before the failure
        else:
            read += read_piece(file, options, piece)
    assert read == whole


def test_a_gzip_file_that_cannot_be_cut_or_opened_is_left_to_the_stream(tmp_path: Path) -> None:
    options = InputOptions(roots=(tmp_path,))
    wide = tmp_path / "wide.jsonl.gz"
    wide.write_bytes(gzip.compress("\ufeff{}\n".encode("utf-16-le")))
    not_gzip = tmp_path / "not.jsonl.gz"
    not_gzip.write_bytes(b"plain text, no gzip header")
    for path in (wide, not_gzip, tmp_path / "gone.jsonl.gz"):
        assert compressed_line_pieces(InputFile(path, tmp_path), options, 100) is None
    empty = tmp_path / "empty.jsonl.gz"
    empty.write_bytes(gzip.compress(b""))
    assert list(compressed_line_pieces(InputFile(empty, tmp_path), options, 100) or ()) == [
        LinePiece(0, 0, 1, False, b"")
    ]


def _json_values() -> list[Any]:
    """What a JSON file's values can be: records, a copy, a value that is not a record, a record
    without text (their documents are rejects, the stream goes on)."""
    values: list[Any] = [{"text": f"{ARABIC} {n}", "title": f"خبر {n}"} for n in range(12)]
    values += [7, {"title": "بلا نص"}, {"text": f"{ARABIC} 3"}]
    return values + [{"text": f"{ARABIC} {n}", "url": f"https://a.sa/{n}"} for n in range(12, 20)]


def _json_reads(file: InputFile, options: InputOptions, piece_bytes: int) -> list[Any]:
    """The documents of a JSON file read in pieces, as the seeds spider puts them together:
    a reject among the pieces in its place, and a file whose pieces held nothing one reject."""
    read: list[Any] = []
    pieces = list(json_pieces(file, options, piece_bytes))
    for piece in pieces:
        read += [piece] if isinstance(piece, dict) else read_piece(file, options, piece)
    assert isinstance(pieces[0], ValuePiece)  # a reject comes after the piece before it
    return read or [empty_reject(file, options)]


@pytest.mark.parametrize(
    "form", ["array", "values", "utf-8-sig", "utf-16", "cp1256", ".gz", ".bz2", ".xz"]
)
@pytest.mark.parametrize("piece_bytes", [1, 400, 10**9])
def test_a_json_file_read_in_pieces_gives_what_a_stream_gives(
    tmp_path: Path, form: str, piece_bytes: int
) -> None:
    values = _json_values()
    if form == "values":  # objects one after another, not an array
        text = "\n".join(json.dumps(value, ensure_ascii=False) for value in values)
    else:
        text = json.dumps(values, ensure_ascii=False, indent=1)
    name = f"dump.json{form}" if form in COMPRESS else "dump.json"
    data = {
        "utf-8-sig": lambda: text.encode("utf-8-sig"),
        "utf-16": lambda: text.encode("utf-16"),
        # ASCII up to the first record's text: the stream switches to the legacy code page there
        "cp1256": lambda: text.replace("خبر", "").encode("cp1256"),
    }.get(form, text.encode)()
    if form in COMPRESS:
        data = COMPRESS[form](data)
    path = tmp_path / name
    path.write_bytes(data)
    options = InputOptions(roots=(tmp_path,), max_doc_bytes=MAX_DOC)
    file = InputFile(path, tmp_path)
    whole = list(read_input(file, options))
    assert _json_reads(file, options, piece_bytes) == whole
    cut = list(json_pieces(file, options, piece_bytes))
    assert all(isinstance(piece, ValuePiece) for piece in cut)
    assert (len(cut) > 1) == (piece_bytes < 10**9)
    # how far into the file (compressed or not) each piece's reading had got: progress
    reached = [piece.file_position for piece in cut if isinstance(piece, ValuePiece)]
    known = [position for position in reached if position is not None]
    assert known == sorted(known) and all(0 < p <= len(data) for p in known)
    assert len(known) >= len(reached) - 1  # the last may be cut once the file is closed
    assert Counter(verdict(d) for d in whole) == Counter({None: 21, "malformed": 2})
    encoding = form if form in {"utf-8-sig", "utf-16", "cp1256"} else "utf-8"
    assert {d["encoding"] for d in whole if verdict(d) is None} == {encoding}


@pytest.mark.parametrize(
    ("ending", "reason", "read_before"),
    [
        ("malformed-element", "malformed", 400),
        ("malformed-then-more", "malformed", 400),  # then the element after it
        ("element-too-large", "too_large", 400),
        ("text-after-array", "malformed", 400),
        ("no-comma", "malformed", 400),
        ("nuls-inside", "binary", 400),
        ("empty-array", "empty", 0),
        ("empty-file", "empty", 0),
        ("gzip-truncated", "malformed", None),  # some: those before the break
        ("gzip-expands-too-far", "too_large", None),
    ],
)
def test_a_json_file_that_stops_half_way_ends_its_pieces_as_the_stream_ends(
    tmp_path: Path, ending: str, reason: str, read_before: int | None
) -> None:
    # 2.6 MB: past the 1 MiB the stream decodes at once, so that values come before a failure
    records = [{"text": f"{ARABIC * 40} {n}", "n": os.urandom(8).hex()} for n in range(400)]
    text = json.dumps(records, ensure_ascii=False)
    text = {
        "malformed-element": text[:-1] + ', {"text": oops, "more": "never closed',
        "malformed-then-more": text[:-1] + ', {"text": oops}, {"text": "بعد"}]',
        "element-too-large": text[:-1] + ', {"text": "' + "x" * (2 * MAX_DOC) + '"}, {}]',
        "text-after-array": text + " [1]",
        "no-comma": text[:-1] + ' "بلا فاصلة"]',
        "nuls-inside": text[:-1] + ', {"text": "\x00\x00 then"}]',
        "empty-array": " [ ] ",
        "empty-file": "  \n ",
    }.get(ending, text)
    data = text.encode()
    limit = 10**7
    if ending.startswith("gzip"):
        data = gzip.compress(data)
        if ending == "gzip-truncated":
            data = data[: len(data) // 2]
        else:
            limit = 1_500_000
    path = tmp_path / ("dump.json.gz" if ending.startswith("gzip") else "dump.json")
    path.write_bytes(data)
    options = InputOptions(roots=(tmp_path,), max_doc_bytes=MAX_DOC, max_archive_bytes=limit)
    file = InputFile(path, tmp_path)
    whole = list(read_input(file, options))
    assert _json_reads(file, options, 3_000) == whole
    if ending == "malformed-then-more":
        *whole, after = whole
        assert (after["path"], after["text"]) == ("dump.json#402", "بعد")
    assert verdict(whole[-1]) == reason
    if read_before is None:
        assert 0 < len(whole) - 1 < 400
    else:
        assert len(whole) - 1 == read_before
    assert all(verdict(document) is None for document in whole[:-1])


@pytest.mark.parametrize("compress", [False, True])
def test_nul_padding_after_a_json_file_read_in_pieces_is_dropped(
    tmp_path: Path, compress: bool
) -> None:
    # a dump whose write was cut short by a crash: NUL bytes to its end, past the 1 MiB decoded
    # at once, are no value and no reject
    records = [{"text": f"{ARABIC * 40} {n}"} for n in range(400)]
    data = json.dumps(records, ensure_ascii=False).encode() + b"\x00" * 3_000_000
    path = tmp_path / ("dump.json.gz" if compress else "dump.json")
    path.write_bytes(gzip.compress(data) if compress else data)
    options = InputOptions(roots=(tmp_path,), max_doc_bytes=MAX_DOC, max_archive_bytes=10**7)
    file = InputFile(path, tmp_path)
    whole = list(read_input(file, options))
    assert _json_reads(file, options, 3_000) == whole
    assert [(d["path"], verdict(d)) for d in whole] == [
        (f"{path.name}#{n}", None) for n in range(1, 401)
    ]


@pytest.mark.parametrize("mode", ["w", "w:gz", "w:bz2", "w:xz"])
@pytest.mark.parametrize("damage", ["truncated", "corrupt", "no-end-marker"])
def test_a_tar_archive_broken_half_way_keeps_the_members_before(
    tmp_path: Path, mode: str, damage: str
) -> None:
    # 2 MB that compress to a quarter: bzip2, whose blocks hold 900 kB (tar's runs of NULs
    # counted as a few bytes), has a whole one before a cut at three quarters
    members: dict[str, bytes | str] = {
        f"day/{n}.txt": f"{ARABIC} {n} {os.urandom(500).hex()}".encode() for n in range(1000)
    }
    plain = tmp_path / "plain.tar"
    _tar(plain, members)
    data = plain.read_bytes()
    with tarfile.open(plain) as archive:
        header = archive.getmember("day/500.txt").offset
    if damage == "no-end-marker":  # cut at a member's header: tarfile itself says nothing
        data = data[:header]
    elif damage == "corrupt" and mode == "w":  # a header's checksum fails
        data = data[:header] + b"\xff" * 100 + data[header + 100 :]
    plain.unlink()
    packed = {"w": bytes, "w:gz": gzip.compress, "w:bz2": bz2.compress, "w:xz": lzma.compress}
    data = packed[mode](data)
    middle = len(data) * 3 // 4
    if damage == "truncated":
        data = data[:middle]
    elif damage == "corrupt" and mode != "w":  # the compressed data fails
        flipped = bytes(b ^ 0x55 for b in data[middle : middle + 600])
        data = data[:middle] + flipped + data[middle + 600 :]
    path = tmp_path / f"day.tar{mode[2:] and '.' + mode[2:]}"
    path.write_bytes(data)
    roomy = InputOptions(roots=(tmp_path,), max_doc_bytes=MAX_DOC, max_archive_bytes=10**7)
    *read, last = read_input(InputFile(path, tmp_path), roomy)
    assert 10 < len(read) < 1000
    assert [doc["path"] for doc in read] == [f"{path.name}!day/{n}.txt" for n in range(len(read))]
    good = [doc for doc in read if verdict(doc) is None]
    # bytes flipped in compressed data may first come out as a garbled member
    assert len(good) >= len(read) - (damage == "corrupt")
    assert verdict(last) == "malformed", last[INPUT_REJECT]
    detail = last[INPUT_REJECT][1]
    assert "reading stopped" in detail
    if damage == "no-end-marker":
        assert (last["path"], len(read)) == (path.name, 500)
        assert "cut short at byte" in detail
    elif damage == "corrupt" and mode == "w":
        assert (last["path"], len(read)) == (path.name, 500)
        assert "a damaged header at byte" in detail


def test_a_tar_member_of_a_folder_read_by_a_worker_is_what_a_stream_reads(tmp_path: Path) -> None:
    _tar(tmp_path / "small.tar", {f"{n}.txt": f"{ARABIC} {n}".encode() for n in range(5)})
    file = InputFile(tmp_path / "small.tar", tmp_path)
    streamed = list(read_input(file, options(tmp_path)))
    file.contents = (tmp_path / "small.tar").read_bytes()  # as a worker has it, read to hash it
    assert list(read_input(file, options(tmp_path))) == streamed
    assert [doc["path"] for doc in streamed] == [f"small.tar!{n}.txt" for n in range(5)]


def _members_test_zip(path: Path) -> None:
    """A zip with every kind of member: texts, arrays, dumps, folders, rejects, hidden files."""
    members: dict[str, bytes] = {"day1/": b""}
    for n in range(6):
        members[f"day1/{n}.txt"] = f"{ARABIC} {n}".encode()
    members["day1/array.json"] = json.dumps(
        [{"text": f"{ARABIC} {n}"} for n in range(10, 14)], ensure_ascii=False
    ).encode()
    members["day2/lines.jsonl"] = _jsonl(*({"text": f"{ARABIC} {n}"} for n in range(20, 25)))
    members["day2/empty.json"] = b"[]"
    members["../escape.txt"] = ARABIC.encode()
    members["__MACOSX/._x.txt"] = b"hidden"
    members["inner.zip"] = b"PK\x05\x06" + b"\0" * 18
    members["notes.docx"] = b"binary"
    members["day3/5.txt"] = f"{ARABIC} 5".encode()  # a copy: dedup's business, not the reader's
    _zip(path, members)


@pytest.mark.parametrize("piece_bytes", [1, 200, 10**9])
def test_a_zip_read_in_runs_of_members_gives_what_a_stream_gives(
    tmp_path: Path, piece_bytes: int
) -> None:
    path = tmp_path / "big.zip"
    _members_test_zip(path)
    options = InputOptions(roots=(tmp_path,), max_doc_bytes=MAX_DOC, max_archive_bytes=MAX_ARCHIVE)
    file = InputFile(path, tmp_path)
    planned = member_pieces(path, piece_bytes, MAX_DOC, options)
    assert planned is not None
    signature, plan = planned
    assert signature == full_signature(path)
    pieces = [step for step in plan if isinstance(step, MemberPiece)]
    assert pieces == plan  # no JSON member over the limit, none gzipped: runs only
    with zipfile.ZipFile(path) as archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
    assert [p.first for p in pieces] == [0, *(p.end for p in pieces[:-1])]
    assert pieces[-1].end == len(members)
    assert [p.size for p in pieces] == [
        sum(info.file_size for info in members[p.first : p.end]) for p in pieces
    ]
    assert (len(pieces) == 1) == (piece_bytes == 10**9)
    whole = list(read_input(file, options))
    assert [doc for piece in pieces for doc in read_piece(file, options, piece)] == whole
    assert Counter(verdict(d) for d in whole) == Counter(
        {None: 6 + 4 + 5 + 1, "empty": 1, "unsafe": 1, "unsupported": 2}
    )


def test_zip_member_names_in_utf8_without_the_mark_for_it_are_read_as_utf8(
    tmp_path: Path,
) -> None:
    # Info-ZIP (Linux's zip) writes UTF-8 names without the zip format's mark for them; bytes
    # that are not UTF-8 (a Windows code page) stay as the format reads them, cp437.
    path = tmp_path / "news.zip"
    _zip(path, {"aaaaaa.txt": ARABIC.encode(), "bbb.txt": ARABIC.encode() + b" 2"})
    data = path.read_bytes().replace(b"aaaaaa.txt", "خبر.txt".encode())
    path.write_bytes(data.replace(b"bbb.txt", "خبر.txt".encode("cp1256")))
    options = InputOptions(roots=(tmp_path,), max_doc_bytes=MAX_DOC, max_archive_bytes=MAX_ARCHIVE)
    file = InputFile(path, tmp_path)
    whole = list(read_input(file, options))
    assert [(doc["path"], verdict(doc)) for doc in whole] == [
        ("news.zip!خبر.txt", None),
        ("news.zip!" + "خبر".encode("cp1256").decode("cp437") + ".txt", None),
    ]
    planned = member_pieces(path, 1, MAX_DOC, options)  # a worker reading runs names them alike
    assert planned is not None
    runs = [step for step in planned[1] if isinstance(step, MemberPiece)]
    assert [doc for run in runs for doc in read_piece(file, options, run)] == whole


def test_a_zip_that_cannot_be_cut_into_members_is_left_to_the_stream(tmp_path: Path) -> None:
    options = InputOptions(roots=(tmp_path,), max_archive_bytes=10_000)
    _zip(tmp_path / "past-the-limit.zip", {f"{n}.txt": ARABIC.encode() * 20 for n in range(9)})
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 not really")
    for name in ("past-the-limit.zip", "broken.zip"):
        assert member_pieces(tmp_path / name, 100, 1_000, options) is None, name
    # A text member is one document however large (a worker reads no more than the size limit).
    _zip(tmp_path / "one-big-text.zip", {"a.txt": ARABIC.encode() * 20})
    _zip(tmp_path / "fine.zip", {f"{n}.txt": ARABIC.encode() for n in range(9)})
    for name in ("one-big-text.zip", "fine.zip"):
        planned = member_pieces(tmp_path / name, 100, 1_000, options)
        assert planned is not None and all(isinstance(p, MemberPiece) for p in planned[1]), name


def _cut_members_test_zip(path: Path) -> None:
    """A zip whose JSON and JSON Lines members past 500 bytes, or gzipped, are read in the crawl
    process: among small texts, with every way such a member can end."""
    lines = path.parent / "lines.jsonl"
    _piece_test_file(lines)
    array = json.dumps(_json_values(), ensure_ascii=False, indent=1).encode()
    broken = gzip.compress(json.dumps(_json_values() * 20, ensure_ascii=False).encode())
    members = {
        "a/1.txt": f"{ARABIC} 1".encode(),
        "a/big.jsonl": lines.read_bytes(),
        "b/2.txt": f"{ARABIC} 2".encode(),
        "b/array.json": array,
        "b/exported.jsonl": array,  # named JSON Lines, written as JSON: its values are read
        "b/exported.jsonl.gz": gzip.compress(array),
        "c/blank.jsonl": b"\n \n\xc2\xa0\n" * 300,  # no document at all: an empty member
        "c/empty.json.gz": gzip.compress(b"[]"),
        "d/lines.jsonl.gz": gzip.compress(_jsonl({"text": f"{ARABIC} 30"}, {"text": "نص"})),
        "d/text.txt.gz": gzip.compress(f"{ARABIC} 31".encode()),
        "e/wide.jsonl": "\n".join(
            json.dumps({"text": f"{ARABIC} {n}"}, ensure_ascii=False) for n in range(40, 60)
        ).encode("utf-16"),
        "e/broken.json.gz": broken[: len(broken) // 2],  # fails half-way; the next is read
        "f/../escape.jsonl": lines.read_bytes(),
        "__MACOSX/._big.json": array,
        "g/3.txt": f"{ARABIC} 3 بعد".encode(),
    }
    lines.unlink()
    _zip(path, members)


@pytest.mark.parametrize("piece_bytes", [1, 300, 10**9])
def test_a_zip_with_members_read_here_in_pieces_gives_what_a_stream_gives(
    tmp_path: Path, piece_bytes: int
) -> None:
    path = tmp_path / "dump.zip"
    _cut_members_test_zip(path)
    options = InputOptions(roots=(tmp_path,), max_doc_bytes=MAX_DOC, max_archive_bytes=MAX_ARCHIVE)
    file = InputFile(path, tmp_path)
    planned = member_pieces(path, piece_bytes, 500, options)
    assert planned is not None
    with zipfile.ZipFile(path) as archive:
        names = [info.filename for info in archive.infolist() if not info.is_dir()]
    cut = [names[step.index] for step in planned[1] if isinstance(step, MemberToCut)]
    assert cut == [
        "a/big.jsonl",
        "b/array.json",
        "b/exported.jsonl",
        "b/exported.jsonl.gz",
        "c/blank.jsonl",
        "c/empty.json.gz",
        "d/lines.jsonl.gz",
        "e/wide.jsonl",
        "e/broken.json.gz",
        "f/../escape.jsonl",
        "__MACOSX/._big.json",
    ]
    pieces = list(zip_pieces(file, options, planned[1], piece_bytes))
    kinds = {type(piece).__name__ for piece in pieces}
    assert {"MemberPiece", "LinePiece", "ValuePiece", "dict"} <= kinds
    # how far into the archive each piece's reading had got: progress through a large zip
    reached = [piece.file_position for piece in pieces if not isinstance(piece, dict)]
    known = [position for position in reached if position is not None]
    assert known == sorted(known) and all(0 < p < path.stat().st_size for p in known)
    assert len(known) >= len(reached) // 2
    read: list[Any] = []
    for piece in pieces:
        read += [piece] if isinstance(piece, dict) else read_piece(file, options, piece)
    whole = list(read_input(file, options))
    assert read == whole
    reasons = Counter(verdict(d) for d in whole)
    assert reasons["empty"] == 2 and reasons["unsafe"] == 1 and reasons["malformed"] >= 5
    for name in ("b/exported.jsonl", "b/exported.jsonl.gz"):  # as b/array.json: by value
        exported = [d for d in whole if d["path"].startswith(f"dump.zip!{name}#")]
        assert Counter(verdict(d) for d in exported) == Counter({None: 21, "malformed": 2})
    assert {d["path"].split("#")[0] for d in whole if verdict(d) is None} >= {
        "dump.zip!a/big.jsonl",
        "dump.zip!b/array.json",
        "dump.zip!b/exported.jsonl",
        "dump.zip!b/exported.jsonl.gz",
        "dump.zip!d/lines.jsonl.gz",
        "dump.zip!d/text.txt.gz",
        "dump.zip!e/wide.jsonl",
        "dump.zip!e/broken.json.gz",
        "dump.zip!g/3.txt",
    }


def test_members_holding_no_document_at_all_are_one_empty_reject(tmp_path: Path) -> None:
    path = tmp_path / "hidden.zip"
    _zip(path, {f"__MACOSX/._{n}.txt": b"hidden" for n in range(5)})
    options = InputOptions(roots=(tmp_path,))
    file = InputFile(path, tmp_path)
    planned = member_pieces(path, 10, 1_000, options)
    assert planned is not None and len(planned[1]) > 1
    runs = [step for step in planned[1] if isinstance(step, MemberPiece)]
    assert runs == planned[1]
    assert [doc for piece in runs for doc in read_piece(file, options, piece)] == []
    assert [empty_reject(file, options)] == list(read_input(file, options))


@pytest.mark.parametrize(
    ("name", "patched"),
    [
        ("dump.jsonl.gz", "iter_lines"),
        ("dump.json", "iter_json_values"),
        ("dump.zip", "iter_lines"),  # a member to cut; the member after it is not read
        ("dump.zip", "iter_json_values"),
    ],
)
def test_a_stream_cut_here_that_fails_unexpectedly_ends_as_read_input_ends_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, patched: str
) -> None:
    from newspipe.inputs import read

    real = getattr(read, patched)

    def breaks_after_five(*args: Any, **kwargs: Any) -> Any:
        for count, line in enumerate(real(*args, **kwargs)):
            if count == 5:
                raise KeyError("a bug")
            yield line

    monkeypatch.setattr(read, patched, breaks_after_five)
    records = [{"text": f"{ARABIC} {n}"} for n in range(9)]
    path = tmp_path / name
    options = InputOptions(roots=(tmp_path,))
    file = InputFile(path, tmp_path)
    if name.endswith(".zip"):
        member = "big.jsonl" if patched == "iter_lines" else "big.json"
        data = _jsonl(*records) if patched == "iter_lines" else json.dumps(records).encode()
        _zip(path, {member: data, "after.txt": ARABIC.encode()})
        planned = member_pieces(path, 10**6, 100, options)
        assert planned is not None and isinstance(planned[1][0], MemberToCut)
        cut = list(zip_pieces(file, options, planned[1], 10**6))
    elif name.endswith(".gz"):
        path.write_bytes(gzip.compress(_jsonl(*records)))
        cut = list(compressed_line_pieces(file, options, 10**6) or ())
    else:
        path.write_bytes(json.dumps(records).encode())
        cut = list(json_pieces(file, options, 10**6))
    whole = list(read_input(file, options))
    assert len(whole) == 6 and whole[-1][INPUT_REJECT][0] == "unreadable"
    assert "unexpected error" in whole[-1][INPUT_REJECT][1]
    assert len(cut) == 2 and isinstance(cut[0], LinePiece | ValuePiece) and cut[1] == whole[-1]
    assert list(read_piece(file, options, cut[0])) == whole[:-1]


def test_a_zstd_file_is_read_across_its_frames_and_a_cut_one_is_rejected_where_it_stops(
    tmp_path: Path,
) -> None:
    records = [{"text": f"{ARABIC} {n}", "n": os.urandom(8).hex()} for n in range(2000)]
    lines = _jsonl(*records)
    half = lines.index(b"\n", len(lines) // 2) + 1
    # joined files, or a multi-threaded compressor: several frames, and a skippable one between
    skippable = (0x184D2A50).to_bytes(4, "little") + (3).to_bytes(4, "little") + b"pad"
    joined = tmp_path / "joined.jsonl.zst"
    first, second = zstandard.compress(lines[:half]), zstandard.compress(lines[half:])
    joined.write_bytes(first + skippable + second)
    options = InputOptions(roots=(tmp_path,), max_doc_bytes=MAX_DOC)
    read = list(read_input(InputFile(joined, tmp_path), options))
    assert [doc["text"] for doc in read] == [record["text"] for record in records]
    # cut short (a copy that stopped): the lines before the cut, then one reject saying so
    cut = tmp_path / "cut.jsonl.zst"
    packed = zstandard.compress(lines)
    cut.write_bytes(packed[: len(packed) * 3 // 4])
    read = list(read_input(InputFile(cut, tmp_path), options))
    assert 1 < len(read) < len(records) and all(verdict(doc) is None for doc in read[:-1])
    assert verdict(read[-1]) == "malformed"
    assert "middle of a zstd frame" in read[-1][INPUT_REJECT][1]


def test_a_walked_file_keeps_its_size_and_mtime_and_sends_them_to_workers(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARABIC, encoding="utf-8")
    single = tmp_path / "single.txt"
    single.write_text(ARABIC + " 2", encoding="utf-8")
    walked = [f for f in iter_inputs(InputOptions(roots=(tmp_path,))) if f.path.name == "a.txt"]
    rooted = list(iter_inputs(InputOptions(roots=(single,))))
    for found in (*walked, *rooted):
        status = os.stat(found.path)
        kept = found.stat()
        assert kept == FileStat(status.st_size, status.st_mtime_ns)
        assert not hasattr(kept, "st_mode")  # not the whole stat: a file's share of memory
        again = pickle.loads(pickle.dumps(found))  # as a worker gets it
        assert again.stat() == kept and hash(again.stat()) == hash(kept)
