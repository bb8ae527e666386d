"""Dedup in real in-process crawls: copies caught in the same run and in a later one, near
duplicates explained, shared passages linked, duplicates kept marked, the clusters file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SEEDS
from tests.crawling import CrawlResult, crawl


def seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def add_diacritics(text: str) -> str:
    return "".join(c + "\u064e" if c in "بتنمل" else c for c in text)


def add_tatweel(text: str) -> str:
    return text.replace("لا", "لـــا").replace("من", "مـن")


def vary_letters(text: str) -> str:
    return text.replace(" ا", " أ").replace("ي ", "ى ").replace("ه ", "ة ")


def add_controls(text: str) -> str:
    words = text.split(" ")
    return " ".join(
        f"\u200f{w}" if i % 7 == 0 else f"{w}\u200b" if i % 11 == 0 else w
        for i, w in enumerate(words)
    )


def add_residue_line(text: str) -> str:
    return text + "\nاقرأ أيضا: تابعونا على تويتر وفيسبوك لآخر الأخبار العاجلة\n"


def change_punctuation(text: str) -> str:
    return text.replace("،", " ,").replace(".", "!").replace('"', "«")


VARIANTS = {
    "diacritics": add_diacritics,
    "tatweel": add_tatweel,
    "letters": vary_letters,
    "controls": add_controls,
    "residue": add_residue_line,
    "punctuation": change_punctuation,
}
#: Variants whose normalised text equals the original's: caught as exact copies.
EXACT = {"diacritics", "tatweel", "letters", "punctuation"}


def change_words(text: str, count: int) -> str:
    words = text.split(" ")
    step = len(words) // (count + 1)
    for number in range(1, count + 1):
        words[number * step] = "تغيير"
    return " ".join(words)


def write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def settings(out: Path, **extra: Any) -> dict[str, Any]:
    return {"NEWSPIPE_OUTPUT_DIR": str(out), **extra}


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def dropped_by_path(result: CrawlResult) -> dict[str, tuple[dict[str, Any], str, str]]:
    return {
        str(doc["path"]).split("/")[-1]: (doc, reason, detail)
        for doc, reason, detail in result.dropped
    }


@pytest.fixture
def originals(tmp_path: Path) -> Path:
    """The five seeds, under a folder (so their source is ``1-was``)."""
    root = tmp_path / "in"
    for path in sorted(SEEDS.glob("*.txt")):
        write(root / "1-was", path.name, path.read_text(encoding="utf-8"))
    return root


def add_copies(folder: Path) -> None:
    """A copy of seed 002 for each variant, one with all of them, and a near copy of 003."""
    text = seed("002")
    for name, variant in VARIANTS.items():
        write(folder, f"copy-{name}.txt", variant(text))
    every = text
    for variant in VARIANTS.values():
        every = variant(every)
    write(folder, "copy-every.txt", every)
    write(folder, "near-003.txt", change_words(seed("003"), 4))


def check_copies(result: CrawlResult, ids: dict[str, str]) -> None:
    dropped = dropped_by_path(result)
    for name in [*VARIANTS, "every"]:
        doc, reason, detail = dropped[f"copy-{name}.txt"]
        assert doc["duplicate_of"] == ids["002"], name
        if name in EXACT:
            assert (reason, doc["similarity"]) == ("duplicate", 1.0), name
        else:
            assert reason in {"duplicate", "near_duplicate"}, name
            assert 0.8 <= doc["similarity"] <= 1.0, name
        assert ids["002"] in detail
    doc, reason, detail = dropped["near-003.txt"]
    assert reason == "near_duplicate"
    assert doc["duplicate_of"] == ids["003"]
    assert 0.8 <= doc["similarity"] < 1.0
    assert "near-duplicate" in detail and f"{doc['similarity']:.2f}" in detail


def seed_ids(result: CrawlResult) -> dict[str, str]:
    return {str(doc["path"]).split("/")[-1][:3]: str(doc["id"]) for doc in result.kept}


def test_copies_are_caught_in_the_same_run(originals: Path, tmp_path: Path) -> None:
    add_copies(originals / "2-okaz")
    result = crawl(settings(tmp_path / "out"), path=str(originals))
    assert result.exit_code == 0 and not result.errors
    ids = seed_ids(result)
    assert sorted(ids) == ["000", "001", "002", "003", "004"]
    assert all(doc["duplicate_of"] is None and doc["similarity"] is None for doc in result.kept)
    check_copies(result, ids)
    assert result.stats["newspipe/dedup/dropped/near_duplicate"] >= 1

    clusters = {
        c["kept"]: c for c in read_jsonl(tmp_path / "out" / f"clusters-{result.run_id}.jsonl")
    }
    assert set(clusters) == {ids["002"], ids["003"]}
    cluster = clusters[ids["002"]]
    assert cluster["kept_source"] == "1-was"
    assert cluster["sources"] == ["1-was", "2-okaz"]
    assert len(cluster["copies"]) == len(VARIANTS) + 1
    assert all(
        copy["source"] == "2-okaz" and copy["similarity"] >= 0.8 for copy in cluster["copies"]
    )
    near = clusters[ids["003"]]["copies"]
    assert [copy["reason"] for copy in near] == ["near_duplicate"]
    manifest = json.loads((tmp_path / "out" / "runs" / f"{result.run_id}.json").read_text())
    kinds = {entry["kind"]: entry["lines"] for entry in manifest["files"]}
    assert kinds["clusters"] == 2


def test_copies_are_caught_in_a_later_run_with_the_same_state(
    originals: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    first = crawl(settings(out), path=str(originals))
    assert first.exit_code == 0 and len(first.kept) == 5
    later = tmp_path / "later"
    add_copies(later / "2-okaz")
    second = crawl(settings(out), path=str(later))
    assert second.exit_code == 0 and not second.errors
    assert second.kept == []
    check_copies(second, seed_ids(first))
    clusters = read_jsonl(out / f"clusters-{second.run_id}.jsonl")
    assert {c["kept_source"] for c in clusters} == {"1-was"}  # known from the state


def test_seed_000_and_001_are_both_kept_and_linked(originals: Path, tmp_path: Path) -> None:
    result = crawl(settings(tmp_path / "out"), path=str(originals))
    ids = seed_ids(result)
    by_seed = {str(doc["path"]).split("/")[-1][:3]: doc for doc in result.kept}
    later = by_seed["001"]["overlaps"]
    assert [link["id"] for link in later] == [ids["000"]]
    assert later[0]["shared_paragraphs"] >= 3
    assert by_seed["000"]["overlaps"] == []  # written before 001 was read: see the overlaps file
    assert all(by_seed[s]["overlaps"] == [] for s in ("002", "003", "004"))
    links = {
        r["id"]: r["overlaps"]
        for r in read_jsonl(tmp_path / "out" / f"overlaps-{result.run_id}.jsonl")
    }
    assert links[ids["000"]] == [
        {"id": ids["001"], "shared_paragraphs": later[0]["shared_paragraphs"]}
    ]
    assert links[ids["001"]] == later
    assert set(links) == {ids["000"], ids["001"]}


def test_keep_duplicates_keeps_copies_marked(originals: Path, tmp_path: Path) -> None:
    add_copies(originals / "2-okaz")
    result = crawl(settings(tmp_path / "out", NEWSPIPE_KEEP_DUPLICATES=True), path=str(originals))
    assert result.exit_code == 0
    assert not [d for d in result.dropped if d[1] in {"duplicate", "near_duplicate"}]
    marked = {str(doc["path"]).split("/")[-1]: doc for doc in result.kept if doc["duplicate_of"]}
    ids = seed_ids(result)
    assert set(marked) == {f"copy-{name}.txt" for name in [*VARIANTS, "every"]} | {"near-003.txt"}
    assert marked["copy-diacritics.txt"]["duplicate_of"] == ids["002"]
    assert marked["copy-diacritics.txt"]["similarity"] == 1.0
    assert 0.8 <= marked["near-003.txt"]["similarity"] < 1.0
    kept_file = read_jsonl(tmp_path / "out" / f"seeds-{result.run_id}.jsonl")
    assert sum(1 for record in kept_file if record["duplicate_of"]) == len(marked)


def test_a_state_built_with_other_shingles_fails_the_run(originals: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert crawl(settings(out), path=str(originals)).exit_code == 0
    later = tmp_path / "later"  # new input: inputs already ingested would be skipped unread
    write(later, "new.txt", change_words(seed("004"), 30))
    result = crawl(settings(out, NEWSPIPE_SHINGLE_SIZE=4), path=str(later))
    assert result.exit_code == 1
    assert result.kept == []
    manifest = json.loads((out / "runs" / f"{result.run_id}.json").read_text())
    assert "NEWSPIPE_SHINGLE_SIZE" in manifest["error"]
