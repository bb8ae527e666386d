"""Fuzzing the reader and the spider with random and mutated inputs: nothing escapes or is lost.

Mutations of valid files (cut short, bytes flipped, inserted, deleted, repeated) of every format:
text in four encodings, JSON Lines with mixed encodings, JSON arrays, gzip and zip files. The seed
and count are ``NEWSPIPE_FUZZ_SEED`` and ``NEWSPIPE_FUZZ_COUNT`` in the environment, to reproduce
a failure or to run longer than CI's bounded budget.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import tempfile
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newspipe.document import INPUT, INPUT_REJECT
from newspipe.inputs import InputFile, InputOptions, iter_documents, read_input
from tests.crawling import crawl

SEED = int(os.environ.get("NEWSPIPE_FUZZ_SEED", "20261126"))
COUNT = int(os.environ.get("NEWSPIPE_FUZZ_COUNT", "2000"))
LIMITS = {"max_doc_bytes": 4_000, "max_archive_bytes": 200_000}
ARABIC = "أعلنت الوزارة اليوم عن خطة جديدة لتطوير التعليم في المناطق الريفية خلال العام المقبل"
SUFFIXES = [
    ".txt",
    ".json",
    ".jsonl",
    ".txt.gz",
    ".json.gz",
    ".jsonl.gz",
    ".zip",
    ".ndjson",
    ".bin",
]


def _records(rng: random.Random, count: int) -> list[dict[str, Any]]:
    return [
        {
            "title": f"خبر {i}",
            "content": f"{ARABIC} {rng.randint(0, 10**6)}",
            "source": rng.choice(["okaz", "sabq"]),
        }
        for i in range(count)
    ]


def _jsonl(rng: random.Random) -> tuple[bytes, int]:
    lines = []
    for record in _records(rng, rng.randint(1, 12)):
        text = json.dumps(record, ensure_ascii=False)
        lines.append(text.encode(rng.choice(["utf-8", "utf-8", "cp1256"])))
    return b"\n".join(lines) + b"\n", len(lines)


def _json(rng: random.Random) -> tuple[bytes, int]:
    records = _records(rng, rng.randint(1, 8))
    return json.dumps(records, ensure_ascii=False).encode(), len(records)


def _gz(
    make: Callable[[random.Random], tuple[bytes, int]],
) -> Callable[[random.Random], tuple[bytes, int]]:
    def gzipped(rng: random.Random) -> tuple[bytes, int]:
        data, count = make(rng)
        return gzip.compress(data), count

    return gzipped


def _txt(rng: random.Random) -> tuple[bytes, int]:
    return ARABIC.encode(rng.choice(["utf-8", "utf-8-sig", "utf-16", "cp1256", "iso8859_6"])), 1


def _zip(rng: random.Random) -> tuple[bytes, int]:
    buffer = io.BytesIO()
    count = 0
    with zipfile.ZipFile(
        buffer, "w", rng.choice([zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
    ) as archive:
        for name, make in [
            ("a.json", _json),
            ("dir/b.jsonl", _jsonl),
            ("c.txt", _txt),
            ("d.jsonl.gz", _gz(_jsonl)),
        ]:
            data, n = make(rng)
            archive.writestr(name, data)
            count += n
    return buffer.getvalue(), count


#: file ending -> a maker of a valid file of that kind and the number of documents it holds
TEMPLATES: dict[str, Callable[[random.Random], tuple[bytes, int]]] = {
    ".txt": _txt,
    ".json": _json,
    ".jsonl": _jsonl,
    ".ndjson": _jsonl,
    ".txt.gz": _gz(_txt),
    ".json.gz": _gz(_json),
    ".jsonl.gz": _gz(_jsonl),
    ".zip": _zip,
    ".bin": lambda rng: (rng.randbytes(rng.randint(0, 300)), 0),
}


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One to three random damages: cut, flip, insert, delete, repeat, or random bytes."""
    for _ in range(rng.randint(1, 3)):
        size = len(data)
        place = rng.randint(0, size)
        kind = rng.choice(["cut", "flip", "insert", "delete", "repeat", "random"])
        if kind == "cut":
            data = data[:place]
        elif kind == "flip" and size:
            spots = [rng.randrange(size) for _ in range(rng.randint(1, 8))]
            buffer = bytearray(data)
            for spot in spots:
                buffer[spot] = rng.randrange(256)
            data = bytes(buffer)
        elif kind == "insert":
            data = data[:place] + rng.randbytes(rng.randint(1, 32)) + data[place:]
        elif kind == "delete":
            data = data[:place] + data[place + rng.randint(1, 64) :]
        elif kind == "repeat":
            data = (
                data[:place]
                + data[place : place + rng.randint(1, 200)] * rng.randint(2, 5)
                + data[place:]
            )
        else:
            data = rng.randbytes(rng.randint(0, 512))
    return data


def make_corpus(folder: Path, count: int, seed: int) -> dict[str, int | None]:
    """``count`` files, most of them mutated; file name -> documents held (None: mutated)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    made: dict[str, int | None] = {}
    for number in range(count):
        suffix = rng.choice(SUFFIXES)
        data, held = TEMPLATES[suffix](rng)
        intact = suffix != ".bin" and rng.random() < 0.15
        name = f"f{number:05d}{suffix}"
        (folder / name).write_bytes(data if intact else mutate(data, rng))
        made[name] = held if intact else None
    return made


def check_accounting(docs: list[dict[str, Any]], inputs: set[str]) -> None:
    """Every input file gave at least one document or reject naming it; paths and ids unique."""
    by_input: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for doc in docs:
        by_input[doc[INPUT]].append(doc)
        assert str(doc["path"]).startswith(doc[INPUT])
        if doc.get(INPUT_REJECT):
            reason, detail = doc[INPUT_REJECT]
            assert reason and " " not in reason
            assert "unexpected error" not in detail, detail
    assert set(by_input) == inputs
    assert len({doc["path"] for doc in docs}) == len(docs)
    assert len({doc["id"] for doc in docs}) == len(docs)


def test_mutated_files_at_the_reader(tmp_path: Path) -> None:
    made = make_corpus(tmp_path, COUNT, SEED)
    docs = list(iter_documents(InputOptions(roots=(tmp_path,), **LIMITS)))
    check_accounting(docs, set(made))
    # Intact files give every record they hold, no reject (documents in = documents out).
    counts = Counter(doc[INPUT] for doc in docs if not doc.get(INPUT_REJECT))
    rejected = Counter(doc[INPUT] for doc in docs if doc.get(INPUT_REJECT))
    for name, held in made.items():
        if held is not None:
            assert (counts[name], rejected[name]) == (held, 0), name
    assert sum(rejected.values()) > COUNT // 4  # the damage was seen


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(suffix=st.sampled_from(SUFFIXES), data=st.binary(max_size=2000))
def test_random_bytes_at_the_reader(suffix: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"x{suffix}"
        path.write_bytes(data)
        docs = list(
            read_input(InputFile(path, Path(folder)), InputOptions(roots=(Path(folder),), **LIMITS))
        )
    check_accounting(docs, {path.name})


def test_mutated_files_through_the_spider(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    made = make_corpus(seeds, min(COUNT, 1000), SEED + 1)
    result = crawl(
        {
            "NEWSPIPE_OUTPUT_DIR": str(tmp_path / "out"),
            "NEWSPIPE_LANGUAGES": "",
            "NEWSPIPE_MAX_DOC_BYTES": LIMITS["max_doc_bytes"],
            "NEWSPIPE_MAX_ARCHIVE_BYTES": LIMITS["max_archive_bytes"],
        },
        path=str(seeds),
    )
    assert result.exit_code == 0
    assert result.errors == []  # no exception escaped to Scrapy
    assert result.stats["newspipe/inputs/read"] == len(made)
    assert result.stats["newspipe/documents/read"] == len(result.kept) + len(result.dropped)
    inputs = {str(doc["path"]).split("!")[0].split("#")[0] for doc in result.kept}
    inputs |= {str(doc["path"]).split("!")[0].split("#")[0] for doc, _, _ in result.dropped}
    assert inputs == set(made)


@pytest.mark.corpus
def test_mutated_saudinewsnet_zips_at_the_reader(saudinewsnet_dir: Path, tmp_path: Path) -> None:
    """Real zips damaged: every article before the damage read, then one reject, never a crash."""
    smallest = min(saudinewsnet_dir.glob("*.zip"), key=lambda path: path.stat().st_size)
    data = smallest.read_bytes()
    rng = random.Random(SEED)
    names = set()
    for number in range(12):
        damaged = bytearray(data)
        if number % 3 == 0:
            damaged = damaged[: rng.randrange(len(damaged))]  # cut short: no central directory
        else:
            for _ in range(number):
                damaged[rng.randrange(30, len(damaged) // 2)] = rng.randrange(256)
        name = f"damaged{number:02d}.zip"
        (tmp_path / name).write_bytes(bytes(damaged))
        names.add(name)
    docs = list(iter_documents(InputOptions(roots=(tmp_path,))))
    check_accounting(docs, names)
    read_before_damage = 0
    for name in names:
        own = [doc for doc in docs if doc[INPUT] == name]
        rejects = [doc for doc in own if doc.get(INPUT_REJECT)]
        assert len(rejects) == 1, (name, [r[INPUT_REJECT] for r in rejects])
        assert rejects[0] is own[-1]
        read_before_damage += len(own) - 1
    assert read_before_damage > 100  # what came before the damage was read
