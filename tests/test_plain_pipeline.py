"""A plain Scrapy item pipeline, written without newspipe's API, added with ``-s ITEM_PIPELINES``.

At priority 250 it runs after ``language`` (200) and before ``dedup`` (300): it sees the cleaned
``text`` and ``lang``, not yet ``content_hash``; its drops land in the rejects file.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from tests.conftest import PROJECT_ROOT, SEEDS

DIACRITICS = re.compile("[\u064b-\u0652]")
MIN_WORDS = 350


class TooShort(DropItem):
    """Dropped by the plain pipeline; newspipe writes the reason as ``too_short``."""


class WordCountPipeline:
    """What a Scrapy user writes: ``from_crawler``, ``process_item``, ``DropItem``. No newspipe."""

    def __init__(self, seen_path: str) -> None:
        self.seen_path = seen_path

    @classmethod
    def from_crawler(cls, crawler: Any) -> WordCountPipeline:
        return cls(crawler.settings.get("WORDCOUNT_SEEN_FILE"))

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        seen = {key: adapter.get(key) for key in ("path", "text", "lang", "content_hash", "run_id")}
        with open(self.seen_path, "a", encoding="utf-8") as file:
            file.write(json.dumps(seen, ensure_ascii=False) + "\n")
        words = len(str(adapter.get("text")).split())
        if words < MIN_WORDS:
            raise TooShort(f"{words} words, fewer than {MIN_WORDS}")
        adapter["word_count"] = words
        return item


def test_plain_pipeline_at_250_sees_clean_text_and_lang_and_its_drops_are_rejects(
    tmp_path: Path,
) -> None:
    seen_file = tmp_path / "seen.jsonl"
    output = tmp_path / "output"
    pipelines = json.dumps({"tests.test_plain_pipeline.WordCountPipeline": 250})
    command = [sys.executable, "-m", "scrapy.cmdline", "crawl", "seeds"]
    for setting in (
        f"ITEM_PIPELINES={pipelines}",
        f"WORDCOUNT_SEEN_FILE={seen_file}",
        f"NEWSPIPE_OUTPUT_DIR={output}",
        "NEWSPIPE_RUN_ID=plain-run",
    ):
        command += ["-s", setting]
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run(
        command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]

    seen = {doc["path"]: doc for doc in map(json.loads, seen_file.open(encoding="utf-8"))}
    assert set(seen) == {path.name for path in SEEDS.glob("*.txt")}
    raw = {path.name: path.read_text(encoding="utf-8") for path in SEEDS.glob("*.txt")}
    assert any(DIACRITICS.search(text) for text in raw.values())  # else the next check is empty
    for path, doc in seen.items():
        assert doc["lang"] == "ar", path  # the language stage ran before
        assert not DIACRITICS.search(doc["text"]), path  # the clean stage ran before
        assert doc["content_hash"] is None and doc["run_id"] is None, path  # dedup, source: after

    kept = {d["path"]: d for d in map(json.loads, (output / "seeds-plain-run.jsonl").open())}
    rejects = [json.loads(line) for line in (output / "seeds-plain-run.rejects.jsonl").open()]
    short = {path for path, doc in seen.items() if len(doc["text"].split()) < MIN_WORDS}
    assert short and short != set(seen)  # the fixture data drops some documents, not all
    assert {doc["path"] for doc in rejects} == short
    for doc in rejects:
        assert doc["reject_reason"] == "too_short"
        assert doc["reject_detail"].endswith(f"fewer than {MIN_WORDS}")
        assert doc["text"] == seen[doc["path"]]["text"]
    assert set(kept) == set(seen) - short
    for path, doc in kept.items():
        assert doc["text"] == seen[path]["text"]
        assert doc["word_count"] == len(doc["text"].split())  # the pipeline's change is exported
        assert doc["content_hash"] and doc["run_id"] == "plain-run"  # built-in stages still ran

    manifest = json.loads((output / "runs" / "plain-run.json").read_text(encoding="utf-8"))
    assert manifest["documents"]["rejected_by_reason"] == {"too_short": len(short)}
    assert manifest["stages"]["dedup"]["total"] == len(kept)
