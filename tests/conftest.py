"""Shared fixtures: where the project and the shared data are, and when tests needing them run.

Tests that read ``../shared/data`` or need a redis-server skip with a reason when those are absent,
except under CI (``CI=true``), where a missing dependency is a failure, never a silent skip.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import zstandard

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED = PROJECT_ROOT.parent / "shared"
SAUDINEWSNET = SHARED / "data" / "saudinewsnet"
LANGID = SHARED / "data" / "langid"
SEEDS = PROJECT_ROOT / "seeds"

IN_CI = os.environ.get("CI", "").lower() == "true"

#: The compressed forms newspipe reads, each with a function that makes one from bytes.
COMPRESS: dict[str, Callable[[bytes], bytes]] = {
    ".gz": gzip.compress,
    ".bz2": bz2.compress,
    ".xz": lzma.compress,
    ".zst": zstandard.compress,
}


def need(condition: bool, reason: str) -> None:
    """Skip the test when ``condition`` is false; under CI, fail instead."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def saudinewsnet_dir() -> Path:
    need(
        SAUDINEWSNET.is_dir() and any(SAUDINEWSNET.glob("*.zip")),
        f"the SaudiNewsNet corpus is not at {SAUDINEWSNET} (it ships in ../shared, not the repo)",
    )
    return SAUDINEWSNET


@pytest.fixture
def langid_dir() -> Path:
    need(LANGID.is_dir(), f"the language-id data is not at {LANGID}")
    return LANGID


@pytest.fixture
def redis_server_binary() -> str:
    binary = shutil.which("redis-server")
    need(binary is not None, "redis-server is not installed (apt-get install redis-server)")
    assert binary is not None
    return binary
