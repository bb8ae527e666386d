"""In-process crawls of ``seeds`` over bad inputs: every input ends as documents or rejects."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from tests.crawling import crawl
from tests.test_inputs_read import MAX_ARCHIVE, MAX_DOC, build_bad_inputs


def test_bad_inputs_never_stop_a_run(tmp_path: Path) -> None:
    root = tmp_path / "seeds"
    expected = build_bad_inputs(root, tmp_path / "elsewhere")
    out = tmp_path / "out"
    result = crawl(
        {
            "NEWSPIPE_OUTPUT_DIR": str(out),
            "NEWSPIPE_LANGUAGES": "",
            "NEWSPIPE_KEEP_DUPLICATES": True,
            "NEWSPIPE_MAX_DOC_BYTES": MAX_DOC,
            "NEWSPIPE_MAX_ARCHIVE_BYTES": MAX_ARCHIVE,
            "NEWSPIPE_SOURCE_MAP": "spa.gov.sa=SPA site",
        },
        path=str(root),
    )
    assert result.exit_code == 0
    assert result.errors == []
    seen = {doc["path"]: None for doc in result.kept}
    seen.update(result.reasons)
    truncated = {path for path in seen if path.startswith("truncated.jsonl.gz")}
    assert {path: seen[path] for path in seen if path not in truncated} == {
        path: ("empty" if reason == "<empty>" else reason) for path, reason in expected.items()
    }
    stats = result.stats
    assert stats["newspipe/documents/read"] == len(result.kept) + len(result.dropped)
    top_level = {path.split("!")[0].split("#")[0] for path in seen}
    assert stats["newspipe/inputs/read"] == len(top_level)
    assert "newspipe/inputs/skipped" not in stats

    # what is known is carried, on kept and rejected records alike
    kept = result.kept_by_path
    assert kept["records.jsonl#1"]["source"] == "SPA site"  # the user's mapping, by URL domain
    assert kept["records.jsonl#1"]["published"] == "2015-07-21"
    assert kept["records.jsonl#5"]["source"] == "okaz"  # the record's own field
    assert kept["good/a.txt"]["source"] == "good"  # the subfolder
    assert kept["one.json"]["source"] == "seeds"  # the seed root's name
    assert kept["legacy/cp1256.txt"]["encoding"] == "cp1256"
    assert all(isinstance(doc["attribution"], list) for doc in result.kept)
    assert all(doc["source"] for doc, _, _ in result.dropped)
    rejects_file = out / f"seeds-{result.run_id}.rejects.jsonl"
    lines = [json.loads(line) for line in rejects_file.read_text(encoding="utf-8").splitlines()]
    assert Counter(r["reject_reason"] for r in lines) == Counter(
        reason for _, reason, _ in result.dropped
    )
    assert all(r["reject_detail"] for r in lines)
    kept_file = out / f"seeds-{result.run_id}.jsonl"
    written = {
        record["path"]: record
        for record in map(json.loads, kept_file.read_text(encoding="utf-8").splitlines())
    }
    # lone surrogates (a name that is not UTF-8, half an emoji) went through dedup and out
    assert written["old-\\xe4\\xf3/\\xff.txt"]["source"] == "old-\\xe4\\xf3"
    assert written["surrogate.jsonl#1"]["text"].endswith(" \ufffd")
