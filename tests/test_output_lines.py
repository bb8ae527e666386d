"""How one output record becomes one line of the shard files."""

from __future__ import annotations

import dataclasses
import datetime
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newspipe.output_lines import record_line


@dataclasses.dataclass
class Span:
    start: int


def test_a_record_is_one_compact_line_of_utf8_with_arabic_as_it_is() -> None:
    record = {"id": "a1", "text": "نص عربي\nسطر ثان", "lang_score": 0.9999, "meta": {"n": [1, 2]}}
    line = record_line(record)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert "نص عربي".encode() in line and b"\\u" not in line
    assert json.loads(line) == record
    assert line == json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def test_values_json_cannot_write_are_written_as_their_text() -> None:
    when = datetime.datetime(2026, 11, 27, 8, 30, tzinfo=datetime.UTC)
    line = record_line({"at": when, "span": Span(3), "tags": {"x"}})
    # what json's encoder with default=str writes: str() of each
    assert json.loads(line) == {"at": str(when), "span": "Span(start=3)", "tags": "{'x'}"}


def test_what_the_fast_encoder_refuses_is_written_all_the_same() -> None:
    # a lone surrogate a stage set, a key that is not a string, an integer past 64 bits
    line = record_line({"text": "a\udc80b", 7: "seven", "big": 2**70})
    assert json.loads(line) == {"text": "a\ufffdb", "7": "seven", "big": 2**70}
    assert b", " not in line  # the same compact separators as every other line


def test_a_float_that_is_not_a_number_is_written_as_null_not_as_invalid_json() -> None:
    assert json.loads(record_line({"score": math.nan, "other": math.inf})) == {
        "score": None,
        "other": None,
    }


def test_a_links_file_is_written_a_line_at_a_time_and_whole_or_not_at_all(tmp_path: Path) -> None:
    from newspipe.dedup.clusters import RunLinks, write_jsonl
    from newspipe.dedup.engine import Overlap

    links = RunLinks()
    links.add_copy("k1", "sabq", "c1", "okaz", "duplicate", 1.0)
    links.add_overlaps("d2", [Overlap("d1", 3), Overlap("d0", 2)])
    path = tmp_path / "overlaps.jsonl"
    assert write_jsonl(path, links.overlap_records()) == 3
    assert [json.loads(line) for line in path.read_text("utf-8").splitlines()] == [
        {
            "id": "d2",
            "overlaps": [
                {"id": "d1", "shared_paragraphs": 3},
                {"id": "d0", "shared_paragraphs": 2},
            ],
        },
        {"id": "d1", "overlaps": [{"id": "d2", "shared_paragraphs": 3}]},
        {"id": "d0", "overlaps": [{"id": "d2", "shared_paragraphs": 2}]},
    ]

    def failing() -> Iterator[dict[str, Any]]:
        yield from links.cluster_records()
        raise OSError("disk full")

    clusters = tmp_path / "clusters.jsonl"
    with pytest.raises(OSError, match="disk full"):
        write_jsonl(clusters, failing())
    assert list(tmp_path.iterdir()) == [path]  # no half file, under its name or hidden
