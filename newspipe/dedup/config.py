"""The dedup settings as one typed object, checked together."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Self

import rensa

from newspipe.config import SettingError, get_bool, get_float, get_int

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

#: The hashing scheme of shingles and signatures (:mod:`newspipe.dedup.minhash`), stored in the
#: state's dedup profile. Here rather than there: reading the settings needs no numpy.
ALGORITHM = f"crc32-words;poly64;rensa-rminhash-v{getattr(rensa.RMinHash, 'ALGORITHM_VERSION', 0)}"

#: Seed of the MinHash permutations: part of the index profile, never a setting.
MINHASH_SEED = 20150721


@dataclass(frozen=True, slots=True)
class DedupConfig:
    """How documents are compared: shingles, MinHash, LSH bands and the near-duplicate threshold."""

    shingle_size: int = 5
    permutations: int = 112
    bands: int = 14
    rows: int = 8
    threshold: float = 0.8
    keep_duplicates: bool = False

    def __post_init__(self) -> None:
        if self.bands * self.rows > self.permutations:
            raise SettingError(
                f"NEWSPIPE_LSH_BANDS x NEWSPIPE_LSH_ROWS ({self.bands} x {self.rows}) must not "
                f"exceed NEWSPIPE_MINHASH_PERMUTATIONS ({self.permutations})"
            )

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Self:
        return cls(
            shingle_size=get_int(settings, "NEWSPIPE_SHINGLE_SIZE", low=1),
            permutations=get_int(settings, "NEWSPIPE_MINHASH_PERMUTATIONS", low=1),
            bands=get_int(settings, "NEWSPIPE_LSH_BANDS", low=1),
            rows=get_int(settings, "NEWSPIPE_LSH_ROWS", low=1),
            threshold=get_float(settings, "NEWSPIPE_NEAR_DUP_THRESHOLD", low=0.0, high=1.0),
            keep_duplicates=get_bool(settings, "NEWSPIPE_KEEP_DUPLICATES"),
        )

    @property
    def profile(self) -> str:
        """What makes stored signatures and band keys comparable; stored with the state."""
        return (
            f"{ALGORITHM};shingle={self.shingle_size};perm={self.permutations};"
            f"bands={self.bands}x{self.rows};seed={MINHASH_SEED}"
        )
