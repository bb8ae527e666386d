"""The JSON Schemas shipped in ``newspipe/schemas`` hold for what a real crawl writes."""

from __future__ import annotations

import json
import shutil
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tests.conftest import SEEDS
from tests.crawling import crawl
from tests.test_cron_runs import read_jsonl


def schema(name: str) -> Draft202012Validator:
    text = (files("newspipe") / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8")
    loaded = json.loads(text)
    Draft202012Validator.check_schema(loaded)
    return Draft202012Validator(loaded, format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Output of a crawl of the seeds plus a copy, an empty file and a non-UTF-8 one."""
    root = tmp_path_factory.mktemp("schema")
    seeds = root / "seeds"
    shutil.copytree(SEEDS, seeds)
    first = sorted(seeds.glob("*.txt"))[0]
    (seeds / "zz-copy.txt").write_bytes(first.read_bytes())
    (seeds / "zz-empty.txt").write_text("  \n")
    (seeds / "zz-not-text.txt").write_bytes(bytes(range(128, 256)))  # no code page reads it
    output = root / "output"
    result = crawl(
        {"NEWSPIPE_SEEDS": str(seeds), "NEWSPIPE_OUTPUT_DIR": str(output), "NEWSPIPE_SHARD_DOCS": 3}
    )
    assert result.exit_code == 0
    return output


def records(output: Path, rejects: bool) -> list[dict[str, Any]]:
    found = []
    for path in sorted(output.glob("seeds-*.jsonl")):
        if path.name.endswith(".rejects.jsonl") == rejects:
            found.extend(read_jsonl(path))
    return found


def test_kept_records_match_the_schema(crawled: Path) -> None:
    kept = records(crawled, rejects=False)
    assert len(kept) == 5
    validator = schema("kept")
    for record in kept:
        validator.validate(record)
    broken = {**kept[0], "lang": "arabic", "_normalised": "x"}
    del broken["id"]
    assert len(list(validator.iter_errors(broken))) == 3


def test_rejected_records_match_the_schema(crawled: Path) -> None:
    rejected = records(crawled, rejects=True)
    assert sorted(r["reject_reason"] for r in rejected) == ["duplicate", "empty", "undecodable"]
    validator = schema("rejected")
    for record in rejected:
        validator.validate(record)
    assert not validator.is_valid({**rejected[0], "reject_reason": "two words"})
    assert not schema("kept").is_valid(rejected[0])


def test_run_manifest_and_latest_match(crawled: Path) -> None:
    validator = schema("manifest")
    (manifest_file,) = (crawled / "runs").glob("*.json")
    manifest = json.loads(manifest_file.read_text())
    validator.validate(manifest)
    assert manifest["status"] == "completed"
    listed = sorted(f["path"] for f in manifest["files"])
    written = [
        p.name for pattern in ("seeds-*", "clusters-*", "overlaps-*") for p in crawled.glob(pattern)
    ]
    assert listed == sorted(written)
    latest = json.loads((crawled / "latest.json").read_text())
    assert latest["run_id"] == manifest["run_id"]
    assert latest["files"] == manifest["files"]
