"""Language identification: accuracy per language and backend, ms per article, determinism.

Run from the repository root::

    PYTHONPATH=. python bench/langid_bench.py [--backends langdetect,fasttext] [--articles N]

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

from newspipe.langid import Detection, LangidConfig, get_backend, identify
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
                    if limit and len(texts) >= limit:
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


def speed(
    texts: list[str], config: LangidConfig, repeat: int
) -> tuple[float, float, list[Detection]]:
    """Median wall-clock and CPU milliseconds per article over ``repeat`` passes, and the
    detections. CPU time is what the process itself spent: on a shared machine it is the
    better estimate of what the code costs."""
    get_backend(config.backend)  # loading the model is not per-article time
    identify("warm up: تحميل قوائم الكلمات", config)
    walls, cpus = [], []
    found: list[Detection] = []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        found = [identify(text, config) for text in texts]
        walls.append((time.perf_counter() - wall) * 1000.0 / len(texts))
        cpus.append((time.process_time() - cpu) * 1000.0 / len(texts))
    return statistics.median(walls), statistics.median(cpus), found


def plain_speed(texts: list[str], config: LangidConfig) -> float:
    """CPU milliseconds per article of the backend alone on the same samples (one pass)."""
    backend = get_backend(config.backend)
    samples = [sample_text(text, config.sample_chars) for text in texts]
    start = time.process_time()
    for sample in samples:
        backend.detect(sample)
    return (time.process_time() - start) * 1000.0 / len(samples)


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
    parser.add_argument("--articles", type=int, default=0, help="articles timed (0: all)")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes; the median counts")
    parser.add_argument("--min-score", type=float, default=0.5, help="NEWSPIPE_LANGID_MIN_SCORE")
    args = parser.parse_args(argv)

    langid = args.data / "langid"
    langs = sorted(path.stem for path in (langid / "sentences").glob("*.txt"))
    para_sets = {lang: paragraphs(langid / "sentences" / f"{lang}.txt") for lang in langs}
    pair_sets = {lang: word_pairs(langid / "word-pairs" / f"{lang}.txt") for lang in langs}
    texts = articles(args.data / "saudinewsnet", args.articles)
    n_para, n_pairs = sum(map(len, para_sets.values())), sum(map(len, pair_sets.values()))
    print(
        f"{n_para} paragraphs, {n_pairs} word pairs in {len(langs)} languages; "
        f"{len(texts)} SaudiNewsNet articles, "
        f"{statistics.mean(map(len, texts)):.0f} characters on average"
    )

    figures: list[str] = []
    for name in args.backends.split(","):
        config = LangidConfig(backend=name.strip())
        para, para_plain = accuracy(para_sets, config)
        pairs, pairs_plain = accuracy(pair_sets, config)
        ms, cpu_ms, found = speed(texts, config, args.repeat)
        ms_plain = plain_speed(texts[:300], config)
        probe = [*pair_sets["ar"], *pair_sets["fa"], *pair_sets["ur"], *texts[:300]]
        same = deterministic(probe, config)
        print(f"\n=== backend {config.backend} (sample {config.sample_chars} characters) ===")
        columns = {
            "paragraphs": para,
            "paragraphs plain": para_plain,
            "word pairs": pairs,
            "word pairs plain": pairs_plain,
        }
        table("accuracy (plain: the backend alone on the same sample)", langs, columns)
        count = len(found)
        deciders = Counter(d.by for d in found)
        langs_found = Counter(d.lang for d in found)
        dialects = Counter(d.dialect for d in found if d.dialect)
        low = sum(d.score < args.min_score for d in found)
        print(
            f"\nspeed: {ms:.3f} ms per article, {cpu_ms:.3f} ms of CPU (median of {args.repeat} "
            f"passes over {count}); the backend alone on the same samples: {ms_plain:.3f} ms of CPU"
        )
        print("decided by: " + ", ".join(f"{by} {n}" for by, n in sorted(deciders.items())))
        print("languages: " + ", ".join(f"{lang} {n}" for lang, n in langs_found.most_common(6)))
        print("dialects: " + (", ".join(f"{d} {n}" for d, n in dialects.most_common()) or "none"))
        print(f"score below {args.min_score}: {low} of {count} ({100.0 * low / count:.2f}%)")
        print(f"deterministic: {'yes' if same else 'NO'}")
        worst = min(para, key=para.__getitem__)
        figures.append(
            f"{config.backend}: paragraphs min {para[worst]:.1f}% ({worst}), "
            f"word pairs ar {pairs['ar']:.1f}% fa {pairs['fa']:.1f}% ur {pairs['ur']:.1f}%, "
            f"{ms:.3f} ms/article ({cpu_ms:.3f} CPU), deterministic {'yes' if same else 'NO'}"
        )
    print("\nFIGURES " + " | ".join(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
