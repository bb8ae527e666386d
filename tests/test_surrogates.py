"""Lone surrogates (file names that are not UTF-8, cut JSON escapes) made into text."""

from __future__ import annotations

import json
import os

from newspipe.surrogates import key_text, shown, utf8, without_surrogates

NAME = os.fsdecode(b"/news/\xe4\xf3/day-\xff.txt")  # CP1256 bytes, as Python decodes them


def test_a_json_value_without_surrogates_is_returned_as_it_is() -> None:
    record = json.loads('{"text": "نص عربي", "tags": ["أ", 1, null], "n": {"k": "v"}}')
    assert without_surrogates(record) is record


def test_lone_surrogates_in_a_json_value_become_the_replacement_character() -> None:
    record = json.loads(
        '{"text": "a \\ud83d b", "pair": "\\ud83d\\ude00", "\\udc00": [1, {"x": "\\udfff"}]}'
    )
    assert without_surrogates(record) == {
        "text": "a \ufffd b",
        "pair": "\U0001f600",  # a whole pair is one character: left as it is
        "\ufffd": [1, {"x": "\ufffd"}],
    }


def test_a_name_that_is_not_utf8_is_shown_with_its_bytes_escaped() -> None:
    assert shown(NAME) == "/news/\\xe4\\xf3/day-\\xff.txt"
    assert shown("/news/أخبار.txt") == "/news/أخبار.txt"


def test_manifest_keys_are_text_and_keep_names_apart() -> None:
    key = key_text(NAME)
    assert key == "/news/\0e4\0f3/day-\0ff.txt"
    key.encode("utf-8")  # a state store can hold it
    assert key_text("/news/أخبار.txt") == "/news/أخبار.txt"  # as before: old states still match
    # a folder's key is the start of its files' keys, and a name spelling its bytes out differs
    folder, name = NAME.rsplit("/", 1)
    assert key_text(folder + "/") + key_text(name) == key
    assert key_text("/news/\\xe4\\xf3/day-\\xff.txt") != key


def test_output_text_with_a_lone_surrogate_is_written_as_valid_utf8() -> None:
    assert utf8("نص") == "نص".encode()
    assert utf8("a\ud83d").decode("utf-8") == "a\ufffd"
