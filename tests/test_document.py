"""Layer 1: the document record, ids, reasons and decoding."""

from __future__ import annotations

import dataclasses

import pytest
from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from newspipe.document import (
    RECORD_FIELDS,
    DocumentAdapter,
    adapter_for,
    document_id,
    exported,
    new_document,
    normalised_text,
)
from newspipe.rejects import Duplicate, Rejected, reason_of, reject_for


def test_new_document_has_every_contract_field_in_order() -> None:
    doc = new_document(text="نص", path="a.txt")
    assert list(doc)[: len(RECORD_FIELDS)] == list(RECORD_FIELDS)
    assert doc["text"] == "نص" and doc["title"] is None


def test_document_id_is_stable_and_depends_on_origin_and_bytes() -> None:
    assert document_id("a.txt", b"x") == document_id("a.txt", b"x")
    assert document_id("a.txt", b"x") != document_id("b.txt", b"x")
    assert document_id("a.txt", b"x") != document_id("a.txt", b"y")
    assert len(document_id("a.txt", b"x")) == 16


def test_exported_drops_working_keys() -> None:
    assert exported({"id": "1", "_normalised": ("a", "a")}) == {"id": "1"}


def test_normalised_text_is_cached_per_text_and_recomputed_when_text_changes() -> None:
    doc = {"text": "قالَ"}
    first = normalised_text(doc)
    assert normalised_text(doc) is first
    doc["text"] = "كتب"
    assert normalised_text(doc) != first


def test_reject_classes_and_reason_words() -> None:
    assert isinstance(reject_for("duplicate", "same"), Duplicate)
    custom = reject_for("too_short", "fewer than 20 words")
    assert isinstance(custom, Rejected) and custom.reason == "too_short"
    assert reason_of(custom) == "too_short"
    assert reason_of(DropItem("x")) == "dropped"

    class MyTooShortDrop(DropItem):
        pass

    assert reason_of(MyTooShortDrop("x")) == "my_too_short_drop"


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"\x00\x01", "binary"), (b"\xff\xfe\xfa", "undecodable")],
)
def test_decode_rejects_name_the_reason(data: bytes, reason: str) -> None:
    from newspipe.inputs.decode import NotText, decode_bytes

    with pytest.raises(NotText) as caught:
        decode_bytes(data)
    assert caught.value.reason == reason


@pytest.mark.parametrize("key", ["text", "_normalised", "missing"])
def test_document_adapter_answers_as_item_adapter_does(key: str) -> None:
    fast, generic = {"text": "نص", "_normalised": None}, {"text": "نص", "_normalised": None}
    quick, slow = adapter_for(fast), ItemAdapter(generic)
    assert isinstance(quick, DocumentAdapter) and isinstance(quick, ItemAdapter)
    assert quick.get(key) == slow.get(key) and quick.get(key, 7) == slow.get(key, 7)
    assert (key in quick) == (key in slow)
    if key in slow:
        assert quick[key] == slow[key]
        del quick[key], slow[key]
    else:
        with pytest.raises(KeyError):
            quick[key]
    quick["new"] = slow["new"] = 1
    assert fast == generic and dict(quick) == dict(slow) and quick.item is fast


def test_adapter_for_leaves_other_items_to_item_adapter() -> None:
    @dataclasses.dataclass
    class Article:
        text: str

    class Record(dict[str, object]):
        pass

    assert type(adapter_for(Article("x"))) is ItemAdapter
    assert type(adapter_for(Record(text="x"))) is ItemAdapter  # a subclass may override access
    assert adapter_for(Article("x")).get("text") == "x"
