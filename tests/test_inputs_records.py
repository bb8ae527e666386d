"""JSON records to document fields, dates and domains; streaming JSON values and lines."""

from __future__ import annotations

import io
import json

import pytest

from newspipe.inputs.formats import (
    JSON_DECODER,
    FormatError,
    Value,
    iter_json_values,
    iter_lines,
)
from newspipe.inputs.records import BadRecord, FieldNames, iso_date, record_fields, url_domain


def test_saudinewsnet_record() -> None:
    record = {
        "source": "aawsat",
        "url": "http://aawsat.com/home/article/410826/x",
        "date_extracted": "2015-07-21 02:51:32",
        "title": "عنوان",
        "author": "لندن: رنيم حنوش",
        "content": "نص الخبر",
    }
    fields = record_fields(record, FieldNames())
    assert (fields.text, fields.title, fields.source, fields.author) == (
        "نص الخبر",
        "عنوان",
        "aawsat",
        "لندن: رنيم حنوش",
    )
    assert fields.url == record["url"]
    assert fields.published == "2015-07-21T02:51:32"
    assert fields.meta is None


def test_other_fields_go_under_meta_and_first_listed_field_wins() -> None:
    record = {"body": "b", "text": "t", "headline": "h", "tags": ["x"], "lang": "ar"}
    fields = record_fields(record, FieldNames())
    assert fields.text == "t"
    assert fields.title == "h"
    assert fields.meta == {"body": "b", "tags": ["x"], "lang": "ar"}


def test_field_names_are_settings() -> None:
    fields = record_fields({"maintext": "x", "text": "y"}, FieldNames(text=("maintext",)))
    assert fields.text == "x"
    assert fields.meta == {"text": "y"}


def test_a_dotted_field_name_reaches_into_objects() -> None:
    record = {
        "article": {"body": {"text": "نص"}, "headline": "عنوان", "section": "محليات"},
        "author": {"name": None},
        "id": 7,
    }
    names = FieldNames(
        text=("text", "article.body.text"), title=("article.headline",), author=("author.name",)
    )
    fields = record_fields(record, names)
    assert (fields.text, fields.title, fields.author) == ("نص", "عنوان", None)
    # what was taken leaves meta, an object it leaves empty too, a null one as other nulls
    assert fields.meta == {"article": {"section": "محليات"}, "id": 7}
    assert record["article"]["body"] == {"text": "نص"}  # the record itself is not changed


def test_a_field_named_with_a_dot_is_taken_before_a_path_into_objects() -> None:
    record = {"body.text": "بالاسم", "body": {"text": "بالمسار"}}
    fields = record_fields(record, FieldNames(text=("body.text",)))
    assert fields.text == "بالاسم"
    assert fields.meta == {"body": {"text": "بالمسار"}}
    with pytest.raises(BadRecord):  # a path through something that is not an object
        record_fields({"body": ["text"]}, FieldNames(text=("body.text",)))


def test_unreadable_date_stays_in_meta() -> None:
    fields = record_fields({"text": "x", "date": "yesterday-ish"}, FieldNames())
    assert fields.published is None
    assert fields.meta == {"date": "yesterday-ish"}


def test_a_field_of_another_kind_stays_in_meta_and_nulls_and_blanks_leave_it() -> None:
    record = {"text": "x", "title": 5, "url": ["u"], "author": {"name": "a"}, "source": "  "}
    fields = record_fields(record | {"headline": None, "date": None}, FieldNames())
    assert (fields.title, fields.url, fields.author, fields.source) == (None, None, None, None)
    assert fields.meta == {"title": 5, "url": ["u"], "author": {"name": "a"}}


def test_numbers_json_has_not_are_read_as_text() -> None:
    # Python's json reads NaN and Infinity, and 1e400 as inf, then writes them out as no JSON
    # reader reads them: they stay the text they were.
    line = '{"text": "x", "score": NaN, "views": Infinity, "rank": -Infinity, "big": 1e400}'
    (streamed,) = iter_json_values(iter([line]), 1000)
    assert isinstance(streamed, Value)
    assert streamed.value == JSON_DECODER.decode(line)  # a stream and a line, read alike
    fields = record_fields(streamed.value, FieldNames())
    assert fields.meta == {"score": "NaN", "views": "Infinity", "rank": "-Infinity", "big": "1e400"}
    json.dumps(fields.meta, allow_nan=False)  # standard JSON


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"title": "t"}, "no text field"),
        ({"text": 42}, "field 'text' holds a number, not text"),
        ({"text": {"ar": "نص"}}, "field 'text' holds an object, not text"),
        ([1, 2], "an array, not an object"),
        (None, "null, not an object"),
        (3.5, "a number, not an object"),
    ],
)
def test_records_without_text_are_malformed(record: object, message: str) -> None:
    with pytest.raises(BadRecord) as caught:
        record_fields(record, FieldNames())
    assert caught.value.reason == "malformed"
    assert message in caught.value.detail


def test_paragraph_lists_are_joined() -> None:
    assert record_fields({"text": ["a", "b"]}, FieldNames()).text == "a\nb"


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2015-07-21", "2015-07-21"),
        ("2015-07-21 02:51:32", "2015-07-21T02:51:32"),
        ("2015-07-21T02:51:32Z", "2015-07-21T02:51:32+00:00"),
        ("2015/07/21", "2015-07-21"),
        ("Tue, 21 Jul 2015 02:51:32 +0300", "2015-07-21T02:51:32+03:00"),
        (1437446400, "2015-07-21T02:40:00+00:00"),
        ("not a date", None),
        (True, None),
        ("2015-13-45", None),
    ],
)
def test_iso_date(value: object, iso: str | None) -> None:
    assert iso_date(value) == iso


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        ("http://www.Aawsat.com/home/x", "aawsat.com"),
        ("https://sabq.org", "sabq.org"),
        ("alriyadh.com/123", "alriyadh.com"),
        ("", None),
        ("http://[::1", None),
    ],
)
def test_url_domain(url: str, domain: str | None) -> None:
    assert url_domain(url) == domain


def _values(text: str, chunk: int = 7, limit: int = 10_000) -> list[Value | FormatError]:
    chunks = (text[i : i + chunk] for i in range(0, len(text), chunk))
    return list(iter_json_values(chunks, limit))


def test_array_elements_streamed_across_chunk_boundaries() -> None:
    records = [{"text": f"نص {i}", "n": 12345678 + i} for i in range(50)]
    values = _values(json.dumps(records, ensure_ascii=False), chunk=5)
    assert [v.value for v in values if isinstance(v, Value)] == records
    assert [v.number for v in values] == list(range(1, 51))


def test_single_value_has_number_zero_and_sequences_are_numbered() -> None:
    assert [(v.number, v.value) for v in _values('{"text": "a"}')] == [(0, {"text": "a"})]
    values = _values('{"text": "a"}\n{"text": "b"} 7')
    assert [(v.number, v.value) for v in values if isinstance(v, Value)] == [
        (1, {"text": "a"}),
        (2, {"text": "b"}),
        (3, 7),
    ]


@pytest.mark.parametrize("chunk", [5, 1 << 20])
def test_a_malformed_element_is_a_reject_and_reading_goes_on_after_it(chunk: int) -> None:
    # the nested objects before the fault are not taken for the next element
    broken = '{"tags": [{"a": 1}, {"b": 2}], "text": oops}'
    values = _values(f'[{{"text": "a"}}, {{"text": "b"}}, {broken}, {{"text": "d"}}]', chunk)
    assert [(v.number, v.value) for v in values if isinstance(v, Value)] == [
        (1, {"text": "a"}),
        (2, {"text": "b"}),
        (4, {"text": "d"}),
    ]
    (error,) = (v for v in values if isinstance(v, FormatError))
    assert (error.number, error.reason, error.stop) == (3, "malformed", False)
    assert error.detail.endswith("; read on from the next value")


def test_values_one_after_another_read_on_after_a_malformed_one() -> None:
    values = _values('{"text": "a"}\n{"text": oops}\n{"text": "c"}\n', chunk=4)
    assert [(v.number, type(v).__name__) for v in values] == [
        (1, "Value"),
        (2, "FormatError"),
        (3, "Value"),
    ]


def test_a_malformed_element_with_nothing_after_it_stops_the_file() -> None:
    values = _values('[{"text": "a"}, {"text": oops, "more": "never closed')
    assert [v.value for v in values if isinstance(v, Value)] == [{"text": "a"}]
    error = values[-1]
    assert isinstance(error, FormatError)
    assert (error.number, error.reason, error.stop) == (2, "malformed", True)
    assert "nothing after it in the file could be read" in error.detail


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   \n", "empty"),
        ('[{"text": "a"}', "malformed"),
        ('[{"text": "a"} "b"]', "malformed"),
        ('[{"text": "a"}] trailing', "malformed"),
        ('{"text": "never closed', "malformed"),
    ],
)
def test_broken_json_ends_in_a_format_error(text: str, reason: str) -> None:
    last = _values(text)[-1]
    assert isinstance(last, FormatError)
    assert last.reason == reason


def test_oversized_element_is_too_large() -> None:
    values = _values(json.dumps([{"text": "a"}, {"text": "x" * 500}]), limit=100)
    assert isinstance(values[0], Value)
    assert isinstance(values[1], FormatError)
    assert values[1].reason == "too_large"


def test_a_missing_comma_between_objects_and_arrays_one_after_another_are_read() -> None:
    values = _values('[{"text": "a"} {"text": "b"},]\n[{"text": "c"}][]', chunk=3)
    assert [(v.number, v.value) for v in values] == [
        (1, {"text": "a"}),
        (2, {"text": "b"}),
        (3, {"text": "c"}),
    ]


def test_trailing_comma_is_forgiven() -> None:
    assert [v.value for v in _values('[{"text": "a"},]')] == [{"text": "a"}]


def test_lines_over_the_limit_are_skipped_whole() -> None:
    stream = io.BytesIO(b"short\n" + b"x" * 50 + b"\nafter\nlast")
    lines = list(iter_lines(stream.readline, 10, b"\n"))
    assert [(line.number, line.text) for line in lines] == [
        (1, b"short\n"),
        (2, None),
        (3, b"after\n"),
        (4, b"last"),
    ]
