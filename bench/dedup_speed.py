"""Dedup speed on the 12 SaudiNewsNet days: MinHash libraries compared, and the stage's parts.

    PYTHONPATH=. python bench/dedup_speed.py [--data DIR] [--limit N] [--repeat 3]

CPU times (process time: less disturbed by other work on the machine), per article, the
median of ``--repeat`` passes over the same articles, cleaned and normalised as the clean stage
leaves them:
- signing with datasketch, with rensa (shingle strings), with a plain numpy MinHash, and newspipe's
  way (CRC-32 word hashes, 64-bit shingle polynomial, rensa over the pre-hashed shingles);
- each part of the dedup logic, then the whole logic against a fresh SQLite state (input order).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import datasketch
import numpy as np
import rensa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dedup_quality import DATA, iter_cleaned

from newspipe.dedup import DedupConfig, Deduplicator
from newspipe.dedup.config import MINHASH_SEED
from newspipe.dedup.engine import content_hash
from newspipe.dedup.minhash import band_keys, shingles_of, signature, word_hashes
from newspipe.dedup.paragraphs import passages
from newspipe.state.sqlite import SqliteState

PERM, SIZE = 112, 5


def shingle_strings(normalised: str) -> list[str]:
    words = normalised.split()
    return [" ".join(words[i : i + SIZE]) for i in range(len(words) - SIZE + 1)] or [normalised]


def sign_datasketch(normalised: str) -> Any:
    minhash = datasketch.MinHash(num_perm=PERM, seed=1)
    minhash.update_batch([s.encode() for s in shingle_strings(normalised)])
    return minhash.digest()


def sign_rensa_strings(normalised: str) -> Any:
    minhash = rensa.RMinHash(PERM, 1)
    minhash.update(shingle_strings(normalised))
    return minhash.digest()


_RNG = np.random.default_rng(1)
_A = _RNG.integers(1, 2**63, PERM, dtype=np.uint64) | np.uint64(1)
_B = _RNG.integers(0, 2**63, PERM, dtype=np.uint64)


def sign_numpy(normalised: str) -> Any:
    shingles = shingles_of(word_hashes(normalised), SIZE)
    if not shingles.size:
        return None
    return ((shingles[:, None] * _A[None, :] + _B[None, :]) >> np.uint64(32)).min(axis=0)


def sign_newspipe(normalised: str) -> Any:
    shingles = shingles_of(word_hashes(normalised), SIZE)
    return signature(shingles, PERM, MINHASH_SEED) if shingles.size else None


def per_article(function: Callable[[], None], count: int, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        function()
        times.append(time.process_time() - start)
    return statistics.median(times) / count * 1000


def whole_logic(articles: list[tuple[str, str, str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        state = SqliteState(Path(folder) / "state.sqlite")
        dedup = Deduplicator(state, DedupConfig())
        dedup.check_profile()
        for index, (source, _text, normalised) in enumerate(articles):
            dedup.remember(f"{index:06d}", dedup.judge(normalised), "bench", source)
        state.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--limit", type=int, default=0, help="only the first N articles")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    articles = list(iter_cleaned(args.data))[: args.limit or None]
    n, repeat = len(articles), args.repeat
    texts = [normalised for _, _, normalised in articles]
    figures: dict[str, float] = {}

    def each(function: Callable[[str], Any]) -> Callable[[], None]:
        return lambda: [function(text) for text in texts] and None

    for name, function in (
        ("datasketch", sign_datasketch),
        ("rensa_strings", sign_rensa_strings),
        ("numpy", sign_numpy),
        ("newspipe", sign_newspipe),
    ):
        figures[f"sign_{name}"] = per_article(each(function), n, repeat)

    hashes = [word_hashes(text) for text in texts]
    shingles = [shingles_of(h, SIZE) for h in hashes]
    sigs = [signature(s, PERM, MINHASH_SEED) for s in shingles if s.size]
    figures["part_content_hash"] = per_article(each(content_hash), n, repeat)
    figures["part_word_hashes"] = per_article(each(word_hashes), n, repeat)
    figures["part_shingles"] = per_article(
        lambda: [shingles_of(h, SIZE) for h in hashes] and None, n, repeat
    )
    figures["part_signature"] = per_article(
        lambda: [signature(s, PERM, MINHASH_SEED) for s in shingles if s.size] and None, n, repeat
    )
    figures["part_band_keys"] = per_article(
        lambda: [band_keys(s, 14, 8) for s in sigs] and None, n, repeat
    )
    figures["part_passages"] = per_article(
        lambda: [passages(s, SIZE) for s in shingles] and None, n, repeat
    )
    figures["dedup_logic"] = per_article(lambda: whole_logic(articles), n, repeat)
    for name, value in figures.items():
        print(f"{name:>20}: {value:.4f} ms per article")
    print(f"FIGURES articles={n} " + " ".join(f"{k}={v:.4f}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
