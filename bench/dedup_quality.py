"""Dedup quality on the 12 SaudiNewsNet days: recall, precision, speed and memory of dedup.

    PYTHONPATH=. python bench/dedup_quality.py [--data ../shared/data/saudinewsnet]

1. Every article is cleaned (``clean_text``) and normalised (``normalise``), as the pipeline does.
2. The truth: every pair of articles with word 5-gram Jaccard >= 0.6, found *exactly* by prefix
   filtering (an all-pairs similarity join: a pair reaching 0.6 must share one of the rarest
   ``|x| - ceil(0.6 |x|) + 1`` shingles of each side) and verified on the full shingle sets.
   Shingles are hashed here with BLAKE2b, independently of the MinHash code under test.
3. The dedup logic (``newspipe.dedup.Deduplicator`` over a fresh SQLite state, the very code of the
   stage) runs over the articles in input order, in a forked child whose peak RSS is reported.

recall: share of pairs with true J >= 0.85 of which at most one article is kept (target >= 98%).
precision: share of near_duplicate rejects whose true J with ``duplicate_of`` is >= 0.6 (>= 99%).
Empty articles (no word once normalised) are left out: the clean stage rejects them before dedup.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import multiprocessing
import resource
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from newspipe.dedup import DedupConfig, Deduplicator
from newspipe.state.sqlite import SqliteState
from newspipe.text.clean import clean_text
from newspipe.text.normalize import normalise

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "saudinewsnet"
SHINGLE = 5
LOW, HIGH = 0.6, 0.85


def iter_articles(data: Path) -> Iterator[dict[str, Any]]:
    """The articles of every zip (one JSON array each), in file-name order, then array order."""
    for archive in sorted(data.glob("*.zip")):
        with zipfile.ZipFile(archive) as zf:
            for member in sorted(zf.namelist()):
                yield from json.loads(zf.read(member))


def iter_cleaned(data: Path) -> Iterator[tuple[str, str, str]]:
    """(source, cleaned text, normalised text) of each non-empty article, in input order."""
    for article in iter_articles(data):
        text = clean_text(article.get("content") or "").text
        normalised = normalise(text)
        if normalised:
            yield str(article.get("source") or ""), text, normalised


def true_shingles(normalised: str) -> np.ndarray:  # type: ignore[type-arg]
    words = normalised.split()
    grams = [" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)] or [
        normalised
    ]
    hashes = [
        int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "little") for g in grams
    ]
    return np.unique(np.array(hashes, dtype=np.uint64))


def jaccard(a: np.ndarray, b: np.ndarray) -> float:  # type: ignore[type-arg]
    inter = np.intersect1d(a, b, assume_unique=True).size
    return inter / (a.size + b.size - inter)


def similar_pairs(sets: list[np.ndarray], threshold: float) -> dict[tuple[int, int], float]:  # type: ignore[type-arg]
    """Every pair (i < j) with Jaccard >= threshold, exactly (prefix filtering, then verified)."""
    tokens = np.concatenate(sets)
    uniq, counts = np.unique(tokens, return_counts=True)
    prefix_tokens, prefix_docs = [], []
    for doc, shingles in enumerate(sets):
        freq = counts[np.searchsorted(uniq, shingles)]
        order = np.lexsort((shingles, freq))  # rarest first, ties by value: one global order
        length = shingles.size - math.ceil(threshold * shingles.size) + 1
        prefix_tokens.append(shingles[order[:length]])
        prefix_docs.append(np.full(length, doc, dtype=np.int64))
    flat_tokens = np.concatenate(prefix_tokens)
    flat_docs = np.concatenate(prefix_docs)
    order = np.argsort(flat_tokens, kind="stable")
    flat_tokens, flat_docs = flat_tokens[order], flat_docs[order]
    bounds = np.flatnonzero(np.diff(flat_tokens)) + 1
    candidates: set[tuple[int, int]] = set()
    for group in np.split(flat_docs, bounds):
        if group.size < 2:
            continue
        members = np.unique(group).tolist()
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                candidates.add((i, j))
    pairs: dict[tuple[int, int], float] = {}
    for i, j in candidates:
        a, b = sets[i], sets[j]
        if min(a.size, b.size) < threshold * max(a.size, b.size):
            continue
        value = jaccard(a, b)
        if value >= threshold:
            pairs[(i, j)] = value
    return pairs


def run_dedup(data: Path, config: DedupConfig, queue: Any) -> None:
    """The dedup logic over the corpus in input order (a child process: its peak RSS counts)."""
    with tempfile.TemporaryDirectory() as folder:
        state = SqliteState(Path(folder) / "state.sqlite")
        dedup = Deduplicator(state, config)
        dedup.check_profile()
        verdicts: list[tuple[str | None, int, float, int]] = []
        elapsed = 0.0
        for index, (source, _text, normalised) in enumerate(iter_cleaned(data)):
            doc_id = f"{index:06d}"
            start = time.process_time()
            verdict = dedup.judge(normalised)
            dedup.remember(doc_id, verdict, "bench", source)
            elapsed += time.process_time() - start
            dup = int(verdict.duplicate_of) if verdict.duplicate_of is not None else -1
            most = max((o.shared_paragraphs for o in verdict.overlaps), default=0)
            verdicts.append((verdict.reason, dup, verdict.similarity or 0.0, most))
        state.commit()
        state_bytes = sum(p.stat().st_size for p in Path(folder).iterdir())
        state.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((verdicts, elapsed, peak_mb, state_bytes))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument("--permutations", type=int, default=112)
    args = parser.parse_args()
    if not any(args.data.glob("*.zip")):
        sys.exit(f"no SaudiNewsNet zips in {args.data}")
    config = DedupConfig(threshold=args.threshold, permutations=args.permutations)

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=run_dedup, args=(args.data, config, queue))
    child.start()  # forked before the truth is built, so its memory is the dedup run's alone
    verdicts, elapsed, peak_mb, state_bytes = queue.get()
    child.join()  # and timed alone, not beside the truth computation

    started = time.perf_counter()
    sets = [true_shingles(normalised) for _, _, normalised in iter_cleaned(args.data)]
    pairs = similar_pairs(sets, LOW)
    truth_seconds = time.perf_counter() - started

    n = len(sets)
    kept = [reason is None for reason, _, _, _ in verdicts]
    high = [(pair, value) for pair, value in pairs.items() if value >= HIGH]
    caught = sum(1 for (i, j), _ in high if not (kept[i] and kept[j]))
    missed = [(pair, value) for pair, value in high if kept[pair[0]] and kept[pair[1]]]
    near = [
        (i, dup, sim)
        for i, (reason, dup, sim, _) in enumerate(verdicts)
        if reason == "near_duplicate"
    ]
    near_true = [jaccard(sets[i], sets[dup]) for i, dup, _ in near]
    good = sum(1 for value in near_true if value >= LOW)
    errors = [abs(sim - value) for (_, _, sim), value in zip(near, near_true, strict=True)]
    exact = sum(1 for reason, *_ in verdicts if reason == "duplicate")
    with_overlaps = sum(1 for *_, most in verdicts if most)

    recall = caught / len(high) if high else 1.0
    precision = good / len(near) if near else 1.0
    ms = elapsed / n * 1000
    print(f"articles (non-empty): {n}; truth built in {truth_seconds:.1f} s")
    print(f"pairs with J >= {LOW}: {len(pairs)}; with J >= {HIGH}: {len(high)}")
    print(
        f"rejected: duplicate {exact}, near_duplicate {len(near)}; "
        f"kept with overlaps: {with_overlaps}"
    )
    print(f"recall (J >= {HIGH} pairs with at most one kept): {caught}/{len(high)} = {recall:.2%}")
    if missed:
        print("  missed pairs by J:", sorted(round(value, 3) for _, value in missed)[:20])
    print(f"precision (near_duplicate with true J >= {LOW}): {good}/{len(near)} = {precision:.2%}")
    if errors:
        print(
            f"  |estimate - true J| of near_duplicate rejects: "
            f"mean {np.mean(errors):.3f}, max {max(errors):.3f}"
        )
    print(
        f"dedup logic: {ms:.3f} ms CPU per article; peak RSS of the dedup child {peak_mb:.0f} MB; "
        f"state {state_bytes / 1e6:.1f} MB"
    )
    print(
        f"FIGURES recall={recall:.4f} precision={precision:.4f} ms_per_article={ms:.3f} "
        f"peak_rss_mb={peak_mb:.0f} articles={n} pairs_085={len(high)} "
        f"near_dup={len(near)} duplicate={exact}"
    )


if __name__ == "__main__":
    main()
