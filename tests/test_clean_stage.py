"""The clean stage: its settings, real crawls, and the normalisation profile of the state."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from newspipe.config import SettingError
from newspipe.stages.clean import CleanStage
from newspipe.state import SqliteState
from newspipe.text.normalize import NORM_PROFILE
from tests.crawling import crawl

BODY = "قال وزير الخارجية إن المحادثات في جنيف ستستأنف الأسبوع المقبل بمشاركة الأطراف كلها"
# What the seed files below carry that must not reach ``text``.
NOT_WRITTEN = set("\u064b\u064e\u064f\u0650\u0651\u0652\u0670\u0640\u200b\u200f\u202b\u202c\ufeff")


def make_seeds(root: Path) -> Path:
    seeds = root / "seeds"
    (seeds / "okaz").mkdir(parents=True)
    # 4 diacritics, 3 tatweel, 2 controls, 1 residue line.
    (seeds / "a.txt").write_text(
        f"قالَ\ufeff وزيرُ الخارجيّةِ\u200f إن المحادثـــات\n\n{BODY}\nمشاركة :\n", encoding="utf-8"
    )
    # 2 diacritics, 2 controls, a word in presentation forms (6 of them), 1 residue line.
    (seeds / "b.txt").write_text(
        f"\u202bأعلنَ ﺍﻟﻮﺯﻳﺮ\u202c اليومَ\u00a0أن {BODY}\n×\n", encoding="utf-8"
    )
    # A line that is residue in okaz only (by NEWSPIPE_RESIDUE_PATTERNS); then only residue and
    # a control (2 lines, 1 control).
    (seeds / "okaz" / "c.txt").write_text(f"{BODY} في عكاظ\nالسطر الأخير :\n", encoding="utf-8")
    (seeds / "only-residue.txt").write_text("مشاركة :\n×\n\u200b\n", encoding="utf-8")
    return seeds


def settings_for(tmp_path: Path, **extra: object) -> dict[str, object]:
    seeds = tmp_path / "seeds"
    if not seeds.exists():
        make_seeds(tmp_path)
    return {
        "NEWSPIPE_SEEDS": str(seeds),
        "NEWSPIPE_OUTPUT_DIR": str(tmp_path / "out"),
        "NEWSPIPE_LANGUAGES": "",
        **extra,
    }


# -- configuration -------------------------------------------------------------------------------
def test_settings_build_the_stage() -> None:
    crawler = get_crawler(
        settings_dict={
            "NEWSPIPE_KEEP_DIACRITICS": "true",
            "NEWSPIPE_RESIDUE_PATTERNS": '{"okaz": ["السطر الأخير :"]}',
        }
    )
    stage = build_from_crawler(CleanStage, crawler)
    assert stage.keep_diacritics is True
    okaz = stage.residue.pattern_for("okaz")
    assert okaz is not None and okaz.fullmatch("السطر الأخير :")


def test_defaults() -> None:
    stage = build_from_crawler(CleanStage, get_crawler(settings_dict={}))
    assert stage.keep_diacritics is False
    default = stage.residue.pattern_for(None)
    assert default is not None and default.fullmatch("مشاركة :")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("NEWSPIPE_RESIDUE_PATTERNS", "(unclosed"),
        ("NEWSPIPE_RESIDUE_PATTERNS", "{not json"),
        ("NEWSPIPE_KEEP_DIACRITICS", "maybe"),
        ("NEWSPIPE_RESIDUE_BUILTIN", "sometimes"),
    ],
)
def test_bad_values_name_the_setting(name: str, value: str) -> None:
    with pytest.raises(SettingError, match=name):
        build_from_crawler(CleanStage, get_crawler(settings_dict={name: value}))


# -- crawls --------------------------------------------------------------------------------------
def test_crawl_writes_clean_text_and_counts(tmp_path: Path) -> None:
    result = crawl(settings_for(tmp_path, NEWSPIPE_RESIDUE_PATTERNS='{"okaz": ["السطر الأخير :"]}'))
    assert result.exit_code == 0
    kept = result.kept_by_path
    assert set(kept) == {"a.txt", "b.txt", "okaz/c.txt"}
    for doc in kept.values():
        assert not set(doc["text"]) & NOT_WRITTEN
        assert "\n\n" not in doc["text"] and "\u00a0" not in doc["text"]
    assert kept["a.txt"]["text"] == f"قال وزير الخارجية إن المحادثات\n{BODY}"
    assert kept["b.txt"]["text"] == f"أعلن الوزير اليوم أن {BODY}"
    assert kept["okaz/c.txt"]["text"] == f"{BODY} في عكاظ"
    assert result.reasons == {"only-residue.txt": "empty"}

    stats = result.stats
    assert stats["newspipe/clean/diacritics_removed"] == 6
    assert stats["newspipe/clean/tatweel_removed"] == 3
    assert stats["newspipe/clean/controls_removed"] == 5
    assert stats["newspipe/clean/presentation_forms"] == 6
    assert stats["newspipe/clean/residue_lines_removed"] == 5
    assert stats["newspipe/clean/documents_with_residue"] == 4
    assert stats["newspipe/clean/dropped/empty"] == 1

    manifest = json.loads((result.output_dir / "runs" / f"{result.run_id}.json").read_text())
    assert manifest["norm_profile"] == NORM_PROFILE == "ar-norm-1"
    assert manifest["stages"]["clean"]["residue_lines_removed"] == 5


def test_crawl_keeps_diacritics_when_asked(tmp_path: Path) -> None:
    result = crawl(settings_for(tmp_path, NEWSPIPE_KEEP_DIACRITICS=True))
    text = result.kept_by_path["a.txt"]["text"]
    assert text.startswith("قالَ وزيرُ الخارجيّةِ إن المحادثات\n")
    assert result.stats["newspipe/clean/diacritics_removed"] == 0
    # The okaz line is residue only where the setting says so.
    assert result.kept_by_path["okaz/c.txt"]["text"].endswith("السطر الأخير :")


# -- the normalisation profile of the state ------------------------------------------------------
def old_state(path: Path) -> None:
    state = SqliteState(path)
    state.set_meta("norm_profile", "ar-norm-0")
    state.add_kept("0" * 32, "old-doc", "old-run")
    state.commit()
    state.close()


def test_state_of_another_profile_is_refused_then_rebuilt_when_told(tmp_path: Path) -> None:
    state_file = tmp_path / "state.sqlite"
    old_state(state_file)

    refused = crawl(settings_for(tmp_path, NEWSPIPE_STATE=str(state_file)))
    assert refused.exit_code == 1
    assert refused.kept == []
    manifest = json.loads((refused.output_dir / "runs" / f"{refused.run_id}.json").read_text())
    assert "'ar-norm-0'" in manifest["error"] and "NEWSPIPE_REBUILD_STATE" in manifest["error"]
    assert "\n" not in manifest["error"]

    rebuilt = crawl(
        settings_for(tmp_path, NEWSPIPE_STATE=str(state_file), NEWSPIPE_REBUILD_STATE="true")
    )
    assert rebuilt.exit_code == 0
    assert len(rebuilt.kept) == 3
    with sqlite3.connect(state_file) as db:
        assert db.execute("SELECT value FROM meta WHERE key='norm_profile'").fetchone() == (
            NORM_PROFILE,
        )
        ids = {row[0] for row in db.execute("SELECT doc_id FROM kept")}
    assert "old-doc" not in ids and len(ids) == 3
