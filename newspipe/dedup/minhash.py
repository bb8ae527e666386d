"""Word shingles, MinHash signatures and LSH band keys of a normalised text (plain functions).

Words are hashed with CRC-32 (stable across Python versions and machines), a shingle of ``k``
words is a polynomial of its word hashes in 64 bits, and the signature is rensa's MinHash of those
64-bit shingle hashes (measured fastest here, see ``bench/dedup_speed.py``). Everything a stored
signature depends on is named in :data:`ALGORITHM` and the config's profile, which the state keeps:
a state built otherwise is refused, never silently compared against.
"""

from __future__ import annotations

import zlib
from functools import cache
from typing import TYPE_CHECKING, cast

import numpy as np
import rensa

from newspipe.dedup.config import ALGORITHM

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["ALGORITHM", "band_keys", "shingle_hashes", "shingles_of", "signature", "word_hashes"]

# Odd 64-bit multipliers (from the golden ratio and splitmix64): the polynomial of a shingle's
# word hashes, and of a band's rows.
_SHINGLE_MUL = np.uint64(0x9E3779B97F4A7C15)
_BAND_MUL_INT = 0xBF58476D1CE4E5B9
_EMPTY = np.zeros(0, dtype=np.uint64)


def word_hashes(normalised: str | bytes) -> NDArray[np.uint64]:
    """The 32-bit CRC of each word of ``normalised`` (UTF-8), as 64-bit integers."""
    data = normalised.encode("utf-8") if isinstance(normalised, str) else normalised
    words = data.split()
    return np.fromiter(map(zlib.crc32, words), dtype=np.uint64, count=len(words))


def shingle_hashes(normalised: str, size: int) -> NDArray[np.uint64]:
    """64-bit hashes of every run of ``size`` consecutive words (empty when fewer words).

    The order of words inside a shingle counts; the same shingle twice gives the same hash, so the
    set of values is the document's shingle set.
    """
    return shingles_of(word_hashes(normalised), size)


def shingles_of(hashes: NDArray[np.uint64], size: int) -> NDArray[np.uint64]:
    """The shingle hashes of a sequence of word hashes (empty when fewer than ``size`` words)."""
    count = hashes.size - size + 1
    if count < 1:
        return _EMPTY
    shingles = hashes[:count].copy()
    for offset in range(1, size):
        shingles *= _SHINGLE_MUL  # wraps around modulo 2**64, on purpose
        shingles += hashes[offset : offset + count]
    return shingles


def signature(shingles: NDArray[np.uint64], permutations: int, seed: int) -> NDArray[np.uint32]:
    """The MinHash signature of a non-empty set of shingle hashes: ``permutations`` minima."""
    if shingles.size == 0:
        raise ValueError("a MinHash signature needs at least one shingle")
    offsets = np.array([0, shingles.size], dtype=np.uint64)
    matrix = rensa.RMinHash.digest_matrix_from_flat_token_hashes(
        shingles, offsets, permutations, seed
    )
    return np.asarray(matrix.to_rows()[0], dtype=np.uint32)


def band_keys(sig: NDArray[np.uint32], bands: int, rows: int) -> list[int]:
    """One signed 64-bit key per LSH band: documents that agree on a whole band share its key.

    A band's key is the polynomial ``((band * M + row_1) * M + row_2) ... * M + row_rows`` in
    64 bits (wrapping around), then mixed by ``key ^ key >> 31``; the powers of ``M`` are
    computed once, so it is one matrix product.
    """
    powers, numbers = _band_terms(bands, rows)
    keys = sig[: bands * rows].astype(np.uint64).reshape(bands, rows) @ powers
    keys += numbers
    keys ^= keys >> np.uint64(31)
    return cast("list[int]", keys.view(np.int64).tolist())


@cache
def _band_terms(bands: int, rows: int) -> tuple[NDArray[np.uint64], NDArray[np.uint64]]:
    """``M ** (rows - 1 - column)`` for each column, and each band's number times ``M ** rows``."""
    modulus = 1 << 64
    powers = [pow(_BAND_MUL_INT, rows - 1 - column, modulus) for column in range(rows)]
    highest = pow(_BAND_MUL_INT, rows, modulus)
    numbers = [band * highest % modulus for band in range(1, bands + 1)]
    return np.array(powers, dtype=np.uint64), np.array(numbers, dtype=np.uint64)


def similarity(a: NDArray[np.uint32], b: NDArray[np.uint32]) -> float:
    """Estimated Jaccard similarity: the share of positions where two signatures agree."""
    if a.shape != b.shape or a.size == 0:
        return 0.0
    return float(np.count_nonzero(a == b)) / a.size


def to_bytes(sig: NDArray[np.uint32]) -> bytes:
    """The signature as stored: little-endian 32-bit words."""
    return sig.astype("<u4").tobytes()


def from_bytes(data: bytes) -> NDArray[np.uint32]:
    return np.frombuffer(data, dtype="<u4").astype(np.uint32)
