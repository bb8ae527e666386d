"""Reading figures for newspipe.inputs over the SaudiNewsNet zips in ../shared/data/saudinewsnet.

1. The zips as they are: articles read (against the JSON arrays' total), source/url/title carried,
   rejects, seconds and articles per second.
2. Every article re-encoded to a Windows-1256 .txt file (those with a character CP1256 lacks are
   counted and left out): how many decode back to exactly the same text, and how fast.

Run from the repository root: ``PYTHONPATH=. python bench/inputs_read.py [ZIP_FOLDER]``.
The last line is the figure set.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from newspipe.document import INPUT_REJECT
from newspipe.inputs import InputOptions, iter_documents

FOLDER = (
    Path(sys.argv[1])
    if len(sys.argv) > 1
    else Path(__file__).resolve().parents[1].parent / "shared/data/saudinewsnet"
)


def main() -> None:
    truth = {}
    for archive_path in sorted(FOLDER.glob("*.zip")):
        with zipfile.ZipFile(archive_path) as archive:
            for name in archive.namelist():
                for number, record in enumerate(json.loads(archive.read(name)), 1):
                    truth[f"{archive_path.name}!{name}#{number}"] = record
    started = time.perf_counter()
    docs = list(iter_documents(InputOptions(roots=(FOLDER,))))
    zip_seconds = time.perf_counter() - started
    rejects = sum(1 for doc in docs if doc.get(INPUT_REJECT))
    carried = sum(
        1
        for doc in docs
        if doc["path"] in truth
        and doc["source"] == truth[doc["path"]]["source"]
        and doc["url"] == truth[doc["path"]]["url"]
        and doc["title"] == (truth[doc["path"]]["title"] or None)
    )
    print(
        f"zips: {len(docs)} documents read of {len(truth)} articles, "
        f"{carried} with source/url/title equal, "
        f"{rejects} rejects, {zip_seconds:.2f} s ({len(docs) / zip_seconds:.0f} documents/s)"
    )

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        written: dict[str, str] = {}
        lacking = 0
        for number, record in enumerate(truth.values()):
            try:
                data = record["content"].encode("cp1256")
            except UnicodeEncodeError:
                lacking += 1
                continue
            name = f"{record['source']}/{number:05d}.txt"
            (root / name).parent.mkdir(exist_ok=True)
            (root / name).write_bytes(data)
            written[name] = record["content"]
        started = time.perf_counter()
        decoded = list(iter_documents(InputOptions(roots=(root,))))
        cp_seconds = time.perf_counter() - started
    same = sum(1 for doc in decoded if written.get(doc["path"]) == doc["text"])
    encodings: dict[str, int] = {}
    for doc in decoded:
        encodings[str(doc.get("encoding"))] = encodings.get(str(doc.get("encoding")), 0) + 1
    print(
        f"cp1256: {len(written)} files written ({lacking} articles have a character CP1256 lacks), "
        f"{same} decoded to the same text, encodings {encodings}, {cp_seconds:.2f} s"
    )
    print(
        f"FIGURES articles={len(truth)} read={len(docs)} carried={carried} rejects={rejects} "
        f"zip_docs_per_s={len(docs) / zip_seconds:.0f} cp1256_files={len(written)} "
        f"cp1256_same={same} "
        f"cp1256_lacking={lacking}"
    )


if __name__ == "__main__":
    main()
