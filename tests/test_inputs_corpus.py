"""The real SaudiNewsNet zips, read as they are, and re-encoded to Windows-1256 text files."""

from __future__ import annotations

import json
import shutil
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from newspipe.document import INPUT_REJECT
from newspipe.inputs import InputOptions, iter_documents
from newspipe.settings import ITEM_PIPELINES
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
def test_saudinewsnet_read_as_it_is(saudinewsnet_dir: Path) -> None:
    """All 12 zips at the reader: every article, with its own source, url, title and date."""
    truth = dict(corpus_records(saudinewsnet_dir))
    docs = list(iter_documents(InputOptions(roots=(saudinewsnet_dir,))))
    assert len(docs) == len(truth)
    assert {doc["path"] for doc in docs} == set(truth)
    assert not [doc[INPUT_REJECT] for doc in docs if doc.get(INPUT_REJECT)]
    for doc in docs:
        record = truth[doc["path"]]
        assert doc["source"] == record["source"]
        assert doc["url"] == record["url"]
        assert doc["title"] == (record["title"] or None)
        assert doc["text"] == record["content"]
        assert doc["published"] == record["date_extracted"].replace(" ", "T")
        assert doc["encoding"] == "utf-8"
        assert doc["mojibake"] is None  # real Arabic is never taken for mojibake


def crawl_and_check(folder: Path, output: Path) -> Counter[str]:
    """Crawl ``folder``'s zips through clean, dedup and source; check every article is accounted."""
    truth = dict(corpus_records(folder))
    result = crawl(
        {
            "NEWSPIPE_OUTPUT_DIR": str(output),
            "NEWSPIPE_LANGUAGES": "",
            # language detection of thousands of articles is not what this test is about
            "ITEM_PIPELINES": {**ITEM_PIPELINES, "newspipe.stages.language.LanguageStage": None},
        },
        path=str(folder),
    )
    assert result.exit_code == 0
    assert result.errors == []
    seen = [*result.kept, *(doc for doc, _, _ in result.dropped)]
    assert len(seen) == len(truth) == result.stats["newspipe/documents/read"]
    assert {doc["path"] for doc in seen} == set(truth)
    assert result.stats["newspipe/inputs/read"] == len(list(folder.glob("*.zip")))
    for doc in seen:
        record = truth[doc["path"]]
        assert doc["source"] == record["source"]
        assert doc["url"] == record["url"]
        assert doc["title"] == (record["title"] or None)
    reasons = Counter(reason for _, reason, _ in result.dropped)
    assert set(reasons) <= {"empty", "duplicate", "near_duplicate"}, reasons
    assert all(doc["run_id"] and isinstance(doc["attribution"], list) for doc in result.kept)
    return reasons


@pytest.mark.corpus
def test_saudinewsnet_days_crawled(saudinewsnet_dir: Path, tmp_path: Path) -> None:
    """Three days (about 4,500 articles) through a real crawl, within the corpus tests' budget."""
    days = tmp_path / "days"
    days.mkdir()
    for archive in sorted(saudinewsnet_dir.glob("*.zip"), key=lambda path: path.stat().st_size)[:3]:
        shutil.copy(archive, days / archive.name)  # a link would lead outside the root: unsafe
    reasons = crawl_and_check(days, tmp_path / "out")
    # the corpus has empty articles and copies: the stages after the reader ran
    assert reasons["empty"] > 0
    assert reasons["duplicate"] > 0


@pytest.mark.corpus
@pytest.mark.slow
def test_saudinewsnet_crawled_as_it_is(saudinewsnet_dir: Path, tmp_path: Path) -> None:
    """All 12 zips (20,070 articles) through a real crawl: kept + rejected = every article."""
    reasons = crawl_and_check(saudinewsnet_dir, tmp_path)
    assert reasons["empty"] > 0
    assert reasons["duplicate"] > 0


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
