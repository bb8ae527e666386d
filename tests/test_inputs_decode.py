"""Bytes to text: the encodings newspipe reads, what it refuses, and mojibake repair."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newspipe.inputs.decode import (
    Decoded,
    NotText,
    decode_bytes,
    decode_legacy,
    repair_mojibake,
)

ARABIC = "اللغة العربية جميلة، وهي لغة القرآن الكريم. قال الوزير إن الاقتصاد ينمو بسرعة هذا العام."
# Letters both legacy code pages have, with spaces and the Arabic comma.
ARABIC_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي ءآأؤإئة،"


@pytest.mark.parametrize(
    ("codec", "recorded"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),
        ("cp1256", "cp1256"),
        ("iso8859_6", "iso-8859-6"),
    ],
)
def test_each_encoding_is_recognised_and_recorded(codec: str, recorded: str) -> None:
    decoded = decode_bytes(ARABIC.encode(codec))
    assert decoded.text == ARABIC
    assert decoded.encoding == recorded


def test_utf16_big_endian_with_bom() -> None:
    decoded = decode_bytes(b"\xfe\xff" + ARABIC.encode("utf-16-be"))
    assert (decoded.text, decoded.encoding) == (ARABIC, "utf-16")


def test_nul_bytes_without_bom_are_binary() -> None:
    with pytest.raises(NotText) as caught:
        decode_bytes(b"PK\x03\x04\x00\x00 some zip")
    assert caught.value.reason == "binary"
    assert "first at byte 4" in caught.value.detail


@pytest.mark.parametrize("padding", [b"\x00" * 4096, b"\x00\x00\n", b"\n\x00"])
@pytest.mark.parametrize("codec", ["utf-8", "cp1256"])
def test_nul_padding_after_the_text_is_dropped(codec: str, padding: bytes) -> None:
    # a write cut short by a crash or a full disk leaves the file's tail as NUL bytes
    assert decode_bytes(ARABIC.encode(codec) + padding).text.rstrip("\n") == ARABIC


def test_nul_bytes_inside_the_text_stay_binary() -> None:
    data = ARABIC.encode() + b"\x00\x00" + ARABIC.encode()
    with pytest.raises(NotText) as caught:
        decode_bytes(data)
    assert caught.value.reason == "binary"
    assert f"first at byte {len(ARABIC.encode())}" in caught.value.detail


@pytest.mark.parametrize("data", [b"\x00" * 512, b"  \n\x00\x00"])
def test_only_nul_bytes_are_empty(data: bytes) -> None:
    with pytest.raises(NotText) as caught:
        decode_bytes(data)
    assert caught.value.reason == "empty"
    assert "only NUL bytes" in caught.value.detail


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_arabic_in_utf16_without_a_bom_is_read(codec: str) -> None:
    assert decode_bytes(ARABIC.encode(codec)) == Decoded(ARABIC, codec)


@pytest.mark.parametrize(
    "data",
    [
        "plain English text, saved as UTF-16 without its mark".encode("utf-16-le"),
        ARABIC.encode("utf-16-le") + b"\x00",  # an odd length is not UTF-16
        (ARABIC + "\x01\x02").encode("utf-16-le"),  # control characters: not text
    ],
)
def test_other_bytes_with_nuls_stay_binary(data: bytes) -> None:
    with pytest.raises(NotText) as caught:
        decode_bytes(data)
    assert caught.value.reason == "binary"


def test_control_characters_are_binary() -> None:
    with pytest.raises(NotText) as caught:
        decode_bytes(bytes(range(1, 9)) * 20)
    assert caught.value.reason == "binary"


def test_undecodable_names_the_first_bad_byte() -> None:
    data = b"plain ascii first " + bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D]) * 30
    with pytest.raises(NotText) as caught:
        decode_bytes(data)
    assert caught.value.reason == "undecodable"
    assert caught.value.detail == "not UTF-8, CP1256 or UTF-16 (first bad byte at 18)"


def test_legacy_decoding_refuses_latin_text() -> None:
    assert decode_legacy("Ça coûte très cher, déjà été là".encode("cp1252")) is None


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=ARABIC_LETTERS, min_size=8, max_size=300).filter(
        lambda t: sum(c.isalpha() for c in t) >= 3
    )
)
def test_cp1256_round_trip(text: str) -> None:
    assert decode_bytes(text.encode("cp1256")).text == text


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_decode_or_raise_not_text(data: bytes) -> None:
    try:
        decoded = decode_bytes(data)
    except NotText as exc:
        assert exc.reason in {"binary", "undecodable", "empty"}
        assert exc.reason != "empty" or not data.strip(b"\x00 \t\r\n")
    else:
        assert isinstance(decoded.text, str)


@pytest.mark.parametrize(
    ("wrong", "read_as", "status"),
    [
        ("utf-8", "cp1252", "repaired:cp1252>utf-8"),
        ("utf-8", "cp1256", "repaired:cp1256>utf-8"),
        ("cp1256", "cp1252", "repaired:cp1252>cp1256"),
        ("cp1256", "latin-1", "repaired:cp1252>cp1256"),
    ],
)
def test_mojibake_is_repaired(wrong: str, read_as: str, status: str) -> None:
    garbled = ARABIC.encode(wrong).decode(read_as)
    repaired = repair_mojibake(garbled)
    assert repaired.text == ARABIC
    assert repaired.status == status


def test_the_issue_example_is_repaired() -> None:
    assert repair_mojibake("ÇáÚÑÈíÉ").text == "العربية"


def test_mojibake_that_cannot_be_repaired_is_flagged() -> None:
    garbled = "ÇáÚÑÈíÉ ÇáÚÑÈ☃íÉ ÇáÚÑÈíÉ"  # a character no code page maps back
    assert repair_mojibake(garbled) == repair_mojibake(garbled).__class__(garbled, "suspected")


@pytest.mark.parametrize(
    "text",
    [
        ARABIC,
        "Le café est très bon à Paris, déjà vu",
        "plain English",
        "Straße und Grüße aus München",
    ],
)
def test_real_text_is_left_alone(text: str) -> None:
    assert repair_mojibake(text).text == text
    assert repair_mojibake(text).status == ""
