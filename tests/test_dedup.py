"""Dedup functions (shingles, MinHash, LSH keys, passages), its config and its state-store index."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scrapy.utils.test import get_crawler

from newspipe.config import SettingError
from newspipe.dedup import DedupConfig, Deduplicator, content_hash
from newspipe.dedup.config import MINHASH_SEED
from newspipe.dedup.minhash import (
    band_keys,
    from_bytes,
    shingle_hashes,
    signature,
    similarity,
    to_bytes,
)
from newspipe.dedup.paragraphs import (
    MIN_PASSAGE_WORDS,
    Passages,
    passages,
    shared_passages,
)
from newspipe.stages.dedup import DedupStage
from newspipe.state.sqlite import SqliteState
from newspipe.text.clean import clean_text
from newspipe.text.normalize import normalise
from tests.conftest import PROJECT_ROOT, SEEDS

VOCABULARY = [f"كلمة{i}" for i in range(5000)]


def seed_text(prefix: str) -> str:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    return clean_text(path.read_text(encoding="utf-8")).text


def random_words(rng: random.Random, count: int) -> list[str]:
    return [rng.choice(VOCABULARY) for _ in range(count)]


def exact_jaccard(a: str, b: str, size: int = 5) -> float:
    def grams(text: str) -> set[tuple[str, ...]]:
        words = text.split()
        return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}

    x, y = grams(a), grams(b)
    return len(x & y) / len(x | y)


# -- shingles ----------------------------------------------------------------------------------


def test_one_shingle_per_run_of_words() -> None:
    assert shingle_hashes("a b c d e f g", 5).size == 3
    assert shingle_hashes("a b c d e", 5).size == 1


def test_fewer_words_than_a_shingle_give_no_shingle() -> None:
    assert shingle_hashes("a b c d", 5).size == 0
    assert shingle_hashes("", 5).size == 0


def test_equal_runs_of_words_hash_equal_and_order_counts() -> None:
    hashes = shingle_hashes("a b c d e x a b c d e", 5)
    assert hashes[0] == hashes[-1]
    assert len(set(hashes.tolist())) == hashes.size - 1
    assert shingle_hashes("a b c d e", 5)[0] != shingle_hashes("e d c b a", 5)[0]


# -- signatures ----------------------------------------------------------------------------------


def test_signature_is_deterministic_within_a_process() -> None:
    shingles = shingle_hashes(normalise(seed_text("000")), 5)
    first = signature(shingles, 112, MINHASH_SEED)
    assert first.shape == (112,)
    assert np.array_equal(first, signature(shingles.copy(), 112, MINHASH_SEED))
    assert not np.array_equal(first, signature(shingles, 112, MINHASH_SEED + 1))


def test_signature_is_the_same_in_another_interpreter() -> None:
    """Stored signatures must match those of later runs: no dependence on Python's hash seed."""
    code = (
        "from newspipe.dedup.minhash import shingle_hashes, signature, to_bytes;"
        "print(to_bytes(signature(shingle_hashes('a b c d e f g h i j', 5), 112, 7)).hex())"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            cwd=PROJECT_ROOT,
            env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "PYTHONHASHSEED": seed},
        ).stdout.strip()
        for seed in ("1", "2")
    }
    here = to_bytes(signature(shingle_hashes("a b c d e f g h i j", 5), 112, 7)).hex()
    assert outputs == {here}


def test_signature_bytes_round_trip() -> None:
    sig = signature(shingle_hashes("a b c d e f g", 5), 16, 1)
    assert np.array_equal(from_bytes(to_bytes(sig)), sig)
    assert len(to_bytes(sig)) == 64


def test_signature_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least one shingle"):
        signature(shingle_hashes("a b", 5), 16, 1)


@pytest.mark.parametrize("changed", [0, 5, 20, 60, 150])
def test_similarity_estimate_is_close_to_exact_jaccard(changed: int) -> None:
    rng = random.Random(changed)
    words = random_words(rng, 400)
    other = list(words)
    for position in rng.sample(range(len(other)), changed):
        other[position] = rng.choice(VOCABULARY)
    a, b = " ".join(words), " ".join(other)
    sig_a = signature(shingle_hashes(a, 5), 256, MINHASH_SEED)
    sig_b = signature(shingle_hashes(b, 5), 256, MINHASH_SEED)
    # 256 permutations: the standard error is at most 0.031, so 0.1 is over three of them.
    assert abs(similarity(sig_a, sig_b) - exact_jaccard(a, b)) < 0.1


def test_similarity_of_unrelated_texts_is_near_zero() -> None:
    rng = random.Random(1)
    a, b = " ".join(random_words(rng, 300)), " ".join(random_words(rng, 300))
    sig_a = signature(shingle_hashes(a, 5), 112, MINHASH_SEED)
    sig_b = signature(shingle_hashes(b, 5), 112, MINHASH_SEED)
    assert similarity(sig_a, sig_b) < 0.05


# -- LSH band keys -------------------------------------------------------------------------------


def test_one_key_per_band_each_depending_on_its_own_rows_only() -> None:
    sig = signature(shingle_hashes(normalise(seed_text("002")), 5), 112, MINHASH_SEED)
    keys = band_keys(sig, 14, 8)
    assert len(keys) == 14 and all(-(2**63) <= key < 2**63 for key in keys)
    changed = sig.copy()
    changed[3 * 8 + 2] += 1  # a row of band 3
    other = band_keys(changed, 14, 8)
    assert [i for i in range(14) if keys[i] != other[i]] == [3]


def test_equal_rows_in_different_bands_give_different_keys() -> None:
    sig = np.zeros(16, dtype=np.uint32)
    first, second = band_keys(sig, 2, 8)
    assert first != second


# -- passages ------------------------------------------------------------------------------------


def seed_passages(prefix: str) -> Passages:
    return passages(shingle_hashes(normalise(seed_text(prefix)), 5), 5)


def test_seed_000_and_001_share_several_passages() -> None:
    first, second = seed_passages("000"), seed_passages("001")
    holders = {value: ["000"] for value in first.prints}
    assert shared_passages(second, holders).get("000", 0) >= 3


def test_unrelated_seeds_share_no_passage() -> None:
    holders = {value: ["000"] for value in seed_passages("000").prints}
    for other in ("002", "003", "004"):
        assert shared_passages(seed_passages(other), holders) == {}


def test_passages_are_cut_by_content_not_by_position() -> None:
    """The same run of words gives the same prints wherever it starts and whatever surrounds it."""
    rng = random.Random(7)
    body = random_words(rng, 300)
    alone = passages(shingle_hashes(" ".join(body), 5), 5).prints
    framed = " ".join([*random_words(rng, 37), *body, *random_words(rng, 50)])
    inside = set(passages(shingle_hashes(framed, 5), 5).prints)
    # Only the first passage of the body (cut differently before its first cut) may differ.
    assert len(alone) >= 8
    assert sum(value in inside for value in alone) >= len(alone) - 2


def test_short_texts_give_no_prints() -> None:
    text = " ".join(["كلمة"] * (MIN_PASSAGE_WORDS - 1))
    assert passages(shingle_hashes(text, 5), 5).prints == ()
    assert passages(shingle_hashes("", 5), 5).prints == ()


def test_one_shared_passage_is_not_an_overlap() -> None:
    doc = seed_passages("001")
    assert shared_passages(doc, {doc.prints[0]: ["x"]}) == {}
    assert shared_passages(doc, {doc.prints[0]: ["x"], doc.prints[1]: ["x"]}) == {"x": 2}


def test_boilerplate_prints_are_ignored() -> None:
    doc = seed_passages("001")
    holders = {value: [f"d{i}" for i in range(30)] for value in doc.prints}
    assert shared_passages(doc, holders) == {}


# -- config ----------------------------------------------------------------------------------------


def test_config_defaults_from_settings() -> None:
    crawler = get_crawler(settings_dict={})
    config = DedupConfig.from_settings(crawler.settings)
    assert (config.shingle_size, config.permutations, config.bands, config.rows) == (5, 112, 14, 8)
    assert config.threshold == 0.8 and not config.keep_duplicates


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"NEWSPIPE_LSH_BANDS": 20}, "NEWSPIPE_LSH_BANDS x NEWSPIPE_LSH_ROWS"),
        ({"NEWSPIPE_NEAR_DUP_THRESHOLD": 1.5}, "NEWSPIPE_NEAR_DUP_THRESHOLD"),
        ({"NEWSPIPE_SHINGLE_SIZE": "five"}, "NEWSPIPE_SHINGLE_SIZE"),
        ({"NEWSPIPE_MINHASH_PERMUTATIONS": 0}, "NEWSPIPE_MINHASH_PERMUTATIONS"),
    ],
)
def test_bad_settings_name_the_setting(settings: dict[str, object], named: str) -> None:
    crawler = get_crawler(settings_dict=settings)
    with pytest.raises(SettingError, match=named):
        DedupStage.from_crawler(crawler)


# -- the index in the state store ------------------------------------------------------------------


def sig_bytes(text: str) -> tuple[list[int], bytes]:
    sig = signature(shingle_hashes(text, 5), 112, MINHASH_SEED)
    return band_keys(sig, 14, 8), to_bytes(sig)


def test_index_survives_reopening_once_committed(tmp_path: Path) -> None:
    keys, sig = sig_bytes(normalise(seed_text("002")))
    state = SqliteState(tmp_path / "state.sqlite")
    state.add_kept("h1", "doc1", "run1")
    state.add_near_index("doc1", keys, sig, "was")
    state.add_paragraph_prints("doc1", [1, 2, 3], 20)
    state.commit()
    state.close()
    state = SqliteState(tmp_path / "state.sqlite")
    assert state.find_exact("h1") == "doc1"
    assert state.lsh_candidates(keys[5:6]) == ["doc1"]
    assert state.get_signatures(["doc1", "nope"]) == {"doc1": sig}
    assert state.get_sources(["doc1"]) == {"doc1": "was"}
    assert state.paragraph_holders([2, 9]) == {2: ["doc1"]}
    state.close()


def test_uncommitted_index_is_not_kept(tmp_path: Path) -> None:
    keys, sig = sig_bytes(normalise(seed_text("002")))
    state = SqliteState(tmp_path / "state.sqlite")
    state.add_near_index("doc1", keys, sig, None)
    state.add_paragraph_prints("doc1", [1], 20)
    state.close()
    state = SqliteState(tmp_path / "state.sqlite")
    assert state.lsh_candidates(keys) == []
    assert state.paragraph_holders([1]) == {}
    state.close()


def test_candidates_come_once_each_in_the_order_kept(tmp_path: Path) -> None:
    state = SqliteState(tmp_path / "state.sqlite")
    state.add_near_index("b-second", [10, 11, 12], b"x", None)
    state.add_near_index("a-third", [12, 13], b"y", None)
    state.add_near_index("c-first", [11], b"z", None)
    assert state.lsh_candidates([11, 12, 13]) == ["b-second", "a-third", "c-first"]
    assert state.lsh_candidates([99]) == []
    state.add_near_index("b-second", [99], b"again", None)  # a second record changes nothing
    assert state.lsh_candidates([99]) == []
    state.close()


def test_short_documents_keep_their_source_without_keys(tmp_path: Path) -> None:
    state = SqliteState(tmp_path / "state.sqlite")
    state.add_near_index("short", [], b"", "okaz")
    assert state.get_sources(["short"]) == {"short": "okaz"}
    assert state.get_signatures(["short"]) == {}
    state.close()


def test_a_print_keeps_one_holder_more_than_the_limit(tmp_path: Path) -> None:
    state = SqliteState(tmp_path / "state.sqlite")
    for number in range(8):
        state.add_paragraph_prints(f"d{number}", [42, number], 3)
    assert state.paragraph_holders([42])[42] == ["d0", "d1", "d2", "d3"]
    assert state.paragraph_holders([5]) == {5: ["d5"]}
    state.close()


def test_a_print_given_twice_is_held_once(tmp_path: Path) -> None:
    state = SqliteState(tmp_path / "state.sqlite")
    state.add_paragraph_prints("d", [7, 7, 8], 20)
    assert state.paragraph_holders([7, 8]) == {7: ["d"], 8: ["d"]}
    state.close()


def test_large_lookups_go_in_chunks(tmp_path: Path) -> None:
    state = SqliteState(tmp_path / "state.sqlite")
    state.add_near_index("doc", list(range(1200)), b"s", None)
    state.add_paragraph_prints("doc", list(range(1200)), 20)
    assert state.lsh_candidates(list(range(1100, 2400))) == ["doc"]
    assert len(state.paragraph_holders(list(range(1300)))) == 1200
    state.close()


# -- the decision ----------------------------------------------------------------------------------


def test_exact_then_near_then_kept(tmp_path: Path) -> None:
    state = SqliteState(tmp_path / "state.sqlite")
    dedup = Deduplicator(state, DedupConfig())
    dedup.check_profile()
    text = seed_text("003")
    first = dedup.judge(normalise(text))
    assert first.reason is None and first.duplicate_of is None
    dedup.remember("orig", first, "run", "was")
    copy = dedup.judge(normalise(text + "!"))
    assert (copy.reason, copy.duplicate_of, copy.similarity) == ("duplicate", "orig", 1.0)
    words = text.split(" ")
    for position in (40, 200, 400):
        words[position] = "مختلفة"
    changed = " ".join(words)
    near = dedup.judge(normalise(changed))
    assert near.reason == "near_duplicate" and near.duplicate_of == "orig"
    assert near.similarity is not None and 0.8 <= near.similarity < 1.0
    other = seed_text("004")
    assert dedup.judge(normalise(other)).reason is None
    state.close()


def test_on_equal_similarity_the_earliest_kept_wins(tmp_path: Path) -> None:
    state = SqliteState(tmp_path / "state.sqlite")
    config = DedupConfig()
    dedup = Deduplicator(state, config)
    text = normalise(seed_text("002"))
    keys, sig = sig_bytes(text)
    for doc_id in ("z-earliest", "a-later", "m-latest"):  # same signature, ids not in kept order
        state.add_near_index(doc_id, keys, sig, None)
    verdict = dedup.judge(text)
    assert (verdict.reason, verdict.duplicate_of, verdict.similarity) == (
        "near_duplicate",
        "z-earliest",
        1.0,
    )
    state.close()


def test_a_state_built_with_other_shingles_is_refused(tmp_path: Path) -> None:
    state = SqliteState(tmp_path / "state.sqlite")
    Deduplicator(state, DedupConfig()).check_profile()
    state.commit()
    with pytest.raises(SettingError, match="NEWSPIPE_SHINGLE_SIZE"):
        Deduplicator(state, DedupConfig(shingle_size=4)).check_profile()
    state.close()


def test_content_hash_ignores_diacritics_tatweel_variants_and_punctuation() -> None:
    assert content_hash(normalise("قَالَ الأمير، إن المدرسة")) == content_hash(
        normalise("قـــال الامير: ان المدرسه!")
    )
