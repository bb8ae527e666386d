"""Language identification: accuracy per language and backend, ms per article, determinism.

Run from the repository root::

    PYTHONPATH=. python bench/langid_bench.py [--backends langdetect,fasttext] [--articles 3000]

Accuracy on ``../shared/data/langid``: paragraphs of 3 consecutive sentences of
``sentences/LANG.txt`` (not overlapping) and every line of ``word-pairs/LANG.txt``, through
:func:`newspipe.langid.identify` and, for comparison, through the plain backend (``plain``
columns: the model alone on the same sample, no script evidence). Speed on SaudiNewsNet
articles (cleaned as the clean stage cleans them), the median of ``--repeat`` timed passes.
The last line is the figure set.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path

from newspipe.langid import LangidConfig, get_backend, identify
from newspipe.langid.sample import sample_text
from newspipe.text.clean import clean_text

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"


def paragraphs(path: Path, size: int = 3) -> list[str]:
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [" ".join(lines[i : i + size]) for i in range(0, len(lines) - size + 1, size)]


def word_pairs(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def articles(folder: Path, limit: int) -> list[str]:
    texts: list[str] = []
    for archive in sorted(folder.glob("*.zip")):
        with zipfile.ZipFile(archive) as zf:
            for member in sorted(zf.namelist()):
                for record in json.loads(zf.read(member)):
                    text = clean_text(str(record.get("content") or "")).text
                    if text:
                        texts.append(text)
                    if len(texts) >= limit:
                        return texts
    return texts


def accuracy(
    sets: dict[str, list[str]], config: LangidConfig
) -> tuple[dict[str, float], dict[str, float]]:
    """Per language: share identified right with script evidence, and by the plain backend."""
    backend = get_backend(config.backend)
    ours: dict[str, float] = {}
    plain: dict[str, float] = {}
    for lang, texts in sets.items():
        right = sum(identify(text, config).lang == lang for text in texts)
        right_plain = sum(
            backend.detect(sample_text(text, config.sample_chars)).lang == lang for text in texts
        )
        ours[lang] = 100.0 * right / len(texts)
        plain[lang] = 100.0 * right_plain / len(texts)
    return ours, plain


def speed(texts: list[str], config: LangidConfig, repeat: int) -> tuple[float, Counter[str]]:
    """Median milliseconds per article over ``repeat`` passes, and what decided (script or backend)."""
    get_backend(config.backend)  # loading the model is not per-article time
    timings = []
    deciders: Counter[str] = Counter()
    for run in range(repeat):
        start = time.perf_counter()
        for text in texts:
            detection = identify(text, config)
            if run == 0:
                deciders[detection.by] += 1
        timings.append((time.perf_counter() - start) * 1000.0 / len(texts))
    return statistics.median(timings), deciders


def deterministic(texts: list[str], config: LangidConfig) -> bool:
    """The same texts, twice and in reverse order, get the same detections."""
    first = [identify(text, config) for text in texts]
    second = [identify(text, config) for text in reversed(texts)][::-1]
    return first == second


def table(title: str, langs: list[str], rows: dict[str, dict[str, float]]) -> None:
    print(f"\n{title}")
    print("lang  " + "  ".join(f"{name:>20}" for name in rows))
    for lang in langs:
        print(f"{lang:<5} " + "  ".join(f"{rows[name][lang]:>19.1f}%" for name in rows))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=SHARED_DATA)
    parser.add_argument("--backends", default="langdetect,fasttext")
    parser.add_argument("--articles", type=int, default=3000, help="SaudiNewsNet articles timed")
    parser.add_argument(
        "--repeat", type=int, default=3, help="timed passes; the median is reported"
    )
    args = parser.parse_args(argv)

    langid = args.data / "langid"
    langs = sorted(path.stem for path in (langid / "sentences").glob("*.txt"))
    para_sets = {lang: paragraphs(langid / "sentences" / f"{lang}.txt") for lang in langs}
    pair_sets = {lang: word_pairs(langid / "word-pairs" / f"{lang}.txt") for lang in langs}
    texts = articles(args.data / "saudinewsnet", args.articles)
    print(
        f"{sum(map(len, para_sets.values()))} paragraphs, {sum(map(len, pair_sets.values()))} word pairs "
        f"in {len(langs)} languages; {len(texts)} SaudiNewsNet articles "
        f"(mean {statistics.mean(map(len, texts)):.0f} characters)"
    )

    figures: list[str] = []
    for name in args.backends.split(","):
        config = LangidConfig(backend=name.strip())
        para, para_plain = accuracy(para_sets, config)
        pairs, pairs_plain = accuracy(pair_sets, config)
        ms, deciders = speed(texts, config, args.repeat)
        same = deterministic(
            [*pair_sets["ar"], *pair_sets["fa"], *pair_sets["ur"], *texts[:300]], config
        )
        print(f"\n=== backend {config.backend} (sample {config.sample_chars} characters) ===")
        table(
            "accuracy",
            langs,
            {
                "paragraphs": para,
                "paragraphs plain": para_plain,
                "word pairs": pairs,
                "word pairs plain": pairs_plain,
            },
        )
        decided = ", ".join(f"{by} {n}" for by, n in sorted(deciders.items()))
        print(f"\nspeed: {ms:.3f} ms per article (median of {args.repeat}); decided by: {decided}")
        print(f"deterministic: {'yes' if same else 'NO'}")
        figures.append(
            f"{config.backend}: paragraphs min {min(para.values()):.1f}% ({min(para, key=para.__getitem__)}), "
            f"word pairs ar {pairs['ar']:.1f}% fa {pairs['fa']:.1f}% ur {pairs['ur']:.1f}%, "
            f"{ms:.3f} ms/article, deterministic {'yes' if same else 'NO'}"
        )
    print("\nFIGURES " + " | ".join(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
