"""The real SaudiNewsNet zips, read as they are, and re-encoded to Windows-1256 text files."""

from __future__ import annotations

import json
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from newspipe.document import INPUT_REJECT
from newspipe.inputs import InputOptions, iter_documents
from tests.crawling import crawl


def corpus_records(folder: Path) -> list[tuple[str, dict[str, Any]]]:
    """(path newspipe should give, record) for every article of every zip, in reading order."""
    records = []
    for archive_path in sorted(folder.glob("*.zip")):
        with zipfile.ZipFile(archive_path) as archive:
            for name in archive.namelist():
                for number, record in enumerate(json.loads(archive.read(name)), 1):
                    records.append((f"{archive_path.name}!{name}#{number}", record))
    return records


@pytest.mark.corpus
def test_saudinewsnet_crawled_as_it_is(saudinewsnet_dir: Path, tmp_path: Path) -> None:
    truth = dict(corpus_records(saudinewsnet_dir))
    result = crawl(
        {
            "NEWSPIPE_OUTPUT_DIR": str(tmp_path),
            "NEWSPIPE_LANGUAGES": "",
            # language detection of 20,000 articles is not what this test is about
            "ITEM_PIPELINES": {"newspipe.stages.language.LanguageStage": None},
        },
        path=str(saudinewsnet_dir),
    )
    assert result.exit_code == 0
    assert result.errors == []
    seen = [doc for doc in result.kept] + [doc for doc, _, _ in result.dropped]
    assert len(seen) == len(truth) == result.stats["newspipe/documents/read"]
    assert {doc["path"] for doc in seen} == set(truth)
    assert result.stats["newspipe/inputs/read"] == len(list(saudinewsnet_dir.glob("*.zip")))
    for doc in seen:
        record = truth[doc["path"]]
        assert doc["source"] == record["source"]
        assert doc["url"] == record["url"]
        assert doc["title"] == (record["title"] or None)
    reasons = Counter(reason for _, reason, _ in result.dropped)
    assert set(reasons) <= {"empty", "duplicate", "near_duplicate"}, reasons
    for doc in result.kept:
        record = truth[doc["path"]]
        assert doc["published"] == record["date_extracted"].replace(" ", "T")
        assert doc["encoding"] == "utf-8"


@pytest.mark.corpus
def test_saudinewsnet_in_windows_1256_decodes_to_the_same_text(
    saudinewsnet_dir: Path, tmp_path: Path
) -> None:
    records = corpus_records(saudinewsnet_dir)[::50]  # about 400 articles from every day and outlet
    written = {}
    for number, (_, record) in enumerate(records):
        text = record["content"]
        try:
            data = text.encode("cp1256")
        except UnicodeEncodeError:
            continue  # a character Windows-1256 has no byte for (counted below)
        if not text.strip():
            continue
        name = f"{record['source']}/{number:04d}.txt"
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(data)
        written[name] = text
    assert len(written) >= 0.9 * len(records)
    docs = list(iter_documents(InputOptions(roots=(tmp_path,))))
    assert not [doc[INPUT_REJECT] for doc in docs if doc.get(INPUT_REJECT)]
    assert {doc["path"]: doc["text"] for doc in docs} == written
    assert Counter(doc["encoding"] for doc in docs) == Counter({"cp1256": len(written)})
