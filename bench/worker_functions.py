"""CPU time and output digest of each pure function the worker process runs, over SaudiNewsNet.

    PYTHONPATH=. python bench/worker_functions.py [--passes 3] [--save before.json]
        [--compare before.json] [--backends langdetect,fasttext] [--days 12]

The functions run in the order the pure stages apply them, with the settings' defaults: the clean
stage (``clean_text`` with the built-in residue rules of the document's source, then
``normalise``), the language stage (``identify``, once per backend), the attribution stage
(``attributions``), then the dedup stage's ``fingerprint`` of the normalised text. Parts of
those (the sample and script evidence of ``identify``; word hashes, shingles, signature, band
keys and passages of ``fingerprint``) are timed on their own too, for where the time goes.

Each function runs over every article whose cleaned text is not empty, ``--passes`` times; its
figure is the median CPU time (``time.process_time``: other load on a shared machine skews it
less than wall time) per 1,000 documents. Its digest is BLAKE2b over the ``repr`` of every result
(arrays as their bytes): two versions of the code that give the same digests gave the same
output for every document. ``--save`` writes the figures and digests as JSON; ``--compare``
reads such a file and prints old and new side by side, failing when any digest differs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import time
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from newspipe.dedup.config import MINHASH_SEED, DedupConfig  # noqa: E402
from newspipe.dedup.engine import Fingerprint, fingerprint  # noqa: E402
from newspipe.dedup.minhash import band_keys, shingles_of, signature, word_hashes  # noqa: E402
from newspipe.dedup.paragraphs import passages  # noqa: E402
from newspipe.langid import LangidConfig, get_backend, identify  # noqa: E402
from newspipe.langid.sample import sample_text  # noqa: E402
from newspipe.langid.script import script_evidence  # noqa: E402
from newspipe.sources.attribution import attributions  # noqa: E402
from newspipe.text.clean import clean_text  # noqa: E402
from newspipe.text.normalize import normalise  # noqa: E402
from newspipe.text.residue import DEFAULT_RULES  # noqa: E402

CORPUS = ROOT.parent / "shared" / "data" / "saudinewsnet"


def load(days: Sequence[Path]) -> list[tuple[str, str | None]]:
    """``(content, source)`` of every article of ``days``, in order."""
    articles: list[tuple[str, str | None]] = []
    for archive in days:
        with zipfile.ZipFile(archive) as zipped:
            for member in zipped.namelist():
                for article in json.loads(zipped.read(member)):
                    articles.append((article.get("content") or "", article.get("source")))
    return articles


def canonical(result: Any) -> str:
    """``repr`` of a result, with arrays written out in full (numpy's repr may elide)."""
    if isinstance(result, np.ndarray):
        return f"array({result.dtype}, {result.tobytes().hex()})"
    if isinstance(result, Fingerprint):
        sig = None if result.signature is None else canonical(result.signature)
        return repr((result.content_hash, sig, result.band_keys, result.passages))
    return repr(result)


def measure(
    work: Callable[[Any], Any], inputs: Sequence[Any], passes: int
) -> tuple[float, str, list[Any]]:
    """(median CPU seconds of a pass, digest of the results, the results)."""
    times: list[float] = []
    results: list[Any] = []
    for _ in range(passes):
        start = time.process_time()
        results = [work(item) for item in inputs]
        times.append(time.process_time() - start)
    digest = hashlib.blake2b(digest_size=16)
    for result in results:
        digest.update(canonical(result).encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return statistics.median(times), digest.hexdigest(), results


def run(
    articles: list[tuple[str, str | None]], backends: Sequence[str], passes: int
) -> dict[str, Any]:
    """Figures and digests of every function, keyed by name."""
    figures: dict[str, Any] = {}

    def record(name: str, work: Callable[[Any], Any], inputs: Sequence[Any]) -> list[Any]:
        seconds, digest, results = measure(work, inputs, passes)
        figures[name] = {
            "ms_per_1000": seconds * 1e6 / len(inputs),
            "documents": len(inputs),
            "digest": digest,
        }
        print(f"{name:28} {seconds * 1e6 / len(inputs):9.1f} ms/1000 docs  {digest}", flush=True)
        return results

    raw = [(text, source) for text, source in articles if text.strip()]  # the stage rejects others
    cleaned = record(
        "clean_text",
        lambda item: clean_text(item[0], residue=DEFAULT_RULES.pattern_for(item[1])),
        raw,
    )
    texts = [result.text for result in cleaned if result.text]
    normalised = record("normalise", normalise, texts)

    sample_chars = LangidConfig().sample_chars
    samples = record("langid.sample_text", lambda text: sample_text(text, sample_chars), texts)
    record("langid.script_evidence", script_evidence, samples)
    for backend in backends:
        config = LangidConfig(backend=backend)
        get_backend(backend)  # loaded once per process, not timed
        record(f"identify[{backend}]", lambda text, config=config: identify(text, config), texts)

    record("attributions", attributions, texts)

    dedup = DedupConfig()
    record("fingerprint", lambda text: fingerprint(text, dedup), normalised)
    words = record("dedup.word_hashes", lambda text: word_hashes(text.encode("utf-8")), normalised)
    shingles = record("dedup.shingles_of", lambda h: shingles_of(h, dedup.shingle_size), words)
    shingles = [array for array in shingles if array.size]
    sigs = record(
        "dedup.signature",
        lambda array: signature(array, dedup.permutations, MINHASH_SEED),
        shingles,
    )
    record("dedup.band_keys", lambda sig: band_keys(sig, dedup.bands, dedup.rows), sigs)
    record("dedup.passages", lambda array: passages(array, dedup.shingle_size), shingles)
    return figures


# The functions the worker runs per document (their parts are inside these).
WORKER_TOTAL = ("clean_text", "normalise", "identify[{backend}]", "attributions", "fingerprint")


def compare(before: dict[str, Any], after: dict[str, Any], backends: Sequence[str]) -> bool:
    """Print old and new figures side by side; True when every digest is the same."""
    same = True
    print(f"\n{'function':28} {'before':>9} {'after':>9} {'change':>7}  digest")
    for name, new in after.items():
        old = before.get(name)
        if old is None:
            print(f"{name:28} {'-':>9} {new['ms_per_1000']:9.1f}")
            continue
        equal = old["digest"] == new["digest"] and old["documents"] == new["documents"]
        same &= equal
        change = new["ms_per_1000"] / old["ms_per_1000"] - 1
        print(
            f"{name:28} {old['ms_per_1000']:9.1f} {new['ms_per_1000']:9.1f} {change:+7.0%}  "
            f"{'identical' if equal else 'DIFFERENT'}"
        )
    for backend in backends:
        names = [name.format(backend=backend) for name in WORKER_TOTAL]
        if all(name in before and name in after for name in names):
            old_total = sum(before[name]["ms_per_1000"] for name in names)
            new_total = sum(after[name]["ms_per_1000"] for name in names)
            print(
                f"{'worker total [' + backend + ']':28} {old_total:9.1f} {new_total:9.1f} "
                f"{new_total / old_total - 1:+7.0%}"
            )
    return same


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", type=Path, default=CORPUS)
    parser.add_argument("--days", type=int, default=12)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--backends", default="langdetect,fasttext")
    parser.add_argument("--save", type=Path)
    parser.add_argument("--compare", type=Path)
    options = parser.parse_args()
    days = sorted(options.data.glob("*.zip"))[: options.days]
    if not days:
        sys.exit(f"no SaudiNewsNet zips at {options.data}")
    os.environ.pop("NEWSPIPE_LANGID_BACKEND", None)  # the backends are named here
    backends = [name.strip() for name in options.backends.split(",") if name.strip()]
    articles = load(days)
    print(f"{len(articles)} articles from {len(days)} days, {options.passes} passes", flush=True)
    figures = run(articles, backends, options.passes)
    if options.save:
        options.save.write_text(json.dumps(figures, indent=1) + "\n")
    if options.compare:
        if not compare(json.loads(options.compare.read_text()), figures, backends):
            sys.exit("some digests differ: the output changed")
        print("every digest is identical")


if __name__ == "__main__":
    main()
