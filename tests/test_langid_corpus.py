"""Language identification on the shared development data: a quick accuracy smoke test.

The figures of record come from ``bench/langid_bench.py`` over the whole set; this checks a fixed
slice of it with bars a little under the bench's, so that a regression shows in the test run.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from newspipe.langid import LangidConfig, identify
from newspipe.text.clean import clean_text

pytestmark = pytest.mark.corpus

DEFAULT = LangidConfig()


def lines(path: Path, count: int) -> list[str]:
    found = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return found[:count]


def share_right(texts: list[str], lang: str) -> float:
    return sum(identify(text, DEFAULT).lang == lang for text in texts) / len(texts)


def test_paragraphs_of_every_language_are_identified(langid_dir: Path) -> None:
    wrong = []
    for path in sorted((langid_dir / "sentences").glob("*.txt")):
        sentences = lines(path, 60)
        for start in range(0, len(sentences) - 2, 3):
            text = " ".join(sentences[start : start + 3])
            found = identify(text, DEFAULT)
            if found.lang != path.stem:
                wrong.append((path.stem, found.lang, text[:60]))
    assert not wrong


@pytest.mark.parametrize(("lang", "bar"), [("ar", 0.98), ("fa", 0.90), ("ur", 0.90)])
def test_arabic_script_word_pairs_are_identified(langid_dir: Path, lang: str, bar: float) -> None:
    pairs = lines(langid_dir / "word-pairs" / f"{lang}.txt", 200)
    assert share_right(pairs, lang) >= bar


def test_saudinewsnet_articles_are_arabic_decided_by_their_letters(saudinewsnet_dir: Path) -> None:
    archive = sorted(saudinewsnet_dir.glob("*.zip"))[0]
    with zipfile.ZipFile(archive) as zf:
        records = json.loads(zf.read(zf.namelist()[0]))
    texts = [clean_text(str(r.get("content") or "")).text for r in records[:400]]
    found = [identify(text, DEFAULT) for text in texts if text]
    arabic = sum(d.lang == "ar" for d in found)
    by_script = sum(d.by == "script" for d in found)
    assert arabic >= 0.99 * len(found)
    assert by_script >= 0.95 * len(found)  # the backend is the exception: that is the speed
